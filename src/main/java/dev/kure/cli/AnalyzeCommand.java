package dev.kure.cli;

import dev.kure.FpFormat;
import dev.kure.FpKernels;
import dev.kure.FpQuantizer;
import dev.kure.Grid;
import dev.kure.Kernels;
import dev.kure.Rounding;
import dev.kure.StepPolicy;
import dev.kure.io.Shards;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
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
 * <h2>JSON</h2>
 * {@code --json} writes schema {@code "kure.analyze/1"}, described field by field as a JSON Schema in
 * {@code docs/analyze-schema.json}: settings, then per file and tensor the moments, the steps of each
 * policy (and their per-channel or per-group summary), the robustness profile, and a model summary.
 * Kurtosis is Pearson's (population), 3 for a Gaussian, 1.8 for a uniform. Non-finite numbers are
 * {@code null}. New fields may be added; existing ones keep their meaning.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Report per tensor: shape, moments (mean, std, skewness, kurtosis), the calibrated step of each "
                + "step policy and the robustness profile (SNR at bits 2-8 with the MAX_ABS and MSE steps, and the "
                + "worst SNR over step ratios 0.7-1.3).",
            "Reads safetensors (F32, F16, BF16, F64) and NumPy .npy/.npz (float16/32/64), memory-mapped, and sharded "
                + "Hugging Face checkpoints (an index file or a directory). F64 moments are computed in double; "
                + "everything else in float32."})
public final class AnalyzeCommand implements Callable<Integer> {
    /** The policies reported by default. */
    static final String DEFAULT_POLICIES = "max_abs,min_max,percentile:99.99,mse,aciq_gauss,aciq_laplace,uniform_prior";

    @ParentCommand
    Main parent;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "safetensors, .npy or .npz files; a "
            + "*.safetensors.index.json or a directory stands for its safetensors shards")
    List<Path> files;

    @Option(names = "--json", description = "Write JSON (schema kure.analyze/1, docs/analyze-schema.json) instead of "
            + "text.")
    boolean json;

    @Option(names = "--compact", description = "One line per tensor (kurtosis, max|x|, SNR and worst SNR at 4 bits), "
            + "then the model summary.")
    boolean compact;

    @Option(names = "--plot", paramLabel = "DIR", description = "Write an SVG per tensor (MSE vs step ratio, one line "
            + "per bit-width) and kurtosis_histogram.svg into DIR.")
    Path plotDir;

    @Option(names = "--filter", paramLabel = "REGEX", description = "Only tensors whose name contains a match.")
    String filter;

    @Option(names = "--bits", split = ",", paramLabel = "B", description = "Bit-widths in 2..16 (default: "
            + "2,3,4,5,6,7,8).")
    int[] bits = {2, 3, 4, 5, 6, 7, 8};

    @Option(names = "--policies", split = ",", paramLabel = "P", description = "Step policies: max_abs[:convention], "
            + "min_max, percentile:P, mse, lp:P, aciq_gauss, aciq_laplace, uniform_prior (default: " + DEFAULT_POLICIES
            + "; lp:P is slow, add it explicitly).")
    List<String> policies = Arrays.asList(DEFAULT_POLICIES.split(","));

    @Option(names = "--grid", paramLabel = "GRID", description = "Integer grid: SIGNED (default), SIGNED_NARROW, "
            + "UNSIGNED, PAPER, MIDRISE.")
    String grid = "SIGNED";

    @Option(names = "--rounding", paramLabel = "R", description = "Rounding of the MSE/LP searches and the robustness "
            + "profile: HALF_EVEN (default), HALF_AWAY_FROM_ZERO, HALF_UP, HALF_DOWN, FLOOR, CEIL, TOWARD_ZERO, STOCHASTIC.")
    String rounding = "HALF_EVEN";

    @Option(names = "--formats", split = ",", paramLabel = "F", description = "Also report the SNR of floating-point "
            + "formats: fp8 (= e4m3), e4m3, e5m2 (per tensor, scale amax/max), mxfp8, mxfp6 (E2M3), mxfp6_e3m2, mxfp4, "
            + "mxint8 (OCP MX, blocks of 32 consecutive values, FLOOR scale rule), nvfp4 (blocks of 16), or 'standard' "
            + "for all of them.")
    String[] formats = {};

    @Option(names = "--per-channel", description = "Also calibrate every policy per output channel (axis 0) of each "
            + "tensor of rank >= 2, and report the median scale and the SNR per tensor -> per channel.")
    boolean perChannel;

    @Option(names = "--group-size", paramLabel = "N", description = "Also calibrate per group of N consecutive "
            + "elements along the last axis (tensors of rank >= 2 whose last dimension N divides).")
    int groupSize;

    @Option(names = "--threads", paramLabel = "N", description = "Tensors analyzed at the same time, and threads for "
            + "one large tensor (default: all cores, ${DEFAULT-VALUE}). Results do not depend on it.")
    int threads = Runtime.getRuntime().availableProcessors();

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

    /** Tensors of at least this many elements are analyzed with all threads, one at a time. */
    static final long LARGE = 1L << 22;

    /** Runs the analysis. */
    @Override
    public Integer call() {
        Analysis.Settings settings = settings();
        Pattern pattern = pattern(filter);
        PrintStream out = parent.out;
        List<TensorFile> opened = new ArrayList<>();
        ExecutorService pool = null;
        try {
            for (Path arg : files) {
                List<Path> shards = Shards.expand(arg);
                List<TensorFile> these = new ArrayList<>();
                for (Path f : shards) {
                    TensorFile tf = TensorFile.open(f); // every file is validated before any work or output
                    opened.add(tf);
                    these.add(tf);
                }
                if (!shards.equals(List.of(arg)) && !Files.isDirectory(arg)) {
                    Shards.checkIndex(arg, these);
                }
            }
            if (plotDir != null) {
                checkPlotDir(plotDir);
            }
            Map<TensorFile, List<TensorInfo>> selected = new LinkedHashMap<>();
            long totalBytes = 0;
            for (TensorFile tf : opened) {
                List<TensorInfo> l = new ArrayList<>();
                for (TensorInfo t : tf.tensors()) {
                    if (pattern == null || pattern.matcher(t.name()).find()) {
                        l.add(t);
                        totalBytes += t.byteLength();
                    }
                }
                selected.put(tf, l);
            }
            Kernels one = kernels(1), all = kernels(threads);
            Progress bar = Progress.ofBytes(parent.err, progress || parent.progress || parent.terminal, parent.terminal,
                    "analyze", totalBytes);
            pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "kure-analyze");
                t.setDaemon(true);
                return t;
            });
            // Small tensors run in parallel, one per worker with one kernel thread each; large ones one at a
            // time (memory) with every thread in their kernels. Output stays in file order: results are
            // printed as the futures complete, in order.
            Semaphore large = new Semaphore(1);
            Map<TensorFile, List<Future<Analysis.Report>>> futures = new LinkedHashMap<>();
            for (Map.Entry<TensorFile, List<TensorInfo>> e : selected.entrySet()) {
                List<Future<Analysis.Report>> l = new ArrayList<>();
                for (TensorInfo t : e.getValue()) {
                    TensorFile tf = e.getKey();
                    if (t.elementCount() >= LARGE) {
                        l.add(pool.submit(() -> {
                            large.acquire();
                            try {
                                return Analysis.analyze(all, tf, t, settings, by -> bar.add(by, t.name()));
                            } finally {
                                large.release();
                            }
                        }));
                    } else {
                        l.add(pool.submit(() -> Analysis.analyze(one, tf, t, settings, by -> bar.add(by, t.name()))));
                    }
                }
                futures.put(e.getKey(), l);
            }
            Map<TensorFile, List<Analysis.Report>> reports = new LinkedHashMap<>();
            boolean headed = false;
            for (Map.Entry<TensorFile, List<Future<Analysis.Report>>> e : futures.entrySet()) {
                List<Analysis.Report> l = new ArrayList<>();
                List<Future<Analysis.Report>> fs = e.getValue();
                for (int i = 0; i <= fs.size(); i++) {
                    // Headers are printed with the first result, so that a file found corrupt while its
                    // first tensor is read leaves stdout empty.
                    Analysis.Report r = i < fs.size() ? await(fs.get(i)) : null;
                    if (!json && i == 0) {
                        bar.clear();
                        if (!headed) {
                            AnalyzeText.header(out, all, settings, threads);
                            headed = true;
                        }
                        AnalyzeText.fileHeader(out, e.getKey(), fs.size(), compact, settings);
                    }
                    if (r == null) {
                        break;
                    }
                    l.add(r);
                    if (!json) {
                        bar.clear();
                        if (compact) {
                            AnalyzeText.compact(out, settings, r);
                        } else {
                            AnalyzeText.tensor(out, settings, r);
                        }
                        out.flush();
                    }
                }
                reports.put(e.getKey(), l);
            }
            bar.finish();
            if (json) {
                out.println(AnalyzeJson.json(all, settings, reports));
            } else {
                if (!headed) {
                    AnalyzeText.header(out, all, settings, threads);
                }
                AnalyzeText.summary(out, settings, reports.values().stream().flatMap(List::stream).toList());
            }
            if (plotDir != null) {
                int written = AnalyzePlots.plot(plotDir, bits, reports);
                if (!json) {
                    out.println("plots: " + written + " SVG files in " + plotDir);
                }
            }
            return Main.OK;
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
            for (TensorFile tf : opened) {
                tf.close();
            }
        }
    }

    private static Analysis.Report await(Future<Analysis.Report> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error er) {
                throw er;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The kernels with {@code n} threads, made once per count (each backend owns a thread pool). */
    private Kernels kernels(int n) {
        return CACHE.computeIfAbsent((parent.scalar ? "scalar:" : "cpu:") + n, key -> parent.kernels().withThreads(n));
    }

    private static final Map<String, Kernels> CACHE = new ConcurrentHashMap<>();

    private Analysis.Settings settings() {
        if (bits.length == 0) {
            throw new UserError("--bits: no bit-widths given");
        }
        for (int b : bits) {
            if (b == 1) {
                throw new UserError("--bits: 1 is not supported: at 1 bit the SIGNED grid is {-1, 0}, with no positive "
                        + "level for a max-abs step (amax/qmax); use bit-widths 2..16");
            }
            if (b < 2 || b > 16) {
                throw new UserError("--bits: " + b + " is not a bit-width in 2..16");
            }
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
        Rounding r;
        try {
            r = Rounding.valueOf(rounding.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new UserError("--rounding: '" + rounding + "' is not one of " + Arrays.toString(Rounding.values()));
        }
        if (groupSize < 0) {
            throw new UserError("--group-size must be positive, was " + groupSize);
        }
        if (perChannel && groupSize > 0) {
            throw new UserError("--per-channel and --group-size exclude each other; choose one");
        }
        if (threads < 1) {
            throw new UserError("--threads must be >= 1, was " + threads);
        }
        if (sampleAbove < 1 || sampleSize < 1) {
            throw new UserError("--sample-above and --sample-size must be positive");
        }
        return new Analysis.Settings(bits.clone(), ps, g, r, perChannel, groupSize, sampleAbove, sampleSize,
                formats(formats));
    }

    /** The floating-point formats named by {@code --formats}, in the order given (duplicates dropped). */
    static List<FpQuantizer> formats(String[] names) {
        java.util.LinkedHashMap<String, FpQuantizer> out = new java.util.LinkedHashMap<>();
        for (String raw : names) {
            String n = raw.trim().toLowerCase(Locale.ROOT).replace('-', '_');
            List<FpQuantizer> qs = switch (n) {
                case "standard" -> FpKernels.standardFormats();
                case "fp8", "e4m3" -> List.of(FpQuantizer.perTensor(FpFormat.E4M3));
                case "e5m2" -> List.of(FpQuantizer.perTensor(FpFormat.E5M2));
                case "mxfp8" -> List.of(FpQuantizer.mxfp8());
                case "mxfp6", "mxfp6_e2m3" -> List.of(FpQuantizer.mxfp6());
                case "mxfp6_e3m2" -> List.of(FpQuantizer.mx(FpFormat.E3M2));
                case "mxfp4" -> List.of(FpQuantizer.mxfp4());
                case "mxint8" -> List.of(FpQuantizer.mxint8());
                case "nvfp4" -> List.of(FpQuantizer.nvfp4());
                default -> throw new UserError("--formats: '" + raw + "' is not one of fp8, e4m3, e5m2, mxfp8, mxfp6, "
                        + "mxfp6_e3m2, mxfp4, mxint8, nvfp4, standard");
            };
            for (FpQuantizer q : qs) {
                out.putIfAbsent(q.label(), q);
            }
        }
        return List.copyOf(out.values());
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
}
