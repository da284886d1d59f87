package dev.kure.io;

import static dev.kure.io.Bytes.assertFails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NumPy .npy files: hand-built bytes for every supported descr and version, the writer, bad input. */
class NpyTest {
    @TempDir
    Path dir;

    private static void assertSameBits(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(expected[i])) {
                assertTrue(Float.isNaN(actual[i]), "element " + i);
            } else {
                assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "element " + i);
            }
        }
    }

    @Test
    void everyDescrAndVersion() {
        float[] v = {1f, -0.5f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY, -0f};
        int[] half = {0x3C00, 0xB800, 0x7BFF, 0x0001, 0x7C00, 0x8000};
        double[] dbl = {1.0, -0.5, 65504.0, 0x1p-24, Double.POSITIVE_INFINITY, -0.0};
        Object[][] cases = {
            {"<f4", Bytes.floatsLE(v)},
            {">f4", Bytes.floatsBE(v)},
            {"<f2", Bytes.shorts(ByteOrder.LITTLE_ENDIAN, half)},
            {">f2", Bytes.shorts(ByteOrder.BIG_ENDIAN, half)},
            {"<f8", Bytes.doubles(ByteOrder.LITTLE_ENDIAN, dbl)},
            {">f8", Bytes.doubles(ByteOrder.BIG_ENDIAN, dbl)},
        };
        for (int major = 1; major <= 3; major++) {
            for (Object[] c : cases) {
                String descr = (String) c[0];
                String name = "a_" + major + "_" + (descr.charAt(0) == '<' ? "le" : "be") + descr.substring(1);
                Path f = Bytes.write(dir.resolve(name + ".npy"), Bytes.npy(major, Bytes.dict(descr, "(2, 3)"), (byte[]) c[1]));
                try (TensorFile tf = TensorFile.open(f)) {
                    assertEquals(TensorFile.Format.NPY, tf.format());
                    TensorInfo info = tf.tensors().get(0);
                    assertEquals(name, info.name());
                    assertEquals(descr, info.rawDtype());
                    assertArrayEquals(new long[] {2, 3}, info.shape());
                    assertSameBits(v, tf.toFloatArray(name));
                    MemorySegment s = tf.floats(name);
                    float[] fromSeg = new float[6];
                    MemorySegment.copy(s, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, fromSeg, 0, 6);
                    assertSameBits(v, fromSeg);
                    assertEquals(descr.equals("<f4"), s.isMapped(), descr + ": zero copy only for aligned <f4");
                }
            }
        }
    }

    @Test
    void writerRoundTripsShapesIncludingScalarAndEmpty() {
        long[][] shapes = {{}, {0}, {5}, {2, 0, 3}, {3, 4}, {2, 3, 4}};
        for (long[] shape : shapes) {
            int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            float[] data = new float[n];
            for (int i = 0; i < n; i++) {
                data[i] = (float) Math.sin(i + 1) * (i + 1);
            }
            Path f = dir.resolve("w" + shape.length + "_" + n + ".npy");
            NpyWriter.write(f, shape, data);
            byte[] bytes = Bytes.read(f);
            int headerLen = Short.toUnsignedInt((short) ((bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8));
            assertEquals(0, (10 + headerLen) % 64, "data aligned to 64");
            assertEquals('\n', bytes[10 + headerLen - 1]);
            try (TensorFile tf = TensorFile.open(f)) {
                TensorInfo info = tf.tensors().get(0);
                assertArrayEquals(shape, info.shape());
                assertEquals(DType.F32, info.dtype());
                assertSameBits(data, tf.toFloatArray(info.name()));
                assertTrue(tf.floats(info.name()).isMapped());
            }
        }
        // the header text is exactly what numpy writes
        Path f = dir.resolve("one.npy");
        NpyWriter.write(f, new long[] {7}, new float[7]);
        String text = new String(Bytes.read(f), 10, 60, StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }"), text);
    }

    @Test
    void writerFromSegmentAndLargeHeaderUsesVersion2() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(4L * 6);
            for (int i = 0; i < 6; i++) {
                seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, i * 1.5f);
            }
            Path f = dir.resolve("seg.npy");
            NpyWriter.write(f, new long[] {6}, seg);
            try (TensorFile tf = TensorFile.open(f)) {
                assertArrayEquals(new float[] {0f, 1.5f, 3f, 4.5f, 6f, 7.5f}, tf.toFloatArray("seg"));
            }
        }
        // 30000 dimensions of 1 make a header over 65535 bytes: format 2.0
        long[] shape = new long[30000];
        Arrays.fill(shape, 1);
        Path big = dir.resolve("big.npy");
        NpyWriter.write(big, shape, new float[] {3f});
        assertEquals(2, Bytes.read(big)[6]);
        try (TensorFile tf = TensorFile.open(big)) {
            assertEquals(30000, tf.tensors().get(0).rank());
            assertArrayEquals(new float[] {3f}, tf.toFloatArray("big"));
        }
    }

    @Test
    void headerVariantsNumpyAccepts() {
        // key order differs, double quotes, Python 2 long suffix, fortran_order True on 1-D data
        String dict = "{\"shape\": (2L,), 'fortran_order': True, 'descr': '<f4'}";
        Path f = Bytes.write(dir.resolve("v.npy"), Bytes.npy(1, dict, Bytes.floatsLE(1f, 2f)));
        try (TensorFile tf = TensorFile.open(f)) {
            assertArrayEquals(new float[] {1f, 2f}, tf.toFloatArray("v"));
        }
        Path scalar = Bytes.write(dir.resolve("sc.npy"), Bytes.npy(1, Bytes.dict("<f8", "()"), Bytes.doubles(ByteOrder.LITTLE_ENDIAN, 2.5)));
        try (TensorFile tf = TensorFile.open(scalar)) {
            assertEquals(0, tf.tensors().get(0).rank());
            assertArrayEquals(new float[] {2.5f}, tf.toFloatArray("sc"));
        }
    }

    @Test
    void unsupportedDescrIsListedButRefused() {
        Path f = Bytes.write(dir.resolve("ints.npy"), Bytes.npy(1, Bytes.dict("<i8", "(3,)"), new byte[24]));
        try (TensorFile tf = TensorFile.open(f)) {
            TensorInfo info = tf.tensors().get(0);
            assertNull(info.dtype());
            assertEquals("<i8", info.rawDtype());
            assertEquals(24, info.byteLength());
            assertFails(f, () -> tf.floats("ints"), "'ints'", "<i8", "cannot be read as floats");
        }
        Path t = Bytes.write(dir.resolve("ints_short.npy"), Bytes.npy(1, Bytes.dict("<i8", "(3,)"), new byte[23]));
        assertFails(t, () -> Bytes.open(t), "truncated data", "needs 24 bytes but 23 follow");
    }

    @Test
    void fortranOrderIsRefused() {
        String dict = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }";
        Path f = Bytes.write(dir.resolve("fo.npy"), Bytes.npy(1, dict, new byte[16]));
        assertFails(f, () -> Bytes.open(f), "fortran_order is True", "C-order");
    }

    @Test
    void truncatedAndCorruptFiles() {
        byte[] good = Bytes.npy(1, Bytes.dict("<f4", "(4, 4)"), new byte[64]);
        Path t = Bytes.write(dir.resolve("t.npy"), Arrays.copyOf(good, good.length - 1));
        assertFails(t, () -> Bytes.open(t), "truncated data", "needs 64 bytes but 63 follow");
        Path th = Bytes.write(dir.resolve("th.npy"), Arrays.copyOf(good, 40));
        assertFails(th, () -> Bytes.open(th), "header length", "runs past the end");
        Path tiny = Bytes.write(dir.resolve("tiny.npy"), Arrays.copyOf(good, 7));
        assertFails(tiny, () -> Bytes.open(tiny), "too short");
        byte[] magic = good.clone();
        magic[1] = 'X';
        Path m = Bytes.write(dir.resolve("m.npy"), magic);
        assertFails(m, () -> Bytes.open(m), "bad magic");
        byte[] version = good.clone();
        version[6] = 4;
        Path v = Bytes.write(dir.resolve("v4.npy"), version);
        assertFails(v, () -> Bytes.open(v), "unsupported .npy format version 4.0");
    }

    @Test
    void malformedHeaders() {
        String[][] cases = {
            {"{'descr': '<f4', 'shape': (2,), }", "no 'fortran_order'"},
            {"{'descr': '<f4', 'fortran_order': False, }", "no 'shape'"},
            {"{'fortran_order': False, 'shape': (2,), }", "no 'descr'"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", "unexpected key x"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", "negative number -2"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }", "invalid .npy header"},
            {"{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", "'fortran_order' is not True or False"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': 2, }", "'shape' is not a tuple"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", "invalid .npy header"},
            {"['descr']", "not a dict"},
        };
        for (int i = 0; i < cases.length; i++) {
            Path f = Bytes.write(dir.resolve("h" + i + ".npy"), Bytes.npy(1, cases[i][0], new byte[8]));
            assertFails(f, () -> Bytes.open(f), cases[i][1]);
        }
    }

    @Test
    void writerValidatesAndLeavesNothingOnFailure() throws Exception {
        Path f = dir.resolve("bad.npy");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> NpyWriter.write(f, new long[] {2, 2}, new float[3]));
        assertFalse(Files.exists(f));
        Path nodir = dir.resolve("no/such/dir/x.npy");
        assertFails(nodir, () -> NpyWriter.write(nodir, new long[] {1}, new float[1]), "does not exist");
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count(), "no temporary files left");
        }
    }
}
