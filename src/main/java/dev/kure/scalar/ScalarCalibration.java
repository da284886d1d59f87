package dev.kure.scalar;

import dev.kure.TensorView;
import dev.kure.spi.Staging;

/**
 * Reference kernels for step-size calibration: the exact order statistic of |x| (radix select on the
 * float bits) and the mean absolute deviation. Public so that {@link dev.kure.spi.Backend}'s default
 * methods can call them.
 */
public final class ScalarCalibration {
    private ScalarCalibration() {}

    /** Digit layout of the 31-bit key (the float bits of |x|): bits 30..20, 19..10, 9..0. */
    private static final int[] SHIFT = {20, 10, 0};
    private static final int[] WIDTH = {11, 10, 10};

    /**
     * The k-th smallest (0-based) |x| of {@code x[off, off + len)}, exactly: a most-significant-digit
     * radix select on the non-negative float bit patterns (whose integer order is their numeric order),
     * digits of 11, 10 and 10 bits; three read passes, no copy, no sort. Requires 0 ≤ k &lt; len and no
     * NaN in the range. −0 counts as 0.
     */
    public static float absOrderStatistic(float[] x, int off, int len, long k) {
        return absOrderStatistic(TensorView.of(x), off, len, k);
    }

    /** {@link #absOrderStatistic(float[], int, int, long)} of elements [off, off + len) of a view, read in staged blocks. */
    public static float absOrderStatistic(TensorView x, long off, long len, long k) {
        long[] count = new long[1 << 11];
        Staging.Scratch s = Staging.scratch();
        float[] block = s.a;
        int prefix = 0;       // the key bits decided so far (above the current digit)
        int prefixMask = 0;   // which bits are decided
        long rank = k;
        for (int d = 0; d < 3; d++) {
            int shift = SHIFT[d];
            int digits = 1 << WIDTH[d];
            java.util.Arrays.fill(count, 0, digits, 0);
            int digitMask = digits - 1;
            for (long b = 0; b < len; b += Staging.BLOCK) {
                int n = (int) Math.min(Staging.BLOCK, len - b);
                Staging.load(x, off + b, block, 0, n, s);
                for (int i = 0; i < n; i++) {
                    int key = Float.floatToRawIntBits(block[i]) & 0x7fffffff;
                    if ((key & prefixMask) == prefix) {
                        count[(key >>> shift) & digitMask]++;
                    }
                }
            }
            int digit = 0;
            while (rank >= count[digit]) {
                rank -= count[digit];
                digit++;
            }
            prefix |= digit << shift;
            prefixMask |= digitMask << shift;
        }
        return Float.intBitsToFloat(prefix);
    }

    /** Σ|x − center|/len in double. */
    public static double meanAbsDeviation(float[] x, int off, int len, double center) {
        double s = 0;
        for (int i = 0; i < len; i++) {
            s += Math.abs(x[off + i] - center);
        }
        return s / len;
    }
}
