package dev.kure.spi;

/**
 * The DoReFa weight backward that every CPU backend shares (docs/semantics.md §4.6): with t = tanh(w)
 * and M = max|t| attained first at index k, the gradient of t/M with the rounding passed straight
 * through is dx_i = dy_i·(1 − t_i²)/M − [i = k]·sign(t_k)·(1 − t_k²)/M²·Σ_j dy_j·t_j. The first pass
 * (argmax and dot product, with {@link StrictMath#tanh} so that k is the same everywhere) and the
 * correction at k live here; a backend supplies only the element-wise loop.
 */
public final class DoReFaMath {
    private DoReFaMath() {}

    /** The element-wise part: {@code dx[dxo + i] = (float) (dy[dyo + i]·(1 − tanh(w[wo + i])²)/m)}. */
    @FunctionalInterface
    public interface Scale {
        /** Writes dx over the whole range; dx may alias dy. */
        void apply(float[] w, int wo, float[] dy, int dyo, float[] dx, int dxo, int len, double m);
    }

    /**
     * The backward of {@code len} elements: dx = dy if every weight is zero (M = 0), else the element
     * loop {@code scale} followed by the correction at the first argmax. dx may alias dy.
     */
    public static void backward(float[] w, int wo, float[] dy, int dyo, float[] dx, int dxo, int len, Scale scale) {
        double m = 0, dot = 0;
        int k = -1;
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
        double dyk = dy[dyo + k]; // read before the element loop: dx may alias dy
        double maxTerm = Math.signum(tk) * (1 - tk * tk) / (m * m) * dot;
        scale.apply(w, wo, dy, dyo, dx, dxo, len, m);
        dx[dxo + k] = (float) (dyk * (1 - tk * tk) / m - maxTerm);
    }
}
