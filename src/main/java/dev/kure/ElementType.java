package dev.kure;

/**
 * The element type of a tensor in a {@link TensorView}: how its values are stored, little-endian.
 *
 * <p>Kernels read every type as float32 (BF16 and F16 widen exactly) and compute in float32, as the
 * array kernels do, so a 16-bit input gives the float32 array path's result on its widened values.
 * Writing a float32 result into a 16-bit tensor rounds it to nearest, ties to even (IEEE 754
 * {@code roundTiesToEven}); NaN stays NaN (quiet), ±Inf stays ±Inf, and finite values beyond the
 * type's range become ±Inf (BF16 has float32's range; F16 overflows above 65504 and rounds values
 * below 2^-24 to ±0).
 */
public enum ElementType {
    /** IEEE 754 binary32. */
    F32(4),
    /** bfloat16: the high 16 bits of a binary32 (8 exponent bits, 7 fraction bits). */
    BF16(2),
    /** IEEE 754 binary16 (5 exponent bits, 10 fraction bits), as {@link Float#float16ToFloat}. */
    F16(2);

    private final int bytes;

    ElementType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element: 4 or 2. */
    public int byteSize() {
        return bytes;
    }
}
