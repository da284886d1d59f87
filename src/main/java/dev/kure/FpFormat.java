package dev.kure;

/**
 * The low-precision element formats of Kure's floating-point quantizers (OCP 8-bit floating point
 * v1.0 and OCP Microscaling v1.0), plus the MXINT8 element. Every format has a sign bit, ±0 and
 * subnormals; a value with exponent field E and mantissa field M is
 * {@code (-1)^S · 2^(E − bias) · (1 + M/2^m)} for E ≥ 1 and {@code (-1)^S · 2^(1 − bias) · M/2^m}
 * for E = 0. Special values, per format:
 *
 * <table>
 * <caption>Formats</caption>
 * <tr><th>format</th><th>bits</th><th>bias</th><th>max</th><th>min subnormal</th><th>Inf</th><th>NaN</th></tr>
 * <tr><td>E4M3</td><td>8</td><td>7</td><td>448</td><td>2^-9</td><td>none</td><td>S.1111.111</td></tr>
 * <tr><td>E5M2</td><td>8</td><td>15</td><td>57344</td><td>2^-16</td><td>S.11111.00</td><td>S.11111.{01,10,11}</td></tr>
 * <tr><td>E2M3</td><td>6</td><td>1</td><td>7.5</td><td>0.125</td><td>none</td><td>none</td></tr>
 * <tr><td>E3M2</td><td>6</td><td>3</td><td>28</td><td>0.0625</td><td>none</td><td>none</td></tr>
 * <tr><td>E2M1</td><td>4</td><td>1</td><td>6</td><td>0.5</td><td>none</td><td>none</td></tr>
 * <tr><td>INT8</td><td>8</td><td>—</td><td>127/64</td><td>1/64</td><td>none</td><td>none</td></tr>
 * </table>
 *
 * <p>INT8 is the MXINT8 element: a two's-complement byte k read as k/64. Kure uses the symmetric
 * range k ∈ [−127, 127] (the code −128 is never produced; it decodes to −2). Its values are exactly
 * those of a sign-magnitude "E1M6" format with bias 1, which is how the arithmetic treats it.
 *
 * <p>Details of the conversion (rounding, saturation, NaN and infinities) are in {@link FpQuantizer}
 * and docs/fp-formats.md.
 */
public enum FpFormat {
    /** FP8 E4M3 (OCP "E4M3FN"): no infinities, one NaN pattern per sign, max 448. */
    E4M3(8, 4, 3, 7, 448f),
    /** FP8 E5M2: IEEE-like with ±Inf and NaNs, max 57344. */
    E5M2(8, 5, 2, 15, 57344f),
    /** FP6 E2M3: no Inf or NaN, max 7.5. */
    E2M3(6, 2, 3, 1, 7.5f),
    /** FP6 E3M2: no Inf or NaN, max 28. */
    E3M2(6, 3, 2, 3, 28f),
    /** FP4 E2M1: values ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}, no Inf or NaN. */
    E2M1(4, 2, 1, 1, 6f),
    /** The MXINT8 element: int8 with an implicit scale 2^-6, symmetric [−127, 127]/64. */
    INT8(8, 1, 6, 1, 127f / 64f);

    private final int bits;
    private final int exponentBits;
    private final int mantissaBits;
    private final int bias;
    private final float max;

    FpFormat(int bits, int exponentBits, int mantissaBits, int bias, float max) {
        this.bits = bits;
        this.exponentBits = exponentBits;
        this.mantissaBits = mantissaBits;
        this.bias = bias;
        this.max = max;
    }

    /** Storage bits of one element (8, 6 or 4). */
    public int bits() {
        return bits;
    }

    /** Exponent field width (INT8: 1, see the class docs). */
    public int exponentBits() {
        return exponentBits;
    }

    /** Mantissa (fraction) field width. */
    public int mantissaBits() {
        return mantissaBits;
    }

    /** Exponent bias. */
    public int bias() {
        return bias;
    }

    /** The largest finite value. */
    public float max() {
        return max;
    }

    /** The exponent of the largest binade, {@code floor(log2(max))}: OCP MX's emax_elem. */
    public int emax() {
        return Math.getExponent(max);
    }

    /** The exponent of the smallest normal binade, {@code 1 − bias}. */
    public int emin() {
        return 1 - bias;
    }

    /** Whether the format encodes ±Inf (only E5M2). */
    public boolean hasInfinity() {
        return this == E5M2;
    }

    /** Whether the format encodes NaN (E4M3 and E5M2). */
    public boolean hasNaN() {
        return this == E4M3 || this == E5M2;
    }

    /**
     * What an overflow becomes under the non-saturating conversion: +Inf for E5M2, NaN for E4M3;
     * the other formats have neither and only convert saturating (this throws for them).
     */
    public float overflowValue() {
        if (this == E5M2) {
            return Float.POSITIVE_INFINITY;
        }
        if (this == E4M3) {
            return Float.NaN;
        }
        throw new IllegalArgumentException(this + " has no Inf or NaN encoding, so it only converts saturating");
    }
}
