package dev.kure;

import dev.kure.spi.Backend;
import dev.kure.spi.Staging;
import dev.kure.theory.GaussianTheory;
import dev.kure.theory.LaplaceTheory;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The calibration and sweep drivers behind {@link Kernels}: backend-independent orchestration
 * (statistics, coarse grid, golden-section search, per-channel loops) over the backend's kernels
 * ({@link Backend#moments}, {@link Backend#absOrderStatistic}, {@link Backend#meanAbsDeviation},
 * {@link Backend#errorSums}), so a faster backend speeds every policy up by overriding those four.
 */
final class Calibrator {
    private Calibrator() {}

    /** ACIQ c_G(b), b = 2..8 (docs/semantics.md §5). */
    static final double[] C_GAUSS = {1.71, 2.15, 2.55, 2.93, 3.28, 3.61, 3.92};
    /** ACIQ c_L(b), b = 2..8 (docs/semantics.md §5). */
    static final double[] C_LAPLACE = {2.83, 3.89, 5.03, 6.20, 7.41, 8.64, 9.89};

    /** Coarse candidates of the MSE / LP_NORM search, geometric over [2^-RANGE, 1] × the no-clip step. */
    static final int COARSE = 32;
    private static final double RANGE_LOG2 = 10.0;
    /** Golden-section stops when the bracket is narrower than this, relative. */
    private static final double REL_TOL = 1e-4;
    private static final int MAX_GOLDEN = 40;
    private static final double GOLDEN = 0.3819660112501051;

    // ---- arguments ----------------------------------------------------------------------------------

    static Quantizer template(int bits, Grid grid) {
        if (grid == Grid.CUSTOM) {
            throw new IllegalArgumentException("grid must be a named grid, was CUSTOM (for an explicit [qmin, qmax]"
                    + " pass a template quantizer)");
        }
        return Quantizer.symmetric(bits, grid, 1f);
    }

    static void check(Quantizer t, StepPolicy p) {
        Check.notNull(t, "template");
        Check.notNull(p, "policy");
        if (t.grid() == Grid.CUSTOM && !(p instanceof StepPolicy.MinMax)) {
            throw new IllegalArgumentException("policy " + p + " needs a named grid (the clip-to-step rule depends on it);"
                    + " the CUSTOM grid [" + t.qmin() + ", " + t.qmax() + "] works with min_max only");
        }
        if (p instanceof StepPolicy.MaxAbs(MaxAbsConvention c) && c == MaxAbsConvention.TENSORRT
                && t.grid() != Grid.SIGNED_NARROW) {
            throw new IllegalArgumentException("MAX_ABS convention TENSORRT requires grid SIGNED_NARROW, was " + t.grid());
        }
        if (p instanceof StepPolicy.MaxAbs && t.qmax() + t.offset() <= 0) {
            throw new IllegalArgumentException("policy " + p + " needs qmax + h > 0; grid " + t.grid() + " at "
                    + t.bits() + " bits has qmax " + t.qmax());
        }
        if (p instanceof StepPolicy.MinMax && t.qmin() == t.qmax()) {
            throw new IllegalArgumentException("policy min_max needs qmin < qmax, was [" + t.qmin() + ", " + t.qmax() + "]");
        }
    }

    static void finite(Moments m, String name) {
        if (!Double.isFinite(m.min()) || !Double.isFinite(m.max())) {
            throw new IllegalArgumentException(name + " must be finite to calibrate on, has NaN or infinite values (min="
                    + m.min() + ", max=" + m.max() + ")");
        }
    }

    /** Nearest rank k = max(1, ceil(p·n/100)), p taken as the decimal it prints as. */
    static long rank(double percent, long n) {
        BigDecimal k = new BigDecimal(Double.toString(percent)).multiply(BigDecimal.valueOf(n))
                .divide(BigDecimal.valueOf(100)).setScale(0, RoundingMode.CEILING);
        return Math.min(n, Math.max(1L, k.longValueExact()));
    }

    // ---- data views and their statistics ----------------------------------------------------------

    /**
     * A contiguous run of data with its stochastic stream indices (streamIndex[i], or streamBase + i)
     * and lazily computed statistics.
     */
    static final class View {
        final float[] x;          // the data, or null when it is a tensor view
        final TensorView t;
        final long off;
        final long len;
        final long streamBase;
        final long[] streamIndex;
        final String name;
        private Moments moments;
        private double mad = Double.NaN;
        private double absMax = Double.NaN;

        View(float[] x, int off, int len, long streamBase, long[] streamIndex, String name) {
            this(x, null, off, len, streamBase, streamIndex, name);
        }

        /** Elements [off, off + len) of a tensor view (stream indices streamBase + i). */
        View(TensorView t, long off, long len, long streamBase, String name) {
            this(null, t, off, len, streamBase, null, name);
        }

        private View(float[] x, TensorView t, long off, long len, long streamBase, long[] streamIndex, String name) {
            this.x = x;
            this.t = t;
            this.off = off;
            this.len = len;
            this.streamBase = streamBase;
            this.streamIndex = streamIndex;
            this.name = name;
        }

        Moments moments(Backend b) {
            if (moments == null) {
                moments = x != null ? b.moments(x, (int) off, (int) len)
                        : off == 0 && len == t.count() ? b.moments(t) : b.moments(t.slice(off, len));
                finite(moments, name);
            }
            return moments;
        }

        /** max |x| from one {@link Backend#absMax} pass (or the moments, if already computed); finite. */
        double absMax(Backend b) {
            if (Double.isNaN(absMax)) {
                if (moments != null) {
                    absMax = moments.absMax();
                } else {
                    float a = x != null ? b.absMax(x, (int) off, (int) len) : b.absMax(t, off, len);
                    if (!Float.isFinite(a)) {
                        moments(b); // throws the message every policy gives for non-finite data
                        throw new IllegalArgumentException(name + " must be finite to calibrate on, max |x| is " + a);
                    }
                    absMax = a;
                }
            }
            return absMax;
        }

        double meanAbsDeviation(Backend b) {
            if (Double.isNaN(mad)) {
                double mean = moments(b).mean();
                mad = x != null ? b.meanAbsDeviation(x, (int) off, (int) len, mean) : b.meanAbsDeviation(t, off, len, mean);
            }
            return mad;
        }

        /** Elements [from, from + n) of this view (a view without stream index array: a whole tensor). */
        View part(long from, long n, String partName) {
            return new View(x, t, off + from, n, streamBase + from, null, partName);
        }

        float absOrderStatistic(Backend b, long k) {
            return x != null ? b.absOrderStatistic(x, (int) off, (int) len, k) : b.absOrderStatistic(t, off, len, k);
        }

        /** {@link Backend#errorSums} of this view's data with its stream indices. */
        double errorSums(Backend b, Quantizer[] settings, double p, double[] sums) {
            return x != null ? b.errorSums(x, (int) off, (int) len, streamBase, streamIndex, settings, p, sums)
                    : b.errorSums(t, off, len, streamBase, settings, p, sums);
        }

        /** Copies elements [from, from + n) of the view (widened) into dst[at, at + n). */
        void copy(long from, float[] dst, int at, int n) {
            if (x != null) {
                System.arraycopy(x, (int) (off + from), dst, at, n);
            } else {
                for (long k = 0; k < n; k += Staging.BLOCK) { // Staging.load takes at most a block
                    int m = (int) Math.min(Staging.BLOCK, n - k);
                    Staging.load(t, off + from + k, dst, at + (int) k, m, Staging.scratch());
                }
            }
        }
    }

    /** A scale and zero point. */
    record Param(float scale, int zeroPoint) {}

    // ---- drivers ------------------------------------------------------------------------------------

    static Quantizer perTensor(Backend b, float[] x, Quantizer t, StepPolicy p) {
        return perTensor(b, new View(x, 0, x.length, t.streamOffset(), null, "x"), t, p);
    }

    /** A per-tensor quantizer calibrated on all of {@code all}. */
    static Quantizer perTensor(Backend b, View all, Quantizer t, StepPolicy p) {
        Param r = solve(b, all, t, p);
        return setting(t, r.scale(), r.zeroPoint());
    }

    static Quantizer perGroup(Backend b, float[] x, int groupSize, Quantizer t, StepPolicy p) {
        return perGroup(b, new View(x, 0, x.length, t.streamOffset(), null, "x"), groupSize, t, p);
    }

    /** Per-group calibration of all of {@code all} (stream base = t's stream offset). */
    static Quantizer perGroup(Backend b, View all, int groupSize, Quantizer t, StepPolicy p) {
        int groups = Math.toIntExact(all.len / groupSize);
        float[] s = new float[groups];
        int[] z = new int[groups];
        for (int g = 0; g < groups; g++) {
            long off = (long) g * groupSize;
            Param r = solve(b, all.part(off, groupSize, "x group " + g), t, p);
            s[g] = r.scale();
            z[g] = r.zeroPoint();
        }
        Quantizer q = t.grid() == Grid.CUSTOM ? Quantizer.perGroupAffine(s, z, groupSize, t.qmin(), t.qmax())
                : Quantizer.perGroup(t.bits(), t.grid(), s, z, groupSize);
        return policies(q, t);
    }

    static Quantizer perChannel(Backend b, float[] x, int[] shape, int axis, Quantizer t, StepPolicy p) {
        return perChannel(b, new View(x, 0, x.length, t.streamOffset(), null, "x"), shape, axis, t, p);
    }

    /** Per-channel calibration of all of {@code all} (stream base = t's stream offset). */
    static Quantizer perChannel(Backend b, View all, int[] shape, int axis, Quantizer t, StepPolicy p) {
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) {
            outer *= shape[d];
        }
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        int channels = shape[axis];
        float[] s = new float[channels];
        int[] z = new int[channels];
        boolean stochastic = t.rounding().isStochastic();
        int per = outer * inner;
        float[] buf = outer == 1 ? null : new float[per];
        long[] idx = outer == 1 || !stochastic ? null : new long[per];
        for (int c = 0; c < channels; c++) {
            View v;
            String name = "x channel " + c;
            if (outer == 1) {
                v = all.part((long) c * inner, inner, name);
            } else {
                for (int o = 0; o < outer; o++) {
                    int from = (o * channels + c) * inner;
                    all.copy(from, buf, o * inner, inner);
                    if (idx != null) {
                        for (int i = 0; i < inner; i++) {
                            idx[o * inner + i] = t.streamOffset() + from + i;
                        }
                    }
                }
                v = new View(buf, 0, per, 0L, idx, name);
            }
            Param r = solve(b, v, t, p);
            s[c] = r.scale();
            z[c] = r.zeroPoint();
        }
        Quantizer q = t.grid() == Grid.CUSTOM ? Quantizer.perChannelAffine(s, z, shape, axis, t.qmin(), t.qmax())
                : Quantizer.perChannel(t.bits(), t.grid(), s, z, shape, axis);
        return policies(q, t);
    }

    static QuantError quantError(Backend b, float[] x, Quantizer q) {
        return quantError(b, new View(x, 0, x.length, 0L, null, "x"), q);
    }

    /** Σ(fq(x) − x)² and Σx² of all of {@code all}, run by run. */
    static QuantError quantError(Backend b, View all, Quantizer q) {
        long n = all.len;
        Quantizer[] per = new Quantizer[q.paramCount()];
        double[] sse = new double[1];
        double signal = 0;
        for (long i = 0; i < n; ) {
            int p = dev.kure.spi.Runs.param(i, q);
            long end = q.inner() >= n ? n : Math.min(n, (i / q.inner() + 1) * q.inner());
            if (per[p] == null) {
                per[p] = setting(q, q.scale(p), q.zeroPoint(p));
            }
            View run = new View(all.x, all.t, all.off + i, end - i, q.streamOffset() + i, null, all.name);
            signal += run.errorSums(b, new Quantizer[] {per[p]}, 2.0, sse);
            i = end;
        }
        return new QuantError(n, sse[0], signal);
    }

    static SweepResult sweep(Backend b, float[] x, SweepSpec spec) {
        return sweep(b, new View(x, 0, x.length, 0L, null, "x"), spec);
    }

    /** The robustness sweep of {@code all} (stream base 0). */
    static SweepResult sweep(Backend b, View all, SweepSpec spec) {
        int[] bits = spec.bits();
        double[] ratios = spec.ratios();
        List<Grid> grids = spec.grids();
        List<Rounding> roundings = spec.roundings();
        int total = spec.size();
        Quantizer[] settings = new Quantizer[total];
        float[] base = new float[total];
        double[] ratioOf = new double[total];
        int j = 0;
        for (int bits1 : bits) {
            for (Grid g : grids) {
                Quantizer t = Quantizer.symmetric(bits1, g, 1f).withOverflow(spec.overflow()).withMode(spec.mode())
                        .withSeed(spec.seed());
                check(t, spec.basePolicy());
                Param p = solve(b, all, t, spec.basePolicy());
                for (Rounding r : roundings) {
                    for (double ratio : ratios) {
                        float s = StepTransform.ratio(ratio).apply(p.scale());
                        if (spec.powerOfTwo() != null) {
                            s = Steps.powerOfTwo(s, spec.powerOfTwo());
                        }
                        settings[j] = Quantizer.perTensor(bits1, g, s, p.zeroPoint()).withRounding(r)
                                .withOverflow(spec.overflow()).withMode(spec.mode()).withSeed(spec.seed());
                        base[j] = p.scale();
                        ratioOf[j] = ratio;
                        j++;
                    }
                }
            }
        }
        double[] sse = new double[total];
        double signal = all.errorSums(b, settings, 2.0, sse);
        List<SweepResult.Row> rows = new ArrayList<>(total);
        for (int k = 0; k < total; k++) {
            Quantizer q = settings[k];
            rows.add(new SweepResult.Row(q.bits(), q.grid(), q.rounding(), ratioOf[k], base[k], q,
                    new QuantError(all.len, sse[k], signal)));
        }
        return new SweepResult(spec, rows);
    }

    // ---- one parameter set ------------------------------------------------------------------------

    static Param solve(Backend b, View v, Quantizer t, StepPolicy policy) {
        int bits = t.bits();
        return switch (policy) {
            case StepPolicy.MaxAbs(MaxAbsConvention c) -> maxAbs(c, (float) v.moments(b).absMax(), t);
            case StepPolicy.MinMax() -> minMax((float) v.moments(b).min(), (float) v.moments(b).max(), t);
            case StepPolicy.Percentile(double pct) -> {
                v.moments(b); // rejects non-finite data
                long k = rank(pct, v.len);
                yield clip(v.absOrderStatistic(b, k - 1), t);
            }
            case StepPolicy.AciqGauss() -> clip(aciqGauss(bits) * v.moments(b).std(), t);
            case StepPolicy.AciqLaplace() -> clip(aciqLaplace(bits) * v.meanAbsDeviation(b), t);
            case StepPolicy.UniformPrior() -> clip(Math.sqrt(3.0) * v.moments(b).std(), t);
            // the search needs max |x| only: one read pass instead of the moments
            case StepPolicy.Mse() -> search(b, v, t, 2.0, v.absMax(b));
            case StepPolicy.LpNorm(double p) -> search(b, v, t, p, v.absMax(b));
        };
    }

    static double aciqGauss(int bits) {
        return bits >= 2 && bits <= 8 ? C_GAUSS[bits - 2] : GaussianTheory.optimalClipRatioAciq(bits);
    }

    static double aciqLaplace(int bits) {
        return bits >= 2 && bits <= 8 ? C_LAPLACE[bits - 2] : LaplaceTheory.optimalClipRatioApprox(bits);
    }

    /** The step of a clip α: α/2^(b−1) on the symmetric grids, α/2^b on UNSIGNED (τ = 2^(b−1)·Δ). */
    static double clipDivisor(Quantizer t) {
        return t.grid() == Grid.UNSIGNED ? Math.scalb(1.0, t.bits()) : Math.scalb(1.0, t.bits() - 1);
    }

    static Param clip(double alpha, Quantizer t) {
        return new Param(floor((float) (alpha / clipDivisor(t)), StepPolicy.MIN_SCALE), 0);
    }

    static Param maxAbs(MaxAbsConvention c, float amax, Quantizer t) {
        return switch (c) {
            case AMAX_OVER_QMAX, TENSORRT -> new Param(floor((float) (amax / (t.qmax() + (double) t.offset())),
                    StepPolicy.MIN_SCALE), 0);
            case PYTORCH_OBSERVER -> {
                float s = amax / ((float) (t.qmax() - t.qmin()) / 2f);
                int z = t.grid() == Grid.UNSIGNED ? (t.qmin() + t.qmax() + 1) / 2 : 0;
                yield new Param(floor(s, StepPolicy.TORCH_EPS), z);
            }
        };
    }

    /** PyTorch's affine MinMaxObserver, in float32. */
    static Param minMax(float min, float max, Quantizer t) {
        float lo = Math.min(min, 0f), hi = Math.max(max, 0f);
        float s = floor((hi - lo) / (float) (t.qmax() - t.qmin()), StepPolicy.TORCH_EPS);
        long z = t.qmin() - (long) Math.rint(lo / s);
        z = Math.min(Math.max(z, t.qmin()), t.qmax());
        return new Param(s, (int) z);
    }

    /** A scale floored at {@code min} (0 and NaN-free data give min) and capped at the largest float. */
    static float floor(float s, float min) {
        if (!(s >= min)) {
            return min;
        }
        return Math.min(s, Float.MAX_VALUE);
    }

    /** Values up to which the search runs on all the data; above, it locates the optimum on a sample. */
    static final int SAMPLE = 1 << 18;
    /** Floats per sampled run: one 64-byte cache line, so the sample reads 1/stride of the memory. */
    static final int LINE = 16;
    /** Full-data candidates of a sampled search, and their relative spacing around the sample's optimum. */
    static final int FINAL_POINTS = 5;
    static final double FINAL_SPACING = 0.003;
    /** Extra full-data passes a sampled search may take when the best candidate is at an edge. */
    static final int MAX_SHIFTS = 8;

    /**
     * argmin over the step of Σ|fq(x) − x|^p (zero point 0). Up to {@code 4·SAMPLE} values: COARSE
     * geometric candidates below the no-clip step in one pass, then golden-section search between the
     * best candidate's neighbours (about 20 more passes); the best step evaluated is returned.
     *
     * <p>Larger inputs (data passes: one max |x| pass, then usually one error pass): the same coarse
     * grid and golden-section search run on a deterministic sample of about {@code SAMPLE} values —
     * every stride-th cache line of {@link #LINE} floats, with the elements' own stochastic streams —
     * which stays in cache; then one pass over all the data measures FINAL_POINTS steps spaced
     * FINAL_SPACING (relative) around the sample's optimum and keeps the best. If that best is an
     * end point, the window moves there and is measured again (at most MAX_SHIFTS times), so the
     * result is a local minimum of the measured full-data error on that grid of steps.
     */
    static Param search(Backend b, View v, Quantizer t, double p, double amax) {
        double top = amax / (t.qmax() + (double) t.offset());  // amax on the outermost level: clips nothing
        if (!(top >= StepPolicy.MIN_SCALE)) {
            return new Param(StepPolicy.MIN_SCALE, 0);
        }
        if (v.len <= 4 * SAMPLE) {
            return new Param(floor(searchOn(b, v, t, p, top), StepPolicy.MIN_SCALE), 0);
        }
        float center = searchOn(b, sample(v, t.rounding().isStochastic()), t, p, top);
        Quantizer[] cand = new Quantizer[FINAL_POINTS];
        float[] steps = new float[FINAL_POINTS];
        double[] err = new double[FINAL_POINTS];
        float bestStep = center;
        double bestErr = Double.POSITIVE_INFINITY;
        int mid = FINAL_POINTS / 2;
        for (int shift = 0; ; shift++) {
            for (int j = 0; j < FINAL_POINTS; j++) {
                steps[j] = floor((float) (center * (1 + FINAL_SPACING * (j - mid))), StepPolicy.MIN_SCALE);
                cand[j] = setting(t, steps[j], 0);
                err[j] = 0;
            }
            v.errorSums(b, cand, p, err);
            int best = 0;
            for (int j = 1; j < FINAL_POINTS; j++) {
                if (err[j] < err[best]) {
                    best = j;
                }
            }
            if (err[best] < bestErr) {
                bestErr = err[best];
                bestStep = steps[best];
            }
            if ((best != 0 && best != FINAL_POINTS - 1) || shift == MAX_SHIFTS || steps[best] == center) {
                break;
            }
            center = steps[best];
        }
        return new Param(floor(bestStep, StepPolicy.MIN_SCALE), 0);
    }

    /**
     * Every stride-th run of {@link #LINE} values of v (about SAMPLE values in all), with their stream
     * indices when the rounding is stochastic.
     */
    static View sample(View v, boolean stochastic) {
        int lines = Math.toIntExact(v.len / LINE);
        int stride = (lines + SAMPLE / LINE - 1) / (SAMPLE / LINE);
        int runs = (lines + stride - 1) / stride;
        float[] buf = new float[runs * LINE];
        long[] idx = stochastic ? new long[runs * LINE] : null;
        for (int r = 0; r < runs; r++) {
            int from = r * stride * LINE;
            v.copy(from, buf, r * LINE, LINE);
            if (idx != null) {
                for (int i = 0; i < LINE; i++) {
                    idx[r * LINE + i] = v.streamIndex != null ? v.streamIndex[from + i] : v.streamBase + from + i;
                }
            }
        }
        return new View(buf, 0, buf.length, 0L, idx, v.name + " (sample)");
    }

    /** The coarse grid and golden-section search on v; returns the best step evaluated. */
    private static float searchOn(Backend b, View v, Quantizer t, double p, double top) {
        double rho = Math.pow(2.0, -RANGE_LOG2 / (COARSE - 1));
        Quantizer[] cand = new Quantizer[COARSE];
        float[] steps = new float[COARSE];
        for (int j = 0; j < COARSE; j++) {
            steps[j] = floor((float) (top * Math.pow(rho, j)), StepPolicy.MIN_SCALE);
            cand[j] = setting(t, steps[j], 0);
        }
        double[] err = new double[COARSE];
        v.errorSums(b, cand, p, err);
        int best = 0;
        for (int j = 1; j < COARSE; j++) {
            if (err[j] < err[best]) {
                best = j;
            }
        }
        float bestStep = steps[best];
        double bestErr = err[best];
        // golden-section search on [s_(best+1), s_(best-1)] (one ratio beyond the ends of the grid)
        double lo = steps[best] * rho;
        double hi = steps[best] / rho;
        Quantizer[] one = new Quantizer[1];
        double[] e1 = new double[1];
        double x1 = hi - (1 - GOLDEN) * (hi - lo), x2 = lo + (1 - GOLDEN) * (hi - lo);
        double f1 = Double.NaN, f2 = Double.NaN;
        for (int it = 0; it < MAX_GOLDEN && hi - lo > REL_TOL * hi; it++) {
            if (Double.isNaN(f1)) {
                f1 = eval(b, v, t, p, (float) x1, one, e1);
                if (f1 < bestErr) {
                    bestErr = f1;
                    bestStep = (float) x1;
                }
            }
            if (Double.isNaN(f2)) {
                f2 = eval(b, v, t, p, (float) x2, one, e1);
                if (f2 < bestErr) {
                    bestErr = f2;
                    bestStep = (float) x2;
                }
            }
            if (f1 <= f2) {         // minimum in [lo, x2]
                hi = x2;
                x2 = x1;
                f2 = f1;
                x1 = hi - (1 - GOLDEN) * (hi - lo);
                f1 = Double.NaN;
            } else {                // minimum in [x1, hi]
                lo = x1;
                x1 = x2;
                f1 = f2;
                x2 = lo + (1 - GOLDEN) * (hi - lo);
                f2 = Double.NaN;
            }
            if ((float) x1 == (float) x2) {
                break;
            }
        }
        return bestStep;
    }

    private static double eval(Backend b, View v, Quantizer t, double p, float step, Quantizer[] one, double[] e1) {
        one[0] = setting(t, floor(step, StepPolicy.MIN_SCALE), 0);
        e1[0] = 0;
        v.errorSums(b, one, p, e1);
        return e1[0];
    }

    // ---- quantizer building -----------------------------------------------------------------------

    /** The per-tensor quantizer like t (grid, policies, seed, stream offset) with scale s and zero point z. */
    static Quantizer setting(Quantizer t, float s, int z) {
        Quantizer q = t.grid() == Grid.CUSTOM ? Quantizer.perTensorAffine(s, z, t.qmin(), t.qmax())
                : Quantizer.perTensor(t.bits(), t.grid(), s, z);
        return policies(q, t);
    }

    private static Quantizer policies(Quantizer q, Quantizer t) {
        return q.withRounding(t.rounding()).withOverflow(t.overflow()).withMode(t.mode()).withSeed(t.seed())
                .withStreamOffset(t.streamOffset());
    }
}
