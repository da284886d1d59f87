package dev.kure.cli;

import dev.kure.Kernels;
import dev.kure.Moments;
import dev.kure.io.TensorFile;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The text output of {@code kure analyze}: the full per-tensor report, the compact one-line form, the summary. */
final class AnalyzeText {
    private AnalyzeText() {}

    static void header(PrintStream out, Kernels k, Analysis.Settings s, int threads) {
        out.println("backend: " + k.describe() + "; " + threads + " tensor" + (threads == 1 ? "" : "s") + " at a time");
        out.printf(Locale.ROOT, "grid %s, rounding %s, saturate%s; kurtosis: Pearson K = m4/m2^2 (Gaussian 3, uniform "
                + "1.8); SNR in dB%n", s.grid(), s.rounding(), s.granular() ? "; steps also " + s.granularity() : "");
    }

    static void fileHeader(PrintStream out, TensorFile tf, int selected, boolean compact, Analysis.Settings s) {
        out.println();
        out.printf(Locale.ROOT, "== %s (%s, %d tensors, %d selected)%n", tf.path(), tf.format(), tf.tensors().size(),
                selected);
        if (compact) {
            int b = compactBits(s);
            out.printf(Locale.ROOT, "%-44s %-5s %-20s %9s %9s %10s %10s%n", "tensor", "dtype", "shape", "kurtosis",
                    "max|x|", "SNR" + s.bits()[b] + " mse", "worst" + s.bits()[b]);
        }
    }

    /** The bit-width shown in compact mode: 4 if asked for, else the first. */
    static int compactBits(Analysis.Settings s) {
        for (int i = 0; i < s.bits().length; i++) {
            if (s.bits()[i] == 4) {
                return i;
            }
        }
        return 0;
    }

    static void compact(PrintStream out, Analysis.Settings s, Analysis.Report r) {
        String head = String.format(Locale.ROOT, "%-44s %-5s %-20s", r.name(), r.dtype(), Arrays.toString(r.shape()));
        if (!r.ok()) {
            out.println(head + " " + ("skipped".equals(r.status()) ? "skipped: " : "NOT ANALYZED: ") + r.note());
            return;
        }
        int b = compactBits(s);
        Moments m = r.moments();
        out.printf(Locale.ROOT, "%s %9.4f %9.4g %10.2f %10.2f%s%n", head, m.kurtosis(), m.absMax(),
                r.profile().snrMse()[b], r.profile().worstMse()[b], r.note() == null ? "" : "  (" + r.note() + ")");
    }

    static void tensor(PrintStream out, Analysis.Settings s, Analysis.Report r) {
        out.println();
        out.printf(Locale.ROOT, "%s  %s %s  %,d values%n", r.name(), r.dtype(), Arrays.toString(r.shape()), r.count());
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
        row(out, "SNR dB, max_abs step", p.snrMaxAbs());
        row(out, "SNR dB, mse step", p.snrMse());
        row(out, "worst r 0.7-1.3, max_abs", p.worstMaxAbs());
        row(out, "worst r 0.7-1.3, mse", p.worstMse());
        for (var f : p.formats()) {
            out.println(String.format(Locale.ROOT, "  %-26s %10.2f", "SNR dB, " + f.label(), f.error().snrDb()));
        }
        if (r.steps().stream().anyMatch(st -> st.granular() != null)) {
            out.println("  " + s.granularity() + " steps: median scale, then SNR dB (per tensor -> " + s.granularity()
                    + ")");
            for (Analysis.Steps st : r.steps()) {
                Analysis.Granular g = st.granular();
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-26s", st.policy() + " median"));
                for (double v : g.median()) {
                    row.append(String.format(Locale.ROOT, " %10.4g", v));
                }
                out.println(row);
                StringBuilder snr = new StringBuilder(String.format(Locale.ROOT, "  %-26s", st.policy() + " SNR"));
                for (int i = 0; i < g.snrDb().length; i++) {
                    snr.append(String.format(Locale.ROOT, " %10s",
                            String.format(Locale.ROOT, "%.1f->%.1f", g.perTensorSnrDb()[i], g.snrDb()[i])));
                }
                out.println(snr);
            }
        }
    }

    private static void row(PrintStream out, String label, double[] v) {
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-26s", label));
        for (double d : v) {
            row.append(String.format(Locale.ROOT, " %10.2f", d));
        }
        out.println(row);
    }

    static void summary(PrintStream out, Analysis.Settings s, List<Analysis.Report> reports) {
        Summary sum = Summary.of(reports, s.bits().length);
        out.println();
        out.printf(Locale.ROOT, "summary: %d tensors, %d analyzed (%,d values), %d skipped, %d with non-finite values%n",
                sum.tensors, sum.analyzed, sum.values, sum.skipped, sum.nonFinite);
        if (sum.analyzed == 0) {
            return;
        }
        out.printf(Locale.ROOT, "kurtosis: min %.3f, median %.3f, max %.3f (uniform 1.8, Gaussian 3, Laplace 6)%n",
                sum.kMin, sum.kMedian, sum.kMax);
        distribution(out, "weights (rank >= 2)", sum.weightKurtoses);
        distribution(out, "other (biases, norms)", sum.otherKurtoses);
        if (sum.heaviest.isEmpty()) {
            return;
        }
        StringBuilder bits = new StringBuilder(String.format(Locale.ROOT, "  %-34s", "weights, median over tensors: bits"));
        StringBuilder snr = new StringBuilder(String.format(Locale.ROOT, "  %-34s", "  SNR dB at the mse step"));
        StringBuilder worst = new StringBuilder(String.format(Locale.ROOT, "  %-34s", "  worst SNR dB, r 0.7-1.3"));
        for (int i = 0; i < s.bits().length; i++) {
            bits.append(String.format(Locale.ROOT, " %7d", s.bits()[i]));
            snr.append(String.format(Locale.ROOT, " %7.2f", sum.medianSnrMse[i]));
            worst.append(String.format(Locale.ROOT, " %7.2f", sum.medianWorstMse[i]));
        }
        out.println(bits);
        out.println(snr);
        out.println(worst);
        StringBuilder heavy = new StringBuilder("  most heavy-tailed weights:");
        for (int i = 0; i < Math.min(5, sum.heaviest.size()); i++) {
            Analysis.Report r = sum.heaviest.get(i);
            heavy.append(i == 0 ? " " : ", ").append(r.name())
                    .append(String.format(Locale.ROOT, " (%.2f)", r.moments().kurtosis()));
        }
        out.println(heavy);
    }

    private static void distribution(PrintStream out, String label, double[] k) {
        if (k.length == 0) {
            return;
        }
        int above = 0;
        for (double v : k) {
            above += v > 3 ? 1 : 0;
        }
        out.printf(Locale.ROOT, "  %-22s %4d tensor%s, kurtosis min %.3f, median %.3f, max %.3f; %d above 3 "
                + "(heavier-tailed than a Gaussian)%n", label + ":", k.length, k.length == 1 ? "" : "s", k[0],
                Summary.median(k), k[k.length - 1], above);
    }
}
