package dev.kure.io;

import static dev.kure.io.Bytes.assertFails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading safetensors files written byte by byte by the tests. */
class SafetensorsReaderTest {
    private static final ValueLayout.OfFloat LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    private static float[] values(MemorySegment s) {
        float[] out = new float[(int) (s.byteSize() / 4)];
        MemorySegment.copy(s, LE, 0, out, 0, out.length);
        return out;
    }

    private static void assertBitsEqual(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            int e = Float.floatToRawIntBits(expected[i]);
            int a = Float.floatToRawIntBits(actual[i]);
            if (Float.isNaN(expected[i])) {
                assertTrue(Float.isNaN(actual[i]), "element " + i + " should be NaN");
            } else {
                assertEquals(e, a, "element " + i + ": expected " + expected[i] + " got " + actual[i]);
            }
        }
    }

    @Test
    void readsF32ZeroCopyWithShapeOffsetsAndMetadata() {
        // header padded to 8 bytes total so that data starts aligned
        String header = "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"h\\u00e9\"},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[24,36]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}";
        while ((8 + header.length()) % 8 != 0) {
            header += " ";
        }
        float[] a = {1f, -2f, 3.5f, Float.MIN_VALUE, Float.MAX_VALUE, -0f};
        float[] b = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-40f};
        Path f = Bytes.write(dir.resolve("m.safetensors"), Bytes.safetensors(header, Bytes.concat(Bytes.floatsLE(a), Bytes.floatsLE(b))));
        try (TensorFile tf = TensorFile.open(f)) {
            assertEquals(TensorFile.Format.SAFETENSORS, tf.format());
            assertEquals(List.of("b", "a"), tf.tensors().stream().map(TensorInfo::name).toList(), "header order");
            assertEquals(Map.of("format", "pt", "note", "h\u00e9"), tf.metadata());
            TensorInfo ia = tf.find("a").orElseThrow();
            assertArrayEquals(new long[] {2, 3}, ia.shape());
            assertEquals(DType.F32, ia.dtype());
            assertEquals("F32", ia.rawDtype());
            assertEquals(8 + header.length(), ia.offset());
            assertEquals(24, ia.byteLength());
            assertEquals(6, ia.elementCount());
            assertEquals(8 + header.length() + 24, tf.find("b").orElseThrow().offset());
            MemorySegment sa = tf.floats("a");
            assertTrue(sa.isMapped(), "aligned F32 should be a slice of the mapping");
            assertTrue(sa.isReadOnly());
            assertBitsEqual(a, values(sa));
            assertBitsEqual(b, values(tf.floats("b")));
            assertBitsEqual(a, tf.toFloatArray("a"));
            assertBitsEqual(b, tf.toFloatArray("b"));
        }
    }

    @Test
    void unalignedF32IsCopiedAndExact() {
        String header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
        while ((8 + header.length()) % 4 != 1) {
            header += " ";
        }
        float[] x = {0.1f, -7f, Float.NaN, 3e38f};
        Path f = Bytes.write(dir.resolve("u.safetensors"), Bytes.safetensors(header, Bytes.floatsLE(x)));
        try (TensorFile tf = TensorFile.open(f)) {
            MemorySegment s = tf.floats("x");
            assertFalse(s.isMapped(), "unaligned data must be copied");
            assertEquals(0, s.address() % 4);
            assertBitsEqual(x, values(s));
            assertBitsEqual(x, tf.toFloatArray("x"));
            assertTrue(s == tf.floats("x"), "conversion is cached");
        }
    }

    @Test
    void readsF16AndBf16AndF64FromHandWrittenBytes() {
        // F16: 1, -2, smallest subnormal 2^-24, largest subnormal, 65504, +Inf, -Inf, NaN, -0
        int[] h = {0x3C00, 0xC000, 0x0001, 0x03FF, 0x7BFF, 0x7C00, 0xFC00, 0x7E00, 0x8000};
        float[] hExpected = {1f, -2f, 0x1p-24f, 1023 * 0x1p-24f, 65504f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN, -0f};
        // BF16: the upper halves of 1, -2, 3.140625, a float subnormal, Inf, NaN
        int[] bf = {0x3F80, 0xC000, 0x4049, 0x0001, 0x7F80, 0x7FC0};
        float[] bfExpected = {1f, -2f, 3.140625f, Float.intBitsToFloat(0x00010000), Float.POSITIVE_INFINITY, Float.NaN};
        double[] d = {1.0, 0.1, 1e300, -1e-50, Math.PI, 16777217.0};
        float[] dExpected = {1f, 0.1f, Float.POSITIVE_INFINITY, -0f, (float) Math.PI, 16777216f};
        byte[] data = Bytes.concat(Bytes.doubles(ByteOrder.LITTLE_ENDIAN, d), Bytes.shorts(ByteOrder.LITTLE_ENDIAN, h),
                Bytes.shorts(ByteOrder.LITTLE_ENDIAN, bf));
        String header = "{\"d\":{\"dtype\":\"F64\",\"shape\":[2,3],\"data_offsets\":[0,48]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[9],\"data_offsets\":[48,66]},"
                + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[3,2],\"data_offsets\":[66,78]}}";
        Path f = Bytes.write(dir.resolve("half.safetensors"), Bytes.safetensors(header, data));
        try (TensorFile tf = TensorFile.open(f)) {
            assertEquals(DType.F16, tf.find("h").orElseThrow().dtype());
            assertEquals(DType.BF16, tf.find("bf").orElseThrow().dtype());
            assertEquals(DType.F64, tf.find("d").orElseThrow().dtype());
            assertBitsEqual(hExpected, values(tf.floats("h")));
            assertBitsEqual(bfExpected, values(tf.floats("bf")));
            assertBitsEqual(dExpected, values(tf.floats("d")));
            assertBitsEqual(hExpected, tf.toFloatArray("h"));
            assertBitsEqual(bfExpected, tf.toFloatArray("bf"));
            assertBitsEqual(dExpected, tf.toFloatArray("d"));
            assertFalse(tf.floats("h").isMapped());
        }
    }

    @Test
    void scalarsAndEmptyTensors() {
        String header = "{\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
                + "\"e\":{\"dtype\":\"F16\",\"shape\":[3,0,2],\"data_offsets\":[4,4]},"
                + "\"e2\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]},"
                + "\"hs\":{\"dtype\":\"BF16\",\"shape\":[],\"data_offsets\":[4,6]}}";
        byte[] data = Bytes.concat(Bytes.floatsLE(42.5f), Bytes.shorts(ByteOrder.LITTLE_ENDIAN, 0xBF80));
        Path f = Bytes.write(dir.resolve("s.safetensors"), Bytes.safetensors(header, data));
        try (TensorFile tf = TensorFile.open(f)) {
            TensorInfo s = tf.find("s").orElseThrow();
            assertEquals(0, s.rank());
            assertEquals(1, s.elementCount());
            assertArrayEquals(new float[] {42.5f}, tf.toFloatArray("s"));
            assertEquals(0, tf.find("e").orElseThrow().elementCount());
            assertEquals(0, tf.floats("e").byteSize());
            assertEquals(0, tf.toFloatArray("e").length);
            assertEquals(0, tf.floats("e2").byteSize());
            assertArrayEquals(new float[] {-1f}, tf.toFloatArray("hs"));
        }
    }

    @Test
    void unsupportedDtypesAreListedButRefusedByFloats() {
        String header = "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"mask\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[16,19]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[19,23]}}";
        byte[] data = new byte[23];
        Path f = Bytes.write(dir.resolve("i.safetensors"), Bytes.safetensors(header, data));
        try (TensorFile tf = TensorFile.open(f)) {
            TensorInfo ids = tf.find("ids").orElseThrow();
            assertNull(ids.dtype());
            assertFalse(ids.isSupported());
            assertEquals("I64", ids.rawDtype());
            assertEquals(3, tf.tensors().size());
            assertFails(f, () -> tf.floats("ids"), "'ids'", "I64", "cannot be read as floats");
            assertFails(f, () -> tf.toFloatArray("mask"), "'mask'", "BOOL");
            assertEquals(16, tf.rawBytes("ids").byteSize());
            assertArrayEquals(new float[] {0f}, tf.toFloatArray("w"));
            assertFails(f, () -> tf.floats("nope"), "no tensor named 'nope'");
        }
    }

    @Test
    void closedFileRefusesAccessAndSegmentsDie() {
        String header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Path f = Bytes.write(dir.resolve("c.safetensors"), Bytes.safetensors(header, Bytes.floatsLE(1f)));
        TensorFile tf = TensorFile.open(f);
        MemorySegment s = tf.floats("x");
        tf.close();
        tf.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> tf.floats("x"));
        assertThrows(IllegalStateException.class, () -> s.get(LE, 0));
    }

    @Test
    void formatIsDetectedByMagicWhenTheExtensionIsUnknown() {
        String header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Path st = Bytes.write(dir.resolve("model.bin"), Bytes.safetensors(header, Bytes.floatsLE(5f)));
        Path npy = Bytes.write(dir.resolve("array.dat"), Bytes.npy(1, Bytes.dict("<f4", "(1,)"), Bytes.floatsLE(6f)));
        Path other = Bytes.write(dir.resolve("x.txt"), "hello world, no tensors".getBytes());
        try (TensorFile a = TensorFile.open(st); TensorFile b = TensorFile.open(npy)) {
            assertEquals(TensorFile.Format.SAFETENSORS, a.format());
            assertEquals(TensorFile.Format.NPY, b.format());
            assertArrayEquals(new float[] {6f}, b.toFloatArray("array.dat"));
        }
        assertFails(other, () -> Bytes.open(other), "unrecognized format");
    }

    @Test
    void missingFileAndDirectoryAreReported() {
        Path missing = dir.resolve("absent.safetensors");
        assertFails(missing, () -> Bytes.open(missing), "no such file");
        assertFails(dir, () -> Bytes.open(dir), "is a directory");
    }
}
