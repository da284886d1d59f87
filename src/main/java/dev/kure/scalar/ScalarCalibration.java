package dev.kure.scalar;

/**
 * Reference kernels for step-size calibration: the exact order statistic of |x| (radix select on the
 * float bits) and the mean absolute deviation. Public so that {@link dev.kure.spi.Backend}'s default
 * methods can call them.
 */
public final class ScalarCalibration {
    private ScalarCalibration() {}

    /**
     * The k-th smallest (0-based) |x| of {@code x[off, off + len)}, exactly: a most-significant-digit
     * radix select on the non-negative float bit patterns (11, 10 and 10 bits; three read passes, no
     * copy, no sort). Requires 0 ≤ k &lt; len and no NaN in the range.
     */
    public static float absOrderStatistic(float[] x, int off, int len, long k) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Σ|x − center|/len in double. */
    public static double meanAbsDeviation(float[] x, int off, int len, double center) {
        throw new UnsupportedOperationException("not yet");
    }
}
