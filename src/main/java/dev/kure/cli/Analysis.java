package dev.kure.cli;

import dev.kure.Grid;
import dev.kure.FpKernels;
import dev.kure.FpQuantizer;
import dev.kure.Kernels;
import dev.kure.Moments;
import dev.kure.Quantizer;
import dev.kure.Rounding;
import dev.kure.StepPolicy;
import dev.kure.SweepResult;
import dev.kure.SweepSpec;
import dev.kure.TensorView;
import dev.kure.io.DType;
import dev.kure.io.TensorFile;
import dev.kure.io.TensorInfo;
import dev.kure.spi.Staging;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The per-tensor analysis behind {@code kure analyze}: moments, the calibrated step of each policy at
 * each bit-width, and the robustness profile (SNR at the MAX_ABS and MSE steps and the worst SNR over
 * step ratios 0.7–1.3).
 *
 * <p>Every tensor is analyzed as float32: F16 and BF16 exactly (every value is a float32), F64 rounded
 * to the nearest float32 (Kure's kernels are float32; the report says so).
 */
final class Analysis {
    /** The step ratios of the robustness profile: 0.70, 0.73, …, 1.30 (21 points, 1.0 exactly in the middle). */
    static final double[] RATIOS = ratios();

    /** Index of ratio 1.0 in {@link #RATIOS}. */
    static final int UNIT = 10;

    /** The note on F64 tensors. */
    static final String F64_NOTE = "F64: moments, min and max computed in double; steps and robustness on the values "
            + "rounded to float32";


    private Analysis() {}

    /**
     * What to compute.
     *
     * @param bits        bit-widths
     * @param policies    step policies whose steps are reported
     * @param grid        the integer grid
     * @param rounding    the rounding policy of calibration (MSE, LP) and of the robustness profile
     * @param perChannel  also calibrate per output channel (axis 0) for tensors of rank ≥ 2
     * @param groupSize   if &gt; 0, also calibrate per group of this many consecutive elements along the last axis
     * @param sampleAbove tensors with more elements are calibrated on a strided sample
     * @param sampleSize  the sample's size
     * @param formats     floating-point formats (FP8, FP6, FP4, MX, NVFP4) whose error is reported; may be empty
     */
    record Settings(int[] bits, List<StepPolicy> policies, Grid grid, Rounding rounding, boolean perChannel,
                    int groupSize, long sampleAbove, int sampleSize, List<FpQuantizer> formats) {
        /** Per-tensor settings with HALF_EVEN rounding. */
        Settings(int[] bits, List<StepPolicy> policies, Grid grid, long sampleAbove, int sampleSize) {
            this(bits, policies, grid, Rounding.HALF_EVEN, false, 0, sampleAbove, sampleSize, List.of());
        }

        /** Whether steps are also computed per channel or per group. */
        boolean granular() {
            return perChannel || groupSize > 0;
        }

        /** "per-channel" or "per-group G" (only when {@link #granular()}). */
        String granularity() {
            return perChannel ? "per-channel (axis 0)" : "per-group " + groupSize;
        }

        /** The template quantizer of one bit-width: grid and rounding; scales are ignored. */
        Quantizer template(int b) {
            return Quantizer.symmetric(b, grid, 1f).withRounding(rounding);
        }
    }

    /**
     * The calibrated steps of one policy.
     *
     * @param policy     the policy's text form
     * @param scales     the per-tensor scale at each bit-width of the settings
     * @param zeroPoints the per-tensor zero point at each bit-width (0 except for min_max)
     * @param granular   per-channel or per-group steps, or null when not asked for or not applicable
     */
    record Steps(String policy, float[] scales, int[] zeroPoints, Granular granular) {}

    /**
     * Per-channel or per-group steps of one policy.
     *
     * @param median the median scale over channels or groups, per bit-width
     * @param min    the smallest scale, per bit-width
     * @param max    the largest scale, per bit-width
     * @param snrDb  SNR (dB) of fake-quantizing with those steps, per bit-width
     * @param perTensorSnrDb SNR (dB) of fake-quantizing with the per-tensor step, per bit-width
     */
    record Granular(double[] median, double[] min, double[] max, double[] snrDb, double[] perTensorSnrDb) {}

    /**
     * The robustness profile (the settings' rounding, SATURATE).
     *
     * @param snrMaxAbs   SNR (dB) at the MAX_ABS step, per bit-width
     * @param snrMse      SNR (dB) at the MSE-optimal step, per bit-width
     * @param worstMaxAbs the lowest SNR over {@link #RATIOS} × the MAX_ABS step, per bit-width
     * @param worstMse    the lowest SNR over {@link #RATIOS} × the MSE step, per bit-width
     * @param mseCurve    MSE at each ratio × the MSE step: [bit-width][ratio]
     * @param formats     the error of each floating-point format of the settings, in their order
     */
    record Profile(double[] snrMaxAbs, double[] snrMse, double[] worstMaxAbs, double[] worstMse, double[][] mseCurve,
                   List<FpKernels.Row> formats) {}

    /**
     * One tensor's report.
     *
     * @param name      tensor name
     * @param dtype     the file's dtype
     * @param shape     shape
     * @param status    "ok", "skipped" or "non_finite"
     * @param note      why skipped, what was sampled or converted, or null
     * @param moments   moments (null when skipped)
     * @param nonFinite number of NaN or infinite values (when status is non_finite)
     * @param sampled   number of values calibration and the profile used (count, or the sample's size)
     * @param steps     calibrated steps (empty unless ok)
     * @param profile   robustness (null unless ok)
     */
    record Report(String name, String dtype, long[] shape, String status, String note, Moments moments, long nonFinite,
                  long sampled, List<Steps> steps, Profile profile) {
        /** Whether everything was computed. */
        boolean ok() {
            return "ok".equals(status);
        }

        /** Number of elements. */
        long count() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        /** Weights (rank ≥ 2: linear and conv kernels) as opposed to biases, norms and scalars. */
        boolean isWeight() {
            return shape.length >= 2;
        }
    }

    /**
     * Analyzes one tensor of an open file.
     *
     * @param k        kernels
     * @param tf       the file
     * @param t        the tensor
     * @param s        settings
     * @param progress told the number of stored bytes of the tensor done, in parts, summing to its byte length
     * @return its report
     */
    static Report analyze(Kernels k, TensorFile tf, TensorInfo t, Settings s, LongConsumer progress) {
        Ticker tick = new Ticker(progress, t.byteLength(), 3 + s.policies().size() * s.bits().length);
        try {
            return analyze(k, tf, t, s, tick);
        } finally {
            tick.rest();
        }
    }

    private static Report analyze(Kernels k, TensorFile tf, TensorInfo t, Settings s, Ticker tick) {
        String dtype = t.rawDtype();
        if (!t.isSupported()) {
            return skipped(t, "dtype " + dtype + " is not supported (F32, F16, BF16, F64 are)");
        }
        long n = t.elementCount();
        if (n == 0) {
            return skipped(t, "empty tensor");
        }
        // the tensor in its stored type (F16/BF16 are not widened): kernels read the mapping directly
        TensorView v = tf.view(t.name());
        Moments m = k.moments(v);
        if (!finite(m)) {
            return nonFinite(t, m, countNonFinite(v));
        }
        TensorView x = v;
        List<String> notes = new ArrayList<>();
        if (t.dtype() == DType.F64) {
            notes.add(F64_NOTE);
        }
        if (n > s.sampleAbove()) {
            x = TensorView.of(sampleWithExtremes(v, n, s.sampleSize(), m));
            notes.add("moments, min and max exact over all " + n + " values; max_abs and min_max steps exact (from "
                    + "the exact extremes); the other steps and the robustness profile from a strided sample of "
                    + (x.count() - 2) + " values plus the two extremes" + (s.granular() ? "; per tensor only" : ""));
        }
        if (t.dtype() == DType.F64) {
            m = momentsF64(tf.rawBytes(t.name()), t.rawDtype().startsWith(">") ? ByteOrder.BIG_ENDIAN
                    : ByteOrder.LITTLE_ENDIAN, n);
        }
        tick.part();
        long[] shape = n > s.sampleAbove() ? null : t.shape();
        Granularity g = granularity(shape, s, notes);
        List<Steps> steps = steps(k, x, s, g, tick);
        Profile p = profile(k, x, s);
        tick.part();
        return new Report(t.name(), dtype, t.shape(), "ok", notes.isEmpty() ? null : String.join("; ", notes), m, 0,
                x.count(), steps, p);
    }

    /**
     * Analyzes an in-memory tensor per tensor (used by {@code regularize} and the tests).
     *
     * @param k     kernels
     * @param name  the tensor's name
     * @param shape its shape
     * @param x     values, all finite
     * @param s     settings
     * @return the steps and profile
     */
    static Report analyze(Kernels k, String name, long[] shape, float[] x, Settings s) {
        Moments m = k.moments(x);
        TensorView v = TensorView.of(x);
        return new Report(name, "F32", shape, "ok", null, m, 0, x.length, steps(k, v, s, null, Ticker.NONE),
                profile(k, v, s));
    }

    /** How per-channel or per-group steps are taken for one tensor: a shape and axis, or a group size. */
    private record Granularity(int[] shape, int groupSize) {}

    private static Granularity granularity(long[] shape, Settings s, List<String> notes) {
        if (!s.granular() || shape == null) {
            return null;
        }
        if (shape.length < 2) {
            notes.add(s.granularity() + " steps only for tensors of rank >= 2");
            return null;
        }
        int[] is = new int[shape.length];
        for (int i = 0; i < is.length; i++) {
            is[i] = (int) shape[i];
        }
        if (s.perChannel()) {
            return new Granularity(is, 0);
        }
        if (shape[shape.length - 1] % s.groupSize() != 0) {
            notes.add("group size " + s.groupSize() + " does not divide the last dimension " + shape[shape.length - 1]
                    + "; per tensor only");
            return null;
        }
        return new Granularity(null, s.groupSize());
    }

    private static List<Steps> steps(Kernels k, TensorView x, Settings s, Granularity g, Ticker tick) {
        List<Steps> out = new ArrayList<>();
        int nb = s.bits().length;
        for (StepPolicy p : s.policies()) {
            float[] scales = new float[nb];
            int[] zps = new int[nb];
            double[] med = new double[nb], lo = new double[nb], hi = new double[nb], snr = new double[nb],
                    snrTensor = new double[nb];
            for (int i = 0; i < nb; i++) {
                Quantizer template = s.template(s.bits()[i]);
                Quantizer q = k.calibrate(x, template, p);
                scales[i] = q.scale(0);
                zps[i] = q.zeroPoint(0);
                if (g != null) {
                    Quantizer qg = g.shape() != null ? k.calibratePerChannel(x, g.shape(), 0, template, p)
                            : k.calibratePerGroup(x, g.groupSize(), template, p);
                    float[] sc = qg.scales();
                    Arrays.sort(sc);
                    med[i] = sc.length % 2 == 1 ? sc[sc.length / 2] : 0.5 * ((double) sc[sc.length / 2 - 1] + sc[sc.length / 2]);
                    lo[i] = sc[0];
                    hi[i] = sc[sc.length - 1];
                    snr[i] = k.quantError(x, qg).snrDb();
                    snrTensor[i] = k.quantError(x, q).snrDb();
                }
                tick.part();
            }
            out.add(new Steps(p.toString(), scales, zps, g == null ? null : new Granular(med, lo, hi, snr, snrTensor)));
        }
        return out;
    }

    static Profile profile(Kernels k, float[] x, Settings s) {
        return profile(k, TensorView.of(x), s);
    }

    static Profile profile(Kernels k, TensorView x, Settings s) {
        int nb = s.bits().length;
        SweepSpec base = SweepSpec.of(s.bits(), RATIOS, s.rounding()).withGrids(s.grid());
        SweepResult byMax = k.sweep(x, base.withBasePolicy(StepPolicy.maxAbs()));
        SweepResult byMse = k.sweep(x, base.withBasePolicy(StepPolicy.mse()));
        double[] snrMax = new double[nb], snrMse = new double[nb], worstMax = new double[nb], worstMse = new double[nb];
        double[][] curve = new double[nb][RATIOS.length];
        for (int b = 0; b < nb; b++) {
            snrMax[b] = byMax.row(b, 0, 0, UNIT).snrDb();
            snrMse[b] = byMse.row(b, 0, 0, UNIT).snrDb();
            worstMax[b] = Double.POSITIVE_INFINITY;
            worstMse[b] = Double.POSITIVE_INFINITY;
            for (int r = 0; r < RATIOS.length; r++) {
                worstMax[b] = Math.min(worstMax[b], byMax.row(b, 0, 0, r).snrDb());
                worstMse[b] = Math.min(worstMse[b], byMse.row(b, 0, 0, r).snrDb());
                curve[b][r] = byMse.row(b, 0, 0, r).mse();
            }
        }
        // every format in one read of x (per-tensor scales and block scales come from x itself)
        List<FpKernels.Row> fp = s.formats().isEmpty() ? List.of() : FpKernels.of(k).formatErrors(x, s.formats(), List.of());
        return new Profile(snrMax, snrMse, worstMax, worstMse, curve, fp);
    }

    static boolean finite(Moments m) {
        return Double.isFinite(m.mean()) && Double.isFinite(m.absMax()) && Double.isFinite(m.s4());
    }

    private static Report skipped(TensorInfo t, String why) {
        return new Report(t.name(), t.rawDtype(), t.shape(), "skipped", why, null, 0, 0, List.of(), null);
    }

    private static Report nonFinite(TensorInfo t, Moments m, long count) {
        return new Report(t.name(), t.rawDtype(), t.shape(), "non_finite",
                count + " NaN or infinite value" + (count == 1 ? "" : "s") + "; nothing computed", m, count, 0,
                List.of(), null);
    }

    /**
     * Moments of float64 values computed in double (two passes: the mean, then the central sums), so
     * that F64 tensors are not reported at float32 precision. Only called on finite data.
     */
    static Moments momentsF64(MemorySegment raw, ByteOrder order, long n) {
        ValueLayout.OfDouble d = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(order);
        double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (long i = 0; i < n; i++) {
            double v = raw.getAtIndex(d, i);
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double mean = sum / n, s2 = 0, s3 = 0, s4 = 0;
        for (long i = 0; i < n; i++) {
            double c = raw.getAtIndex(d, i) - mean, c2 = c * c;
            s2 += c2;
            s3 += c2 * c;
            s4 += c2 * c2;
        }
        return Moments.of(n, mean, s2, s3, s4, min, max);
    }

    /** Number of NaN or infinite values in a tensor view of any element type (read in staged blocks). */
    static long countNonFinite(TensorView x) {
        float[] block = new float[Staging.BLOCK];
        Staging.Scratch scratch = Staging.scratch();
        long n = x.count(), c = 0;
        for (long b = 0; b < n; b += block.length) {
            int len = (int) Math.min(block.length, n - b);
            Staging.load(x, b, block, 0, len, scratch);
            for (int i = 0; i < len; i++) {
                if (!Float.isFinite(block[i])) {
                    c++;
                }
            }
        }
        return c;
    }

    /** Number of NaN or infinite values. */
    static long countNonFinite(float[] x) {
        long c = 0;
        for (float v : x) {
            if (!Float.isFinite(v)) {
                c++;
            }
        }
        return c;
    }

    /**
     * Every ⌊n/size⌋-th value, {@code size} of them, followed by the exact minimum and maximum (so that
     * max-abs and min-max steps on the sample equal those of the whole tensor, and the MSE search sees
     * the outliers).
     */
    static float[] sampleWithExtremes(TensorView v, long n, int size, Moments exact) {
        int m = (int) Math.min(n, size);
        long stride = n / m;
        float[] x = new float[m + 2];
        float[] one = new float[1];
        Staging.Scratch scratch = Staging.scratch();
        for (int i = 0; i < m; i++) {
            Staging.load(v, i * stride, one, 0, 1, scratch);
            x[i] = one[0];
        }
        x[m] = (float) exact.min();
        x[m + 1] = (float) exact.max();
        return x;
    }

    private static double[] ratios() {
        double[] r = new double[21];
        for (int i = 0; i < r.length; i++) {
            r[i] = (70 + 3 * i) / 100.0;
        }
        return r;
    }

    /** Reports a tensor's bytes in {@code parts} equal parts as its analysis goes. */
    private static final class Ticker {
        static final Ticker NONE = new Ticker(null, 0, 1);
        private final LongConsumer sink;
        private final long total;
        private final int parts;
        private long reported;
        private int done;

        Ticker(LongConsumer sink, long total, int parts) {
            this.sink = sink;
            this.total = total;
            this.parts = parts;
        }

        void part() {
            if (sink != null && done < parts) {
                done++;
                long upTo = total * done / parts;
                sink.accept(upTo - reported);
                reported = upTo;
            }
        }

        /** Reports whatever is left (skipped tensors, early returns). */
        void rest() {
            if (sink != null && reported < total) {
                sink.accept(total - reported);
                reported = total;
            }
        }
    }
}
