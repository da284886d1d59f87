package dev.kure.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Exact conversions of stored elements to float32. */
final class Convert {
    private Convert() {
    }

    /**
     * Converts {@code count} elements of {@code type} stored in {@code order} at the start of
     * {@code src} into floats written with {@code dstLayout} at the start of {@code dst}.
     *
     * <p>F16: {@link Float#float16ToFloat} (exact: subnormals, infinities, NaN). BF16: the 16 bits
     * become the upper half of a binary32 (exact). F64: the Java narrowing conversion,
     * round-to-nearest-even, overflow to infinity, NaN stays NaN.
     */
    static void toFloats(MemorySegment src, DType type, ByteOrder order, long count,
                         MemorySegment dst, ValueLayout.OfFloat dstLayout) {
        switch (type) {
            case F32 -> MemorySegment.copy(src, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(order), 0,
                    dst, dstLayout, 0, count);
            case F16 -> {
                ValueLayout.OfShort in = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order);
                for (long i = 0; i < count; i++) {
                    dst.setAtIndex(dstLayout, i, Float.float16ToFloat(src.getAtIndex(in, i)));
                }
            }
            case BF16 -> {
                ValueLayout.OfShort in = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order);
                for (long i = 0; i < count; i++) {
                    dst.setAtIndex(dstLayout, i, bf16ToFloat(src.getAtIndex(in, i)));
                }
            }
            case F64 -> {
                ValueLayout.OfDouble in = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(order);
                for (long i = 0; i < count; i++) {
                    dst.setAtIndex(dstLayout, i, (float) src.getAtIndex(in, i));
                }
            }
        }
    }

    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
