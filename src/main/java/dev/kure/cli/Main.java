package dev.kure.cli;

import dev.kure.Kernels;
import dev.kure.io.TensorFileException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code kure} command. Without a subcommand it runs the demo on generated data (the paper's
 * numbers reproduced, then KURE on ResNet-18-shaped weights); {@code kure analyze} reports the
 * quantization robustness of checkpoint tensors; {@code kure regularize} applies KURE gradient steps to
 * a safetensors file.
 *
 * <p>Exit codes: 0 success; 1 internal error; 2 bad input (a file, an option), reported as one line on
 * stderr naming the file and the problem, with no stack trace unless {@code --verbose}.
 */
@Command(name = "kure", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"Robust quantization kernels (Shkolnik et al. 2020, \"Robust Quantization: One Model to Rule "
                + "Them All\").", "", "Without a command: runs the demo on generated data (paper reproduction and KURE "
                + "on ResNet-18-shaped weights)."},
        subcommands = {AnalyzeCommand.class, RegularizeCommand.class, ExampleCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:internal error", "2:bad input (file, option); one line on stderr"})
public final class Main implements Callable<Integer> {
    /** Exit code of a successful run. */
    public static final int OK = 0;
    /** Exit code of an internal error. */
    public static final int INTERNAL = 1;
    /** Exit code of bad input. */
    public static final int BAD_INPUT = 2;

    final PrintStream out;
    final PrintStream err;
    final boolean terminal;

    @Option(names = "--verbose", description = "Print stack traces with errors.")
    boolean verbose;

    @Option(names = "--progress", description = "Show progress on stderr even when it is not a terminal.")
    boolean progress;

    @Option(names = "--quick", hidden = true, description = "Demo on smaller data (for tests).")
    boolean quick;

    @Option(names = "--scalar", hidden = true, description = "Use the scalar reference backend.")
    boolean scalar;

    private Main(PrintStream out, PrintStream err, boolean terminal) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    /** The kernels to use: the best CPU backend, or the scalar reference with {@code --scalar}. */
    Kernels kernels() {
        return scalar ? Kernels.scalar() : Kernels.cpu();
    }

    /** Runs the demo. */
    @Override
    public Integer call() {
        Demo.run(kernels(), out, err, quick, progress || terminal, terminal);
        return OK;
    }

    /**
     * Runs the command in this JVM.
     *
     * @param args command-line arguments
     * @param out  standard output
     * @param err  standard error (errors, progress)
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, false);
    }

    /**
     * Runs the command in this JVM.
     *
     * @param args     command-line arguments
     * @param out      standard output
     * @param err      standard error (errors, progress)
     * @param terminal whether {@code err} is a terminal (progress bars redraw in place)
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        Main main = new Main(out, err, terminal);
        CommandLine cl = new CommandLine(main);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setParameterExceptionHandler((ex, a) -> {
            String cmd = ex.getCommandLine().getCommandName();
            err.println("kure: " + oneLine(ex.getMessage()) + " (see '" + ("kure".equals(cmd) ? "kure" : "kure " + cmd)
                    + " --help')");
            return BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> handle(ex, err, verbose));
        try {
            return cl.execute(args);
        } catch (Throwable t) {
            return handle(t, err, verbose);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int handle(Throwable ex, PrintStream err, boolean verbose) {
        int code;
        if (ex instanceof UserError || ex instanceof TensorFileException) {
            err.println("kure: error: " + oneLine(ex.getMessage()));
            code = BAD_INPUT;
        } else if (ex instanceof OutOfMemoryError) {
            err.println("kure: out of memory (" + oneLine(ex.getMessage()) + "); give java more heap, e.g. JAVA_OPTS=-Xmx16g");
            code = INTERNAL;
        } else {
            err.println("kure: internal error: " + oneLine(String.valueOf(ex)) + (verbose ? "" : " (--verbose for details)"));
            code = INTERNAL;
        }
        if (verbose) {
            ex.printStackTrace(err);
        }
        return code;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\r', ' ').replace('\n', ' ').strip();
    }

    /**
     * Entry point of the executable jar.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, Progress.stderrIsTerminal()));
    }

    /** The version line: the jar's Implementation-Version, the JVM and the CPU backend. */
    static final class Version implements CommandLine.IVersionProvider {
        /** Creates the provider (picocli instantiates it). */
        Version() {}

        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"kure " + (v == null ? "0.1.0-SNAPSHOT" : v),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
