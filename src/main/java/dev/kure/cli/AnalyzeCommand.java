package dev.kure.cli;

import dev.kure.Grid;
import dev.kure.Kernels;
import dev.kure.Moments;
import dev.kure.StepPolicy;
import dev.kure.io.TensorFile;
import dev.kure.io.TensorInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code kure analyze FILE...}: per tensor, the shape, moments, the calibrated step of each step policy
 * and the robustness profile; {@code --json} for machines, {@code --plot DIR} for SVG charts.
 *
 * <h2>JSON schema ({@code "schema": "kure.analyze/1"})</h2>
 * <pre>
 * { "schema": "kure.analyze/1", "kure_version": str, "backend": str,
 *   "settings": { "grid": str, "rounding": "HALF_EVEN", "overflow": "SATURATE", "bits": [int],
 *                 "policies": [str], "ratios": [num] },
 *   "files": [ { "path": str, "format": "SAFETENSORS"|"NPY"|"NPZ", "tensors": [
 *     { "name": str, "dtype": str, "shape": [int], "count": int,
 *       "status": "ok"|"skipped"|"non_finite", "note": str|null,
 *       "moments": null | { "mean", "std", "variance", "skewness", "kurtosis", "excess_kurtosis",
 *                           "kurtosis_sample_std", "min", "max", "abs_max": num|null },
 *       "non_finite_count": int,           (only when status is non_finite)
 *       "sampled": int,                    (values the steps and profile were computed on)
 *       "steps": { policy: { "scale": [num per bits], "zero_point": [int per bits] } },
 *       "robustness": { "snr_db_max_abs": [per bits], "snr_db_mse": [per bits],
 *                       "worst_snr_db_max_abs": [per bits], "worst_snr_db_mse": [per bits],
 *                       "mse_vs_ratio": [[per ratio] per bits] } } ] } ],
 *   "summary": { "tensors": int, "analyzed": int, "skipped": int, "non_finite": int, "values": int,
 *                "kurtosis_min", "kurtosis_median", "kurtosis_max": num|null } }
 * </pre>
 * Kurtosis is Pearson's (population), 3 for a Gaussian, 1.8 for a uniform. SNR in dB is
 * 10·log10(Σx²/Σ(fq(x) − x)²); "worst" is the lowest over the step ratios. Non-finite numbers are
 * {@code null}. New fields may be added; existing ones keep their meaning.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Report per tensor: shape, moments (mean, std, skewness, kurtosis), the calibrated step of each "
                + "step policy and the robustness profile (SNR at bits 2-8 with the MAX_ABS and MSE steps, and the "
                + "worst SNR over step ratios 0.7-1.3).",
            "Reads safetensors (F32, F16, BF16, F64) and NumPy .npy/.npz (float16/32/64), memory-mapped."})
public final class AnalyzeCommand implements Callable<Integer> {
    /** The policies reported by default. */
    static final String DEFAULT_POLICIES = "max_abs,min_max,percentile:99.99,mse,lp:2.4,aciq_gauss,aciq_laplace,uniform_prior";

    @ParentCommand
    Main parent;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "safetensors, .npy or .npz files")
    List<Path> files;

    @Option(names = "--json", description = "Write JSON (schema kure.analyze/1) instead of text.")
    boolean json;

    @Option(names = "--plot", paramLabel = "DIR", description = "Write an SVG per tensor (MSE vs step ratio, one line "
            + "per bit-width) and kurtosis_histogram.svg into DIR.")
    Path plotDir;

    @Option(names = "--filter", paramLabel = "REGEX", description = "Only tensors whose name contains a match.")
    String filter;

    @Option(names = "--bits", split = ",", paramLabel = "B", description = "Bit-widths (default: 2,3,4,5,6,7,8).")
    int[] bits = {2, 3, 4, 5, 6, 7, 8};

    @Option(names = "--policies", split = ",", paramLabel = "P", description = "Step policies (default: "
            + DEFAULT_POLICIES + ").")
    List<String> policies = Arrays.asList(DEFAULT_POLICIES.split(","));

    @Option(names = "--grid", paramLabel = "GRID", description = "Integer grid: SIGNED (default), SIGNED_NARROW, "
            + "UNSIGNED, PAPER, MIDRISE.")
    String grid = "SIGNED";

    @Option(names = "--progress", description = "Show the progress bar even when stderr is not a terminal.")
    boolean progress;

    @Option(names = "--verbose", description = "Print stack traces with errors.")
    boolean verbose;

    @Option(names = "--sample-above", hidden = true, description = "Tensors with more elements are calibrated on a "
            + "strided sample.")
    long sampleAbove = 1L << 27;

    @Option(names = "--sample-size", hidden = true, description = "Size of that sample.")
    int sampleSize = 1 << 24;

    /** Creates the command (picocli instantiates it). */
    public AnalyzeCommand() {}

    /** Runs the analysis. */
    @Override
    public Integer call() {
        Analysis.Settings settings = settings();
        Pattern pattern = pattern(filter);
        Kernels k = parent.kernels();
        PrintStream out = parent.out;
        List<TensorFile> opened = new ArrayList<>();
        try {
            for (Path f : files) {
                opened.add(TensorFile.open(f)); // every file is validated before any work or output
            }
            if (plotDir != null) {
                checkPlotDir(plotDir);
            }
            Map<TensorFile, List<TensorInfo>> selected = new LinkedHashMap<>();
            int total = 0;
            for (TensorFile tf : opened) {
                List<TensorInfo> l = new ArrayList<>();
                for (TensorInfo t : tf.tensors()) {
                    if (pattern == null || pattern.matcher(t.name()).find()) {
                        l.add(t);
                    }
                }
                selected.put(tf, l);
                total += l.size();
            }
            Progress bar = Progress.of(parent.err, progress || parent.progress || parent.terminal, parent.terminal,
                    "analyze", total);
            Map<TensorFile, List<Analysis.Report>> reports = new LinkedHashMap<>();
            for (Map.Entry<TensorFile, List<TensorInfo>> e : selected.entrySet()) {
                List<Analysis.Report> l = new ArrayList<>();
                for (TensorInfo t : e.getValue()) {
                    bar.step(t.name());
                    l.add(Analysis.analyze(k, e.getKey(), t, settings));
                }
                reports.put(e.getKey(), l);
            }
            bar.finish();
            if (json) {
                out.println(json(k, settings, reports));
            } else {
                text(out, k, settings, reports);
            }
            if (plotDir != null) {
                int written = plot(plotDir, reports);
                if (!json) {
                    out.println("plots: " + written + " SVG files in " + plotDir);
                }
            }
            return Main.OK;
        } finally {
            for (TensorFile tf : opened) {
                tf.close();
            }
        }
    }

    private Analysis.Settings settings() {
        for (int b : bits) {
            if (b < 1 || b > 16) {
                throw new UserError("--bits: " + b + " is not a bit-width in 1..16");
            }
        }
        if (bits.length == 0) {
            throw new UserError("--bits: no bit-widths given");
        }
        List<StepPolicy> ps = new ArrayList<>();
        for (String p : policies) {
            try {
                ps.add(StepPolicy.parse(p));
            } catch (IllegalArgumentException e) {
                throw new UserError("--policies: " + e.getMessage());
            }
        }
        Grid g;
        try {
            g = Grid.valueOf(grid.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            g = null;
        }
        if (g == null || g == Grid.CUSTOM) {
            throw new UserError("--grid: '" + grid + "' is not one of SIGNED, SIGNED_NARROW, UNSIGNED, PAPER, MIDRISE");
        }
        if (sampleAbove < 1 || sampleSize < 1) {
            throw new UserError("--sample-above and --sample-size must be positive");
        }
        return new Analysis.Settings(bits.clone(), ps, g, sampleAbove, sampleSize);
    }

    static Pattern pattern(String regex) {
        if (regex == null) {
            return null;
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new UserError("--filter: '" + regex + "' is not a valid regular expression (" + e.getDescription()
                    + ")");
        }
    }

    private static void checkPlotDir(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UserError(dir + ": --plot needs a directory, this is a file");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            throw new UserError(dir + ": cannot create the plot directory (" + e.getMessage() + ")", e);
        }
        if (!Files.isWritable(dir)) {
            throw new UserError(dir + ": plot directory is not writable");
        }
    }

    // ---- text ---------------------------------------------------------------------------------------

    private static void text(PrintStream out, Kernels k, Analysis.Settings s,
                             Map<TensorFile, List<Analysis.Report>> reports) {
        out.println("backend: " + k.describe());
        out.printf(Locale.ROOT, "grid %s, rounding HALF_EVEN, saturate; kurtosis: Pearson (Gaussian 3, uniform 1.8); "
                + "SNR in dB%n", s.grid());
        for (Map.Entry<TensorFile, List<Analysis.Report>> e : reports.entrySet()) {
            TensorFile tf = e.getKey();
            out.println();
            out.printf(Locale.ROOT, "== %s (%s, %d tensors, %d selected)%n", tf.path(), tf.format(), tf.tensors().size(),
                    e.getValue().size());
            for (Analysis.Report r : e.getValue()) {
                tensorText(out, s, r);
            }
        }
        summaryText(out, reports);
    }

    private static void tensorText(PrintStream out, Analysis.Settings s, Analysis.Report r) {
        long count = 1;
        for (long d : r.shape()) {
            count *= d;
        }
        out.println();
        out.printf(Locale.ROOT, "%s  %s %s  %,d values%n", r.name(), r.dtype(), Arrays.toString(r.shape()), count);
        if (r.moments() == null) {
            out.println("  skipped: " + r.note());
            return;
        }
        Moments m = r.moments();
        if (!r.ok()) {
            out.println("  NOT ANALYZED: " + r.note());
            return;
        }
        out.printf(Locale.ROOT, "  mean %.4g  std %.4g  skewness %.4f  kurtosis %.4f  min %.4g  max %.4g%n", m.mean(),
                m.std(), m.skewness(), m.kurtosis(), m.min(), m.max());
        if (r.note() != null) {
            out.println("  note: " + r.note());
        }
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "  %-26s", "step / bits"));
        for (int b : s.bits()) {
            head.append(String.format(Locale.ROOT, " %10d", b));
        }
        out.println(head);
        for (Analysis.Steps st : r.steps()) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-26s", st.policy()));
            for (int i = 0; i < st.scales().length; i++) {
                row.append(String.format(Locale.ROOT, " %10.4g", st.scales()[i]));
            }
            boolean zp = false;
            for (int z : st.zeroPoints()) {
                zp |= z != 0;
            }
            if (zp) {
                row.append("  zero points ").append(Arrays.toString(st.zeroPoints()));
            }
            out.println(row);
        }
        Analysis.Profile p = r.profile();
        snrRow(out, "SNR dB, max_abs step", p.snrMaxAbs());
        snrRow(out, "SNR dB, mse step", p.snrMse());
        snrRow(out, "worst r 0.7-1.3, max_abs", p.worstMaxAbs());
        snrRow(out, "worst r 0.7-1.3, mse", p.worstMse());
    }

    private static void snrRow(PrintStream out, String label, double[] v) {
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-26s", label));
        for (double d : v) {
            row.append(String.format(Locale.ROOT, " %10.2f", d));
        }
        out.println(row);
    }

    private static void summaryText(PrintStream out, Map<TensorFile, List<Analysis.Report>> reports) {
        Summary sum = Summary.of(reports);
        out.println();
        out.printf(Locale.ROOT, "summary: %d tensors, %d analyzed (%,d values), %d skipped, %d with non-finite values%n",
                sum.tensors, sum.analyzed, sum.values, sum.skipped, sum.nonFinite);
        if (sum.analyzed > 0) {
            out.printf(Locale.ROOT, "kurtosis: min %.3f, median %.3f, max %.3f (uniform 1.8, Gaussian 3, Laplace 6)%n",
                    sum.kMin, sum.kMedian, sum.kMax);
        }
    }

    /** Counts and the kurtosis distribution over the analyzed tensors. */
    static final class Summary {
        int tensors, analyzed, skipped, nonFinite;
        long values;
        double kMin = Double.NaN, kMedian = Double.NaN, kMax = Double.NaN;
        double[] kurtoses = new double[0];

        static Summary of(Map<TensorFile, List<Analysis.Report>> reports) {
            Summary s = new Summary();
            List<Double> ks = new ArrayList<>();
            for (List<Analysis.Report> l : reports.values()) {
                for (Analysis.Report r : l) {
                    s.tensors++;
                    switch (r.status()) {
                        case "ok" -> {
                            s.analyzed++;
                            s.values += r.moments().count();
                            if (Double.isFinite(r.moments().kurtosis())) {
                                ks.add(r.moments().kurtosis());
                            }
                        }
                        case "non_finite" -> s.nonFinite++;
                        default -> s.skipped++;
                    }
                }
            }
            s.kurtoses = ks.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            if (s.kurtoses.length > 0) {
                s.kMin = s.kurtoses[0];
                s.kMax = s.kurtoses[s.kurtoses.length - 1];
                int n = s.kurtoses.length;
                s.kMedian = n % 2 == 1 ? s.kurtoses[n / 2] : 0.5 * (s.kurtoses[n / 2 - 1] + s.kurtoses[n / 2]);
            }
            return s;
        }
    }

    // ---- JSON ---------------------------------------------------------------------------------------

    static String json(Kernels k, Analysis.Settings s, Map<TensorFile, List<Analysis.Report>> reports) {
        JsonOut j = new JsonOut().beginObject();
        j.field("schema", "kure.analyze/1");
        String v = Main.class.getPackage().getImplementationVersion();
        j.field("kure_version", v == null ? "0.1.0-SNAPSHOT" : v);
        j.field("backend", k.describe());
        j.key("settings").beginObject().field("grid", s.grid().name()).field("rounding", "HALF_EVEN")
                .field("overflow", "SATURATE");
        j.key("bits").numbers(Arrays.stream(s.bits()).asLongStream().toArray());
        j.key("policies").beginArray();
        for (StepPolicy p : s.policies()) {
            j.string(p.toString());
        }
        j.endArray();
        j.key("ratios").numbers(Analysis.RATIOS);
        j.endObject();
        j.key("files").beginArray();
        for (Map.Entry<TensorFile, List<Analysis.Report>> e : reports.entrySet()) {
            j.beginObject().field("path", e.getKey().path().toString()).field("format", e.getKey().format().name());
            j.key("tensors").beginArray();
            for (Analysis.Report r : e.getValue()) {
                tensorJson(j, r);
            }
            j.endArray().endObject();
        }
        j.endArray();
        Summary sum = Summary.of(reports);
        j.key("summary").beginObject().field("tensors", sum.tensors).field("analyzed", sum.analyzed)
                .field("skipped", sum.skipped).field("non_finite", sum.nonFinite).field("values", sum.values)
                .field("kurtosis_min", sum.kMin).field("kurtosis_median", sum.kMedian).field("kurtosis_max", sum.kMax)
                .endObject();
        return j.endObject().toString();
    }

    private static void tensorJson(JsonOut j, Analysis.Report r) {
        long count = 1;
        for (long d : r.shape()) {
            count *= d;
        }
        j.beginObject().field("name", r.name()).field("dtype", r.dtype());
        j.key("shape").numbers(r.shape());
        j.field("count", count).field("status", r.status()).field("note", r.note());
        Moments m = r.moments();
        if (m == null) {
            j.key("moments").string(null);
        } else {
            j.key("moments").beginObject().field("mean", m.mean()).field("std", m.std()).field("variance", m.variance())
                    .field("skewness", m.skewness()).field("kurtosis", m.kurtosis())
                    .field("excess_kurtosis", m.excessKurtosis()).field("kurtosis_sample_std", m.kurtosisSampleStd())
                    .field("min", m.min()).field("max", m.max()).field("abs_max", m.absMax()).endObject();
        }
        if ("non_finite".equals(r.status())) {
            j.field("non_finite_count", r.nonFinite());
        }
        if (r.ok()) {
            j.field("sampled", r.sampled());
            j.key("steps").beginObject();
            for (Analysis.Steps st : r.steps()) {
                double[] sc = new double[st.scales().length];
                for (int i = 0; i < sc.length; i++) {
                    sc[i] = st.scales()[i];
                }
                j.key(st.policy()).beginObject();
                j.key("scale").numbers(sc);
                j.key("zero_point").numbers(Arrays.stream(st.zeroPoints()).asLongStream().toArray());
                j.endObject();
            }
            j.endObject();
            Analysis.Profile p = r.profile();
            j.key("robustness").beginObject();
            j.key("snr_db_max_abs").numbers(p.snrMaxAbs());
            j.key("snr_db_mse").numbers(p.snrMse());
            j.key("worst_snr_db_max_abs").numbers(p.worstMaxAbs());
            j.key("worst_snr_db_mse").numbers(p.worstMse());
            j.key("mse_vs_ratio").beginArray();
            for (double[] c : p.mseCurve()) {
                j.numbers(c);
            }
            j.endArray().endObject();
        }
        j.endObject();
    }

    // ---- plots --------------------------------------------------------------------------------------

    private int plot(Path dir, Map<TensorFile, List<Analysis.Report>> reports) {
        int written = 0;
        int fileIndex = 0;
        for (Map.Entry<TensorFile, List<Analysis.Report>> e : reports.entrySet()) {
            String stem = String.valueOf(e.getKey().path().getFileName()).replaceAll("\\.[^.]*$", "");
            String prefix = (reports.size() > 1 ? (fileIndex + "-") : "") + safe(stem);
            fileIndex++;
            for (Analysis.Report r : e.getValue()) {
                if (!r.ok()) {
                    continue;
                }
                List<Svg.Series> series = new ArrayList<>();
                for (int b = 0; b < bits.length; b++) {
                    series.add(new Svg.Series(bits[b] + " bits", Analysis.RATIOS, r.profile().mseCurve()[b]));
                }
                String svg = Svg.logLineChart(r.name() + String.format(Locale.ROOT, " (kurtosis %.2f)",
                        r.moments().kurtosis()), "step ratio r (step = r x MSE-optimal step)", "MSE (log)", series);
                write(dir.resolve(prefix + "__" + safe(r.name()) + ".svg"), svg);
                written++;
            }
        }
        Summary sum = Summary.of(reports);
        String hist = Svg.histogram("Kurtosis of " + sum.kurtoses.length + " tensors", "kurtosis", sum.kurtoses,
                Math.max(5, Math.min(40, sum.kurtoses.length)), List.of(new Svg.Mark(1.8, "uniform 1.8"),
                        new Svg.Mark(3.0, "Gaussian 3")));
        write(dir.resolve("kurtosis_histogram.svg"), hist);
        return written + 1;
    }

    private static String safe(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.length() > 150 ? s.substring(0, 150) : s;
    }

    private static void write(Path p, String content) {
        try {
            Files.writeString(p, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError(p + ": cannot write (" + e.getMessage() + ")", e);
        }
    }
}
