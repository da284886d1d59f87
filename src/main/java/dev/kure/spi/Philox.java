package dev.kure.spi;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): the
 * counter-based generator behind {@link dev.kure.Rounding#STOCHASTIC}.
 *
 * <p>Element {@code e} under seed {@code seed} uses key {@code ((int) seed, (int)(seed >>> 32))},
 * counter {@code ((int)(e >>> 2), (int)(e >>> 34), 0, 0)} and output word {@code e & 3}; its
 * uniform is {@code (word >>> 8) * 2^-24}. The CUDA kernels implement the same mapping, so every
 * backend draws the same numbers for the same (seed, element).
 */
public final class Philox {
    private Philox() {}

    static final int M0 = 0xD2511F53;
    static final int M1 = 0xCD9E8D57;
    static final int W0 = 0x9E3779B9;
    static final int W1 = 0xBB67AE85;

    /** 2^-24. */
    public static final double TWO_POW_M24 = 0x1p-24;

    /**
     * Ten rounds of Philox4x32 on counter {@code ctr} (4 words, replaced by the output) with key
     * (k0, k1).
     */
    public static void block(int[] ctr, int k0, int k1) {
        int c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32), lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32), lo1 = (int) p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
        }
        ctr[0] = c0;
        ctr[1] = c1;
        ctr[2] = c2;
        ctr[3] = c3;
    }

    /** The 32 random bits of element {@code e} under {@code seed}: word {@code e & 3} of its block. */
    public static int bits(long seed, long e) {
        int[] ctr = {(int) (e >>> 2), (int) (e >>> 34), 0, 0};
        block(ctr, (int) seed, (int) (seed >>> 32));
        return switch ((int) (e & 3)) { // constant indices: C2 keeps ctr in registers, no allocation
            case 0 -> ctr[0];
            case 1 -> ctr[1];
            case 2 -> ctr[2];
            default -> ctr[3];
        };
    }

    /** The uniform in [0, 1) of element {@code e}: {@code (bits >>> 8) * 2^-24}, exact in float. */
    public static float uniform(long seed, long e) {
        return (float) ((bits(seed, e) >>> 8) * TWO_POW_M24);
    }
}
