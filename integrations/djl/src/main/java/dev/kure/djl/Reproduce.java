package dev.kure.djl;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kure reproduce}: does a KURE-trained model keep its accuracy across quantizers? Trains the
 * {@link Cnn} on Fashion-MNIST in FP32, fine-tunes it without and with KURE (and with W4 QAT, without
 * and with KURE), then measures test accuracy under post-training quantization across bit widths,
 * step policies, step perturbations, rounding and power-of-two steps, over several seeds. See
 * {@link Experiment} for the protocol.
 */
@Command(name = "kure reproduce", mixinStandardHelpOptions = true, version = "kure reproduce 0.1.0",
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"Trains a small CNN on Fashion-MNIST with DJL (PyTorch engine) without and with KURE and "
                + "measures its accuracy under many quantizers: the paper's tables, in accuracy.",
                "Writes reproduce.md, reproduce.json and two SVG plots to --out; progress and ETA on stderr."})
public final class Reproduce implements Callable<Integer> {
    /** Test images a {@code --quick} run evaluates on (the first of the 10,000): evaluation dominates its time. */
    static final int QUICK_TEST_IMAGES = 2500;

    @Option(names = "--quick", description = "One seed, fewer epochs and step ratios, the first 2,500 test images (about 5 minutes on 2 cores).")
    boolean quick;

    @Option(names = "--seeds", paramLabel = "N", description = "Number of seeds (default 3; --quick: 1).")
    Integer seeds;

    @Option(names = "--pretrain-epochs", paramLabel = "E", description = "FP32 epochs before the variants (default 6; --quick: 2).")
    Integer pretrainEpochs;

    @Option(names = "--finetune-epochs", paramLabel = "E", description = "Epochs of each fine-tuning variant (default 3; --quick: 1).")
    Integer finetuneEpochs;

    @Option(names = "--qat-epochs", paramLabel = "E", description = "Epochs of W4 QAT, without and with KURE (default 2; --quick: 1).")
    Integer qatEpochs;

    @Option(names = "--lambda", paramLabel = "X", defaultValue = "1.0", description = "KURE weight λ (default: ${DEFAULT-VALUE}, as in the paper).")
    double lambda;

    @Option(names = "--data", paramLabel = "DIR", description = "Directory of the Fashion-MNIST IDX files (default: ${DEFAULT-VALUE}).")
    Path data = FashionMnist.DEFAULT_DIR;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "reproduce-results", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--train-images", paramLabel = "N", description = "Use only the first N training images (default: all 60,000).")
    Integer trainImages;

    @Option(names = "--test-images", paramLabel = "N", description = "Use only the first N test images (default: all 10,000; --quick: 2,500).")
    Integer testImages;

    @Option(names = "--torch-threads", paramLabel = "N", defaultValue = "1",
            description = "PyTorch intra-op threads (default: ${DEFAULT-VALUE}: this CNN's small kernels gain little from more, "
                    + "and on busy cores OpenMP's spinning threads made training several times slower).")
    int torchThreads;

    @Option(names = "--progress", negatable = true, description = "Progress and ETA on stderr (default: on).")
    boolean progress = true;

    /** An option value out of range; reported as one line, exit code 2. */
    static final class BadOption extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadOption(String message) {
            super(message);
        }
    }

    private final PrintStream stdout;
    private final PrintStream stderr;

    /** A command printing to the given streams. */
    public Reproduce(PrintStream stdout, PrintStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Runs the command; the process exit code is the return value (2 for bad input or data). */
    public static int run(String[] args, PrintStream stdout, PrintStream stderr) {
        CommandLine cl = new CommandLine(new Reproduce(stdout, stderr));
        cl.setOut(new java.io.PrintWriter(stdout, true));
        cl.setErr(new java.io.PrintWriter(stderr, true));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof FashionMnist.DataException || e instanceof BadOption || e instanceof java.io.UncheckedIOException) {
                stderr.println("kure reproduce: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cl.execute(args);
    }

    /** Entry point of {@code kure reproduce}. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    @Override
    public Integer call() throws IOException {
        Experiment.Settings s = settings();
        if (torchThreads < 1) {
            throw new BadOption("--torch-threads must be >= 1, was " + torchThreads);
        }
        // read by DJL when the PyTorch engine starts, i.e. before the first array is made
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(torchThreads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        FashionMnist d = FashionMnist.load(data);
        Integer test = testImages != null ? testImages : quick ? Integer.valueOf(QUICK_TEST_IMAGES) : null;
        if (trainImages != null || test != null) {
            int tr = trainImages == null ? d.trainSize() : trainImages, te = test == null ? d.testSize() : test;
            if (tr < 1 || tr > d.trainSize() || te < 1 || te > d.testSize()) {
                throw new BadOption("--train-images must be in 1.." + d.trainSize() + " and --test-images in 1.."
                        + d.testSize() + ", were " + tr + " and " + te);
            }
            d = d.head(trainImages == null ? d.trainSize() : trainImages, test == null ? d.testSize() : test);
        }
        boolean tty = Boolean.getBoolean("kure.stderr.tty");
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create the output directory " + out + " (" + e + ")", e);
        }
        Experiment ex = new Experiment(s, d, progress ? stderr : null, tty);
        ex.run(seed -> writeAll(ex, s, seed)); // after every seed, so a long run that is stopped keeps its results
        String md = Report.markdown(ex.results(), s, ex, commandLine());
        stdout.print(md);
        stdout.println("wrote " + out.resolve("reproduce.md") + ", reproduce.json and two SVG plots");
        return 0;
    }

    private void writeAll(Experiment ex, Experiment.Settings s, int seedsDone) {
        Results r = ex.results();
        try {
            write(out.resolve("reproduce.md"), Report.markdown(r, s, ex, commandLine())
                    + (seedsDone < s.seeds() ? "\n(partial: " + seedsDone + " of " + s.seeds() + " seeds done)\n" : ""));
            write(out.resolve("reproduce.json"), Report.json(r, s, ex, commandLine()));
            write(out.resolve("accuracy-vs-step-ratio.svg"), Report.ratioPlot(r));
            write(out.resolve("accuracy-vs-bits.svg"), Report.bitsPlot(r));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the results to " + out + " (" + e + ")", e);
        }
    }

    private Experiment.Settings settings() {
        int sd = positive(seeds, quick ? 1 : 3, "--seeds");
        int pe = positive(pretrainEpochs, quick ? 2 : 6, "--pretrain-epochs");
        int fe = positive(finetuneEpochs, quick ? 1 : 3, "--finetune-epochs");
        int qe = positive(qatEpochs, quick ? 1 : 2, "--qat-epochs");
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new BadOption("--lambda must be a finite number >= 0, was " + lambda);
        }
        double[] ratios = quick ? new double[] {0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3}
                : new double[] {0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25, 1.3};
        return new Experiment.Settings(sd, pe, fe, qe, lambda, ratios, quick);
    }

    private static int positive(Integer v, int dflt, String name) {
        int x = v == null ? dflt : v;
        if (x < 1) {
            throw new BadOption(name + " must be >= 1, was " + x);
        }
        return x;
    }

    private static String commandLine() {
        return System.getProperty("kure.command", "kure reproduce");
    }

    private static void write(Path p, String s) throws IOException {
        Files.writeString(p, s, StandardCharsets.UTF_8);
    }
}
