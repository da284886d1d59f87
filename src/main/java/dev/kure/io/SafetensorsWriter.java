package dev.kure.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes a safetensors file from float32 tensors, raw tensors of any safetensors dtype, and
 * optional metadata.
 *
 * <p>The header lists tensors in the order they were added (with {@code "__metadata__"} first). The
 * data section stores tensors by decreasing element size (8-, 4-, 2-, 1-byte types, stable within
 * each size), contiguously, and the header is padded with spaces to a multiple of 8 bytes, so every
 * tensor is aligned to its element size, as the reference implementation does. {@link #write(Path)}
 * writes a temporary file in the target's directory and moves it into place: on failure the target
 * is untouched.
 *
 * <p>Arrays and segments given to the {@code add} methods are not copied: they must stay unchanged
 * (and segments alive) until {@link #write(Path)} returns.
 *
 * <pre>{@code
 * new SafetensorsWriter()
 *     .putMetadata("format", "pt")
 *     .addFloats("fc.weight", new long[] {10, 784}, weights)
 *     .write(Path.of("model.safetensors"));
 * }</pre>
 */
public final class SafetensorsWriter {
    private record Item(String name, String dtype, long[] shape, long byteLength, int bits, Object data) {
    }

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Item> items = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    /** Creates an empty writer. */
    public SafetensorsWriter() {
    }

    /**
     * Adds (or replaces) one {@code "__metadata__"} entry.
     *
     * @param key the key
     * @param value the value
     * @return this writer
     */
    public SafetensorsWriter putMetadata(String key, String value) {
        metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * Adds (or replaces) {@code "__metadata__"} entries, in the map's iteration order.
     *
     * @param entries the entries
     * @return this writer
     */
    public SafetensorsWriter putMetadata(Map<String, String> entries) {
        entries.forEach(this::putMetadata);
        return this;
    }

    /**
     * Adds a float32 tensor from an array.
     *
     * @param name the tensor's name: unique, not {@code "__metadata__"}
     * @param shape its shape ({@code {}} for a scalar); the product must equal {@code data.length}
     * @param data the values, row-major
     * @return this writer
     * @throws IllegalArgumentException on a duplicate or reserved name, a negative dimension, or a
     *     length that does not match the shape
     */
    public SafetensorsWriter addFloats(String name, long[] shape, float[] data) {
        Objects.requireNonNull(data, "data");
        return add(name, "F32", shape, (long) data.length * 4, data);
    }

    /**
     * Adds a float32 tensor from a segment of little-endian float32 values.
     *
     * @param name the tensor's name: unique, not {@code "__metadata__"}
     * @param shape its shape; the product times 4 must equal {@code data.byteSize()}
     * @param data the values, row-major, little-endian
     * @return this writer
     * @throws IllegalArgumentException on a duplicate or reserved name, a negative dimension, or a
     *     size that does not match the shape
     */
    public SafetensorsWriter addFloats(String name, long[] shape, MemorySegment data) {
        Objects.requireNonNull(data, "data");
        return add(name, "F32", shape, data.byteSize(), data);
    }

    /**
     * Adds a tensor of any safetensors dtype from its raw little-endian bytes, written unchanged.
     *
     * @param name the tensor's name: unique, not {@code "__metadata__"}
     * @param dtype a safetensors dtype name, e.g. {@code "BF16"}, {@code "I64"}, {@code "F8_E4M3"}
     * @param shape its shape; with the dtype it must account for exactly {@code bytes.byteSize()}
     * @param bytes the stored bytes
     * @return this writer
     * @throws IllegalArgumentException on an unknown dtype, a duplicate or reserved name, a negative
     *     dimension, or a size that does not match the shape
     */
    public SafetensorsWriter addRaw(String name, String dtype, long[] shape, MemorySegment bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return add(name, Objects.requireNonNull(dtype, "dtype"), shape, bytes.byteSize(), bytes);
    }

    private SafetensorsWriter add(String name, String dtype, long[] shape, long byteLength, Object data) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        if (name.equals(Safetensors.METADATA_KEY)) {
            throw new IllegalArgumentException("\"__metadata__\" is reserved and cannot name a tensor");
        }
        if (names.contains(name)) {
            throw new IllegalArgumentException("duplicate tensor name " + Entry.quote(name));
        }
        int bits = Safetensors.bits(dtype);
        if (bits < 0) {
            throw new IllegalArgumentException("unknown safetensors dtype \"" + dtype + "\"");
        }
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor " + Entry.quote(name) + ": negative dimension in "
                        + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, d);
        }
        long need = Safetensors.byteLength(count, bits);
        if (need != byteLength) {
            throw new IllegalArgumentException("tensor " + Entry.quote(name) + ": shape " + Arrays.toString(shape)
                    + " of " + dtype + " needs " + need + " bytes but the data has " + byteLength);
        }
        names.add(name);
        items.add(new Item(name, dtype, shape.clone(), byteLength, bits, data));
        return this;
    }

    /**
     * Writes the file: to a temporary file in the same directory, then moved onto {@code out}.
     *
     * @param out the file to create or replace
     * @throws TensorFileException if writing fails (then {@code out} is unchanged)
     */
    public void write(Path out) {
        Objects.requireNonNull(out, "out");
        try (AtomicWrite w = new AtomicWrite(out)) {
            writeTo(w);
            w.commit();
        }
    }

    /** Writes header and data into {@code w} (without committing). */
    void writeTo(AtomicWrite w) {
        // Data layout: larger elements first (stable), so each tensor is aligned to its element size.
        List<Item> layout = new ArrayList<>(items);
        layout.sort(Comparator.comparingInt((Item it) -> -Math.min(it.bits(), 64)));
        Map<Item, long[]> offsets = new LinkedHashMap<>();
        long pos = 0;
        for (Item it : layout) {
            offsets.put(it, new long[] {pos, pos + it.byteLength()});
            pos += it.byteLength();
        }
        StringBuilder json = new StringBuilder("{");
        boolean first = true;
        if (!metadata.isEmpty()) {
            Json.quote(json, Safetensors.METADATA_KEY).append(":{");
            boolean f = true;
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                if (!f) {
                    json.append(',');
                }
                f = false;
                Json.quote(json, m.getKey()).append(':');
                Json.quote(json, m.getValue());
            }
            json.append('}');
            first = false;
        }
        for (Item it : items) {
            if (!first) {
                json.append(',');
            }
            first = false;
            Json.quote(json, it.name()).append(":{\"dtype\":");
            Json.quote(json, it.dtype()).append(",\"shape\":[");
            for (int i = 0; i < it.shape().length; i++) {
                json.append(i == 0 ? "" : ",").append(it.shape()[i]);
            }
            long[] o = offsets.get(it);
            json.append("],\"data_offsets\":[").append(o[0]).append(',').append(o[1]).append("]}");
        }
        json.append('}');
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) & ~7;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(header);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        w.write(head.flip());
        for (Item it : layout) {
            if (it.data() instanceof float[] a) {
                w.write(a);
            } else {
                w.write((MemorySegment) it.data());
            }
        }
    }

    /**
     * Rewrites a safetensors file with some tensors replaced: the header order, the dtypes and bytes
     * of every other tensor, and the metadata are kept; replaced tensors are written as F32 with
     * their original shape. {@code in} and {@code out} may be the same file.
     *
     * @param in a safetensors file
     * @param out the file to create or replace
     * @param replacements new float32 values by tensor name, row-major
     * @throws TensorFileException if {@code in} is not a valid safetensors file, a replacement names
     *     no tensor of {@code in} or has the wrong number of elements, or writing fails (then
     *     {@code out} is unchanged)
     */
    public static void rewrite(Path in, Path out, Map<String, float[]> replacements) {
        rewriteAny(in, out, replacements, false);
    }

    /**
     * Like {@link #rewrite(Path, Path, Map)}, but each replaced tensor keeps its dtype: F16 and BF16
     * tensors are written back as F16 and BF16 (rounded to nearest, ties to even), F64 as F64
     * (exactly), F32 as F32. So a half-precision checkpoint stays the size it was.
     *
     * @param in a safetensors file
     * @param out the file to create or replace
     * @param replacements new float32 values by tensor name, row-major; each must name a tensor of
     *     a supported dtype (F32, F16, BF16, F64)
     * @throws TensorFileException as {@link #rewrite(Path, Path, Map)}, or if a replacement names a
     *     tensor of another dtype
     */
    public static void rewriteKeepingDtypes(Path in, Path out, Map<String, float[]> replacements) {
        rewriteAny(in, out, replacements, true);
    }

    /**
     * Like {@link #rewrite(Path, Path, Map)} with replacements given as segments of little-endian
     * float32 values (for tensors of more than 2^31 elements).
     *
     * @param in a safetensors file
     * @param out the file to create or replace
     * @param replacements new float32 values by tensor name, row-major, little-endian
     * @throws TensorFileException as {@link #rewrite(Path, Path, Map)}
     */
    public static void rewriteSegments(Path in, Path out, Map<String, MemorySegment> replacements) {
        rewriteAny(in, out, replacements, false);
    }

    private static void rewriteAny(Path in, Path out, Map<String, ?> replacements, boolean keepDtypes) {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(replacements, "replacements");
        AtomicWrite w;
        try (TensorFile tf = TensorFile.open(in)) {
            if (tf.format() != TensorFile.Format.SAFETENSORS) {
                throw new TensorFileException(in, "rewrite needs a safetensors file, not " + tf.format());
            }
            for (String name : replacements.keySet()) {
                if (tf.find(name).isEmpty()) {
                    throw new TensorFileException(in, "no tensor named " + Entry.quote(name) + " to replace");
                }
            }
            SafetensorsWriter sw = new SafetensorsWriter().putMetadata(tf.metadata());
            for (TensorInfo t : tf.tensors()) {
                Object r = replacements.get(t.name());
                if (r == null) {
                    sw.addRaw(t.name(), t.rawDtype(), t.shape(), tf.rawBytes(t.name()));
                    continue;
                }
                long have = r instanceof float[] a ? a.length : ((MemorySegment) r).byteSize() / 4;
                boolean whole = !(r instanceof MemorySegment s) || s.byteSize() % 4 == 0;
                if (have != t.elementCount() || !whole) {
                    throw new TensorFileException(in, "replacement for tensor " + Entry.quote(t.name()) + " has "
                            + (whole ? have + " elements" : ((MemorySegment) r).byteSize() + " bytes")
                            + " but its shape " + Arrays.toString(t.shape()) + " has " + t.elementCount());
                }
                if (keepDtypes && r instanceof float[] a && t.dtype() != DType.F32) {
                    if (t.dtype() == null) {
                        throw new TensorFileException(in, "tensor " + Entry.quote(t.name()) + " has dtype "
                                + t.rawDtype() + ", which float32 values cannot be written back as");
                    }
                    MemorySegment bytes = Arena.ofAuto().allocate(t.byteLength(), 8);
                    Convert.fromFloats(a, t.dtype(), bytes);
                    sw.addRaw(t.name(), t.rawDtype(), t.shape(), bytes);
                } else if (r instanceof float[] a) {
                    sw.addFloats(t.name(), t.shape(), a);
                } else {
                    sw.addFloats(t.name(), t.shape(), (MemorySegment) r);
                }
            }
            w = new AtomicWrite(out);
            try {
                sw.writeTo(w);
            } catch (RuntimeException | Error e) {
                w.close();
                throw e;
            }
        }
        // The input is unmapped before the move, so that out may replace in on any platform.
        try (AtomicWrite done = w) {
            done.commit();
        }
    }
}
