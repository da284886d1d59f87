package dev.kure.scalar;

import dev.kure.Overflow;
import dev.kure.QuantMode;
import dev.kure.Quantizer;
import dev.kure.Rounding;
import dev.kure.spi.QuantMath;

/**
 * Reference multi-setting error kernel: the quantization error of many per-tensor settings in one
 * read of the data, blocked ({@value #BLOCK} floats, 16 KiB: the block stays in L1 while every setting
 * is evaluated). Serves the robustness sweep and the MSE / LP_NORM calibration. Public for the
 * backends that delegate to the reference (the GPU backend computes these sums on the host).
 *
 * <p>Each setting's values are exactly those of {@code ScalarFakeQuant.forward} (the same
 * {@link QuantMath} steps); the common case (offset 0, SATURATE, MULTIPLY, a nearest rounding) runs a
 * specialized loop with the same arithmetic. The stochastic uniforms of a block are drawn once and
 * shared by every stochastic setting with the same generator and seed. Each setting's error is accumulated in
 * double per block, then added to its sum.
 */
public final class ScalarSweep {
    /** Floats per block. */
    public static final int BLOCK = 4096;

    private ScalarSweep() {}

    /** See {@link dev.kure.spi.Backend#errorSums}. */
    public static double errorSums(float[] x, int off, int len, long streamBase, long[] streamIndex,
                                   Quantizer[] settings, double p, double[] sums) {
        int k = settings.length;
        float[] inv = new float[k];
        boolean anyStochastic = false;
        for (int j = 0; j < k; j++) {
            inv[j] = QuantMath.reciprocal(settings[j].scale(0));
            anyStochastic |= settings[j].rounding().isStochastic();
        }
        float[] u = anyStochastic ? new float[Math.min(BLOCK, Math.max(len, 1))] : null;
        boolean square = p == 2.0;
        double signal = 0;
        for (int b = 0; b < len; b += BLOCK) {
            int n = Math.min(BLOCK, len - b);
            int xo = off + b;
            double sig = 0;
            for (int i = 0; i < n; i++) {
                double v = x[xo + i];
                sig += v * v;
            }
            signal += sig;
            long uSeed = 0;
            Rounding uFrom = null; // the generator the block's uniforms came from, or none yet
            for (int j = 0; j < k; j++) {
                Quantizer q = settings[j];
                if (q.rounding().isStochastic() && (uFrom != q.rounding() || uSeed != q.seed())) {
                    uSeed = q.seed();
                    uFrom = q.rounding();
                    for (int i = 0; i < n; i++) {
                        long e = streamIndex != null ? streamIndex[b + i] : streamBase + b + i;
                        u[i] = QuantMath.uniform(uFrom, uSeed, e);
                    }
                }
                sums[j] += blockError(x, xo, n, q, inv[j], u, square, p);
            }
        }
        return signal;
    }

    private static double blockError(float[] x, int xo, int n, Quantizer q, float inv, float[] u, boolean square,
                                     double p) {
        float s = q.scale(0);
        int z = q.zeroPoint(0);
        float h = q.offset();
        Rounding r = q.rounding();
        boolean divide = q.mode() == QuantMode.DIVIDE;
        if (square && h == 0f && !divide && q.overflow() == Overflow.SATURATE && r == Rounding.HALF_EVEN) {
            return halfEvenSaturate(x, xo, n, s, inv, z, q.qmin(), q.qmax());
        }
        int qmin = q.qmin(), qmax = q.qmax();
        Overflow o = q.overflow();
        double acc = 0;
        for (int i = 0; i < n; i++) {
            float xv = x[xo + i];
            float y = QuantMath.scaled(xv, s, inv, divide);
            float c = (float) QuantMath.round(y, h, r, u == null ? 0f : u[i]) + (float) z;
            float out = QuantMath.value(QuantMath.overflow(c, qmin, qmax, o), z, h, s);
            double e = (double) out - (double) xv;
            acc += square ? e * e : Math.pow(Math.abs(e), p);
        }
        return acc;
    }

    /** The common case: y = x·inv, rint, + z, clamp, (q − z)·s; squared error in double. */
    private static double halfEvenSaturate(float[] x, int xo, int n, float s, float inv, int z, int qmin, int qmax) {
        float zf = z, lo = qmin, hi = qmax;
        double acc = 0;
        for (int i = 0; i < n; i++) {
            float xv = x[xo + i];
            float q = (float) Math.rint(xv * inv) + zf;
            q = Math.min(Math.max(q, lo), hi);
            float out = ((q - zf) + 0f) * s;
            double e = (double) out - (double) xv;
            acc += e * e;
        }
        return acc;
    }
}
