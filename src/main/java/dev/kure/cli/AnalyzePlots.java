package dev.kure.cli;

import dev.kure.io.TensorFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The SVG files of {@code kure analyze --plot DIR}: one chart per analyzed tensor (MSE against step
 * ratio, one line per bit-width) and {@code kurtosis_histogram.svg}.
 *
 * <p>File names: {@code <file stem>__<tensor name with unsafe characters as _>-<12 hex digits of the
 * SHA-256 of the exact tensor name>.svg}, so names that differ only in {@code /}, {@code _} or
 * {@code :} get different files.
 */
final class AnalyzePlots {
    private AnalyzePlots() {}

    /** Writes the charts; returns the number of files written. */
    static int plot(Path dir, int[] bits, Map<TensorFile, List<Analysis.Report>> reports) {
        int written = 0;
        int fileIndex = 0;
        Set<String> used = new HashSet<>();
        List<Analysis.Report> all = new ArrayList<>();
        for (Map.Entry<TensorFile, List<Analysis.Report>> e : reports.entrySet()) {
            String stem = String.valueOf(e.getKey().path().getFileName()).replaceAll("\\.[^.]*$", "");
            String prefix = (reports.size() > 1 ? (fileIndex + "-") : "") + safe(stem);
            fileIndex++;
            all.addAll(e.getValue());
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
                String name = fileName(prefix, r.name());
                if (!used.add(name)) {
                    throw new IllegalStateException("plot file name collision: " + name);
                }
                write(dir.resolve(name), svg);
                written++;
            }
        }
        Summary sum = Summary.of(all, bits.length);
        String hist = Svg.logHistogram("Kurtosis of " + sum.kurtoses.length + " tensors", "kurtosis",
                List.of(sum.weightKurtoses, sum.otherKurtoses),
                List.of("weights (" + sum.weightKurtoses.length + ")", "other (" + sum.otherKurtoses.length + ")"),
                Math.max(5, Math.min(40, sum.kurtoses.length)),
                List.of(new Svg.Mark(1.8, "uniform 1.8"), new Svg.Mark(3.0, "Gaussian 3"), new Svg.Mark(6.0, "Laplace 6")));
        write(dir.resolve("kurtosis_histogram.svg"), hist);
        return written + 1;
    }

    /** The SVG file name of one tensor: readable, and unique for every distinct tensor name. */
    static String fileName(String prefix, String tensor) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(tensor.getBytes(StandardCharsets.UTF_8));
            return prefix + "__" + safe(tensor) + "-" + HexFormat.of().formatHex(h, 0, 6) + ".svg";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
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
