package dev.kure;

import java.util.Arrays;

/**
 * An immutable floating-point quantizer: an element {@link FpFormat} and how values are scaled into
 * it. Four scalings:
 *
 * <ul>
 * <li>{@link Scaling#TENSOR}: one FP32 scale s — explicit ({@link #perTensor(FpFormat, float)}, and
 *     {@link #of(FpFormat)} for the plain conversion, s = 1) or from the data, the common FP8 recipe
 *     {@code s = max(amax / format.max(), 2^-126)} ({@link #perTensor(FpFormat)}).</li>
 * <li>{@link Scaling#CHANNEL}: one scale per channel along an axis of a row-major shape, explicit or
 *     {@code max(amax_c / format.max(), 2^-126)} from the data.</li>
 * <li>{@link Scaling#MX}: OCP MX v1.0 microscaling: blocks of 32 consecutive elements along an axis,
 *     each with a shared E8M0 scale 2^k chosen by {@link MxScaleRounding}.</li>
 * <li>{@link Scaling#NVFP4}: E2M1 elements in blocks of 16, each block with an E4M3 scale, and one
 *     FP32 tensor scale.</li>
 * </ul>
 *
 * <p>One element x with decode scale s (all float32, in this order):
 * <pre>
 *   y   = x * (1.0f / s)                 (1/s computed once per scale; exact for MX's powers of two)
 *   v   = round y to the format          (HALF_EVEN or STOCHASTIC, then saturate or overflow)
 *   out = v * s
 * </pre>
 * Rounding to the format: with a = |y| and e = max(floor(log2 a), emin), the quantum is
 * q = 2^(e − mantissaBits); HALF_EVEN rounds a to the nearest multiple of q, ties to the even
 * multiple (the IEEE rule: the result with an even mantissa); STOCHASTIC rounds a/q down or up with
 * probability equal to its fractional part, using Philox4x32-10 keyed by (seed, streamOffset + i) for
 * element i of the call, exactly as {@link Rounding#STOCHASTIC} (up iff frac(a/q) ≥ 1 − u; the sign
 * is applied afterwards, so fq(−x) = −fq(x) for the same u). A result above max becomes max when
 * saturating (the default; ±Inf inputs become ±max too) and the format's overflow value otherwise
 * (±Inf for E5M2, NaN for E4M3; the other formats only convert saturating). NaN stays NaN. The sign
 * of zero is kept, except for INT8 (no −0 code), whose zeros are +0.
 *
 * <p>MX: for a block with max magnitude amax, the shared scale is X = 2^k (see
 * {@link MxScaleRounding}; k ∈ [−127, 127], amax = 0 gives k = −127); a block holding a NaN or an
 * infinity gets the NaN scale and every element of it becomes NaN. NVFP4: with tensor max amax_t,
 * the tensor scale is {@code g = max(amax_t / 2688, 2^-118)} (2688 = 448·6); block b's scale is
 * {@code sb = E4M3(amax_b / 6 * (1/g))} (HALF_EVEN, saturating) and its decode scale is
 * {@code d = sb * g}; elements use s = d; a block whose sb is 0 decodes to signed zeros. A tensor
 * holding a NaN or an infinity makes every output of a data-scaled quantizer (TENSOR or CHANNEL
 * from data, NVFP4) NaN.
 *
 * <p>Layout: channels and blocks follow Kure's row-major convention. {@code perChannel(..., shape,
 * axis)} and {@link #withBlockAxis(int[], int)} view the tensor as [outer, A, inner] with A =
 * shape[axis]; a block holds up to 32 (NVFP4: 16) consecutive indices along the axis for fixed
 * outer and inner indices, and a line whose length A is not a multiple of the block size ends with a
 * shorter block. Without {@code withBlockAxis} the blocks run over the flat tensor (blocks along the
 * last axis whenever that axis's length is a multiple of the block size).
 */
public final class FpQuantizer {

    /** How values are scaled into the element format. */
    public enum Scaling {
        /** One FP32 scale for the tensor. */
        TENSOR,
        /** One FP32 scale per channel. */
        CHANNEL,
        /** OCP MX: blocks of 32 with an E8M0 scale. */
        MX,
        /** NVFP4: blocks of 16 with an E4M3 scale, and an FP32 tensor scale. */
        NVFP4
    }

    /** MX block size (OCP MX v1.0). */
    public static final int MX_BLOCK = 32;
    /** NVFP4 block size. */
    public static final int NVFP4_BLOCK = 16;

    private final FpFormat format;
    private final Scaling scaling;
    private final float[] scales;     // explicit TENSOR / CHANNEL scales, or null: from the data
    private final int[] shape;        // CHANNEL, or a block axis; null: flat
    private final int axis;
    private final MxScaleRounding mxRounding;
    private final Rounding rounding;
    private final long seed;
    private final long streamOffset;
    private final boolean saturating;

    private FpQuantizer(FpFormat format, Scaling scaling, float[] scales, int[] shape, int axis,
                        MxScaleRounding mxRounding, Rounding rounding, long seed, long streamOffset,
                        boolean saturating) {
        this.format = format;
        this.scaling = scaling;
        this.scales = scales;
        this.shape = shape;
        this.axis = axis;
        this.mxRounding = mxRounding;
        this.rounding = rounding;
        this.seed = seed;
        this.streamOffset = streamOffset;
        this.saturating = saturating;
    }

    // ---- factories -------------------------------------------------------------------------

    /** The plain conversion to {@code format} (per-tensor scale 1): what a cast to the format does. */
    public static FpQuantizer of(FpFormat format) {
        return perTensor(format, 1f);
    }

    /** Per-tensor scaling with an explicit FP32 decode scale (finite, > 0). */
    public static FpQuantizer perTensor(FpFormat format, float scale) {
        Check.notNull(format, "format");
        Check.scale(scale, "scale");
        return new FpQuantizer(format, Scaling.TENSOR, new float[] {scale}, null, -1, null,
                Rounding.HALF_EVEN, 0, 0, true);
    }

    /** Per-tensor scaling from the data: {@code s = max(amax / format.max(), 2^-126)} (the FP8 recipe). */
    public static FpQuantizer perTensor(FpFormat format) {
        Check.notNull(format, "format");
        return new FpQuantizer(format, Scaling.TENSOR, null, null, -1, null, Rounding.HALF_EVEN, 0, 0, true);
    }

    /**
     * Per-channel scaling along {@code axis} of a row-major {@code shape}, from the data: channel c
     * gets {@code max(amax_c / format.max(), 2^-126)}.
     */
    public static FpQuantizer perChannel(FpFormat format, int[] shape, int axis) {
        Check.notNull(format, "format");
        int[] sh = checkedShape(shape, axis);
        return new FpQuantizer(format, Scaling.CHANNEL, null, sh, axis, null, Rounding.HALF_EVEN, 0, 0, true);
    }

    /** Per-channel scaling with explicit decode scales, one per index along {@code axis} (copied). */
    public static FpQuantizer perChannel(FpFormat format, float[] scales, int[] shape, int axis) {
        Check.notNull(format, "format");
        Check.notNull(scales, "scales");
        int[] sh = checkedShape(shape, axis);
        if (scales.length != sh[axis]) {
            throw new IllegalArgumentException("scales must have shape[axis] = " + sh[axis] + " entries, had "
                    + scales.length);
        }
        for (int i = 0; i < scales.length; i++) {
            Check.scale(scales[i], "scales[" + i + "]");
        }
        return new FpQuantizer(format, Scaling.CHANNEL, scales.clone(), sh, axis, null, Rounding.HALF_EVEN, 0, 0,
                true);
    }

    /** OCP MX with the specification's scale rule ({@link MxScaleRounding#FLOOR}). */
    public static FpQuantizer mx(FpFormat element) {
        return mx(element, MxScaleRounding.FLOOR);
    }

    /** OCP MX: blocks of 32 with an E8M0 shared scale chosen by {@code scaleRounding}. */
    public static FpQuantizer mx(FpFormat element, MxScaleRounding scaleRounding) {
        Check.notNull(element, "element");
        Check.notNull(scaleRounding, "scaleRounding");
        return new FpQuantizer(element, Scaling.MX, null, null, -1, scaleRounding, Rounding.HALF_EVEN, 0, 0, true);
    }

    /** MXFP8: E4M3 elements (the common MXFP8 variant; {@code mx(E5M2)} is the other). */
    public static FpQuantizer mxfp8() {
        return mx(FpFormat.E4M3);
    }

    /** MXFP6: E2M3 elements ({@code mx(E3M2)} is the other variant). */
    public static FpQuantizer mxfp6() {
        return mx(FpFormat.E2M3);
    }

    /** MXFP4: E2M1 elements. */
    public static FpQuantizer mxfp4() {
        return mx(FpFormat.E2M1);
    }

    /** MXINT8: int8 elements with an implicit 2^-6. */
    public static FpQuantizer mxint8() {
        return mx(FpFormat.INT8);
    }

    /** NVFP4: E2M1 elements, blocks of 16 with E4M3 scales, an FP32 tensor scale from the data. */
    public static FpQuantizer nvfp4() {
        return new FpQuantizer(FpFormat.E2M1, Scaling.NVFP4, null, null, -1, null, Rounding.HALF_EVEN, 0, 0, true);
    }

    // ---- modifiers -------------------------------------------------------------------------

    /** Blocks (MX, NVFP4) along {@code axis} of the row-major {@code shape} instead of the flat tensor. */
    public FpQuantizer withBlockAxis(int[] shape, int axis) {
        if (scaling != Scaling.MX && scaling != Scaling.NVFP4) {
            throw new IllegalArgumentException("withBlockAxis applies to MX and NVFP4 quantizers, not " + scaling);
        }
        return new FpQuantizer(format, scaling, scales, checkedShape(shape, axis), axis, mxRounding, rounding, seed,
                streamOffset, saturating);
    }

    /** Element rounding: {@link Rounding#HALF_EVEN} (default) or {@link Rounding#STOCHASTIC}. */
    public FpQuantizer withRounding(Rounding r) {
        Check.notNull(r, "rounding");
        if (r != Rounding.HALF_EVEN && r != Rounding.STOCHASTIC) {
            throw new IllegalArgumentException("floating-point formats round HALF_EVEN or STOCHASTIC, was " + r);
        }
        return new FpQuantizer(format, scaling, scales, shape, axis, mxRounding, r, seed, streamOffset, saturating);
    }

    /** The seed of STOCHASTIC rounding. */
    public FpQuantizer withSeed(long s) {
        return new FpQuantizer(format, scaling, scales, shape, axis, mxRounding, rounding, s, streamOffset, saturating);
    }

    /** The Philox stream index of element 0 of a call (≥ 0); element i uses offset + i. */
    public FpQuantizer withStreamOffset(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("streamOffset must be >= 0, was " + offset);
        }
        return new FpQuantizer(format, scaling, scales, shape, axis, mxRounding, rounding, seed, offset, saturating);
    }

    /**
     * Saturating (default) or the non-saturating conversion, where an overflow becomes ±Inf (E5M2)
     * or NaN (E4M3). The formats without Inf and NaN (E2M3, E3M2, E2M1, INT8) only saturate.
     */
    public FpQuantizer withSaturation(boolean saturate) {
        if (!saturate && !format.hasNaN()) {
            throw new IllegalArgumentException(format + " has no Inf or NaN encoding, so it only converts saturating");
        }
        return new FpQuantizer(format, scaling, scales, shape, axis, mxRounding, rounding, seed, streamOffset,
                saturate);
    }

    // ---- accessors -------------------------------------------------------------------------

    /** The element format. */
    public FpFormat format() { return format; }

    /** The scaling. */
    public Scaling scaling() { return scaling; }

    /** Whether TENSOR / CHANNEL scales come from the data (MX and NVFP4 always do). */
    public boolean scalesFromData() { return scales == null; }

    /** The explicit TENSOR / CHANNEL decode scales (a copy), or null when they come from the data. */
    public float[] scales() { return scales == null ? null : scales.clone(); }

    /** The CHANNEL or block-axis shape (a copy), or null (flat). */
    public int[] shape() { return shape == null ? null : shape.clone(); }

    /** The channel or block axis, or −1. */
    public int axis() { return axis; }

    /** The MX scale rule (null unless MX). */
    public MxScaleRounding mxScaleRounding() { return mxRounding; }

    /** Elements per block: 32 (MX), 16 (NVFP4), 0 otherwise. */
    public int blockSize() {
        return scaling == Scaling.MX ? MX_BLOCK : scaling == Scaling.NVFP4 ? NVFP4_BLOCK : 0;
    }

    /** The element rounding. */
    public Rounding rounding() { return rounding; }

    /** The stochastic seed. */
    public long seed() { return seed; }

    /** The stochastic stream offset. */
    public long streamOffset() { return streamOffset; }

    /** Whether overflows saturate. */
    public boolean saturating() { return saturating; }

    /**
     * The number of elements this quantizer requires, from its shape, or −1 when any length works.
     */
    public long requiredLength() {
        return shape == null ? -1 : Check.volume(shape);
    }

    /** A short label: "FP8 E4M3 per tensor", "MXFP4 E2M1 (floor)", "NVFP4", ... */
    public String label() {
        String f = switch (format) {
            case E4M3, E5M2 -> "FP8 " + format;
            case E2M3, E3M2 -> "FP6 " + format;
            case E2M1 -> "FP4 E2M1";
            case INT8 -> "INT8";
        };
        String base = switch (scaling) {
            case TENSOR -> f + (scales != null && scales[0] == 1f ? "" : " per tensor");
            case CHANNEL -> f + " per channel";
            case MX -> "MX" + f.replace(" ", "").replace("FP8E", "FP8 E").replace("FP6E", "FP6 E")
                    .replace("FP4E", "FP4 E") + " (" + mxRounding.name().toLowerCase(java.util.Locale.ROOT) + ")";
            case NVFP4 -> "NVFP4";
        };
        return base + (rounding == Rounding.STOCHASTIC ? ", stochastic" : "") + (saturating ? "" : ", non-saturating");
    }

    @Override
    public String toString() {
        return "FpQuantizer[" + label() + (scales == null ? "" : ", scales=" + Arrays.toString(scales))
                + (shape == null ? "" : ", shape=" + Arrays.toString(shape) + ", axis=" + axis)
                + (rounding == Rounding.STOCHASTIC ? ", seed=" + seed + ", streamOffset=" + streamOffset : "") + "]";
    }

    private static int[] checkedShape(int[] shape, int axis) {
        Check.notNull(shape, "shape");
        Check.volume(shape);
        Check.axis(axis, shape);
        return shape.clone();
    }
}
