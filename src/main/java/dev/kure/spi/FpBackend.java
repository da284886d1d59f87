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

    /**
     * ADDS Σ(fq(x) − x)² (each difference formed in double from the two floats) of every setting
     * into {@code sums[k]} and returns Σx², reading x in cache-sized chunks (each chunk is
     * fake-quantized into a scratch buffer by every setting before the next is read). The chunk
     * boundaries are multiples of every setting's {@link FpParams#unit()}, given as {@code chunk}.
     */
    default double errorSums(float[] x, int off, int len, FpParams[] settings, int chunk, double[] sums) {
        float[] tmp = new float[Math.min(chunk, Math.max(len, 1))];
        double signal = 0;
        for (int b = 0; b < len; b += chunk) {
            int n = Math.min(chunk, len - b);
            double sig = 0;
            for (int i = 0; i < n; i++) {
                double v = x[off + b + i];
                sig += v * v;
            }
            signal += sig;
            for (int k = 0; k < settings.length; k++) {
                fakeQuantize(x, off + b, tmp, 0, n, b, settings[k], null);
                double e = 0;
                for (int i = 0; i < n; i++) {
                    double d = (double) tmp[i] - x[off + b + i];
                    e += d * d;
                }
                sums[k] += e;
            }
        }
        return signal;
    }
}
