package dev.kure.spi;

/**
 * What a backend implements for the floating-point quantizers ({@link dev.kure.FpKernels}): a
 * separate small service interface, so the formats do not grow {@link Backend}. Called only with
 * arguments {@code FpKernels} has validated; must not write outside the ranges given, must not log.
 *
 * <p>{@code base} is the global element index of {@code x[xo]} within the tensor: element j of the
 * call has global index {@code base + j}, which selects its channel and its stochastic stream index
 * {@code streamOffset + base + j}. For MX and NVFP4, {@code base} and {@code len} are multiples of
 * {@link FpParams#unit()} (or len reaches the tensor's end), so a call holds whole blocks.
 */
public interface FpBackend {

    /** Short name, as {@link Backend#name()}. */
    String name();

    /**
     * Fake quantization of {@code len} elements (out may alias x). When {@code mask} is non-null,
     * bit j (bit {@code j & 63} of word {@code j >>> 6}) is set iff element j's rounded magnitude is
     * within the format's max (the STE mask); the caller has cleared it.
     */
    void fakeQuantize(float[] x, int xo, float[] out, int oo, int len, long base, FpParams p, long[] mask);
}
