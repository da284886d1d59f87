package dev.kure;

import java.lang.foreign.MemorySegment;

/**
 * A tensor in memory a framework owns: a {@link MemorySegment} (heap or native, any alignment) of
 * little-endian elements of one {@link ElementType}. The view never copies; kernels read and write
 * the segment in blocks of a few KiB (16-bit values are widened to float32 only inside such a block).
 *
 * <pre>{@code
 * MemorySegment w = MemorySegment.ofBuffer(ndArray.toByteBuffer(true));   // a BF16 weight, in place
 * Kernels.cpu().fakeQuantize(TensorView.bf16(w), TensorView.bf16(w), q);
 * }</pre>
 *
 * <p>The segment's byte size must be a multiple of the element size; the element count is
 * {@code byteSize / elementSize} and may exceed 2^31. An output view must not be read-only, and must
 * either be the input view's memory exactly (in place) or not overlap it.
 *
 * @param segment the memory
 * @param type    how the elements are stored
 */
public record TensorView(MemorySegment segment, ElementType type) {
    /**
     * @throws NullPointerException     if segment or type is null
     * @throws IllegalArgumentException if the byte size is not a multiple of the element size
     */
    public TensorView {
        Check.notNull(segment, "segment");
        Check.notNull(type, "type");
        if (segment.byteSize() % type.byteSize() != 0) {
            throw new IllegalArgumentException(type + " segment byte size must be a multiple of " + type.byteSize()
                    + ", was " + segment.byteSize());
        }
    }

    /** A float32 view of {@code segment}. */
    public static TensorView f32(MemorySegment segment) {
        return new TensorView(segment, ElementType.F32);
    }

    /** A bfloat16 view of {@code segment}. */
    public static TensorView bf16(MemorySegment segment) {
        return new TensorView(segment, ElementType.BF16);
    }

    /** A float16 view of {@code segment}. */
    public static TensorView f16(MemorySegment segment) {
        return new TensorView(segment, ElementType.F16);
    }

    /** A float32 view of all of {@code x} (a heap segment; no copy). */
    public static TensorView of(float[] x) {
        return f32(MemorySegment.ofArray(Check.notNull(x, "x")));
    }

    /** Number of elements. */
    public long count() {
        return segment.byteSize() / type.byteSize();
    }

    /**
     * Elements {@code [offset, offset + count)} of this view, same type (no copy).
     *
     * @throws IllegalArgumentException if the range is outside the view
     */
    public TensorView slice(long offset, long count) {
        long n = count();
        if (offset < 0 || count < 0 || offset > n - count) {
            throw new IllegalArgumentException("slice [offset=" + offset + ", count=" + count
                    + "] is outside the view of " + n + " " + type + " elements");
        }
        return new TensorView(segment.asSlice(offset * type.byteSize(), count * type.byteSize()), type);
    }
}
