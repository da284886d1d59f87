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

    /**
     * Writes {@code src} as little-endian elements of {@code type} at the start of {@code dst}: F32
     * unchanged, F64 exactly (widening), F16 by {@link Float#floatToFloat16} and BF16 by
     * {@link #floatToBf16}, both rounding to nearest, ties to even (overflow to infinity, NaN stays NaN).
     */
    static void fromFloats(float[] src, DType type, MemorySegment dst) {
        ValueLayout.OfShort half = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> MemorySegment.copy(src, 0, dst, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
                    0, src.length);
            case F16 -> {
                for (int i = 0; i < src.length; i++) {
                    dst.setAtIndex(half, i, Float.floatToFloat16(src[i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < src.length; i++) {
                    dst.setAtIndex(half, i, floatToBf16(src[i]));
                }
            }
            case F64 -> {
                ValueLayout.OfDouble d = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < src.length; i++) {
                    dst.setAtIndex(d, i, src[i]);
                }
            }
        }
    }

    /**
     * The bfloat16 nearest to {@code f}, ties to even (the upper 16 bits of the rounded binary32);
     * NaN stays a quiet NaN with the same sign, values beyond the largest bfloat16 become infinities.
     */
    static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
