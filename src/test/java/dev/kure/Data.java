package dev.kure;

import java.util.SplittableRandom;

/** Deterministic test data: the distributions docs/semantics.md §2 and §6 talk about. */
final class Data {
    private Data() {}

    static float[] uniform(int n, double a, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble(-a, a));
        }
        return x;
    }

    static float[] gaussian(int n, double mean, double std, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (mean + std * gauss(r));
        }
        return x;
    }

    static float[] laplace(int n, double b, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble() - 0.5;
            x[i] = (float) (-b * Math.signum(u) * Math.log(1 - 2 * Math.abs(u)));
        }
        return x;
    }

    /** Student-t with 3 degrees of freedom: heavy tails (its fourth moment is infinite). */
    static float[] studentT3(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double z = gauss(r);
            double chi2 = 0;
            for (int k = 0; k < 3; k++) {
                double g = gauss(r);
                chi2 += g * g;
            }
            x[i] = (float) (z / Math.sqrt(chi2 / 3));
        }
        return x;
    }

    static double gauss(SplittableRandom r) {
        double u1 = r.nextDouble(), u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** Plain two-pass moments over the whole array in double: [n, mean, S2, S3, S4]. */
    static double[] twoPass(float[] x, int off, int len) {
        double sum = 0;
        for (int i = 0; i < len; i++) {
            sum += x[off + i];
        }
        double mean = sum / len;
        double c = 0;
        for (int i = 0; i < len; i++) {
            c += x[off + i] - mean;
        }
        mean += c / len; // second-pass correction of the mean
        double s2 = 0, s3 = 0, s4 = 0;
        for (int i = 0; i < len; i++) {
            double d = x[off + i] - mean;
            s2 += d * d;
            s3 += d * d * d;
            s4 += d * d * d * d;
        }
        return new double[] {len, mean, s2, s3, s4};
    }
}
