package dev.kure.cli;

import dev.kure.Grid;
import dev.kure.Kernels;
import dev.kure.KureResult;
import dev.kure.Moments;
import dev.kure.StepPolicy;
import dev.kure.io.DType;
import dev.kure.io.SafetensorsWriter;
import dev.kure.io.TensorFile;
import dev.kure.io.TensorInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code kure regularize FILE --steps N --out FILE}: gradient descent on the KURE regularizer alone (no
 * task loss) for every selected weight tensor of a safetensors file, written to a new file with every
 * other tensor's bytes and the metadata unchanged. Reports kurtosis and robustness (4-bit SNR at the
 * MSE step, and the worst over step ratios 0.7–1.3) before and after.
 */
@Command(name = "regularize", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Apply KURE gradient steps (no task loss) to the weight tensors of a safetensors file and write "
                + "a new file; everything else is copied unchanged.",
            "Selected by default: tensors of rank 2 or more (linear and conv weights); rank 0 and 1 (biases, norms) "
                + "and empty tensors are skipped. Each regularized tensor keeps its dtype: F16 and BF16 are rounded to "
                + "nearest, ties to even."})
public final class RegularizeCommand implements Callable<Integer> {
    @ParentCommand
    Main parent;

    @Parameters(index = "0", paramLabel = "FILE", description = "the input safetensors file")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the safetensors file to write (not the "
            + "input)")
    Path out;

    @Option(names = "--steps", paramLabel = "N", description = "gradient steps (default: 100)")
    int steps = 100;

    @Option(names = "--lr", paramLabel = "X", description = "scale-free learning rate: tensor i steps with lr*n_i*var_i, "
            + "and no weight moves more than 0.1 sigma per step (default: " + Regularizer.DEFAULT_LR + ")")
    double lr = Regularizer.DEFAULT_LR;

    @Option(names = "--target", paramLabel = "K", description = "target kurtosis, in the KURE loss's sample-std "
            + "convention (default: 1.8, the uniform distribution's)")
    double target = 1.8;

    @Option(names = "--filter", paramLabel = "REGEX", description = "only tensors whose name contains a match")
    String filter;

    @Option(names = "--progress", description = "Show the progress bar even when stderr is not a terminal.")
    boolean progress;

    @Option(names = "--verbose", description = "Print stack traces with errors.")
    boolean verbose;

    /** Creates the command (picocli instantiates it). */
    public RegularizeCommand() {}

    /** Runs the regularization. */
    @Override
    public Integer call() {
        if (steps < 0) {
            throw new UserError("--steps must be >= 0, was " + steps);
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new UserError("--lr must be positive and finite, was " + lr);
        }
        if (!(target >= 1) || Double.isInfinite(target)) {
            throw new UserError("--target must be a kurtosis >= 1 (the smallest possible) and finite, was " + target);
        }
        Pattern pattern = AnalyzeCommand.pattern(filter);
        checkOut(in, out);
        Kernels k = parent.kernels();
        PrintStream o = parent.out;
        List<String> names = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        List<float[]> weights = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> dtypes = new ArrayList<>();
        List<DType> types = new ArrayList<>();
        List<Double> kBefore = new ArrayList<>();
        int lowRank = 0;
        try (TensorFile tf = TensorFile.open(in)) {
            if (tf.format() != TensorFile.Format.SAFETENSORS) {
                throw new UserError(in + ": regularize needs a safetensors file, this is " + tf.format());
            }
            for (TensorInfo t : tf.tensors()) {
                if (pattern != null && !pattern.matcher(t.name()).find()) {
                    continue;
                }
                if (t.rank() < 2) {
                    lowRank++;
                    continue;
                }
                if (!t.isSupported()) {
                    notes.add(t.name() + ": dtype " + t.rawDtype() + " not supported, copied unchanged");
                    continue;
                }
                if (t.elementCount() < 2) {
                    notes.add(t.name() + ": " + (t.elementCount() == 0 ? "empty" : "one element") + " (shape "
                            + Arrays.toString(t.shape()) + "), copied unchanged");
                    continue;
                }
                if (t.elementCount() > Integer.MAX_VALUE - 8) {
                    notes.add(t.name() + ": " + t.elementCount() + " elements, too many for this command, copied "
                            + "unchanged");
                    continue;
                }
                float[] w = tf.toFloatArray(t.name());
                long bad = Analysis.countNonFinite(w);
                if (bad > 0) {
                    throw new UserError(in + ": tensor '" + t.name() + "' has " + bad + " NaN or infinite value"
                            + (bad == 1 ? "" : "s") + "; refusing to regularize");
                }
                names.add(t.name());
                shapes.add(t.shape());
                dtypes.add(t.rawDtype());
                types.add(t.dtype());
                weights.add(w);
                kBefore.add(k.moments(w).kurtosis());
            }
        }
        if (weights.isEmpty()) {
            throw new UserError(in + ": no tensor selected (rank >= 2, supported dtype"
                    + (filter == null ? "" : ", matching --filter " + filter) + "); nothing written");
        }
        Analysis.Settings four = new Analysis.Settings(new int[] {4}, List.of(StepPolicy.mse()), Grid.SIGNED,
                Long.MAX_VALUE, Integer.MAX_VALUE);
        List<Analysis.Profile> before = new ArrayList<>();
        for (float[] w : weights) {
            before.add(Analysis.profile(k, w, four));
        }
        Progress bar = Progress.of(parent.err, progress || parent.progress || parent.terminal, parent.terminal,
                "KURE steps", steps);
        KureResult[] res = Regularizer.run(k, weights, steps, lr, target, s -> bar.set(s, null));
        bar.finish();
        Map<String, float[]> replacements = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            replacements.put(names.get(i), weights.get(i));
        }
        SafetensorsWriter.rewriteKeepingDtypes(in, out, replacements);

        o.println("backend: " + k.describe());
        o.printf(Locale.ROOT, "KURE: %d steps, lr %s (scale-free), target kurtosis %s (sample-std convention), %d tensors;"
                + " loss %.4g -> %.4g%n", steps, lr, target, names.size(), res[0].loss(), res[1].loss());
        if (lowRank > 0) {
            o.printf(Locale.ROOT, "skipped %d tensor%s of rank 0 or 1 (biases, norms): copied unchanged%n", lowRank,
                    lowRank == 1 ? "" : "s");
        }
        for (String n : notes) {
            o.println("skipped " + n);
        }
        for (KureResult.Skipped s : res[0].skipped()) {
            o.println("not regularized (" + s.reason() + "): " + names.get(s.index()));
        }
        o.println();
        o.printf(Locale.ROOT, "%-40s %-6s %-18s %17s %19s %19s%n", "tensor", "dtype", "shape", "kurtosis (Pearson)",
                "SNR4 dB (mse step)", "worst r 0.7-1.3");
        List<String> far = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            float[] w = weights.get(i);
            float[] written = roundTrip(w, types.get(i));
            Moments m = k.moments(written);
            Analysis.Profile after = Analysis.profile(k, written, four);
            o.printf(Locale.ROOT, "%-40s %-6s %-18s %7.3f -> %6.3f %7.2f -> %7.2f %7.2f -> %7.2f%n", names.get(i),
                    dtypes.get(i), Arrays.toString(shapes.get(i)), kBefore.get(i), m.kurtosis(),
                    before.get(i).snrMse()[0], after.snrMse()[0], before.get(i).worstMse()[0], after.worstMse()[0]);
            if (Math.abs(m.kurtosisSampleStd() - target) > FAR) {
                far.add(String.format(Locale.ROOT, "%s (%.3f)", names.get(i), m.kurtosisSampleStd()));
            }
        }
        o.println();
        if (!far.isEmpty()) {
            String msg = String.format(Locale.ROOT, "warning: %d of %d tensors ended more than %.1f from the target "
                    + "kurtosis %s (sample-std convention) after %d steps: %s%s; run more --steps or a larger --lr",
                    far.size(), names.size(), FAR, target, steps, String.join(", ", far.subList(0, Math.min(5, far.size()))),
                    far.size() > 5 ? ", ..." : "");
            o.println(msg);
            parent.err.println("kure: " + msg);
        }
        o.println("wrote " + out + " (kurtosis above: Pearson's m4/m2^2, as kure analyze prints it; the KURE loss uses "
                + "the sample-std convention K_u = ((n-1)/n)^2 K of the reference code; each tensor kept its dtype)");
        return Main.OK;
    }

    /** Tensors whose kurtosis ends further than this from the target are named in a warning. */
    static final double FAR = 0.1;

    /** The values as the output file holds them: rounded to the tensor's dtype and back. */
    static float[] roundTrip(float[] w, DType dtype) {
        float[] r = w.clone();
        if (dtype == DType.F16 || dtype == DType.BF16) {
            for (int i = 0; i < r.length; i++) {
                r[i] = dtype.round(r[i]);
            }
        }
        return r;
    }

    /** Refuses an output that is the input, a directory, or not writable, before any work. */
    static void checkOut(Path in, Path out) {
        Path absIn = in.toAbsolutePath().normalize(), absOut = out.toAbsolutePath().normalize();
        boolean same = absIn.equals(absOut);
        if (!same && Files.exists(out) && Files.exists(in)) {
            try {
                same = Files.isSameFile(in, out);
            } catch (IOException e) {
                same = false;
            }
        }
        if (same) {
            throw new UserError(out + ": --out is the input file; write to another file");
        }
        if (Files.isDirectory(out)) {
            throw new UserError(out + ": --out is a directory");
        }
        Path dir = absOut.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UserError(out + ": cannot write: directory " + dir + " does not exist");
        }
        if (!Files.isWritable(dir) || (Files.exists(out) && !Files.isWritable(out))) {
            throw new UserError(out + ": cannot write: permission denied");
        }
    }
}
