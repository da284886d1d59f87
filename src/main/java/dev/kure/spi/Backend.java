package dev.kure.spi;

import dev.kure.KureConfig;
import dev.kure.KureResult;
import dev.kure.Moments;
import dev.kure.Quantizer;
import dev.kure.TensorView;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * What a Kure backend implements. Internal service interface (not API: it may change in any release): frameworks use {@link dev.kure.Kernels},
 * which validates every argument once and then calls exactly one method here. Implementations may
 * therefore assume valid ranges, matching lengths and a quantizer that fits the data; they must not
 * write outside the ranges given, must not allocate per element, and must not log.
 *
 * <p>Offsets and lengths count elements. A packed mask holds bit {@code j & 63} of word
 * {@code j >>> 6} for the j-th element of the call (little-endian, so it is also the uint32 layout
 * of the CUDA kernels).
 */
public interface Backend {

    /** Short name, e.g. "scalar" or "panama". */
    String name();

    /** One line saying what this backend is and why it was chosen. */
    String describe();

    /**
     * This backend with {@code threads} worker threads for large inputs (results are identical for
     * every thread count); backends without threads return themselves.
     */
    default Backend withThreads(int threads) {
        return this;
    }

    /** Moments of {@code x[off, off + len)}. */
    Moments moments(float[] x, int off, int len);

    /** Moments of {@code count} floats of {@code seg} starting at float index {@code off}. */
    Moments moments(MemorySegment seg, long off, long count);

    /**
     * Per-channel moments of {@code x[off, off + outer*channels*inner)} laid out as
     * [outer, channels, inner] (row-major): result[c] covers every element with channel index c.
     * Runs are merged in increasing outer order.
     */
    Moments[] momentsPerChannel(float[] x, int off, int outer, int channels, int inner);

    /** Fake quantization of {@code len} elements; out may alias x. Writes the STE mask if non-null. */
    void fakeQuantize(float[] x, int xo, float[] out, int oo, int len, Quantizer q, long[] mask);

    /** STE backward recomputing the mask from x: dx = dy · [qmin ≤ q ≤ qmax]. dx may alias dy. */
    void fakeQuantizeBackward(float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len, Quantizer q);

    /** STE backward from a packed mask. dx may alias dy. */
    void steBackward(long[] mask, float[] dy, int dyo, float[] dx, int dxo, int len);

    /**
     * Fused learnable scale / zero-point backward (docs/semantics.md §4.6): writes dx, ADDS each parameter set's
     * ∂L/∂s and ∂L/∂z (before the grad factor) into {@code ds} and {@code dz}.
     */
    void learnableBackward(float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len, Quantizer q,
                           double[] ds, double[] dz);

    /** Integer codes, one per byte (two's-complement bits of the code). */
    void quantizeInt8(float[] x, int xo, byte[] codes, int co, int len, Quantizer q);

    /** Floats from int8 codes (unsigned bytes when the grid is unsigned). */
    void dequantizeInt8(byte[] codes, int co, float[] out, int oo, int len, Quantizer q);

    /** Integer codes packed two per byte, element j in byte po + j/2, low nibble first. */
    void quantizeInt4(float[] x, int xo, byte[] packed, int po, int len, Quantizer q);

    /** Floats from packed int4 codes. */
    void dequantizeInt4(byte[] packed, int po, float[] out, int oo, int len, Quantizer q);

    /** DoReFa weight transform; returns max|tanh(w)|. */
    double dorefaForward(float[] w, int wo, float[] out, int oo, int len, int bits);

    /** DoReFa backward (straight-through round, exact through tanh and the max). dx may alias dy. */
    void dorefaBackward(float[] w, int wo, float[] dy, int dyo, float[] dx, int dxo, int len);

    /** KURE loss over float arrays; grads (may be null) receive the gradient added in place. */
    KureResult kure(List<float[]> weights, List<float[]> grads, KureConfig config);

    /** KURE loss over float32 segments; grads (may be null) receive the gradient added in place. */
    KureResult kureSegments(List<MemorySegment> weights, List<MemorySegment> grads, KureConfig config);

    // ---- step-size calibration and robustness sweeps ------------------------------------------------
    // The default methods are the reference kernels themselves (shared code of this package, no
    // backend's): a backend inherits them until it has something faster.

    /**
     * The k-th smallest (0-based) of |x[off + i]| for i in [0, len), exactly (an order statistic, not
     * an approximation). Requires 0 ≤ k &lt; len and no NaN in the range. Must not modify x.
     */
    default float absOrderStatistic(float[] x, int off, int len, long k) {
        return RadixSelect.absOrderStatistic(x, off, len, k);
    }

    /**
     * max |x[off + i]| over the range, decided on the float bits (so −0 counts as 0): +Inf if the
     * range holds an infinity and no NaN, a NaN if it holds a NaN, 0 for an empty range. One read
     * pass: what MSE / LP_NORM calibration needs instead of all the moments.
     */
    default float absMax(float[] x, int off, int len) {
        int m = 0;
        for (int i = 0; i < len; i++) {
            m = Math.max(m, Float.floatToRawIntBits(x[off + i]) & 0x7fffffff);
        }
        return Float.intBitsToFloat(m);
    }

    /** Σ|x[off + i] − center| / len over the range, accumulated in double. */
    default double meanAbsDeviation(float[] x, int off, int len, double center) {
        double s = 0;
        for (int i = 0; i < len; i++) {
            s += Math.abs(x[off + i] - center);
        }
        return s / len;
    }

    /**
     * Quantization error of many settings in one read of the data: for every per-tensor quantizer
     * {@code settings[k]}, ADDS Σ<sub>i</sub> |fq<sub>k</sub>(x<sub>i</sub>) − x<sub>i</sub>|<sup>p</sup>
     * (difference formed in double from the two floats) into {@code sums[k]}, where fq<sub>k</sub> is
     * exactly {@link #fakeQuantize} with {@code settings[k]}, except that the stochastic stream index
     * of element i is {@code streamIndex[i]} when {@code streamIndex} is non-null, else
     * {@code streamBase + i} (the settings' own stream offsets are ignored). Returns Σx<sub>i</sub>².
     * For p = 2 the sums must equal, up to double summation order, fake-quantizing per setting and
     * summing the squared errors in double.
     */
    double errorSums(float[] x, int off, int len, long streamBase, long[] streamIndex, Quantizer[] settings,
                     double p, double[] sums);
    // ---- elementwise kernels on a part of a tensor (issue 12) ---------------------------------------
    // Element j of such a call is element base + j of the tensor: it takes that element's parameter set
    // and stochastic stream index (streamOffset + base + j), and its mask bit j / packed nibble j of the
    // arrays given. The array methods above are base 0. Every backend implements them (the GPU one
    // with the scalar reference on the host until it has device kernels for them).

    /** {@link #fakeQuantize(float[], int, float[], int, int, Quantizer, long[])} of tensor elements [base, base + len). */
    void fakeQuantize(long base, float[] x, int xo, float[] out, int oo, int len, Quantizer q, long[] mask);

    /** {@link #fakeQuantizeBackward(float[], int, float[], int, float[], int, int, Quantizer)} of elements [base, base + len). */
    void fakeQuantizeBackward(long base, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len,
                              Quantizer q);

    /** {@link #learnableBackward(float[], int, float[], int, float[], int, int, Quantizer, double[], double[])} of elements [base, base + len). */
    void learnableBackward(long base, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len,
                           Quantizer q, double[] ds, double[] dz);

    /** {@link #quantizeInt8(float[], int, byte[], int, int, Quantizer)} of elements [base, base + len). */
    void quantizeInt8(long base, float[] x, int xo, byte[] codes, int co, int len, Quantizer q);

    /** {@link #dequantizeInt8(byte[], int, float[], int, int, Quantizer)} of elements [base, base + len). */
    void dequantizeInt8(long base, byte[] codes, int co, float[] out, int oo, int len, Quantizer q);

    /** {@link #quantizeInt4(float[], int, byte[], int, int, Quantizer)} of elements [base, base + len); base is even. */
    void quantizeInt4(long base, float[] x, int xo, byte[] packed, int po, int len, Quantizer q);

    /** {@link #dequantizeInt4(byte[], int, float[], int, int, Quantizer)} of elements [base, base + len); base is even. */
    void dequantizeInt4(long base, byte[] packed, int po, float[] out, int oo, int len, Quantizer q);

    // ---- tensor views: any element type, heap or native (issue 12) ----------------------------------
    // Defaults stage blocks through the array kernels ({@link Staging}); a backend overrides them to
    // add threads or to read float32 segments directly. Masks are little-endian 64-bit words.

    /** Fake quantization of all of x into out (same count; out may be x); writes the mask if non-null. */
    default void fakeQuantize(TensorView x, TensorView out, Quantizer q, MemorySegment mask) {
        Staging.fakeQuantize(this, x, out, q, mask, 0, x.count());
    }

    /** STE backward recomputing the mask from x. */
    default void fakeQuantizeBackward(TensorView x, TensorView dy, TensorView dx, Quantizer q) {
        Staging.fakeQuantizeBackward(this, x, dy, dx, q, 0, x.count());
    }

    /** STE backward from a packed mask. */
    default void steBackward(MemorySegment mask, TensorView dy, TensorView dx) {
        Staging.steBackward(this, mask, dy, dx, 0, dy.count());
    }

    /** Learnable backward: writes dx, ADDS ∂L/∂s and ∂L/∂z per parameter set into ds and dz. */
    default void learnableBackward(TensorView x, TensorView dy, TensorView dx, Quantizer q, double[] ds, double[] dz) {
        Staging.learnableBackward(this, x, dy, dx, q, ds, dz, 0, x.count());
    }

    /** int8 codes ({@code int4} false, one byte each) or packed int4 codes of x. */
    default void quantize(TensorView x, MemorySegment codes, Quantizer q, boolean int4) {
        Staging.quantize(this, x, codes, q, int4, 0, x.count());
    }

    /** Floats from int8 or packed int4 codes into all of out. */
    default void dequantize(MemorySegment codes, TensorView out, Quantizer q, boolean int4) {
        Staging.dequantize(this, codes, out, q, int4, 0, out.count());
    }

    /** Moments of all of x. */
    default Moments moments(TensorView x) {
        return Staging.moments(this, x, 0, x.count());
    }

    /** {@link #absMax(float[], int, int)} of elements [off, off + len) of x. */
    default float absMax(TensorView x, long off, long len) {
        return Staging.absMax(this, x, off, len);
    }

    /** {@link #meanAbsDeviation(float[], int, int, double)} of elements [off, off + len) of x. */
    default double meanAbsDeviation(TensorView x, long off, long len, double center) {
        return Staging.absDeviationSum(this, x, off, len, center) / len;
    }

    /** {@link #absOrderStatistic(float[], int, int, long)} of elements [off, off + len) of x. */
    default float absOrderStatistic(TensorView x, long off, long len, long k) {
        return RadixSelect.absOrderStatistic(x, off, len, k);
    }

    /**
     * {@link #errorSums(float[], int, int, long, long[], Quantizer[], double, double[])} of elements
     * [off, off + len) of x, element off + i with stochastic stream index {@code streamBase + i}.
     */
    default double errorSums(TensorView x, long off, long len, long streamBase, Quantizer[] settings, double p,
                             double[] sums) {
        return Staging.errorSums(this, x, off, len, streamBase - off, settings, p, sums);
    }

    /** DoReFa transform of w into out (any element types); returns max|tanh(w)|. */
    double dorefaForward(TensorView w, TensorView out, int bits);

    /** DoReFa backward on views (dx may be dy). */
    void dorefaBackward(TensorView w, TensorView dy, TensorView dx);

    /** KURE over weights of any element type; grads (may be null) are float32 segments, added to in place. */
    KureResult kureViews(List<TensorView> weights, List<MemorySegment> grads, KureConfig config);
}
