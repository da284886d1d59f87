package dev.kure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * The result of a robustness sweep ({@link Kernels#sweep}): one {@link Row} per setting, ordered bits
 * (outermost), grid, rounding, ratio (innermost), as in the {@link SweepSpec}.
 */
public final class SweepResult {
    /**
     * One setting and its measured error.
     *
     * @param bits      bit-width
     * @param grid      grid
     * @param rounding  rounding policy
     * @param ratio     step ratio r
     * @param baseScale the base scale of (bits, grid) chosen by the spec's base policy
     * @param quantizer the exact per-tensor quantizer of this setting (scale = transformed base)
     * @param error     Σ(fq(x) − x)², Σx² and the count
     */
    public record Row(int bits, Grid grid, Rounding rounding, double ratio, float baseScale, Quantizer quantizer,
                      QuantError error) {
        /** The scale of this setting. */
        public float scale() {
            return quantizer.scale(0);
        }

        /** Mean squared error. */
        public double mse() {
            return error.mse();
        }

        /** SNR in dB, 10·log10(Σx²/Σ(fq(x) − x)²). */
        public double snrDb() {
            return error.snrDb();
        }
    }

    private final SweepSpec spec;
    private final List<Row> rows;

    SweepResult(SweepSpec spec, List<Row> rows) {
        this.spec = spec;
        this.rows = List.copyOf(rows);
    }

    /** The spec that produced this result. */
    public SweepSpec spec() {
        return spec;
    }

    /** All rows, in the spec's order. */
    public List<Row> rows() {
        return rows;
    }

    /** Number of settings. */
    public int size() {
        return rows.size();
    }

    /**
     * The row of the given indices into the spec's lists.
     *
     * @throws IndexOutOfBoundsException if an index is outside its list
     */
    public Row row(int bitsIndex, int gridIndex, int roundingIndex, int ratioIndex) {
        int nb = spec.bits().length, ng = spec.grids().size(), nr = spec.roundings().size(), np = spec.ratios().length;
        java.util.Objects.checkIndex(bitsIndex, nb);
        java.util.Objects.checkIndex(gridIndex, ng);
        java.util.Objects.checkIndex(roundingIndex, nr);
        java.util.Objects.checkIndex(ratioIndex, np);
        return rows.get(((bitsIndex * ng + gridIndex) * nr + roundingIndex) * np + ratioIndex);
    }

    /** The row with the lowest MSE (the first on ties). */
    public Row best() {
        Row best = rows.get(0);
        for (Row r : rows) {
            if (r.mse() < best.mse()) {
                best = r;
            }
        }
        return best;
    }

    /**
     * A fixed-width text table, one line per setting: bits, grid, rounding, ratio, scale, MSE, SNR (dB).
     */
    public String table() {
        StringBuilder sb = new StringBuilder();
        printTable(sb);
        return sb.toString();
    }

    /** Writes {@link #table()} to {@code out}. */
    public void printTable(Appendable out) {
        try {
            out.append(String.format(Locale.ROOT, "%4s  %-13s  %-19s  %8s  %14s  %14s  %9s%n",
                    "bits", "grid", "rounding", "ratio", "scale", "mse", "snr_db"));
            for (Row r : rows) {
                out.append(String.format(Locale.ROOT, "%4d  %-13s  %-19s  %8.4f  %14.7g  %14.7g  %9.3f%n",
                        r.bits(), r.grid(), r.rounding(), r.ratio(), r.scale(), r.mse(), r.snrDb()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CSV with a header line: bits,grid,rounding,ratio,base_scale,scale,mse,snr_db. */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("bits,grid,rounding,ratio,base_scale,scale,mse,snr_db\n");
        for (Row r : rows) {
            sb.append(r.bits()).append(',').append(r.grid()).append(',').append(r.rounding()).append(',')
                    .append(r.ratio()).append(',').append(r.baseScale()).append(',').append(r.scale()).append(',')
                    .append(r.mse()).append(',').append(r.snrDb()).append('\n');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "SweepResult[" + rows.size() + " settings of " + spec + "]";
    }
}
