package dev.kure.spi;

import dev.kure.TensorView;
import java.util.Arrays;

/**
 * The exact k-th smallest |x| by most-significant-digit radix select on the float bits of |x| (whose
 * integer order is their numeric order): digits of 11, 10 and 10 bits, one counting pass over the data
 * per digit, no copy, no sort. Shared by every CPU backend; a backend only supplies how a pass counts
 * (the scalar loop of {@link #count}, or that loop over chunks on a pool with the counts added).
 */
public final class RadixSelect {
    private RadixSelect() {}

    /** Digit layout of the 31-bit key: bits 30..20, 19..10, 9..0. */
    private static final int[] SHIFT = {20, 10, 0};
    private static final int[] WIDTH = {11, 10, 10};

    /** One counting pass: adds to {@code count[digit]} for every key whose decided bits equal prefix. */
    @FunctionalInterface
    public interface Pass {
        /**
         * Adds, for every element whose key {@code bits(|x|)} satisfies
         * {@code (key & prefixMask) == prefix}, one to {@code count[(key >>> shift) & digitMask]}.
         * {@code count} arrives zeroed; it is a {@code long[]} because a tensor view may hold more than
         * 2<sup>31</sup> elements.
         */
        void count(int prefix, int prefixMask, int shift, int digitMask, long[] count);
    }

    /** The k-th smallest (0-based) key among those the passes count, as a float. */
    public static float select(long k, Pass pass) {
        long[] count = new long[1 << WIDTH[0]];
        int prefix = 0;       // the key bits decided so far (above the current digit)
        int prefixMask = 0;   // which bits are decided
        long rank = k;
        for (int d = 0; d < SHIFT.length; d++) {
            int digitMask = (1 << WIDTH[d]) - 1;
            Arrays.fill(count, 0);
            pass.count(prefix, prefixMask, SHIFT[d], digitMask, count);
            int digit = 0;
            while (rank >= count[digit]) {
                rank -= count[digit];
                digit++;
            }
            prefix |= digit << SHIFT[d];
            prefixMask |= digitMask << SHIFT[d];
        }
        return Float.intBitsToFloat(prefix);
    }

    /** The counting loop over {@code x[off, off + len)} (see {@link Pass#count}). */
    public static void count(float[] x, int off, int len, int prefix, int prefixMask, int shift, int digitMask,
                             long[] count) {
        if (prefixMask == 0) { // first digit: every key counts
            for (int i = 0; i < len; i++) {
                count[(Float.floatToRawIntBits(x[off + i]) & 0x7fffffff) >>> shift]++;
            }
            return;
        }
        for (int i = 0; i < len; i++) {
            int key = Float.floatToRawIntBits(x[off + i]) & 0x7fffffff;
            if ((key & prefixMask) == prefix) {
                count[(key >>> shift) & digitMask]++;
            }
        }
    }

    /**
     * The k-th smallest (0-based) |x| of {@code x[off, off + len)}, exactly, on the calling thread.
     * Requires 0 ≤ k &lt; len and no NaN in the range; −0 counts as 0.
     */
    public static float absOrderStatistic(float[] x, int off, int len, long k) {
        return select(k, (prefix, prefixMask, shift, digitMask, count) ->
                count(x, off, len, prefix, prefixMask, shift, digitMask, count));
    }

    /**
     * {@link #absOrderStatistic(float[], int, int, long)} of elements [off, off + len) of a tensor view of
     * any element type, each pass reading the view in staged blocks (no copy of the tensor).
     */
    public static float absOrderStatistic(TensorView x, long off, long len, long k) {
        Staging.Scratch s = Staging.scratch();
        return select(k, (prefix, prefixMask, shift, digitMask, count) -> {
            for (long b = 0; b < len; b += Staging.BLOCK) {
                int n = (int) Math.min(Staging.BLOCK, len - b);
                Staging.load(x, off + b, s.a, 0, n, s);
                count(s.a, 0, n, prefix, prefixMask, shift, digitMask, count);
            }
        });
    }
}
