package dev.kure.io;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Writes float32 NumPy {@code .npy} files ({@code descr '<f4'}, C order), readable by
 * {@code numpy.load}. Format 1.0, or 2.0 when the header would exceed 65535 bytes; the header is
 * padded so that the data starts at a multiple of 64 bytes. Written to a temporary file in the same
 * directory and moved into place: on failure the target is untouched.
 */
public final class NpyWriter {
    private NpyWriter() {
    }

    /**
     * Writes an array.
     *
     * @param out the file to create or replace
     * @param shape the shape ({@code {}} for a scalar); its product must equal {@code data.length}
     * @param data the values, row-major
     * @throws IllegalArgumentException if the shape does not match the data
     * @throws TensorFileException if writing fails
     */
    public static void write(Path out, long[] shape, float[] data) {
        Objects.requireNonNull(data, "data");
        ByteBuffer header = header(shape, data.length);
        try (AtomicWrite w = new AtomicWrite(out)) {
            w.write(header);
            w.write(data);
            w.commit();
        }
    }

    /**
     * Writes an array from a segment of little-endian float32 values.
     *
     * @param out the file to create or replace
     * @param shape the shape; its product times 4 must equal {@code data.byteSize()}
     * @param data the values, row-major, little-endian
     * @throws IllegalArgumentException if the shape does not match the data
     * @throws TensorFileException if writing fails
     */
    public static void write(Path out, long[] shape, MemorySegment data) {
        Objects.requireNonNull(data, "data");
        if (data.byteSize() % 4 != 0) {
            throw new IllegalArgumentException("segment of " + data.byteSize() + " bytes is not whole floats");
        }
        ByteBuffer header = header(shape, data.byteSize() / 4);
        try (AtomicWrite w = new AtomicWrite(out)) {
            w.write(header);
            w.write(data);
            w.commit();
        }
    }

    private static ByteBuffer header(long[] shape, long count) {
        Objects.requireNonNull(shape, "shape");
        long n = 1;
        StringBuilder dims = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, shape[i]);
            dims.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        dims.append(shape.length == 1 ? ",)" : ")");
        if (n != count) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has " + n
                    + " elements but the data has " + count);
        }
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + dims + ", }";
        int textLen = dict.length() + 1; // with the final newline
        boolean v1 = ((10 + textLen + 63) & ~63) - 10 <= 0xFFFF;
        int pre = v1 ? 10 : 12;
        int total = (pre + textLen + 63) & ~63;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Npy.MAGIC).put((byte) (v1 ? 1 : 2)).put((byte) 0);
        if (v1) {
            b.putShort((short) (total - pre));
        } else {
            b.putInt(total - pre);
        }
        b.put(dict.getBytes(StandardCharsets.ISO_8859_1));
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.flip();
    }
}
