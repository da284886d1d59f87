package dev.kure.cli;

import java.util.List;
import java.util.Locale;

/**
 * Hand-written SVG charts (no dependencies): a line chart with a logarithmic y axis and a histogram.
 */
final class Svg {
    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    private static final int W = 640, H = 420, L = 70, R = 110, T = 40, B = 50;

    private Svg() {}

    /**
     * One named line of a chart.
     *
     * @param name legend text
     * @param x    x values
     * @param y    y values (points with y ≤ 0 or not finite are left out on a log axis)
     */
    record Series(String name, double[] x, double[] y) {}

    /**
     * A line chart with a log10 y axis.
     *
     * @param title  chart title
     * @param xLabel x axis label
     * @param yLabel y axis label
     * @param series the lines
     * @return the SVG document
     */
    static String logLineChart(String title, String xLabel, String yLabel, List<Series> series) {
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                xMin = Math.min(xMin, s.x()[i]);
                xMax = Math.max(xMax, s.x()[i]);
                if (s.y()[i] > 0 && Double.isFinite(s.y()[i])) {
                    yMin = Math.min(yMin, s.y()[i]);
                    yMax = Math.max(yMax, s.y()[i]);
                }
            }
        }
        if (!(xMax > xMin)) {
            xMax = xMin + 1;
        }
        if (!(yMax > 0)) {
            yMin = 1;
            yMax = 10;
        }
        double lo = Math.floor(Math.log10(yMin)), hi = Math.ceil(Math.log10(yMax));
        if (hi <= lo) {
            hi = lo + 1;
        }
        final double fxMin = xMin, fxMax = xMax, flo = lo, fhi = hi;
        java.util.function.DoubleUnaryOperator px = v -> L + (v - fxMin) / (fxMax - fxMin) * (W - L - R);
        java.util.function.DoubleUnaryOperator py = v -> T + (fhi - Math.log10(v)) / (fhi - flo) * (H - T - B);
        StringBuilder sb = header(title);
        axes(sb, xLabel, yLabel);
        for (int e = (int) lo; e <= (int) hi; e++) {
            double y = py.applyAsDouble(Math.pow(10, e));
            sb.append(f("<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#ddd'/>%n", L, y, W - R, y));
            sb.append(f("<text x='%d' y='%.1f' text-anchor='end' font-size='11'>1e%d</text>%n", L - 5, y + 4, e));
        }
        for (int i = 0; i <= 6; i++) {
            double v = xMin + i * (xMax - xMin) / 6;
            double x = px.applyAsDouble(v);
            sb.append(f("<text x='%.1f' y='%d' text-anchor='middle' font-size='11'>%.2f</text>%n", x, H - B + 16, v));
        }
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            String color = COLORS[k % COLORS.length];
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < s.x().length; i++) {
                double y = s.y()[i];
                if (y > 0 && Double.isFinite(y)) {
                    pts.append(f("%.1f,%.1f ", px.applyAsDouble(s.x()[i]), py.applyAsDouble(y)));
                }
            }
            sb.append(f("<polyline fill='none' stroke='%s' stroke-width='2' points='%s'/>%n", color, pts.toString().trim()));
            int ly = T + 10 + 18 * k;
            sb.append(f("<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' stroke-width='2'/>%n", W - R + 10, ly,
                    W - R + 30, ly, color));
            sb.append(f("<text x='%d' y='%d' font-size='12'>%s</text>%n", W - R + 35, ly + 4, esc(s.name())));
        }
        return sb.append("</svg>\n").toString();
    }

    /**
     * A histogram of values.
     *
     * @param title  chart title
     * @param xLabel x axis label
     * @param values the values (non-finite ones are left out)
     * @param bins   number of bins
     * @param marks  vertical reference lines: value and label pairs
     * @return the SVG document
     */
    static String histogram(String title, String xLabel, double[] values, int bins, List<Mark> marks) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        for (Mark m : marks) {
            min = Math.min(min, m.x());
            max = Math.max(max, m.x());
        }
        if (!(max > min)) {
            min = Double.isFinite(min) ? min - 0.5 : 0;
            max = min + 1;
        }
        int[] counts = new int[bins];
        for (double v : values) {
            if (Double.isFinite(v)) {
                counts[Math.min(bins - 1, (int) ((v - min) / (max - min) * bins))]++;
            }
        }
        int top = 1;
        for (int c : counts) {
            top = Math.max(top, c);
        }
        StringBuilder sb = header(title);
        axes(sb, xLabel, "tensors");
        double bw = (double) (W - L - R) / bins;
        for (int i = 0; i < bins; i++) {
            double h = (double) counts[i] / top * (H - T - B);
            sb.append(f("<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='#1f77b4' stroke='white'/>%n",
                    L + i * bw, H - B - h, bw, h));
        }
        for (int i = 0; i <= 5; i++) {
            double v = min + i * (max - min) / 5;
            sb.append(f("<text x='%.1f' y='%d' text-anchor='middle' font-size='11'>%.2f</text>%n",
                    L + i * (W - L - R) / 5.0, H - B + 16, v));
        }
        sb.append(f("<text x='%d' y='%d' text-anchor='end' font-size='11'>%d</text>%n", L - 5, T + 4, top));
        for (Mark m : marks) {
            double x = L + (m.x() - min) / (max - min) * (W - L - R);
            sb.append(f("<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#d62728' stroke-dasharray='4,3'/>%n", x, T, x,
                    H - B));
            sb.append(f("<text x='%.1f' y='%d' font-size='11' fill='#d62728'>%s</text>%n", x + 3, T + 12, esc(m.label())));
        }
        return sb.append("</svg>\n").toString();
    }

    /**
     * A labelled vertical line on a histogram.
     *
     * @param x     where
     * @param label its text
     */
    record Mark(double x, String label) {}

    private static StringBuilder header(String title) {
        StringBuilder sb = new StringBuilder();
        sb.append(f("<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' viewBox='0 0 %d %d' "
                + "font-family='sans-serif'>%n", W, H, W, H));
        sb.append(f("<rect width='%d' height='%d' fill='white'/>%n", W, H));
        sb.append(f("<text x='%d' y='22' text-anchor='middle' font-size='14'>%s</text>%n", (W - R + L) / 2, esc(title)));
        return sb;
    }

    private static void axes(StringBuilder sb, String xLabel, String yLabel) {
        sb.append(f("<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='black'/>%n", L, H - B, W - R, H - B));
        sb.append(f("<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='black'/>%n", L, T, L, H - B));
        sb.append(f("<text x='%d' y='%d' text-anchor='middle' font-size='12'>%s</text>%n", (W - R + L) / 2, H - 12,
                esc(xLabel)));
        sb.append(f("<text x='16' y='%d' text-anchor='middle' font-size='12' transform='rotate(-90 16 %d)'>%s</text>%n",
                (H - B + T) / 2, (H - B + T) / 2, esc(yLabel)));
    }

    private static String f(String fmt, Object... args) {
        return String.format(Locale.ROOT, fmt, args);
    }

    /** XML-escapes text. */
    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;")
                .replace("\"", "&quot;");
    }
}
