package dev.kure.djl;

import java.util.List;
import java.util.Locale;

/** A small SVG line chart with error bars (mean ± std over seeds), for the reproduction's figures. */
final class Plot {
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
    private static final String[] DASH = {"", "6,4"};
    private static final int W = 680, H = 430, L = 70, R = 190, T = 44, B = 56;

    /** One line: a name, x values, means and stds (NaN std: no bar). */
    record Series(String name, double[] x, double[] mean, double[] std) {}

    private Plot() {}

    static String lines(String title, String xLabel, String yLabel, List<Series> series) {
        double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY, y1 = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                double sd = Double.isFinite(s.std()[i]) ? s.std()[i] : 0;
                x0 = Math.min(x0, s.x()[i]);
                x1 = Math.max(x1, s.x()[i]);
                y0 = Math.min(y0, s.mean()[i] - sd);
                y1 = Math.max(y1, s.mean()[i] + sd);
            }
        }
        double pad = Math.max(1e-3, (y1 - y0) * 0.05);
        y0 -= pad;
        y1 += pad;
        if (x1 == x0) {
            x1 = x0 + 1;
        }
        StringBuilder sb = new StringBuilder();
        sb.append(f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H));
        sb.append(f("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        sb.append(f("<text x=\"%d\" y=\"24\" font-size=\"15\">%s</text>%n", L, esc(title)));
        int pw = W - L - R, ph = H - T - B;
        sb.append(f("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n", L, T, pw, ph));
        for (int k = 0; k <= 5; k++) {
            double yv = y0 + (y1 - y0) * k / 5;
            double py = T + ph - ph * (yv - y0) / (y1 - y0);
            sb.append(f("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", L, L + pw, py, py));
            sb.append(f("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3f</text>%n", L - 6, py + 4, yv));
        }
        double[] xs = series.get(0).x();
        for (double xv : xs) {
            double px = L + pw * (xv - x0) / (x1 - x0);
            sb.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, T + ph + 18, trim(xv)));
        }
        sb.append(f("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", L + pw / 2, H - 14, esc(xLabel)));
        sb.append(f("<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\">%s</text>%n",
                T + ph / 2, T + ph / 2, esc(yLabel)));
        for (int s = 0; s < series.size(); s++) {
            Series se = series.get(s);
            String color = COLORS[(s / 2) % COLORS.length];
            String dash = DASH[s % 2];
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < se.x().length; i++) {
                double px = L + pw * (se.x()[i] - x0) / (x1 - x0);
                double py = T + ph - ph * (se.mean()[i] - y0) / (y1 - y0);
                pts.append(f("%.1f,%.1f ", px, py));
                if (Double.isFinite(se.std()[i]) && se.std()[i] > 0) {
                    double pyLo = T + ph - ph * (se.mean()[i] - se.std()[i] - y0) / (y1 - y0);
                    double pyHi = T + ph - ph * (se.mean()[i] + se.std()[i] - y0) / (y1 - y0);
                    sb.append(f("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n", px, px, pyLo, pyHi, color));
                }
                sb.append(f("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>%n", px, py, color));
            }
            sb.append(f("<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s/>%n", pts.toString().trim(),
                    color, dash.isEmpty() ? "" : " stroke-dasharray=\"" + dash + "\""));
            int ly = T + 14 + 18 * s;
            sb.append(f("<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>%n", W - R + 10, W - R + 34,
                    ly - 4, ly - 4, color, dash.isEmpty() ? "" : " stroke-dasharray=\"" + dash + "\""));
            sb.append(f("<text x=\"%d\" y=\"%d\">%s</text>%n", W - R + 40, ly, esc(se.name())));
        }
        return sb.append("</svg>\n").toString();
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : f("%.2f", v);
    }

    private static String f(String fmt, Object... args) {
        return String.format(Locale.ROOT, fmt, args);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
