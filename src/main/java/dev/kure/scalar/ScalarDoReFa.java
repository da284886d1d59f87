package dev.kure.scalar;

import dev.kure.spi.DoReFaMath;

/**
 * Reference DoReFa weight transform (docs/semantics.md §4.6): w' = tanh(w)/(2·max|tanh(w)|) + 0.5,
 * q = rint((2^b − 1)·w')/(2^b − 1), ŵ = 2q − 1. tanh is {@link StrictMath#tanh} (fdlibm), so the
 * scalar result is reproducible everywhere; other backends agree within a few ulps, not bit for bit.
 * If every weight is zero (max|tanh| = 0) the output is 0 and the backward is the identity.
 */
final class ScalarDoReFa {
    private ScalarDoReFa() {}

    static double maxAbsTanh(float[] w, int wo, int len) {
        double m = 0;
        for (int i = 0; i < len; i++) {
            m = Math.max(m, Math.abs(StrictMath.tanh(w[wo + i])));
        }
        return m;
    }

    static double forward(float[] w, int wo, float[] out, int oo, int len, int bits) {
        double m = maxAbsTanh(w, wo, len);
        double levels = (1 << bits) - 1;
        for (int i = 0; i < len; i++) {
            if (m == 0) {
                out[oo + i] = 0f;
                continue;
            }
            double wp = StrictMath.tanh(w[wo + i]) / (2 * m) + 0.5;
            double qv = Math.rint(levels * wp) / levels;
            out[oo + i] = (float) (2 * qv - 1);
        }
        return m;
    }

    /** The backward, {@link DoReFaMath#backward} with the element loop in double. */
    static void backward(float[] w, int wo, float[] dy, int dyo, float[] dx, int dxo, int len) {
        DoReFaMath.backward(w, wo, dy, dyo, dx, dxo, len, ScalarDoReFa::scale);
    }

    private static void scale(float[] w, int wo, float[] dy, int dyo, float[] dx, int dxo, int len, double m) {
        for (int i = 0; i < len; i++) {
            double t = StrictMath.tanh(w[wo + i]);
            dx[dxo + i] = (float) (dy[dyo + i] * (1 - t * t) / m);
        }
    }
}
