package dev.kure.cli;

import java.util.List;
import java.util.Locale;

/**
 * Hand-written SVG charts (no dependencies): a line chart with a logarithmic y axis and a histogram with a
 * logarithmic x axis.
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
     * A stacked histogram on a log10 x axis (kurtoses span 1.5 to several hundred in real models: on a
     * linear axis one outlier squeezes almost every tensor into one bar). Each group is one colour,
     * stacked in the order given; reference marks are drawn as dashed lines with labels on separate
     * rows so that they never overprint.
     *
     * @param title  chart title
     * @param xLabel x axis label
     * @param groups the values of each group (values ≤ 0 or not finite are left out)
     * @param names  the legend text of each group
     * @param bins   number of bins
     * @param marks  vertical reference lines
     * @return the SVG document
     */
    static String logHistogram(String title, String xLabel, List<double[]> groups, List<String> names, int bins,
                               List<Mark> marks) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double[] g : groups) {
            for (double v : g) {
                if (v > 0 && Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        for (Mark m : marks) {
            min = Math.min(min, m.x());
            max = Math.max(max, m.x());
        }
        double lo = Math.log10(min) - 0.02, hi = Math.log10(max) + 0.02;
        int[][] counts = new int[groups.size()][bins];
        for (int k = 0; k < groups.size(); k++) {
            for (double v : groups.get(k)) {
                if (v > 0 && Double.isFinite(v)) {
                    counts[k][Math.min(bins - 1, Math.max(0, (int) ((Math.log10(v) - lo) / (hi - lo) * bins)))]++;
                }
            }
        }
        int top = 1;
        for (int i = 0; i < bins; i++) {
            int sum = 0;
            for (int[] c : counts) {
                sum += c[i];
            }
            top = Math.max(top, sum);
        }
        final double flo = lo, fhi = hi;
        java.util.function.DoubleUnaryOperator px = v -> L + (Math.log10(v) - flo) / (fhi - flo) * (W - L - R);
        StringBuilder sb = header(title);
        axes(sb, xLabel + " (log scale)", "tensors");
        double bw = (double) (W - L - R) / bins;
        for (int i = 0; i < bins; i++) {
            double base = H - B;
            for (int k = 0; k < counts.length; k++) {
                double h = (double) counts[k][i] / top * (H - T - B);
                if (h > 0) {
                    sb.append(f("<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s' stroke='white'/>%n",
                            L + i * bw, base - h, bw, h, COLORS[k % COLORS.length]));
                    base -= h;
                }
            }
        }
        for (double t : logTicks(min, max)) {
            double x = px.applyAsDouble(t);
            sb.append(f("<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='black'/>%n", x, H - B, x, H - B + 4));
            sb.append(f("<text x='%.1f' y='%d' text-anchor='middle' font-size='11'>%s</text>%n", x, H - B + 16,
                    t == Math.rint(t) ? Long.toString((long) t) : Double.toString(t)));
        }
        sb.append(f("<text x='%d' y='%d' text-anchor='end' font-size='11'>%d</text>%n", L - 5, T + 4, top));
        for (int k = 0; k < names.size(); k++) {
            int ly = T + 10 + 18 * k;
            sb.append(f("<rect x='%d' y='%d' width='16' height='10' fill='%s'/>%n", W - R + 10, ly - 5,
                    COLORS[k % COLORS.length]));
            sb.append(f("<text x='%d' y='%d' font-size='12'>%s</text>%n", W - R + 30, ly + 4, esc(names.get(k))));
        }
        for (int i = 0; i < marks.size(); i++) {
            Mark m = marks.get(i);
            double x = px.applyAsDouble(m.x());
            sb.append(f("<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#d62728' stroke-dasharray='4,3'/>%n", x, T, x,
                    H - B));
            // one text row per mark, anchored away from the plot's right edge: labels never overlap
            boolean right = x > (L + W - R) / 2.0;
            sb.append(f("<text x='%.1f' y='%d' font-size='11' fill='#d62728' text-anchor='%s'>%s</text>%n",
                    right ? x - 3 : x + 3, T + 12 + 14 * i, right ? "end" : "start", esc(m.label())));
        }
        return sb.append("</svg>\n").toString();
    }

    /** Tick values 1, 1.5, 2, 3, 5 (1, 2, 5 over more than 1.5 decades) times powers of ten in [min, max]. */
    static List<Double> logTicks(double min, double max) {
        List<Double> out = new java.util.ArrayList<>();
        double[] mults = Math.log10(max / min) > 1.5 ? new double[] {1, 2, 5} : new double[] {1, 1.5, 2, 3, 5};
        for (int e = (int) Math.floor(Math.log10(min)); e <= (int) Math.ceil(Math.log10(max)); e++) {
            for (double m : mults) {
                double t = m * Math.pow(10, e);
                if (t >= min * 0.999 && t <= max * 1.001) {
                    out.add(t);
                }
            }
        }
        return out;
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
