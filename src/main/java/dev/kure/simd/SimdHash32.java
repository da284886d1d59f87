package dev.kure.simd;

import static dev.kure.simd.Lanes.I;
import static dev.kure.simd.Lanes.N;

import dev.kure.spi.Hash32;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link Hash32} in 32-bit lanes: the same bits for the same (seed, element), eleven lane operations
 * per vector of elements. The key changes only where the index's high word does, so a range is
 * split there (once per 2^32 elements).
 */
final class SimdHash32 {
    private SimdHash32() {}

    private static final IntVector IOTA = IntVector.zero(I).addIndex(1);

    /** Writes the 32-bit words of elements {@code e0 .. e0 + n - 1} under {@code seed} into {@code words[0, n)}. */
    static void words(long seed, long e0, int[] words, int n) {
        int j = 0;
        while (j < n) {
            long e = e0 + j;
            int len = (int) Math.min(n - j, (1L << 32) - (e & 0xFFFFFFFFL)); // up to the next high word
            long key = Hash32.key(seed, e >>> 32);
            int k1 = (int) key, k2 = (int) (key >>> 32);
            int lo = (int) e + k1;
            int t = 0;
            for (; t + N <= len; t += N) {
                IntVector x = IOTA.add(lo + t);
                x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 16)).mul(Hash32.M1);
                x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 15)).lanewise(VectorOperators.XOR, k2)
                        .mul(Hash32.M2);
                x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 16)).intoArray(words, j + t);
            }
            for (; t < len; t++) {
                words[j + t] = Hash32.mix((int) e + t, k1, k2);
            }
            j += len;
        }
    }
}
