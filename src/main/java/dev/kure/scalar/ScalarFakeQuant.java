package dev.kure.scalar;

import dev.kure.Quantizer;
import dev.kure.QuantMode;
import dev.kure.spi.QuantMath;
import dev.kure.spi.Runs;

/** Reference fake quantization: forward (with the STE mask), STE backward, learnable backward. */
final class ScalarFakeQuant {
    private ScalarFakeQuant() {}

    static void forward(long base, float[] x, int xo, float[] out, int oo, int len, Quantizer q, long[] mask) {
        boolean divide = q.mode() == QuantMode.DIVIDE;
        float h = q.offset();
        for (Runs.Cursor r = Runs.over(q, base, len); r.next(); ) {
            float s = r.s, inv = r.inv;
            int z = r.z;
            for (int i = r.from; i < r.to; i++) {
                float c = QuantMath.code(x[xo + i], s, inv, z, h, q.rounding(), divide, q.seed(), q.streamOffset() + base + i);
                if (mask != null) {
                    setBit(mask, i, QuantMath.inside(c, q.qmin(), q.qmax()));
                }
                out[oo + i] = QuantMath.value(QuantMath.overflow(c, q.qmin(), q.qmax(), q.overflow()), z, h, s);
            }
        }
    }

    static void backward(long base, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len, Quantizer q) {
        boolean divide = q.mode() == QuantMode.DIVIDE;
        float h = q.offset();
        for (Runs.Cursor r = Runs.over(q, base, len); r.next(); ) {
            float s = r.s, inv = r.inv;
            int z = r.z;
            for (int i = r.from; i < r.to; i++) {
                float c = QuantMath.code(x[xo + i], s, inv, z, h, q.rounding(), divide, q.seed(), q.streamOffset() + base + i);
                dx[dxo + i] = QuantMath.inside(c, q.qmin(), q.qmax()) ? dy[dyo + i] : 0f;
            }
        }
    }

    static void steFromMask(long[] mask, float[] dy, int dyo, float[] dx, int dxo, int len) {
        for (int i = 0; i < len; i++) {
            dx[dxo + i] = ((mask[i >>> 6] >>> (i & 63)) & 1L) != 0 ? dy[dyo + i] : 0f;
        }
    }

    static void learnable(long base, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len, Quantizer q,
                          double[] ds, double[] dz) {
        boolean divide = q.mode() == QuantMode.DIVIDE;
        float h = q.offset();
        int qmin = q.qmin(), qmax = q.qmax();
        for (Runs.Cursor r = Runs.over(q, base, len); r.next(); ) {
            float s = r.s, inv = r.inv;
            int z = r.z;
            double below = (qmin - z) + (double) h;
            double above = (qmax - z) + (double) h;
            double sumS = 0, sumZ = 0;
            for (int i = r.from; i < r.to; i++) {
                float xv = x[xo + i];
                float g = dy[dyo + i];
                float c = QuantMath.code(xv, s, inv, z, h, q.rounding(), divide, q.seed(), q.streamOffset() + base + i);
                if (QuantMath.inside(c, qmin, qmax)) {
                    dx[dxo + i] = g;
                    float fq = QuantMath.value(c, z, h, s);
                    sumS += (double) g * ((double) fq - xv) * inv;
                } else {
                    dx[dxo + i] = 0f;
                    if (c < qmin) {
                        sumS += g * below;
                        sumZ -= (double) g * s;
                    } else if (c > qmax) {
                        sumS += g * above;
                        sumZ -= (double) g * s;
                    } else {
                        sumS += Double.NaN; // NaN input: no silent gradient, dScale becomes NaN
                    }
                }
            }
            ds[r.p] += sumS;
            dz[r.p] += sumZ;
        }
    }

    static void setBit(long[] mask, int i, boolean on) {
        long bit = 1L << (i & 63);
        mask[i >>> 6] = on ? mask[i >>> 6] | bit : mask[i >>> 6] & ~bit;
    }
}
