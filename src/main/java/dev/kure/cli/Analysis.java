package dev.kure.cli;

import dev.kure.Grid;
import dev.kure.Kernels;
import dev.kure.Moments;
import dev.kure.Quantizer;
import dev.kure.Rounding;
import dev.kure.StepPolicy;
import dev.kure.SweepResult;
import dev.kure.SweepSpec;
import dev.kure.io.TensorFile;
import dev.kure.io.TensorInfo;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-tensor analysis behind {@code kure analyze}: moments, the calibrated step of each policy at
 * each bit-width, and the robustness profile (SNR at the MAX_ABS and MSE steps and the worst SNR over
 * step ratios 0.7–1.3).
 */
final class Analysis {
    /** The step ratios of the robustness profile: 0.70, 0.73, …, 1.30 (21 points, 1.0 exactly in the middle). */
    static final double[] RATIOS = ratios();

    /** Index of ratio 1.0 in {@link #RATIOS}. */
    static final int UNIT = 10;

    private static final ValueLayout.OfFloat LE = ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Analysis() {}

    /**
     * What to compute.
     *
     * @param bits        bit-widths
     * @param policies    step policies whose steps are reported
     * @param grid        the integer grid
     * @param sampleAbove tensors with more elements are calibrated on a strided sample
     * @param sampleSize  the sample's size
     */
    record Settings(int[] bits, List<StepPolicy> policies, Grid grid, long sampleAbove, int sampleSize) {}

    /**
     * The calibrated steps of one policy.
     *
     * @param policy     the policy's text form
     * @param scales     the scale at each bit-width of the settings
     * @param zeroPoints the zero point at each bit-width (0 except for min_max)
     */
    record Steps(String policy, float[] scales, int[] zeroPoints) {}

    /**
     * The robustness profile (rounding HALF_EVEN, SATURATE).
     *
     * @param snrMaxAbs   SNR (dB) at the MAX_ABS step, per bit-width
     * @param snrMse      SNR (dB) at the MSE-optimal step, per bit-width
     * @param worstMaxAbs the lowest SNR over {@link #RATIOS} × the MAX_ABS step, per bit-width
     * @param worstMse    the lowest SNR over {@link #RATIOS} × the MSE step, per bit-width
     * @param mseCurve    MSE at each ratio × the MSE step: [bit-width][ratio]
     */
    record Profile(double[] snrMaxAbs, double[] snrMse, double[] worstMaxAbs, double[] worstMse, double[][] mseCurve) {}

    /**
     * One tensor's report.
     *
     * @param name     tensor name
     * @param dtype    the file's dtype
     * @param shape    shape
     * @param status   "ok", "skipped" or "non_finite"
     * @param note     why skipped, what was sampled, or null
     * @param moments  moments (null when skipped)
     * @param nonFinite number of NaN or infinite values (when status is non_finite)
     * @param sampled  number of values calibration and the profile used (count, or the sample's size)
     * @param steps    calibrated steps (empty unless ok)
     * @param profile  robustness (null unless ok)
     */
    record Report(String name, String dtype, long[] shape, String status, String note, Moments moments, long nonFinite,
                  long sampled, List<Steps> steps, Profile profile) {
        /** Whether everything was computed. */
        boolean ok() {
            return "ok".equals(status);
        }
    }

    /**
     * Analyzes one tensor of an open file.
     *
     * @param k  kernels
     * @param tf the file
     * @param t  the tensor
     * @param s  settings
     * @return its report
     */
    static Report analyze(Kernels k, TensorFile tf, TensorInfo t, Settings s) {
        String dtype = t.rawDtype();
        if (!t.isSupported()) {
            return skipped(t, "dtype " + dtype + " is not supported (F32, F16, BF16, F64 are)");
        }
        long n = t.elementCount();
        if (n == 0) {
            return skipped(t, "empty tensor");
        }
        float[] x;
        Moments m;
        String note = null;
        if (n > s.sampleAbove()) {
            MemorySegment seg = tf.floats(t.name());
            m = k.moments(seg);
            if (!finite(m)) {
                return nonFinite(t, m, countNonFinite(seg));
            }
            x = strided(seg, n, s.sampleSize());
            note = "steps and robustness from a strided sample of " + x.length + " of " + n + " values";
        } else {
            x = tf.toFloatArray(t.name());
            m = k.moments(x);
            if (!finite(m)) {
                return nonFinite(t, m, countNonFinite(x));
            }
        }
        return new Report(t.name(), dtype, t.shape(), "ok", note, m, 0, x.length, steps(k, x, s), profile(k, x, s));
    }

    /**
     * Analyzes an in-memory tensor (used by {@code regularize} and the tests).
     *
     * @param k     kernels
     * @param name  the tensor's name
     * @param shape its shape
     * @param x     values, all finite
     * @param s settings
     * @return the steps and profile
     */
    static Report analyze(Kernels k, String name, long[] shape, float[] x, Settings s) {
        Moments m = k.moments(x);
        return new Report(name, "F32", shape, "ok", null, m, 0, x.length, steps(k, x, s), profile(k, x, s));
    }

    static List<Steps> steps(Kernels k, float[] x, Settings s) {
        List<Steps> out = new ArrayList<>();
        for (StepPolicy p : s.policies()) {
            float[] scales = new float[s.bits().length];
            int[] zps = new int[s.bits().length];
            for (int i = 0; i < scales.length; i++) {
                Quantizer q = k.calibrate(x, s.bits()[i], s.grid(), p);
                scales[i] = q.scale(0);
                zps[i] = q.zeroPoint(0);
            }
            out.add(new Steps(p.toString(), scales, zps));
        }
        return out;
    }

    static Profile profile(Kernels k, float[] x, Settings s) {
        int nb = s.bits().length;
        SweepSpec base = SweepSpec.of(s.bits(), RATIOS, Rounding.HALF_EVEN).withGrids(s.grid());
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
        return new Profile(snrMax, snrMse, worstMax, worstMse, curve);
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

    /** Number of NaN or infinite float32 values (little-endian) in a segment. */
    static long countNonFinite(MemorySegment seg) {
        long n = seg.byteSize() / 4, c = 0;
        for (long i = 0; i < n; i++) {
            if (!Float.isFinite(seg.getAtIndex(LE, i))) {
                c++;
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

    /** Every ⌊n/size⌋-th value, {@code size} of them. */
    static float[] strided(MemorySegment seg, long n, int size) {
        int m = (int) Math.min(n, size);
        long stride = n / m;
        float[] x = new float[m];
        for (int i = 0; i < m; i++) {
            x[i] = seg.getAtIndex(LE, i * stride);
        }
        return x;
    }

    private static double[] ratios() {
        double[] r = new double[21];
        for (int i = 0; i < r.length; i++) {
            r[i] = (70 + 3 * i) / 100.0;
        }
        return r;
    }
}
