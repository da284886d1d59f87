package dev.kure;

import dev.kure.scalar.ScalarBackend;
import dev.kure.spi.Backend;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The entry point of Kure: every kernel, on one backend.
 *
 * <pre>{@code
 * Kernels k = Kernels.cpu();
 * Moments m = k.moments(weights);
 * Quantizer q = Quantizer.perTensorAffine(0.05f, 0, -128, 127).withRounding(Rounding.STOCHASTIC).withSeed(42);
 * k.fakeQuantize(x, out, q);
 * KureResult r = k.kure(List.of(w1, w2), List.of(g1, g2), KureConfig.defaults());
 * }</pre>
 *
 * <p>Every argument is validated here, once, before a kernel runs: a bad value is an
 * {@link IllegalArgumentException} whose message names the parameter and the value (null is a
 * {@link NullPointerException} naming the parameter). Kernels never write outside the range given.
 * Instances are immutable and thread-safe.
 */
public final class Kernels {
    private final Backend backend;

    private Kernels(Backend backend) {
        this.backend = backend;
    }

    /** The scalar reference backend: plain Java, double accumulation, the oracle of the others. */
    public static Kernels scalar() {
        return Scalar.INSTANCE;
    }

    /**
     * The best CPU backend: the Panama SIMD backend when {@code jdk.incubator.vector} is readable
     * (run java with {@code --add-modules jdk.incubator.vector}), otherwise the scalar backend with one
     * warning line. Chosen once per JVM.
     */
    public static Kernels cpu() {
        return Cpu.INSTANCE;
    }

    /** Wraps a backend: internal (the backend choice and tests), not part of the API. */
    static Kernels of(Backend backend) {
        return new Kernels(Check.notNull(backend, "backend"));
    }

    // ---- GPU (dev.kure.cuda; optional at runtime) -------------------------------------------------

    /**
     * The GPU backend on CUDA device 0. Throws {@link dev.kure.cuda.GpuUnavailableException} whose
     * message says exactly why there is none (JCuda missing, no NVIDIA driver / libcuda.so.1, no
     * device, a driver older than 580 / CUDA 13.0, no fatbin in this build, ...). The probe runs once
     * per JVM and never crashes it. Host-array calls on it copy to and from the device; keep data
     * resident with {@link #gpu()}.
     */
    public static Kernels cuda() {
        return cuda(0);
    }

    /**
     * The GPU backend on CUDA device {@code device} (see {@link #cuda()}).
     *
     * @throws IllegalArgumentException if device is negative
     */
    public static Kernels cuda(int device) {
        Check.nonNegative(device, "device");
        return BackendChoice.Gpu.kernels(device);
    }

    /**
     * The device-resident API of CUDA device 0: upload tensors once ({@code DeviceTensor}), run every
     * kernel on them, and KURE over all of a model's tensors in one launch per stage. Throws
     * {@link dev.kure.cuda.GpuUnavailableException} like {@link #cuda()}.
     */
    public static dev.kure.cuda.CudaBackend gpu() {
        return gpu(0);
    }

    /**
     * The device-resident API of CUDA device {@code device} (see {@link #gpu()}).
     *
     * @throws IllegalArgumentException if device is negative
     */
    public static dev.kure.cuda.CudaBackend gpu(int device) {
        Check.nonNegative(device, "device");
        return dev.kure.cuda.Cuda.backend(device);
    }

    /** Whether CUDA device 0 is usable, and if not exactly why; never throws. */
    public static CudaStatus cudaStatus() {
        return cudaStatus(0);
    }

    /**
     * Whether CUDA device {@code device} is usable, and if not exactly why; an unusable GPU never
     * throws.
     *
     * @throws IllegalArgumentException if device is negative
     */
    public static CudaStatus cudaStatus(int device) {
        Check.nonNegative(device, "device");
        return BackendChoice.Gpu.status(device);
    }

    /**
     * The best backend on this machine: the GPU (device 0) when usable, else {@link #cpu()}. Chosen
     * once per JVM; when it falls back, one line on standard error says why the GPU is not used.
     */
    public static Kernels best() {
        return BackendChoice.Best.INSTANCE;
    }

    private static final class Scalar {
        static final Kernels INSTANCE = new Kernels(new ScalarBackend("requested explicitly (Kernels.scalar())"));
    }

    private static final class Cpu {
        static final Kernels INSTANCE = new Kernels(BackendChoice.Cpu.INSTANCE);
    }

    /**
     * This backend with {@code threads} threads for large inputs and multi-tensor work (results are
     * identical for every thread count; the scalar backend ignores it). Cheap to call per step: the
     * worker threads (daemon threads) are shared per thread count for the whole JVM.
     */
    public Kernels withThreads(int threads) {
        Check.positive(threads, "threads");
        return new Kernels(backend.withThreads(threads));
    }

    /** The backend's short name ("scalar", "panama", ...). */
    public String name() {
        return backend.name();
    }

    /** Which backend this is and why it was chosen. */
    public String describe() {
        return backend.describe();
    }

    /** The backend behind this facade: internal (tests and the calibration code), not part of the API. */
    Backend backend() {
        return backend;
    }

    // ---- moments -------------------------------------------------------------------------------

    /** Moments of all of {@code x}. */
    public Moments moments(float[] x) {
        Check.notNull(x, "x");
        return backend.moments(x, 0, x.length);
    }

    /** Moments of {@code x[offset, offset + length)}. */
    public Moments moments(float[] x, int offset, int length) {
        Check.notNull(x, "x");
        Check.range(x.length, offset, length, "x");
        return backend.moments(x, offset, length);
    }

    /** Moments of a float32 segment (little-endian) of any length; its byte size must be a multiple of 4. */
    public Moments moments(MemorySegment x) {
        return moments(x, 0, floats(x, "x"));
    }

    /** Moments of {@code count} floats of a segment starting at float index {@code offset}. */
    public Moments moments(MemorySegment x, long offset, long count) {
        long n = floats(x, "x");
        Check.range(n, offset, count, "x");
        return backend.moments(x, offset, count);
    }

    /**
     * Moments per channel along {@code axis} of the row-major {@code shape} of {@code x}: result[c]
     * covers every element whose index along the axis is c.
     */
    public Moments[] momentsPerChannel(float[] x, int[] shape, int axis) {
        Check.notNull(x, "x");
        long volume = Check.volume(shape);
        Check.axis(axis, shape);
        if (volume != x.length) {
            throw new IllegalArgumentException("x.length must equal the volume of the shape "
                    + java.util.Arrays.toString(shape) + " = " + volume + ", was " + x.length);
        }
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) {
            outer *= shape[d];
        }
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        return backend.momentsPerChannel(x, 0, outer, shape[axis], inner);
    }

    /** Moments of each consecutive group of {@code groupSize} elements; groupSize must divide x.length. */
    public Moments[] momentsPerGroup(float[] x, int groupSize) {
        Check.notNull(x, "x");
        Check.positive(groupSize, "groupSize");
        if (x.length % groupSize != 0) {
            throw new IllegalArgumentException("groupSize must divide x.length = " + x.length + ", was " + groupSize);
        }
        return backend.momentsPerChannel(x, 0, 1, x.length / groupSize, groupSize);
    }

    // ---- fake quantization -----------------------------------------------------------------------

    /** Fake-quantizes all of {@code x} into {@code out} (which may be {@code x}). */
    public void fakeQuantize(float[] x, float[] out, Quantizer q) {
        Check.notNull(x, "x");
        Check.notNull(out, "out");
        Check.sameLength(x.length, "x", out.length, "out");
        fakeQuantize(x, 0, out, 0, x.length, q);
    }

    /** Fake-quantizes {@code x[xOffset, +length)} into {@code out[outOffset, +length)}. */
    public void fakeQuantize(float[] x, int xOffset, float[] out, int outOffset, int length, Quantizer q) {
        checkQuant(x, xOffset, length, q);
        Check.notNull(out, "out");
        Check.range(out.length, outOffset, length, "out");
        backend.fakeQuantize(x, xOffset, out, outOffset, length, q, null);
    }

    /**
     * Fake-quantizes all of {@code x} into {@code out} and writes the packed STE mask (bit j&amp;63 of
     * word j&gt;&gt;&gt;6 is 1 where the unclamped code was inside the grid); mask needs
     * {@code (x.length + 63) / 64} words.
     */
    public void fakeQuantizeWithMask(float[] x, float[] out, long[] mask, Quantizer q) {
        Check.notNull(x, "x");
        Check.notNull(out, "out");
        Check.sameLength(x.length, "x", out.length, "out");
        checkQuant(x, 0, x.length, q);
        checkMask(mask, x.length);
        backend.fakeQuantize(x, 0, out, 0, x.length, q, mask);
    }

    /** Straight-through backward: dx = dy where the code of x was inside the grid, else 0 (dx may be dy). */
    public void fakeQuantizeBackward(float[] x, float[] dy, float[] dx, Quantizer q) {
        Check.notNull(x, "x");
        checkSame(x, dy, dx);
        checkQuant(x, 0, x.length, q);
        backend.fakeQuantizeBackward(x, 0, dy, 0, dx, 0, x.length, q);
    }

    /** Straight-through backward from a mask written by {@link #fakeQuantizeWithMask}. */
    public void steBackward(long[] mask, float[] dy, float[] dx) {
        Check.notNull(dy, "dy");
        Check.notNull(dx, "dx");
        Check.sameLength(dy.length, "dy", dx.length, "dx");
        checkMask(mask, dy.length);
        backend.steBackward(mask, dy, 0, dx, 0, dy.length);
    }

    /**
     * Backward of fake quantization with a learnable scale and zero point (PyTorch's
     * {@code _fake_quantize_learnable_*_affine} backward, docs/semantics.md §4.6): writes dx (STE) and
     * returns ∂L/∂s and ∂L/∂z per parameter set, each multiplied by {@code gradFactor} (LSQ uses
     * 1/sqrt(n·qmax); PyTorch's default is 1). One pass over x and dy. A NaN in x makes its
     * parameter set's ∂L/∂s NaN (its dx is 0), so a bad input never passes silently.
     *
     * <p>Where Kure deliberately differs from PyTorch 1.13's backward (whose forward Kure matches bit
     * for bit): PyTorch's backward reads the zero point as {@code (int64) (zp + 0.5)}, which truncates a
     * negative zero point toward zero (−2 becomes −1) while its forward uses −2; and it rounds
     * {@code zp + x/s} where its forward rounds {@code x/s} and then adds {@code zp}, which differs at
     * ties when zp is odd (x/s = 2.5, zp = 1: the forward gives rint(2.5) + 1 = 3, the backward
     * rint(3.5) = 4). Kure's backward uses the forward's codes exactly (zero point as given,
     * {@code round(x/s) + zp}), so its inside/outside decision always agrees with the forward's clamp
     * (docs/semantics.md §4.6).
     *
     * @throws IllegalArgumentException if gradFactor is negative, NaN or infinite
     */
    public LearnableGrads fakeQuantizeLearnableBackward(float[] x, float[] dy, float[] dx, Quantizer q,
                                                        double gradFactor) {
        Check.notNull(x, "x");
        checkSame(x, dy, dx);
        checkQuant(x, 0, x.length, q);
        Check.finiteNonNegative(gradFactor, "gradFactor");
        double[] ds = new double[q.paramCount()];
        double[] dz = new double[q.paramCount()];
        backend.learnableBackward(x, 0, dy, 0, dx, 0, x.length, q, ds, dz);
        for (int p = 0; p < ds.length; p++) {
            ds[p] *= gradFactor;
            dz[p] *= gradFactor;
        }
        return new LearnableGrads(ds, dz);
    }

    /** DoReFa weight transform of {@code w} into {@code out} at {@code bits} bits; returns max|tanh(w)|. */
    public double dorefaForward(float[] w, float[] out, int bits) {
        Check.notNull(w, "w");
        Check.notNull(out, "out");
        Check.sameLength(w.length, "w", out.length, "out");
        Check.bits(bits);
        return backend.dorefaForward(w, 0, out, 0, w.length, bits);
    }

    /** Backward of {@link #dorefaForward}: round passed straight through, exact through tanh and the max. */
    public void dorefaBackward(float[] w, float[] dy, float[] dx) {
        Check.notNull(w, "w");
        checkSame(w, dy, dx);
        backend.dorefaBackward(w, 0, dy, 0, dx, 0, w.length);
    }

    // ---- integer codes ---------------------------------------------------------------------------

    /**
     * Integer codes of {@code x}, one byte each: the grid must fit int8 ([-128, 127]) or uint8
     * ([0, 255], stored as unsigned bytes). NaN (and ±Inf under WRAP) become the zero point.
     */
    public void quantize(float[] x, byte[] codes, Quantizer q) {
        Check.notNull(x, "x");
        Check.notNull(codes, "codes");
        Check.sameLength(x.length, "x", codes.length, "codes");
        checkQuant(x, 0, x.length, q);
        checkCodeWidth(q, 8);
        backend.quantizeInt8(x, 0, codes, 0, x.length, q);
    }

    /** Floats from int8 codes: {@code dequantize(quantize(x)) == fakeQuantize(x)} bit for bit (finite x). */
    public void dequantize(byte[] codes, float[] out, Quantizer q) {
        Check.notNull(codes, "codes");
        Check.notNull(out, "out");
        Check.sameLength(codes.length, "codes", out.length, "out");
        checkLayout(out.length, q);
        checkCodeWidth(q, 8);
        backend.dequantizeInt8(codes, 0, out, 0, out.length, q);
    }

    /**
     * Packed int4 codes of {@code x}: element j in byte j/2, low nibble first; {@code packed} needs
     * {@code (x.length + 1) / 2} bytes; the grid must fit [-8, 7] or [0, 15].
     */
    public void quantizeInt4(float[] x, byte[] packed, Quantizer q) {
        Check.notNull(x, "x");
        Check.notNull(packed, "packed");
        checkPacked(packed, x.length);
        checkQuant(x, 0, x.length, q);
        checkCodeWidth(q, 4);
        backend.quantizeInt4(x, 0, packed, 0, x.length, q);
    }

    /** Floats from packed int4 codes; {@code out.length} elements are read. */
    public void dequantizeInt4(byte[] packed, float[] out, Quantizer q) {
        Check.notNull(packed, "packed");
        Check.notNull(out, "out");
        checkPacked(packed, out.length);
        checkLayout(out.length, q);
        checkCodeWidth(q, 4);
        backend.dequantizeInt4(packed, 0, out, 0, out.length, q);
    }

    // ---- KURE ------------------------------------------------------------------------------------

    /**
     * The KURE regularizer over all {@code weights} (docs/semantics.md §3); adds its gradient into
     * {@code gradsToAccumulate} (same shapes; null for the loss only). Tensors with fewer than two
     * elements, zero variance or non-finite values contribute nothing and are listed in the result.
     */
    public KureResult kure(List<float[]> weights, List<float[]> gradsToAccumulate, KureConfig config) {
        Check.notNull(weights, "weights");
        Check.notNull(config, "config");
        for (int i = 0; i < weights.size(); i++) {
            Check.notNull(weights.get(i), "weights[" + i + "]");
        }
        if (gradsToAccumulate != null) {
            Check.sameLength(weights.size(), "weights", gradsToAccumulate.size(), "gradsToAccumulate");
            for (int i = 0; i < weights.size(); i++) {
                float[] g = Check.notNull(gradsToAccumulate.get(i), "gradsToAccumulate[" + i + "]");
                Check.sameLength(weights.get(i).length, "weights[" + i + "]", g.length, "gradsToAccumulate[" + i + "]");
            }
        }
        return backend.kure(weights, gradsToAccumulate, config);
    }

    /** {@link #kure(List, List, KureConfig)} over float32 segments (native byte order). */
    public KureResult kureSegments(List<MemorySegment> weights, List<MemorySegment> gradsToAccumulate,
                                   KureConfig config) {
        Check.notNull(weights, "weights");
        Check.notNull(config, "config");
        for (int i = 0; i < weights.size(); i++) {
            floats(weights.get(i), "weights[" + i + "]");
        }
        if (gradsToAccumulate != null) {
            Check.sameLength(weights.size(), "weights", gradsToAccumulate.size(), "gradsToAccumulate");
            for (int i = 0; i < weights.size(); i++) {
                long g = floats(gradsToAccumulate.get(i), "gradsToAccumulate[" + i + "]");
                long w = weights.get(i).byteSize() / Float.BYTES;
                if (g != w) {
                    throw new IllegalArgumentException("weights[" + i + "] and gradsToAccumulate[" + i
                            + "] must have the same length, were " + w + " and " + g);
                }
                if (gradsToAccumulate.get(i).isReadOnly()) {
                    throw new IllegalArgumentException("gradsToAccumulate[" + i + "] is read-only");
                }
            }
        }
        return backend.kureSegments(weights, gradsToAccumulate, config);
    }

    // ---- checks ----------------------------------------------------------------------------------

    private static long floats(MemorySegment s, String name) {
        Check.notNull(s, name);
        if (s.byteSize() % Float.BYTES != 0) {
            throw new IllegalArgumentException(name + " byte size must be a multiple of 4, was " + s.byteSize());
        }
        return s.byteSize() / Float.BYTES;
    }

    private static void checkQuant(float[] x, int offset, int length, Quantizer q) {
        Check.notNull(x, "x");
        Check.notNull(q, "q");
        Check.range(x.length, offset, length, "x");
        checkLayout(length, q);
    }

    private static void checkLayout(int length, Quantizer q) {
        Check.notNull(q, "q");
        long need = q.requiredLength();
        if (need >= 0 && need != length) {
            throw new IllegalArgumentException("tensor length must be " + need + " for this " + q.granularity()
                    + " quantizer (" + q.paramCount() + " parameter sets), was " + length);
        }
    }

    private static void checkSame(float[] x, float[] dy, float[] dx) {
        Check.notNull(dy, "dy");
        Check.notNull(dx, "dx");
        Check.sameLength(x.length, "x", dy.length, "dy");
        Check.sameLength(x.length, "x", dx.length, "dx");
    }

    private static void checkMask(long[] mask, int n) {
        Check.notNull(mask, "mask");
        int words = (n + 63) >>> 6;
        if (mask.length < words) {
            throw new IllegalArgumentException("mask must have at least " + words + " words for " + n
                    + " elements, was " + mask.length);
        }
    }

    private static void checkPacked(byte[] packed, int n) {
        int bytes = (n + 1) >>> 1;
        if (packed.length != bytes) {
            throw new IllegalArgumentException("packed must have (n + 1) / 2 = " + bytes + " bytes for " + n
                    + " elements, was " + packed.length);
        }
    }

    private static void checkCodeWidth(Quantizer q, int width) {
        int sMin = -(1 << (width - 1)), sMax = (1 << (width - 1)) - 1, uMax = (1 << width) - 1;
        boolean fits = (q.qmin() >= sMin && q.qmax() <= sMax) || (q.qmin() >= 0 && q.qmax() <= uMax);
        if (!fits) {
            throw new IllegalArgumentException("grid [" + q.qmin() + ", " + q.qmax() + "] does not fit " + width
                    + "-bit codes ([" + sMin + ", " + sMax + "] or [0, " + uMax + "])");
        }
    }

    // ---- step-size calibration and robustness sweeps (issue 5) ------------------------------------

    /**
     * A per-tensor quantizer of {@code bits} bits on {@code grid} whose scale and zero point are
     * chosen from {@code x} by {@code policy} (docs/semantics.md §5; see {@link StepPolicy} for each policy, the
     * clip-to-step convention and the all-zero case). Rounding HALF_EVEN, SATURATE, MULTIPLY.
     *
     * @throws IllegalArgumentException if x is empty or has NaN/infinite values, bits is outside
     *         1..16, grid is CUSTOM, or the policy does not fit the grid
     */
    public Quantizer calibrate(float[] x, int bits, Grid grid, StepPolicy policy) {
        Check.notNull(grid, "grid");
        Check.bits(bits);
        return calibrate(x, Calibrator.template(bits, grid), policy);
    }

    /**
     * A per-tensor quantizer like {@code template} (bits, grid, rounding, overflow, mode, seed and
     * stream offset; its scales and granularity are ignored) with scale and zero point chosen from
     * {@code x} by {@code policy}. MSE and LP_NORM measure candidates with the template's rounding,
     * overflow, mode and stochastic stream.
     */
    public Quantizer calibrate(float[] x, Quantizer template, StepPolicy policy) {
        Check.notNull(x, "x");
        Calibrator.check(template, policy);
        if (x.length == 0) {
            throw new IllegalArgumentException("x must not be empty (no data to calibrate on)");
        }
        return Calibrator.perTensor(backend, x, template, policy);
    }

    /**
     * A per-channel quantizer along {@code axis} of the row-major {@code shape} (x.length must equal
     * its volume), each channel calibrated on its own elements by {@code policy}.
     *
     * @throws IllegalArgumentException as {@link #calibrate(float[], int, Grid, StepPolicy)}, naming
     *         an empty shape or channel
     */
    public Quantizer calibratePerChannel(float[] x, int[] shape, int axis, int bits, Grid grid, StepPolicy policy) {
        Check.notNull(grid, "grid");
        Check.bits(bits);
        return calibratePerChannel(x, shape, axis, Calibrator.template(bits, grid), policy);
    }

    /** {@link #calibratePerChannel(float[], int[], int, int, Grid, StepPolicy)} with a template quantizer. */
    public Quantizer calibratePerChannel(float[] x, int[] shape, int axis, Quantizer template, StepPolicy policy) {
        Check.notNull(x, "x");
        long volume = Check.volume(shape);
        Check.axis(axis, shape);
        Calibrator.check(template, policy);
        if (volume != x.length) {
            throw new IllegalArgumentException("x.length must equal the volume of the shape "
                    + java.util.Arrays.toString(shape) + " = " + volume + ", was " + x.length);
        }
        if (volume == 0) {
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape)
                    + " is empty: no data to calibrate on");
        }
        return Calibrator.perChannel(backend, x, shape, axis, template, policy);
    }

    /**
     * A per-group quantizer: each consecutive group of {@code groupSize} elements (which must divide
     * x.length) calibrated on its own by {@code policy}.
     */
    public Quantizer calibratePerGroup(float[] x, int groupSize, int bits, Grid grid, StepPolicy policy) {
        Check.notNull(grid, "grid");
        Check.bits(bits);
        return calibratePerGroup(x, groupSize, Calibrator.template(bits, grid), policy);
    }

    /** {@link #calibratePerGroup(float[], int, int, Grid, StepPolicy)} with a template quantizer. */
    public Quantizer calibratePerGroup(float[] x, int groupSize, Quantizer template, StepPolicy policy) {
        Check.notNull(x, "x");
        Check.positive(groupSize, "groupSize");
        Calibrator.check(template, policy);
        if (x.length == 0) {
            throw new IllegalArgumentException("x must not be empty (no data to calibrate on)");
        }
        if (x.length % groupSize != 0) {
            throw new IllegalArgumentException("groupSize must divide x.length = " + x.length + ", was " + groupSize);
        }
        return Calibrator.perGroup(backend, x, groupSize, template, policy);
    }

    /**
     * The exact order statistic of |x| at percentile {@code percent} in (0, 100], nearest rank (see
     * {@link StepPolicy.Percentile}).
     */
    public float absPercentile(float[] x, double percent) {
        Check.notNull(x, "x");
        new StepPolicy.Percentile(percent);
        if (x.length == 0) {
            throw new IllegalArgumentException("x must not be empty (no percentile of no data)");
        }
        Calibrator.finite(backend.moments(x, 0, x.length), "x");
        return backend.absOrderStatistic(x, 0, x.length, Calibrator.rank(percent, x.length) - 1);
    }

    /**
     * The measured error of fake-quantizing {@code x} with {@code q}: Σ(fq(x) − x)² and Σx², equal
     * (up to double summation order) to {@link #fakeQuantize} followed by summing in double; one read
     * of x, nothing written. Any granularity.
     */
    public QuantError quantError(float[] x, Quantizer q) {
        checkQuant(x, 0, x.length, q);
        return Calibrator.quantError(backend, x, q);
    }

    /**
     * A robustness sweep: the MSE and SNR of every setting of {@code spec} on {@code x}, computed by
     * reading x once (blocked: each block stays in cache while every setting is evaluated) after the
     * base steps are calibrated (per tensor, by the spec's base policy: one more read of x for
     * MAX_ABS and the moment-based policies). Equal, within double summation order, to
     * fake-quantizing with each {@link SweepResult.Row#quantizer()} and measuring.
     *
     * @throws IllegalArgumentException if x is empty or not finite
     */
    public SweepResult sweep(float[] x, SweepSpec spec) {
        Check.notNull(x, "x");
        Check.notNull(spec, "spec");
        if (x.length == 0) {
            throw new IllegalArgumentException("x must not be empty (nothing to sweep)");
        }
        return Calibrator.sweep(backend, x, spec);
    }

    // ---- tensor views: heap or native memory, float32, bfloat16 or float16 (issue 12) ----------------
    //
    // Every kernel again, on TensorViews: segments the framework owns, any alignment, little-endian,
    // element type F32, BF16 or F16. Nothing is copied as a whole: blocks of a few KiB are widened to
    // float32 in per-thread scratch, the array kernel runs on them, float results are narrowed back
    // (ties to even, ElementType). Results equal the float[] methods on the widened values: bit for bit
    // for fake quantization, masks, codes and stochastic rounding (with the same seed and element
    // indices), within summation order for reductions; before narrowing to 16 bits, see ElementType.
    // Gradients: dy and dx of the backward kernels may be any element type (narrowed like outputs);
    // KURE's gradients are float32 segments (frameworks keep master gradients in float32).

    /** Moments of all of {@code x} (any element type; the same as the array of its widened values). */
    public Moments moments(TensorView x) {
        ViewChecks.count(x, "x");
        return backend.moments(x);
    }

    /**
     * Fake-quantizes {@code x} into {@code out} (same element count, any element types; {@code out} may
     * be {@code x} itself). A 16-bit {@code out} receives the float32 result rounded to nearest even.
     *
     * @throws IllegalArgumentException if the counts differ, out is read-only, out partly overlaps x,
     *         or the count does not fit the quantizer's layout
     */
    public void fakeQuantize(TensorView x, TensorView out, Quantizer q) {
        ViewChecks.output(x, "x", out, "out");
        ViewChecks.layout(x.count(), q);
        backend.fakeQuantize(x, out, q, null);
    }

    /**
     * {@link #fakeQuantize(TensorView, TensorView, Quantizer)} that also writes the packed STE mask
     * into {@code mask}: little-endian 64-bit words, bit j&amp;63 of word j&gt;&gt;&gt;6 (at least
     * {@code (n + 63) / 64} words; bits past n in the last word are kept).
     */
    public void fakeQuantizeWithMask(TensorView x, TensorView out, MemorySegment mask, Quantizer q) {
        ViewChecks.output(x, "x", out, "out");
        ViewChecks.layout(x.count(), q);
        ViewChecks.mask(mask, x.count(), true);
        backend.fakeQuantize(x, out, q, mask);
    }

    /** Straight-through backward on views: dx = dy where the code of x was inside the grid, else 0 (dx may be dy). */
    public void fakeQuantizeBackward(TensorView x, TensorView dy, TensorView dx, Quantizer q) {
        ViewChecks.sameCount(x, "x", dy, "dy");
        ViewChecks.output(dy, "dy", dx, "dx");
        ViewChecks.layout(x.count(), q);
        backend.fakeQuantizeBackward(x, dy, dx, q);
    }

    /** Straight-through backward from a mask written by {@link #fakeQuantizeWithMask(TensorView, TensorView, MemorySegment, Quantizer)}. */
    public void steBackward(MemorySegment mask, TensorView dy, TensorView dx) {
        ViewChecks.output(dy, "dy", dx, "dx");
        ViewChecks.mask(mask, dy.count(), false);
        backend.steBackward(mask, dy, dx);
    }

    /**
     * {@link #fakeQuantizeLearnableBackward(float[], float[], float[], Quantizer, double)} on views:
     * dx (any element type, may be dy) and ∂L/∂s, ∂L/∂z per parameter set in double.
     */
    public LearnableGrads fakeQuantizeLearnableBackward(TensorView x, TensorView dy, TensorView dx, Quantizer q,
                                                        double gradFactor) {
        ViewChecks.sameCount(x, "x", dy, "dy");
        ViewChecks.output(dy, "dy", dx, "dx");
        ViewChecks.layout(x.count(), q);
        Check.finite(gradFactor, "gradFactor");
        double[] ds = new double[q.paramCount()];
        double[] dz = new double[q.paramCount()];
        backend.learnableBackward(x, dy, dx, q, ds, dz);
        for (int p = 0; p < ds.length; p++) {
            ds[p] *= gradFactor;
            dz[p] *= gradFactor;
        }
        return new LearnableGrads(ds, dz);
    }

    /**
     * DoReFa weight transform on views (any element types; out may be w); returns max|tanh(w)|. Runs
     * the scalar reference on staged blocks on every backend (two reads of w, StrictMath tanh).
     */
    public double dorefaForward(TensorView w, TensorView out, int bits) {
        ViewChecks.output(w, "w", out, "out");
        Check.bits(bits);
        return backend.dorefaForward(w, out, bits);
    }

    /** Backward of {@link #dorefaForward(TensorView, TensorView, int)} (dx may be dy); the scalar reference. */
    public void dorefaBackward(TensorView w, TensorView dy, TensorView dx) {
        ViewChecks.sameCount(w, "w", dy, "dy");
        ViewChecks.output(dy, "dy", dx, "dx");
        backend.dorefaBackward(w, dy, dx);
    }

    /** int8 codes of {@code x} into {@code codes} (one byte per element), as {@link #quantize(float[], byte[], Quantizer)}. */
    public void quantize(TensorView x, MemorySegment codes, Quantizer q) {
        ViewChecks.codes(codes, ViewChecks.count(x, "x"), false, true);
        ViewChecks.layout(x.count(), q);
        checkCodeWidth(q, 8);
        backend.quantize(x, codes, q, false);
    }

    /** Floats (narrowed to out's type) from int8 codes, as {@link #dequantize(byte[], float[], Quantizer)}. */
    public void dequantize(MemorySegment codes, TensorView out, Quantizer q) {
        ViewChecks.codes(codes, ViewChecks.count(out, "out"), false, false);
        ViewChecks.writable(out.segment(), "out");
        ViewChecks.layout(out.count(), q);
        checkCodeWidth(q, 8);
        backend.dequantize(codes, out, q, false);
    }

    /** Packed int4 codes of {@code x} ({@code (n + 1) / 2} bytes, low nibble first), as {@link #quantizeInt4(float[], byte[], Quantizer)}. */
    public void quantizeInt4(TensorView x, MemorySegment packed, Quantizer q) {
        ViewChecks.codes(packed, ViewChecks.count(x, "x"), true, true);
        ViewChecks.layout(x.count(), q);
        checkCodeWidth(q, 4);
        backend.quantize(x, packed, q, true);
    }

    /** Floats (narrowed to out's type) from packed int4 codes. */
    public void dequantizeInt4(MemorySegment packed, TensorView out, Quantizer q) {
        ViewChecks.codes(packed, ViewChecks.count(out, "out"), true, false);
        ViewChecks.writable(out.segment(), "out");
        ViewChecks.layout(out.count(), q);
        checkCodeWidth(q, 4);
        backend.dequantize(packed, out, q, true);
    }

    /**
     * KURE over weights of any element type (docs/semantics.md §3); adds the gradient into {@code gradsToAccumulate}
     * (float32 segments, little-endian, one per weight with the same element count; null for the loss
     * only).
     */
    public KureResult kureViews(List<TensorView> weights, List<MemorySegment> gradsToAccumulate, KureConfig config) {
        Check.notNull(weights, "weights");
        Check.notNull(config, "config");
        for (int i = 0; i < weights.size(); i++) {
            ViewChecks.count(weights.get(i), "weights[" + i + "]");
        }
        if (gradsToAccumulate != null) {
            Check.sameLength(weights.size(), "weights", gradsToAccumulate.size(), "gradsToAccumulate");
            for (int i = 0; i < weights.size(); i++) {
                String name = "gradsToAccumulate[" + i + "]";
                ViewChecks.sameCount(weights.get(i), "weights[" + i + "]",
                        TensorView.f32(Check.notNull(gradsToAccumulate.get(i), name)), name);
                ViewChecks.writable(gradsToAccumulate.get(i), name);
            }
        }
        return backend.kureViews(weights, gradsToAccumulate, config);
    }

    /** {@link #calibrate(float[], int, Grid, StepPolicy)} on a view (any element type). */
    public Quantizer calibrate(TensorView x, int bits, Grid grid, StepPolicy policy) {
        Check.notNull(grid, "grid");
        Check.bits(bits);
        return calibrate(x, Calibrator.template(bits, grid), policy);
    }

    /** {@link #calibrate(float[], Quantizer, StepPolicy)} on a view (any element type). */
    public Quantizer calibrate(TensorView x, Quantizer template, StepPolicy policy) {
        long n = ViewChecks.count(x, "x");
        Calibrator.check(template, policy);
        if (n == 0) {
            throw new IllegalArgumentException("x must not be empty (no data to calibrate on)");
        }
        return Calibrator.perTensor(backend, new Calibrator.View(x, 0, n, template.streamOffset(), "x"), template, policy);
    }

    /** {@link #calibratePerChannel(float[], int[], int, int, Grid, StepPolicy)} on a view. */
    public Quantizer calibratePerChannel(TensorView x, int[] shape, int axis, int bits, Grid grid, StepPolicy policy) {
        Check.notNull(grid, "grid");
        Check.bits(bits);
        return calibratePerChannel(x, shape, axis, Calibrator.template(bits, grid), policy);
    }

    /** {@link #calibratePerChannel(float[], int[], int, Quantizer, StepPolicy)} on a view. */
    public Quantizer calibratePerChannel(TensorView x, int[] shape, int axis, Quantizer template, StepPolicy policy) {
        long n = ViewChecks.count(x, "x");
        long volume = Check.volume(shape);
        Check.axis(axis, shape);
        Calibrator.check(template, policy);
        if (volume != n) {
            throw new IllegalArgumentException("x count must equal the volume of the shape "
                    + java.util.Arrays.toString(shape) + " = " + volume + ", was " + n);
        }
        if (volume == 0) {
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape)
                    + " is empty: no data to calibrate on");
        }
        return Calibrator.perChannel(backend, new Calibrator.View(x, 0, n, template.streamOffset(), "x"), shape, axis,
                template, policy);
    }

    /** {@link #calibratePerGroup(float[], int, int, Grid, StepPolicy)} on a view. */
    public Quantizer calibratePerGroup(TensorView x, int groupSize, int bits, Grid grid, StepPolicy policy) {
        Check.notNull(grid, "grid");
        Check.bits(bits);
        return calibratePerGroup(x, groupSize, Calibrator.template(bits, grid), policy);
    }

    /** {@link #calibratePerGroup(float[], int, Quantizer, StepPolicy)} on a view. */
    public Quantizer calibratePerGroup(TensorView x, int groupSize, Quantizer template, StepPolicy policy) {
        long n = ViewChecks.count(x, "x");
        Check.positive(groupSize, "groupSize");
        Calibrator.check(template, policy);
        if (n == 0) {
            throw new IllegalArgumentException("x must not be empty (no data to calibrate on)");
        }
        if (n % groupSize != 0) {
            throw new IllegalArgumentException("groupSize must divide the count of x = " + n + ", was " + groupSize);
        }
        return Calibrator.perGroup(backend, new Calibrator.View(x, 0, n, template.streamOffset(), "x"), groupSize,
                template, policy);
    }

    /** {@link #absPercentile(float[], double)} of a view (any element type). */
    public float absPercentile(TensorView x, double percent) {
        long n = ViewChecks.count(x, "x");
        new StepPolicy.Percentile(percent);
        if (n == 0) {
            throw new IllegalArgumentException("x must not be empty (no percentile of no data)");
        }
        Calibrator.finite(backend.moments(x), "x");
        return backend.absOrderStatistic(x, 0, n, Calibrator.rank(percent, n) - 1);
    }

    /** {@link #quantError(float[], Quantizer)} of a view (any element type, one read, nothing written). */
    public QuantError quantError(TensorView x, Quantizer q) {
        long n = ViewChecks.count(x, "x");
        ViewChecks.layout(n, q);
        return Calibrator.quantError(backend, new Calibrator.View(x, 0, n, 0L, "x"), q);
    }

    /** {@link #sweep(float[], SweepSpec)} of a view (any element type). */
    public SweepResult sweep(TensorView x, SweepSpec spec) {
        long n = ViewChecks.count(x, "x");
        Check.notNull(spec, "spec");
        if (n == 0) {
            throw new IllegalArgumentException("x must not be empty (nothing to sweep)");
        }
        return Calibrator.sweep(backend, new Calibrator.View(x, 0, n, 0L, "x"), spec);
    }
}
