package dev.kure.bench;

import java.util.SplittableRandom;

/**
 * Deterministic input data for benchmarks: the same seed gives the same array on every run and
 * every machine, so results of different runs measure the same work.
 */
public final class BenchData {

    /** The seed every benchmark uses unless it has a reason not to. */
    public static final long SEED = 0x6B757265L; // "kure"

    private BenchData() {
    }

    /** {@code n} standard-normal floats (mean 0, std 1) from {@code seed}. */
    public static float[] gaussian(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) gaussian(rnd);
        }
        return a;
    }

    /** {@code n} standard-normal floats from {@link #SEED}. */
    public static float[] gaussian(int n) {
        return gaussian(n, SEED);
    }

    /** {@code n} floats uniform in [lo, hi) from {@code seed}. */
    public static float[] uniform(int n, float lo, float hi, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] a = new float[n];
        double width = (double) hi - lo;
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + width * rnd.nextDouble());
        }
        return a;
    }

    /** Marsaglia polar method: one normal draw per call (the second one is discarded). */
    private static double gaussian(SplittableRandom rnd) {
        double u;
        double v;
        double s;
        do {
            u = 2.0 * rnd.nextDouble() - 1.0;
            v = 2.0 * rnd.nextDouble() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        return u * Math.sqrt(-2.0 * Math.log(s) / s);
    }
}
