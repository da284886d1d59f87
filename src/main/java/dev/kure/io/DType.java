package dev.kure.io;

/**
 * Element types that {@link TensorFile} can convert to float32.
 *
 * <p>Tensors of any other type (integers, booleans, 8-bit floats, complex numbers ...) are still
 * listed by {@link TensorFile#tensors()}, with {@link TensorInfo#dtype()} {@code null} and the
 * file's own name for the type in {@link TensorInfo#rawDtype()}, but cannot be read as floats.
 */
public enum DType {
    /** IEEE 754 binary32. */
    F32(4),
    /** IEEE 754 binary16 (half precision), subnormals included. */
    F16(2),
    /** bfloat16: the upper 16 bits of a binary32. */
    BF16(2),
    /** IEEE 754 binary64; narrowed to float32 with round-to-nearest-even on reading. */
    F64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /**
     * Size of one element in bytes.
     *
     * @return 2, 4 or 8
     */
    public int byteSize() {
        return byteSize;
    }

    /**
     * The value of this type nearest to {@code v}, as a float: what writing {@code v} as this type
     * and reading it back gives. F16 and BF16 round to nearest, ties to even (beyond the largest
     * finite value: infinity; NaN stays NaN); F32 and F64 hold every float exactly.
     *
     * @param v a float value
     * @return {@code v} rounded to this type
     */
    public float round(float v) {
        return switch (this) {
            case F32, F64 -> v;
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(v));
            case BF16 -> Convert.bf16ToFloat(Convert.floatToBf16(v));
        };
    }

    /**
     * The safetensors name of a dtype string, if it is one of the supported types.
     *
     * @param safetensorsName a safetensors dtype such as {@code "F32"} or {@code "BF16"} (exact case)
     * @return the type, or {@code null} when the name is not one of F32, F16, BF16, F64
     */
    static DType fromSafetensors(String safetensorsName) {
        return switch (safetensorsName) {
            case "F32" -> F32;
            case "F16" -> F16;
            case "BF16" -> BF16;
            case "F64" -> F64;
            default -> null;
        };
    }

    /**
     * The safetensors name of this type.
     *
     * @return e.g. {@code "BF16"}
     */
    String safetensorsName() {
        return name();
    }
}
