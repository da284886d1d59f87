package dev.kure.simd;

import static dev.kure.simd.Lanes.F;
import static dev.kure.simd.Lanes.N;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Philox4x32-10 in 64-bit lanes: each lane holds one 32-bit word of one block zero-extended, so the
 * round's 32×32→64 products are single lane-wise multiplications (the Vector API has no 32-bit mulhi;
 * JDK 24+ compiles a multiply of 32-bit-masked longs to vpmuludq). Lane j computes block
 * {@code b0 + j}; one call yields the words of 4·N consecutive elements in element order. Same
 * numbers as {@link dev.kure.spi.Philox}.
 */
final class SimdPhilox {
    private SimdPhilox() {}

    private static final VectorSpecies<Long> L = VectorSpecies.of(long.class, F.vectorShape());
    private static final int NL = L.length();
    private static final LongVector IOTA = LongVector.zero(L).addIndex(1);
    private static final long MASK = 0xFFFFFFFFL;
    private static final long M0 = 0xD2511F53L, M1 = 0xCD9E8D57L;
    private static final long W0 = 0x9E3779B9L, W1 = 0xBB67AE85L;

    /** Scratch for one evaluation's four word vectors (per thread: lives in the caller's call object). */
    static long[] scratch() {
        return new long[4 * NL];
    }

    /**
     * Writes the 32-bit words of elements {@code 4·b0 .. 4·b0 + 4N - 1} under {@code seed} into
     * {@code words[at .. at + 4N)}, using {@code tmp} (from {@link #scratch()}).
     */
    static void words(long seed, long b0, int[] words, int at, long[] tmp) {
        for (int part = 0; part < N; part += NL) {
            LongVector blk = IOTA.add(b0 + part);
            LongVector c0 = blk.and(MASK), c1 = blk.lanewise(VectorOperators.LSHR, 32), c2 = LongVector.zero(L), c3 = c2;
            long k0 = seed & MASK, k1 = seed >>> 32;
            for (int round = 0; round < 10; round++) {
                if (round > 0) {
                    k0 = (k0 + W0) & MASK;
                    k1 = (k1 + W1) & MASK;
                }
                LongVector p0 = c0.mul(M0), p1 = c2.mul(M1);
                LongVector n0 = p1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, c1)
                        .lanewise(VectorOperators.XOR, k0);
                LongVector n2 = p0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, c3)
                        .lanewise(VectorOperators.XOR, k1);
                c1 = p1.and(MASK);
                c3 = p0.and(MASK);
                c0 = n0;
                c2 = n2;
            }
            c0.intoArray(tmp, 0);
            c1.intoArray(tmp, NL);
            c2.intoArray(tmp, 2 * NL);
            c3.intoArray(tmp, 3 * NL);
            int base = at + 4 * part;
            for (int j = 0; j < NL; j++) { // element 4j + w of this part takes word w of block j
                words[base + 4 * j] = (int) tmp[j];
                words[base + 4 * j + 1] = (int) tmp[NL + j];
                words[base + 4 * j + 2] = (int) tmp[2 * NL + j];
                words[base + 4 * j + 3] = (int) tmp[3 * NL + j];
            }
        }
    }
}
