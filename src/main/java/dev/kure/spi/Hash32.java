package dev.kure.spi;

/**
 * The counter-based hash behind {@link dev.kure.Rounding#STOCHASTIC_HASH}: 32 random bits per
 * (seed, element index) from a few 32-bit multiplies and shifts, so SIMD lanes and GPU threads
 * compute any element's bits independently.
 *
 * <p>Element {@code e} under seed {@code seed}: {@code key = mix64(seed + ((e >>> 32) + 1) · φ)}, the
 * output number {@code (e >>> 32) + 1} of SplitMix64 started at {@code seed} (φ = 0x9E3779B97F4A7C15), {@code k1 = (int) key}, {@code k2 = (int) (key >>> 32)}; then on
 * the low word {@code x = (int) e + k1}: {@code x ^= x >>> 16; x *= 0x7FEB352D; x ^= (x >>> 15) ^ k2;
 * x *= 0x846CA68B; x ^= x >>> 16} (C. Wellons' "lowbias32" with the key added before it and mixed
 * between its multiplies). For a fixed key this is a bijection of the low word, so every 2^32-element
 * stretch draws every 32-bit value exactly once. The uniform is {@code (x >>> 8) · 2^-24}, as for
 * Philox. The CUDA kernels implement the same mapping.
 */
public final class Hash32 {
    private Hash32() {}

    /** First multiplier of the mixer. */
    public static final int M1 = 0x7FEB352D;
    /** Second multiplier of the mixer. */
    public static final int M2 = 0x846CA68B;

    /** The 64-bit key of the elements whose index has high word {@code hi} ({@code e >>> 32}). */
    public static long key(long seed, long hi) {
        long z = seed + (hi + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The mixer on the low word {@code lo} (the index's low 32 bits) under key (k1, k2). */
    public static int mix(int lo, int k1, int k2) {
        int x = lo + k1;
        x ^= x >>> 16;
        x *= M1;
        x ^= (x >>> 15) ^ k2;
        x *= M2;
        return x ^ (x >>> 16);
    }

    /** The 32 random bits of element {@code e} under {@code seed}. */
    public static int bits(long seed, long e) {
        long key = key(seed, e >>> 32);
        return mix((int) e, (int) key, (int) (key >>> 32));
    }

    /** The uniform in [0, 1) of element {@code e}: {@code (bits >>> 8) * 2^-24}, exact in float. */
    public static float uniform(long seed, long e) {
        return (float) ((bits(seed, e) >>> 8) * Philox.TWO_POW_M24);
    }
}
