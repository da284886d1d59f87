package dev.kure.djl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Writes the reproduction's results: a Markdown report, the JSON of every value, and two SVG plots. */
final class Report {
    private Report() {}

    static String machine() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: keep "unknown CPU"
        }
        return String.format(Locale.ROOT, "%s, %d cores visible, Java %s, %s %s", cpu,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getProperty("os.name"), System.getProperty("os.arch"));
    }

    static String markdown(Results r, Experiment.Settings s, Experiment ex, String command) {
        StringBuilder sb = new StringBuilder("# KURE on Fashion-MNIST with DJL: accuracy across quantizers\n\n");
        sb.append("- command: `").append(command).append("`\n");
        sb.append("- machine: ").append(machine()).append('\n');
        sb.append("- Kure backend: ").append(ex.backend()).append("; DJL 0.36.0, PyTorch engine (libtorch 2.7.1, CPU)\n");
        sb.append(String.format(Locale.ROOT,
                "- seeds: %d; FP32 training %d epochs (Adam 1e-3), then each variant %d epochs (Adam 3e-4); W4 QAT %d epochs; "
                        + "batch %d; KURE λ = %s, target 1.8, unbiased std, MEAN over %s\n",
                s.seeds(), s.pretrainEpochs(), s.finetuneEpochs(), s.qatEpochs(), Training.BATCH, trim(s.lambda()),
                ex.layerNames().isEmpty() ? "the conv/linear weights" : ex.layerNames()));
        sb.append(String.format(Locale.ROOT, "- data: %,d training and %,d test images of Fashion-MNIST\n", ex.trainImages(), ex.testImages()));
        sb.append("- values: mean ± sample std over seeds (no ± with one seed)\n\n");
        for (Results.Table t : r.all()) {
            sb.append(t.markdown());
        }
        return sb.toString();
    }

    static String json(Results r, Experiment.Settings s, Experiment ex, String command) {
        return "{\n\"schema\": \"kure.reproduce/1\",\n\"command\": " + Results.str(command) + ",\n\"machine\": "
                + Results.str(machine()) + ",\n\"backend\": " + Results.str(ex.backend()) + ",\n\"settings\": {\"seeds\": "
                + s.seeds() + ", \"pretrainEpochs\": " + s.pretrainEpochs() + ", \"finetuneEpochs\": " + s.finetuneEpochs()
                + ", \"qatEpochs\": " + s.qatEpochs() + ", \"lambda\": " + s.lambda() + ", \"batch\": " + Training.BATCH
                + "},\n\"tables\": " + r.json() + "\n}\n";
    }

    /** Accuracy vs step ratio r at W4 and W3, baseline and KURE (T2). */
    static String ratioPlot(Results r) {
        Results.Table t = r.get("T2");
        double[] x = t.rows.stream().mapToDouble(Double::parseDouble).toArray();
        List<Plot.Series> series = new ArrayList<>();
        for (String col : t.cols) {
            series.add(series(col, x, t, t.rows, col));
        }
        return Plot.lines("Accuracy vs step ratio r (weights quantized per channel, r × MSE step)", "step ratio r",
                "test accuracy", series);
    }

    /** Accuracy vs weight bits: PTQ (MSE steps, A32) of baseline and KURE, and the W4 QAT models (T1, T4). */
    static String bitsPlot(Results r) {
        Results.Table t1 = r.get("T1");
        Results.Table t4 = r.get("T4");
        List<String> rows = t1.rows;
        double[] x = rows.stream().mapToDouble(w -> Double.parseDouble(w.substring(1))).toArray();
        List<Plot.Series> series = new ArrayList<>();
        series.add(series("PTQ baseline", x, t1, rows, Experiment.BASE + ", MSE, A32"));
        series.add(series("PTQ KURE", x, t1, rows, Experiment.KURE + ", MSE, A32"));
        series.add(series("QAT W4", x, t4, rows, t4.cols.get(0)));
        series.add(series("QAT W4 + KURE", x, t4, rows, t4.cols.get(1)));
        return Plot.lines("Accuracy vs weight bits (per-channel MSE steps, FP32 activations)", "weight bits", "test accuracy", series);
    }

    private static Plot.Series series(String name, double[] x, Results.Table t, List<String> rows, String col) {
        double[] m = new double[rows.size()], sd = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            m[i] = t.mean(rows.get(i), col);
            sd[i] = t.std(rows.get(i), col);
        }
        return new Plot.Series(name, Arrays.copyOf(x, x.length), m, sd);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.1f", v) : Double.toString(v);
    }
}
