package dev.kure.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * Where one tensor lives in a file and what it holds.
 *
 * @param name the tensor's name: the safetensors key, the {@code .npz} member name without
 *     {@code .npy}, or the file name without {@code .npy} for a single {@code .npy} file
 * @param dtype the element type, or {@code null} when the file's type is not one this package
 *     converts (then {@link TensorFile#floats(String)} refuses the tensor)
 * @param rawDtype the file's own spelling of the type: {@code "BF16"}, {@code "I64"} (safetensors),
 *     {@code "<f4"}, {@code ">f2"} (NumPy descr)
 * @param shape dimensions, row-major (C order); empty for a scalar; a dimension may be 0
 * @param offset byte offset of the first element from the start of the file, or {@code -1} when
 *     the data is stored compressed (a deflated {@code .npz} member)
 * @param byteLength length of the (uncompressed) data in bytes
 */
public record TensorInfo(String name, DType dtype, String rawDtype, long[] shape, long offset, long byteLength) {

    /**
     * Validates and copies the shape.
     *
     * @throws IllegalArgumentException if a dimension or the byte length is negative, or the
     *     element count overflows a long
     */
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(rawDtype, "rawDtype");
        shape = Objects.requireNonNull(shape, "shape").clone();
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (byteLength < 0) {
            throw new IllegalArgumentException("negative byte length " + byteLength);
        }
        if (offset < -1) {
            throw new IllegalArgumentException("offset " + offset);
        }
    }

    /**
     * The dimensions.
     *
     * @return a fresh copy of the shape
     */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Number of dimensions.
     *
     * @return 0 for a scalar
     */
    public int rank() {
        return shape.length;
    }

    /**
     * Number of elements: the product of the dimensions (1 for a scalar, 0 if any dimension is 0).
     *
     * @return the element count
     */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d; // cannot overflow: checked in the constructor
        }
        return n;
    }

    /**
     * Whether {@link TensorFile#floats(String)} can read this tensor.
     *
     * @return {@code dtype() != null}
     */
    public boolean isSupported() {
        return dtype != null;
    }

    /**
     * Whether the data is stored compressed (a deflated {@code .npz} member), so that reading it
     * inflates it into memory instead of mapping it.
     *
     * @return {@code offset() < 0}
     */
    public boolean isCompressed() {
        return offset < 0;
    }

    /**
     * Compares all components, the shape by content.
     *
     * @param o another object
     * @return whether {@code o} is an equal {@code TensorInfo}
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t
                && name.equals(t.name) && dtype == t.dtype && rawDtype.equals(t.rawDtype)
                && Arrays.equals(shape, t.shape) && offset == t.offset && byteLength == t.byteLength;
    }

    /**
     * Hash of all components, the shape by content.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, rawDtype, Arrays.hashCode(shape), offset, byteLength);
    }

    /**
     * A readable description, e.g. {@code conv1.weight BF16 [64, 3, 7, 7] @1024+18816}.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return name + " " + rawDtype + " " + Arrays.toString(shape)
                + (offset < 0 ? " (compressed, " + byteLength + " bytes)" : " @" + offset + "+" + byteLength);
    }
}
