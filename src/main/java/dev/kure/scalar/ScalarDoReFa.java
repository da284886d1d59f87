package dev.kure.scalar;

/**
 * Reference DoReFa weight transform (SPEC §4.6): w' = tanh(w)/(2·max|tanh(w)|) + 0.5,
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

    /**
     * dx_i = dy_i·(1 − t_i²)/M − [i = k]·sign(t_k)(1 − t_k²)/M² · Σ_j dy_j·t_j, with t = tanh(w),
     * M = max|t| attained first at k: the exact gradient of t/M with the round passed straight through.
     */
    static void backward(float[] w, int wo, float[] dy, int dyo, float[] dx, int dxo, int len) {
        double m = 0;
        int k = -1;
        double dot = 0;
        for (int i = 0; i < len; i++) {
            double t = StrictMath.tanh(w[wo + i]);
            dot += dy[dyo + i] * t;
            if (Math.abs(t) > m) {
                m = Math.abs(t);
                k = i;
            }
        }
        if (m == 0) {
            System.arraycopy(dy, dyo, dx, dxo, len);
            return;
        }
        double tk = StrictMath.tanh(w[wo + k]);
        double maxTerm = Math.signum(tk) * (1 - tk * tk) / (m * m) * dot;
        for (int i = 0; i < len; i++) {
            double t = StrictMath.tanh(w[wo + i]);
            double g = dy[dyo + i] * (1 - t * t) / m;
            if (i == k) {
                g -= maxTerm;
            }
            dx[dxo + i] = (float) g;
        }
    }
}
