package dev.kure.simd;

import static dev.kure.simd.Lanes.I;
import static dev.kure.simd.Lanes.IOTA;
import static dev.kure.simd.Lanes.N;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Philox4x32-10 in int lanes: lane j computes block {@code b0 + j}, so one evaluation yields the
 * words of 4·N consecutive elements, scattered into element order. Same numbers as
 * {@link dev.kure.spi.Philox}; the 32×32→64 products are built from 16-bit halves.
 */
final class SimdPhilox {
    private SimdPhilox() {}

    private static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /** Element order: lane j's word w goes to index 4j + w. */
    private static final int[] STRIDE4 = stride4();

    private static int[] stride4() {
        int[] m = new int[N];
        for (int j = 0; j < N; j++) {
            m[j] = 4 * j;
        }
        return m;
    }

    /**
     * Writes the 32-bit words of elements {@code 4·b0 .. 4·b0 + 4N - 1} under {@code seed} into
     * {@code words[at .. at + 4N)}. The two 32×32→64 products per round are built from 16-bit
     * halves (no lane-wise mulhi exists), written out here rather than in a helper so that no vector
     * crosses a call.
     */
    static void words(long seed, long b0, int[] words, int at) {
        int lo = (int) b0;
        IntVector c0 = IOTA.add(lo);
        VectorMask<Integer> carry = c0.compare(VectorOperators.ULT, lo);
        IntVector c1 = IntVector.broadcast(I, (int) (b0 >>> 32));
        c1 = c1.blend(c1.add(1), carry);
        IntVector c2 = IntVector.zero(I), c3 = c2;
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += W0;
                k1 += W1;
            }
            // hi0 = mulhi(c0, M0)
            IntVector al = c0.and(0xFFFF), ah = c0.lanewise(VectorOperators.LSHR, 16);
            IntVector p0 = al.mul(M0L), p1 = ah.mul(M0L), p2 = al.mul(M0H);
            IntVector mid = p0.lanewise(VectorOperators.LSHR, 16).add(p1.and(0xFFFF)).add(p2.and(0xFFFF));
            IntVector hi0 = ah.mul(M0H).add(p1.lanewise(VectorOperators.LSHR, 16))
                    .add(p2.lanewise(VectorOperators.LSHR, 16)).add(mid.lanewise(VectorOperators.LSHR, 16));
            // hi1 = mulhi(c2, M1)
            IntVector bl = c2.and(0xFFFF), bh = c2.lanewise(VectorOperators.LSHR, 16);
            IntVector q0 = bl.mul(M1L), q1 = bh.mul(M1L), q2 = bl.mul(M1H);
            IntVector mid1 = q0.lanewise(VectorOperators.LSHR, 16).add(q1.and(0xFFFF)).add(q2.and(0xFFFF));
            IntVector hi1 = bh.mul(M1H).add(q1.lanewise(VectorOperators.LSHR, 16))
                    .add(q2.lanewise(VectorOperators.LSHR, 16)).add(mid1.lanewise(VectorOperators.LSHR, 16));
            IntVector lo0 = c0.mul(M0), lo1 = c2.mul(M1);
            IntVector n0 = hi1.lanewise(VectorOperators.XOR, c1).lanewise(VectorOperators.XOR, k0);
            IntVector n2 = hi0.lanewise(VectorOperators.XOR, c3).lanewise(VectorOperators.XOR, k1);
            c0 = n0;
            c1 = lo1;
            c2 = n2;
            c3 = lo0;
        }
        c0.intoArray(words, at, STRIDE4, 0);
        c1.intoArray(words, at + 1, STRIDE4, 0);
        c2.intoArray(words, at + 2, STRIDE4, 0);
        c3.intoArray(words, at + 3, STRIDE4, 0);
    }

    private static final int M0L = M0 & 0xFFFF, M0H = M0 >>> 16, M1L = M1 & 0xFFFF, M1H = M1 >>> 16;
}
