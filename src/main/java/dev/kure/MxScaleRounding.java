package dev.kure;

/**
 * How an OCP MX block's shared E8M0 scale X = 2^k is chosen from the block's largest magnitude
 * {@code amax} and the element format's {@code emax} and {@code max} (see {@link FpFormat}). In every
 * variant k is clamped to the E8M0 range [−127, 127]; an all-zero block gets k = −127; a block that
 * holds a NaN or an infinity gets the NaN scale (code 0xFF) and decodes to NaN throughout.
 */
public enum MxScaleRounding {
    /**
     * The OCP MX v1.0 rule: {@code k = floor(log2(amax)) − emax}. Elements with |x|/X above the
     * format's max (up to 2^(emax+1)/max − 1 of the block range, e.g. amax/X ∈ (6, 8) for FP4) are
     * clamped. torchao's {@code ScaleCalculationMode.FLOOR}.
     */
    FLOOR,
    /**
     * The smallest power of two that clips nothing: {@code k = ceil(log2(amax / max))}, so
     * amax/X ≤ max. NVIDIA's "RCEIL" (cuBLAS and Transformer Engine MXFP8) and torchao's
     * {@code ScaleCalculationMode.RCEIL}.
     */
    CEIL,
    /**
     * Round amax to the element's precision first (its significand to {@code mantissaBits} bits,
     * ties up), then take the floor: {@code k = floor(log2(round_m(amax))) − emax}. The scale steps
     * up exactly where amax would round past the top binade. torchao calls this
     * {@code ScaleCalculationMode.EVEN}.
     */
    NEAREST
}
