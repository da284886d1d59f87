package dev.kure;

import java.util.Arrays;

/**
 * An immutable quantizer specification: the integer grid, scales and zero points (per tensor, per
 * channel or per group), rounding and overflow policies, the scaling mode and the stochastic seed.
 *
 * <p>One element {@code x} with its channel's scale {@code s} and zero point {@code z} becomes
 * (docs/semantics.md §4.2, all float32, in this order):
 * <pre>
 *   y   = x * (float)(1.0f / s)          (or x / s in {@link QuantMode#DIVIDE})
 *   r   = round(y - h)                   (exact; h = 0.5 for {@link Grid#MIDRISE}, else 0)
 *   q   = r + z                          then SATURATE or WRAP into [qmin, qmax]
 *   out = ((q - z) + h) * s
 * </pre>
 * With h = 0, {@link Overflow#SATURATE} and {@link Rounding#HALF_EVEN} this is
 * {@code torch.fake_quantize_per_tensor_affine} (and {@code _per_channel_affine}) bit for bit on
 * finite inputs. NaN stays NaN; ±Inf saturates to the grid's ends under SATURATE and becomes NaN
 * under WRAP.
 *
 * <p>Parameters are looked up per element {@code i} of a call as {@code p(i) = (i / inner) % C}:
 * per tensor C = 1; per channel along {@code axis} of a row-major {@code shape}, C = shape[axis] and
 * inner = the product of the dims after the axis; per group, C = number of groups and inner = G.
 *
 * <p>Build one with a factory and the {@code with…} methods:
 * <pre>{@code
 * Quantizer q = Quantizer.perTensorAffine(0.05f, 0, -128, 127)
 *         .withRounding(Rounding.STOCHASTIC).withSeed(42)
 *         .withOverflow(Overflow.SATURATE);
 * }</pre>
 *
 * <p>Stochastic rounding has two generators, chosen by the rounding policy: {@link Rounding#STOCHASTIC}
 * (Philox4x32-10, the default stochastic policy and the reference stream) and
 * {@link Rounding#STOCHASTIC_HASH} (a 32-bit multiply–xorshift hash of (seed, index), several times
 * faster on CPUs, the named option for training loops where stochastic rounding sits on the hot
 * path). Both are keyed by {@link #seed()} and the element's stream index ({@link #streamOffset()} +
 * i), so either gives identical results on every backend, thread count and split of a tensor.
 */
public final class Quantizer {
    private final int bits;
    private final Grid grid;
    private final int qmin;
    private final int qmax;
    private final float[] scales;
    private final int[] zeroPoints;
    private final Granularity granularity;
    private final int[] shape;       // per channel only
    private final int axis;          // per channel only, else -1
    private final long inner;        // elements per parameter run (per tensor: Long.MAX_VALUE)
    private final Rounding rounding;
    private final Overflow overflow;
    private final QuantMode mode;
    private final long seed;
    private final long streamOffset;

    private Quantizer(int bits, Grid grid, int qmin, int qmax, float[] scales, int[] zeroPoints,
                      Granularity granularity, int[] shape, int axis, long inner, Rounding rounding,
                      Overflow overflow, QuantMode mode, long seed, long streamOffset) {
        this.bits = bits;
        this.grid = grid;
        this.qmin = qmin;
        this.qmax = qmax;
        this.scales = scales;
        this.zeroPoints = zeroPoints;
        this.granularity = granularity;
        this.shape = shape;
        this.axis = axis;
        this.inner = inner;
        this.rounding = rounding;
        this.overflow = overflow;
        this.mode = mode;
        this.seed = seed;
        this.streamOffset = streamOffset;
    }

    // ---- factories -------------------------------------------------------------------------

    /**
     * Per-tensor quantizer on an explicit grid [qmin, qmax], with PyTorch's argument order
     * ({@code fake_quantize_per_tensor_affine(x, scale, zero_point, quant_min, quant_max)}). The first
     * argument is the scale; the factories that take a bit-width are {@link #perTensor(int, Grid, float, int)}
     * and friends (different names, so that {@code perTensor(8, 0, -128, 127)} cannot silently mean
     * scale 8).
     */
    public static Quantizer perTensorAffine(float scale, int zeroPoint, int qmin, int qmax) {
        Check.grid(qmin, qmax);
        return perTensorOn(bitsFor(qmin, qmax), Grid.CUSTOM, qmin, qmax, scale, zeroPoint);
    }

    /** Per-tensor quantizer on a named grid of {@code bits} bits. */
    public static Quantizer perTensor(int bits, Grid grid, float scale, int zeroPoint) {
        Check.notNull(grid, "grid");
        Check.bits(bits);
        noCustom(grid);
        return perTensorOn(bits, grid, grid.qmin(bits), grid.qmax(bits), scale, zeroPoint);
    }

    /** Symmetric per-tensor quantizer (zero point 0) on a named grid of {@code bits} bits. */
    public static Quantizer symmetric(int bits, Grid grid, float scale) {
        return perTensor(bits, grid, scale, 0);
    }

    /**
     * Per-channel quantizer along {@code axis} of a row-major {@code shape}, on an explicit grid.
     * {@code scales} and {@code zeroPoints} have {@code shape[axis]} entries (copied).
     */
    public static Quantizer perChannelAffine(float[] scales, int[] zeroPoints, int[] shape, int axis, int qmin, int qmax) {
        Check.grid(qmin, qmax);
        return perChannelOn(bitsFor(qmin, qmax), Grid.CUSTOM, qmin, qmax, scales, zeroPoints, shape, axis);
    }

    /** Per-channel quantizer along {@code axis} of a row-major {@code shape}, on a named grid. */
    public static Quantizer perChannel(int bits, Grid grid, float[] scales, int[] zeroPoints, int[] shape, int axis) {
        Check.notNull(grid, "grid");
        Check.bits(bits);
        noCustom(grid);
        return perChannelOn(bits, grid, grid.qmin(bits), grid.qmax(bits), scales, zeroPoints, shape, axis);
    }

    /**
     * Per-group quantizer: consecutive groups of {@code groupSize} elements of the flat tensor, one
     * scale and zero point each; the tensor must have exactly {@code scales.length * groupSize}
     * elements. Explicit grid.
     */
    public static Quantizer perGroupAffine(float[] scales, int[] zeroPoints, int groupSize, int qmin, int qmax) {
        Check.grid(qmin, qmax);
        return perGroupOn(bitsFor(qmin, qmax), Grid.CUSTOM, qmin, qmax, scales, zeroPoints, groupSize);
    }

    /** Per-group quantizer on a named grid. */
    public static Quantizer perGroup(int bits, Grid grid, float[] scales, int[] zeroPoints, int groupSize) {
        Check.notNull(grid, "grid");
        Check.bits(bits);
        noCustom(grid);
        return perGroupOn(bits, grid, grid.qmin(bits), grid.qmax(bits), scales, zeroPoints, groupSize);
    }

    private static Quantizer perTensorOn(int bits, Grid grid, int qmin, int qmax, float scale, int zp) {
        Check.scale(scale, "scale");
        Check.zeroPoint(zp, qmin, qmax, "zeroPoint");
        return new Quantizer(bits, grid, qmin, qmax, new float[] {scale}, new int[] {zp},
                Granularity.PER_TENSOR, null, -1, Long.MAX_VALUE, Rounding.HALF_EVEN, Overflow.SATURATE,
                QuantMode.MULTIPLY_BY_RECIPROCAL, 0L, 0L);
    }

    private static Quantizer perChannelOn(int bits, Grid grid, int qmin, int qmax, float[] scales, int[] zps,
                                          int[] shape, int axis) {
        Check.notNull(shape, "shape");
        Check.volume(shape);
        Check.axis(axis, shape);
        float[] s = params(scales, zps, qmin, qmax);
        if (scales.length != shape[axis]) {
            throw new IllegalArgumentException("scales.length must equal shape[axis] = " + shape[axis]
                    + " (axis " + axis + " of " + Arrays.toString(shape) + "), was " + scales.length);
        }
        long in = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            in *= shape[d];
        }
        return new Quantizer(bits, grid, qmin, qmax, s, zps.clone(), Granularity.PER_CHANNEL,
                shape.clone(), axis, Math.max(in, 1), Rounding.HALF_EVEN, Overflow.SATURATE,
                QuantMode.MULTIPLY_BY_RECIPROCAL, 0L, 0L);
    }

    private static Quantizer perGroupOn(int bits, Grid grid, int qmin, int qmax, float[] scales, int[] zps,
                                        int groupSize) {
        Check.positive(groupSize, "groupSize");
        float[] s = params(scales, zps, qmin, qmax);
        return new Quantizer(bits, grid, qmin, qmax, s, zps.clone(), Granularity.PER_GROUP, null, -1,
                groupSize, Rounding.HALF_EVEN, Overflow.SATURATE, QuantMode.MULTIPLY_BY_RECIPROCAL, 0L, 0L);
    }

    private static float[] params(float[] scales, int[] zps, int qmin, int qmax) {
        Check.notNull(scales, "scales");
        Check.notNull(zps, "zeroPoints");
        Check.sameLength(scales.length, "scales", zps.length, "zeroPoints");
        if (scales.length == 0) {
            throw new IllegalArgumentException("scales must not be empty");
        }
        for (int i = 0; i < scales.length; i++) {
            Check.scale(scales[i], "scales[" + i + "]");
            Check.zeroPoint(zps[i], qmin, qmax, "zeroPoints[" + i + "]");
        }
        return scales.clone();
    }

    private static void noCustom(Grid grid) {
        if (grid == Grid.CUSTOM) {
            throw new IllegalArgumentException("grid CUSTOM needs explicit qmin and qmax: use the (qmin, qmax) factory");
        }
    }

    /** Smallest b with 2^b >= qmax - qmin + 1 (at least 1). */
    private static int bitsFor(int qmin, int qmax) {
        long levels = (long) qmax - qmin + 1;
        return Math.max(1, 64 - Long.numberOfLeadingZeros(levels - 1));
    }

    // ---- with… -----------------------------------------------------------------------------

    /** This quantizer with another rounding policy. */
    public Quantizer withRounding(Rounding r) {
        return new Quantizer(bits, grid, qmin, qmax, scales, zeroPoints, granularity, shape, axis, inner,
                Check.notNull(r, "rounding"), overflow, mode, seed, streamOffset);
    }

    /** This quantizer with another overflow policy. */
    public Quantizer withOverflow(Overflow o) {
        return new Quantizer(bits, grid, qmin, qmax, scales, zeroPoints, granularity, shape, axis, inner,
                rounding, Check.notNull(o, "overflow"), mode, seed, streamOffset);
    }

    /** This quantizer with another scaling mode. */
    public Quantizer withMode(QuantMode m) {
        return new Quantizer(bits, grid, qmin, qmax, scales, zeroPoints, granularity, shape, axis, inner,
                rounding, overflow, Check.notNull(m, "mode"), seed, streamOffset);
    }

    /** This quantizer with another seed for the stochastic roundings. */
    public Quantizer withSeed(long s) {
        return new Quantizer(bits, grid, qmin, qmax, scales, zeroPoints, granularity, shape, axis, inner,
                rounding, overflow, mode, s, streamOffset);
    }

    /**
     * This quantizer with the element index of the first element of a call set to {@code offset}:
     * the stochastic stream is keyed by (seed, offset + i), so a tensor processed in pieces gets the
     * same random draws as in one call. Parameter lookup ({@code p(i)}) is not shifted.
     */
    public Quantizer withStreamOffset(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("streamOffset must be >= 0, was " + offset);
        }
        return new Quantizer(bits, grid, qmin, qmax, scales, zeroPoints, granularity, shape, axis, inner,
                rounding, overflow, mode, seed, offset);
    }

    // ---- accessors -------------------------------------------------------------------------

    /** Bit-width (for an explicit grid: the smallest that holds its levels). */
    public int bits() { return bits; }

    /** The named grid, or {@link Grid#CUSTOM}. */
    public Grid grid() { return grid; }

    /** Smallest integer code. */
    public int qmin() { return qmin; }

    /** Largest integer code. */
    public int qmax() { return qmax; }

    /** Number of levels qmax − qmin + 1: the modulus of {@link Overflow#WRAP}. */
    public int levels() { return qmax - qmin + 1; }

    /** The grid offset h: 0.5 for {@link Grid#MIDRISE}, else 0. */
    public float offset() { return grid == Grid.MIDRISE ? 0.5f : 0f; }

    /** Per tensor, per channel or per group. */
    public Granularity granularity() { return granularity; }

    /** Number of parameter sets C (1 per tensor). */
    public int paramCount() { return scales.length; }

    /** Elements per run of constant parameters ({@link Long#MAX_VALUE} per tensor). */
    public long inner() { return inner; }

    /** Channel axis (per channel), else −1. */
    public int axis() { return axis; }

    /** Copy of the shape given to a per-channel quantizer, else null. */
    public int[] shape() { return shape == null ? null : shape.clone(); }

    /** Scale of parameter set {@code p}. */
    public float scale(int p) { return scales[p]; }

    /** Zero point of parameter set {@code p}. */
    public int zeroPoint(int p) { return zeroPoints[p]; }

    /** Copy of all scales. */
    public float[] scales() { return scales.clone(); }

    /** Copy of all zero points. */
    public int[] zeroPoints() { return zeroPoints.clone(); }

    /** Rounding policy. */
    public Rounding rounding() { return rounding; }

    /** Overflow policy. */
    public Overflow overflow() { return overflow; }

    /** Scaling mode. */
    public QuantMode mode() { return mode; }

    /** Seed of the stochastic rounding stream. */
    public long seed() { return seed; }

    /** Element index of the first element of a call in the stochastic stream. */
    public long streamOffset() { return streamOffset; }

    /**
     * Number of elements a tensor quantized by this quantizer must have: the shape's volume per
     * channel, groups × G per group, −1 (any) per tensor.
     */
    public long requiredLength() {
        return switch (granularity) {
            case PER_TENSOR -> -1;
            case PER_CHANNEL -> Check.volume(shape);
            case PER_GROUP -> (long) scales.length * inner;
        };
    }

    @Override
    public String toString() {
        return "Quantizer[" + granularity + ", bits=" + bits + ", grid=" + grid + " [" + qmin + ", " + qmax + "]"
                + (scales.length == 1 ? ", scale=" + scales[0] + ", zeroPoint=" + zeroPoints[0]
                        : ", " + scales.length + " scales")
                + ", " + rounding + ", " + overflow + ", " + mode
                + (rounding.isStochastic() ? ", seed=" + seed : "") + "]";
    }
}
