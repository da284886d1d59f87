package dev.kure.scalar;

import dev.kure.spi.DoReFaMath;
import dev.kure.TensorView;
import dev.kure.spi.Staging;

/**
 * Reference DoReFa weight transform (docs/semantics.md §4.6): w' = tanh(w)/(2·max|tanh(w)|) + 0.5,
 * q = rint((2^b − 1)·w')/(2^b − 1), ŵ = 2q − 1. tanh is {@link StrictMath#tanh} (fdlibm), so the
 * scalar result is reproducible everywhere; other backends agree within a few ulps, not bit for bit.
 * If every weight is zero (max|tanh| = 0) the output is 0 and the backward is the identity.
 *
 * <p>Written once over tensor views read in staged blocks (any element type); float[] calls view
 * their arrays.
 */
final class ScalarDoReFa {
    private ScalarDoReFa() {}

    static double forward(float[] w, int wo, float[] out, int oo, int len, int bits) {
        return forward(TensorView.of(w).slice(wo, len), TensorView.of(out).slice(oo, len), bits);
    }

    /** The DoReFa transform of w into out (out may be w); returns max|tanh(w)|. */
    static double forward(TensorView w, TensorView out, int bits) {
        Staging.Scratch s = Staging.scratch();
        long n = w.count();
        double m = 0;
        for (long b = 0; b < n; b += Staging.BLOCK) {
            int len = (int) Math.min(Staging.BLOCK, n - b);
            Staging.load(w, b, s.a, 0, len, s);
            for (int i = 0; i < len; i++) {
                m = Math.max(m, Math.abs(StrictMath.tanh(s.a[i])));
            }
        }
        double levels = (1 << bits) - 1;
        for (long b = 0; b < n; b += Staging.BLOCK) {
            int len = (int) Math.min(Staging.BLOCK, n - b);
            Staging.load(w, b, s.a, 0, len, s);
            for (int i = 0; i < len; i++) {
                if (m == 0) {
                    s.c[i] = 0f;
                    continue;
                }
                double wp = StrictMath.tanh(s.a[i]) / (2 * m) + 0.5;
                double qv = Math.rint(levels * wp) / levels;
                s.c[i] = (float) (2 * qv - 1);
            }
            Staging.store(s.c, 0, len, out, b, s);
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

    /**
     * dx_i = dy_i·(1 − t_i²)/M − [i = k]·sign(t_k)(1 − t_k²)/M² · Σ_j dy_j·t_j, with t = tanh(w),
     * M = max|t| attained first at k: the exact gradient of t/M with the round passed straight through.
     * dx may be dy.
     */
    static void backward(TensorView w, TensorView dy, TensorView dx) {
        Staging.Scratch s = Staging.scratch();
        long n = w.count();
        double m = 0, dot = 0, tk = 0;
        long k = -1;
        for (long b = 0; b < n; b += Staging.BLOCK) {
            int len = (int) Math.min(Staging.BLOCK, n - b);
            Staging.load(w, b, s.a, 0, len, s);
            Staging.load(dy, b, s.b, 0, len, s);
            for (int i = 0; i < len; i++) {
                double t = StrictMath.tanh(s.a[i]);
                dot += s.b[i] * t;
                if (Math.abs(t) > m) {
                    m = Math.abs(t);
                    k = b + i;
                    tk = t;
                }
            }
        }
        double maxTerm = m == 0 ? 0 : Math.signum(tk) * (1 - tk * tk) / (m * m) * dot;
        for (long b = 0; b < n; b += Staging.BLOCK) {
            int len = (int) Math.min(Staging.BLOCK, n - b);
            Staging.load(w, b, s.a, 0, len, s);
            Staging.load(dy, b, s.b, 0, len, s);
            for (int i = 0; i < len; i++) {
                if (m == 0) {
                    s.c[i] = s.b[i];
                    continue;
                }
                double t = StrictMath.tanh(s.a[i]);
                double g = s.b[i] * (1 - t * t) / m;
                if (b + i == k) {
                    g -= maxTerm;
                }
                s.c[i] = (float) g;
            }
            Staging.store(s.c, 0, len, dx, b, s);
        }
    }
}
