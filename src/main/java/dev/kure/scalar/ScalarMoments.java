package dev.kure.scalar;

import dev.kure.Moments;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reference moments: exact two-pass sums in double over blocks of {@link #BLOCK} elements, the
 * blocks merged left to right with the docs/semantics.md §2 formulas. Written once over {@link MemorySegment};
 * float[] inputs are viewed as heap segments.
 */
final class ScalarMoments {
    private ScalarMoments() {}

    /** Elements per two-pass block. */
    static final int BLOCK = 4096;

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    static Moments of(MemorySegment seg, long off, long count) {
        Moments acc = Moments.EMPTY;
        for (long b = 0; b < count; b += BLOCK) {
            acc = acc.merge(block(seg, off + b, (int) Math.min(BLOCK, count - b)));
        }
        return acc;
    }

    static Moments of(float[] x, int off, int len) {
        return of(MemorySegment.ofArray(x), off, len);
    }

    static Moments[] perChannel(float[] x, int off, int outer, int channels, int inner) {
        MemorySegment seg = MemorySegment.ofArray(x);
        Moments[] out = new Moments[channels];
        java.util.Arrays.fill(out, Moments.EMPTY);
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < channels; c++) {
                long start = off + ((long) o * channels + c) * inner;
                out[c] = out[c].merge(of(seg, start, inner));
            }
        }
        return out;
    }

    /** Two-pass moments of one block; constant blocks get exactly zero central sums. */
    private static Moments block(MemorySegment seg, long off, int len) {
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) {
            double v = seg.getAtIndex(F, off + i);
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (min == max) {
            return Moments.of(len, min, 0, 0, 0, min, max);
        }
        double mean = sum / len;
        double s2 = 0, s3 = 0, s4 = 0;
        for (int i = 0; i < len; i++) {
            double d = seg.getAtIndex(F, off + i) - mean;
            double d2 = d * d;
            s2 += d2;
            s3 += d2 * d;
            s4 += d2 * d2;
        }
        return Moments.of(len, mean, s2, s3, s4, min, max);
    }
}
