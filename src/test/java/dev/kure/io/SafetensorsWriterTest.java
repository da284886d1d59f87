package dev.kure.io;

import static dev.kure.io.Bytes.assertFails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SafetensorsWriter and the rewrite round trip. */
class SafetensorsWriterTest {
    private static final ValueLayout.OfFloat LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    private static float[] ramp(int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (i - n / 3f) * scale;
        }
        return a;
    }

    private static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    private static String header(Path f) {
        byte[] all = Bytes.read(f);
        long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        return new String(all, 8, (int) n, StandardCharsets.UTF_8);
    }

    /** A file with every supported dtype, an unsupported one, a scalar, an empty tensor and metadata. */
    private Path mixedFile(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment half = MemorySegment.ofArray(Bytes.shorts(ByteOrder.LITTLE_ENDIAN, 0x3C00, 0x0001, 0x7C00));
            MemorySegment bf = MemorySegment.ofArray(Bytes.shorts(ByteOrder.LITTLE_ENDIAN, 0x3F80, 0xC040, 0x7FC0, 0x0000));
            MemorySegment dbl = MemorySegment.ofArray(Bytes.doubles(ByteOrder.LITTLE_ENDIAN, 0.1, -2.0));
            MemorySegment ints = MemorySegment.ofArray(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0});
            MemorySegment f32 = arena.allocate(12);
            for (int i = 0; i < 3; i++) {
                f32.setAtIndex(LE, i, 10f + i);
            }
            Path f = dir.resolve(name);
            new SafetensorsWriter()
                    .putMetadata("format", "pt")
                    .putMetadata(Map.of("quote\"and\\slash", "line\nbreak"))
                    .addRaw("h", "F16", new long[] {3}, half)
                    .addFloats("w", new long[] {2, 3}, ramp(6, 0.5f))
                    .addRaw("ids", "I64", new long[] {2}, ints)
                    .addRaw("bf", "BF16", new long[] {2, 2}, bf)
                    .addFloats("scalar", new long[] {}, new float[] {7f})
                    .addFloats("empty", new long[] {0, 5}, new float[0])
                    .addRaw("d", "F64", new long[] {2}, dbl)
                    .addFloats("seg", new long[] {3}, f32)
                    .write(f);
            return f;
        }
    }

    @Test
    void writesEveryDtypeInOrderAlignedAndReadable() {
        Path f = mixedFile("mixed.safetensors");
        assertEquals(0, (8 + header(f).length()) % 8, "header padded to 8");
        assertTrue(header(f).startsWith("{\"__metadata__\":{\"format\":\"pt\""), header(f));
        try (TensorFile tf = TensorFile.open(f)) {
            assertEquals(List.of("h", "w", "ids", "bf", "scalar", "empty", "d", "seg"),
                    tf.tensors().stream().map(TensorInfo::name).toList());
            assertEquals(Map.of("format", "pt", "quote\"and\\slash", "line\nbreak"), tf.metadata());
            assertArrayEquals(new float[] {1f, 0x1p-24f, Float.POSITIVE_INFINITY}, tf.toFloatArray("h"));
            assertArrayEquals(ramp(6, 0.5f), tf.toFloatArray("w"));
            assertArrayEquals(new float[] {1f, -3f, Float.NaN, 0f}, tf.toFloatArray("bf"));
            assertArrayEquals(new float[] {0.1f, -2f}, tf.toFloatArray("d"));
            assertArrayEquals(new float[] {7f}, tf.toFloatArray("scalar"));
            assertArrayEquals(new float[] {10f, 11f, 12f}, tf.toFloatArray("seg"));
            assertEquals(0, tf.toFloatArray("empty").length);
            assertEquals("I64", tf.find("ids").orElseThrow().rawDtype());
            for (TensorInfo t : tf.tensors()) {
                int size = t.dtype() == null ? 8 : t.dtype().byteSize();
                assertEquals(0, t.offset() % size, t.name() + " aligned to its element size");
            }
            assertTrue(tf.floats("w").isMapped(), "written F32 is aligned: zero copy");
        }
    }

    @Test
    void writerRejectsBadArguments() {
        SafetensorsWriter w = new SafetensorsWriter().addFloats("a", new long[] {1}, new float[1]);
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("a", new long[] {1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("__metadata__", new long[] {1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("b", new long[] {2, 2}, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("c", new long[] {-1}, new float[0]));
        assertThrows(IllegalArgumentException.class, () -> w.addRaw("d", "Q7", new long[] {1}, MemorySegment.ofArray(new byte[4])));
        assertThrows(IllegalArgumentException.class, () -> w.addRaw("e", "BF16", new long[] {3}, MemorySegment.ofArray(new byte[4])));
    }

    @Test
    void rewriteKeepsUntouchedTensorsByteIdenticalAndMetadataIntact() {
        Path in = mixedFile("in.safetensors");
        Path out = dir.resolve("out.safetensors");
        float[] newW = ramp(6, -1.25f);
        float[] newH = {4f, 5f, 6f};
        Map<String, float[]> repl = new LinkedHashMap<>();
        repl.put("w", newW);
        repl.put("h", newH);
        SafetensorsWriter.rewrite(in, out, repl);
        try (TensorFile a = TensorFile.open(in); TensorFile b = TensorFile.open(out)) {
            assertEquals(a.metadata(), b.metadata());
            assertEquals(a.tensors().stream().map(TensorInfo::name).toList(), b.tensors().stream().map(TensorInfo::name).toList());
            for (TensorInfo t : a.tensors()) {
                TensorInfo u = b.find(t.name()).orElseThrow();
                assertArrayEquals(t.shape(), u.shape(), t.name());
                if (repl.containsKey(t.name())) {
                    assertEquals("F32", u.rawDtype(), "replaced tensors are F32");
                    assertArrayEquals(repl.get(t.name()), b.toFloatArray(t.name()));
                } else {
                    assertEquals(t.rawDtype(), u.rawDtype(), t.name());
                    assertArrayEquals(bytes(a.rawBytes(t.name())), bytes(b.rawBytes(t.name())), t.name() + " byte-identical");
                }
            }
        }
        // no replacements: every tensor's bytes identical
        Path same = dir.resolve("same.safetensors");
        SafetensorsWriter.rewrite(in, same, Map.of());
        try (TensorFile a = TensorFile.open(in); TensorFile b = TensorFile.open(same)) {
            for (TensorInfo t : a.tensors()) {
                assertArrayEquals(bytes(a.rawBytes(t.name())), bytes(b.rawBytes(t.name())));
                assertEquals(t, b.find(t.name()).orElseThrow(), "identical layout when rewriting our own file");
            }
        }
    }

    @Test
    void rewriteOfAHandWrittenFileWithUnusualDataOrder() {
        // data stored in reverse order of the header, with a BF16 tensor and metadata last in the header
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]},\"__metadata__\":{\"k\":\"v\"}}";
        byte[] data = Bytes.concat(Bytes.shorts(ByteOrder.LITTLE_ENDIAN, 0x4000, 0x4040), Bytes.floatsLE(1f, 2f));
        Path in = Bytes.write(dir.resolve("hand.safetensors"), Bytes.safetensors(header, data));
        Path out = dir.resolve("hand2.safetensors");
        SafetensorsWriter.rewrite(in, out, Map.of("a", new float[] {-1f, -2f}));
        try (TensorFile tf = TensorFile.open(out)) {
            assertEquals(List.of("a", "b"), tf.tensors().stream().map(TensorInfo::name).toList());
            assertEquals(Map.of("k", "v"), tf.metadata());
            assertArrayEquals(new float[] {-1f, -2f}, tf.toFloatArray("a"));
            assertArrayEquals(new float[] {2f, 3f}, tf.toFloatArray("b"));
            assertArrayEquals(Bytes.shorts(ByteOrder.LITTLE_ENDIAN, 0x4000, 0x4040), bytes(tf.rawBytes("b")));
        }
    }

    @Test
    void rewriteInPlaceAndWithSegments() {
        Path f = mixedFile("inplace.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(24);
            for (int i = 0; i < 6; i++) {
                s.setAtIndex(LE, i, i * i);
            }
            SafetensorsWriter.rewriteSegments(f, f, Map.of("w", s));
        }
        try (TensorFile tf = TensorFile.open(f)) {
            assertArrayEquals(new float[] {0f, 1f, 4f, 9f, 16f, 25f}, tf.toFloatArray("w"));
            assertArrayEquals(new float[] {1f, 0x1p-24f, Float.POSITIVE_INFINITY}, tf.toFloatArray("h"));
        }
    }

    @Test
    void failedRewriteWritesNothing() throws Exception {
        Path in = mixedFile("src.safetensors");
        Path out = dir.resolve("never.safetensors");
        assertFails(in, () -> SafetensorsWriter.rewrite(in, out, Map.of("w", new float[5])),
                "replacement for tensor 'w' has 5 elements", "[2, 3] has 6");
        assertFails(in, () -> SafetensorsWriter.rewrite(in, out, Map.of("nope", new float[1])), "no tensor named 'nope'");
        assertFalse(Files.exists(out));
        // an existing target is left as it was
        Path existing = Bytes.write(dir.resolve("existing.safetensors"), "old".getBytes());
        assertFails(in, () -> SafetensorsWriter.rewrite(in, existing, Map.of("w", new float[7])), "has 7 elements");
        assertArrayEquals("old".getBytes(), Bytes.read(existing));
        // a bad input file
        Path npy = dir.resolve("x.npy");
        NpyWriter.write(npy, new long[] {1}, new float[1]);
        assertFails(npy, () -> SafetensorsWriter.rewrite(npy, out, Map.of()), "needs a safetensors file");
        Path corrupt = Bytes.write(dir.resolve("corrupt.safetensors"), new byte[3]);
        assertFails(corrupt, () -> SafetensorsWriter.rewrite(corrupt, out, Map.of()), "shorter than");
        assertFalse(Files.exists(out));
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
    }

    @Test
    void writeFailureLeavesNoFile() {
        Path out = dir.resolve("missing-dir").resolve("m.safetensors");
        assertFails(out, () -> new SafetensorsWriter().addFloats("a", new long[] {1}, new float[1]).write(out),
                "does not exist");
    }
}
