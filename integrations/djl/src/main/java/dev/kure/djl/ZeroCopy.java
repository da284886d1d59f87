package dev.kure.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Views of DJL arrays as {@link MemorySegment}s over the tensor's own memory, so Kure's kernels read
 * and write PyTorch tensors in place.
 *
 * <p>With the PyTorch engine, {@code NDArray.toByteBuffer(true)} returns a direct buffer over the
 * tensor's storage when the tensor is a dense, contiguous CPU tensor (parameters and their gradients
 * are); for any other tensor the engine silently hands back a contiguous <em>copy</em>, and writes
 * would be lost. {@link #of} therefore checks that two successive views share one address (a copy is
 * made anew each time) and refuses otherwise.
 */
public final class ZeroCopy {
    private ZeroCopy() {}

    /**
     * A segment over the float32 elements of {@code array} (native byte order, the engine's).
     *
     * @throws IllegalArgumentException if the array is not float32 on the CPU, or the engine cannot
     *     expose its memory without copying
     */
    public static MemorySegment of(NDArray array) {
        if (array.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("zero-copy access needs a float32 array, was " + array.getDataType());
        }
        if (!Device.Type.CPU.equals(array.getDevice().getDeviceType())) {
            throw new IllegalArgumentException("zero-copy access needs a CPU array, was on " + array.getDevice());
        }
        ByteBuffer first = array.toByteBuffer(true);
        if (!first.isDirect() || first.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("the " + array.getManager().getEngine().getEngineName()
                    + " engine returned a heap copy, not a view of the tensor's memory");
        }
        MemorySegment seg = MemorySegment.ofBuffer(first);
        MemorySegment again = MemorySegment.ofBuffer(array.toByteBuffer(true));
        if (seg.address() != again.address()) {
            throw new IllegalArgumentException("array of shape " + array.getShape()
                    + " is not contiguous: the engine exposes only copies of it");
        }
        long expected = array.size() * Float.BYTES;
        if (seg.byteSize() != expected) {
            throw new IllegalArgumentException("view of " + seg.byteSize() + " bytes for " + array.size() + " floats");
        }
        return seg;
    }
}
