package dev.kure.io;

import static dev.kure.io.Bytes.assertFails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NumPy .npz archives, stored and deflated members, made with java.util.zip. */
class NpzTest {
    @TempDir
    Path dir;

    private static final float[] W = {1f, 2f, -3f, 0.25f, Float.NaN, Float.NEGATIVE_INFINITY};

    private byte[][] members() {
        return new byte[][] {
            Bytes.npy(1, Bytes.dict("<f4", "(2, 3)"), Bytes.floatsLE(W)),
            Bytes.npy(1, Bytes.dict("<f2", "(3,)"), Bytes.shorts(ByteOrder.LITTLE_ENDIAN, 0x3C00, 0x0001, 0xFC00)),
            Bytes.npy(2, Bytes.dict(">f8", "()"), Bytes.doubles(ByteOrder.BIG_ENDIAN, 0.1)),
            Bytes.npy(1, Bytes.dict("<f4", "(0, 4)"), new byte[0]),
            Bytes.npy(1, Bytes.dict("<i4", "(2,)"), new byte[8]),
        };
    }

    private static final String[] NAMES = {"w.npy", "h.npy", "d.npy", "empty.npy", "ids.npy"};

    private void checkContents(Path f, boolean stored) {
        try (TensorFile tf = TensorFile.open(f)) {
            assertEquals(TensorFile.Format.NPZ, tf.format());
            assertEquals(List.of("w", "h", "d", "empty", "ids"), tf.tensors().stream().map(TensorInfo::name).toList());
            float[] w = tf.toFloatArray("w");
            assertEquals(W.length, w.length);
            for (int i = 0; i < W.length; i++) {
                assertEquals(Float.floatToIntBits(W[i]), Float.floatToIntBits(w[i]), "w[" + i + "]");
            }
            assertArrayEquals(w, readSegment(tf, "w"));
            assertArrayEquals(new float[] {1f, 0x1p-24f, Float.NEGATIVE_INFINITY}, tf.toFloatArray("h"));
            assertArrayEquals(new float[] {0.1f}, tf.toFloatArray("d"));
            assertArrayEquals(new long[] {0, 4}, tf.find("empty").orElseThrow().shape());
            assertEquals(0, tf.floats("empty").byteSize());
            assertNull(tf.find("ids").orElseThrow().dtype());
            assertFails(f, () -> tf.floats("ids"), "<i4");
            assertEquals(stored, !tf.find("w").orElseThrow().isCompressed());
            assertEquals(8, tf.rawBytes("ids").byteSize());
            assertEquals(8, tf.rawBytes("d").byteSize());
        }
    }

    private static float[] readSegment(TensorFile tf, String name) {
        var s = tf.floats(name);
        float[] out = new float[(int) (s.byteSize() / 4)];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i);
        }
        return out;
    }

    @Test
    void storedMembersAreMapped() {
        boolean[] stored = new boolean[NAMES.length];
        Arrays.fill(stored, true);
        Path f = Bytes.write(dir.resolve("s.npz"), Bytes.zip(NAMES, members(), stored));
        checkContents(f, true);
        try (TensorFile tf = TensorFile.open(f)) {
            TensorInfo w = tf.find("w").orElseThrow();
            assertTrue(w.offset() > 0);
            // the offset points at the data inside the archive
            byte[] all = Bytes.read(f);
            assertArrayEquals(Bytes.floatsLE(W), Arrays.copyOfRange(all, (int) w.offset(), (int) (w.offset() + 24)));
            assertEquals(w.offset() % 4 == 0, tf.floats("w").isMapped());
        }
    }

    @Test
    void deflatedMembersAreInflated() {
        Path f = Bytes.write(dir.resolve("d.npz"), Bytes.zip(NAMES, members(), new boolean[NAMES.length]));
        checkContents(f, false);
        try (TensorFile tf = TensorFile.open(f)) {
            assertEquals(-1, tf.find("w").orElseThrow().offset());
            assertFalse(tf.floats("w").isMapped());
        }
    }

    @Test
    void mixedMembersAndNonArrayFilesAreSkipped() {
        String[] names = {"w.npy", "README.txt", "sub/", "sub/h.npy"};
        byte[][] contents = {members()[0], "hi".getBytes(), new byte[0], members()[1]};
        Path f = Bytes.write(dir.resolve("m.npz"), Bytes.zip(names, contents, new boolean[] {true, false, true, false}));
        try (TensorFile tf = TensorFile.open(f)) {
            assertEquals(List.of("w", "sub/h"), tf.tensors().stream().map(TensorInfo::name).toList());
            assertArrayEquals(new float[] {1f, 0x1p-24f, Float.NEGATIVE_INFINITY}, tf.toFloatArray("sub/h"));
        }
    }

    @Test
    void truncatedArchive() {
        byte[] zip = Bytes.zip(NAMES, members(), new boolean[NAMES.length]);
        Path f = Bytes.write(dir.resolve("t.npz"), Arrays.copyOf(zip, zip.length - 10));
        assertFails(f, () -> Bytes.open(f), "no end-of-central-directory record");
        Path g = Bytes.write(dir.resolve("g.npz"), "not a zip at all".getBytes());
        assertFails(g, () -> Bytes.open(g), "not a zip archive");
    }

    @Test
    void corruptDeflatedDataIsDetected() {
        byte[] big = Bytes.npy(1, Bytes.dict("<f4", "(256,)"), Bytes.floatsLE(new float[256]));
        for (int i = 0; i < 256; i++) {
            System.arraycopy(Bytes.floatsLE((float) Math.sqrt(i)), 0, big, 128 + 4 * i, 4);
        }
        byte[] zip = Bytes.zip(new String[] {"x.npy"}, new byte[][] {big}, new boolean[] {false});
        // flip a byte in the middle of the compressed data (local header 30 + name 5 bytes)
        int at = 30 + 5 + 200;
        zip[at] ^= 0x55;
        Path f = Bytes.write(dir.resolve("c.npz"), zip);
        try (TensorFile tf = TensorFile.open(f)) {
            assertFails(f, () -> tf.floats("x"), "tensor 'x'");
        }
    }

    /** Adds 1 to the CRC-32 that the central directory declares for the first member. */
    private static void breakCentralCrc(byte[] zip) {
        zip[indexOfCentral(zip, 0) + 16]++;
    }

    private static int indexOfCentral(byte[] zip, int from) {
        for (int p = from; p + 4 <= zip.length; p++) {
            if (zip[p] == 0x50 && zip[p + 1] == 0x4b && zip[p + 2] == 1 && zip[p + 3] == 2) {
                return p;
            }
        }
        throw new AssertionError("no central directory entry");
    }

    @Test
    void storedMemberWithAWrongCrcIsRefusedOnFirstAccess() {
        byte[] member = Bytes.npy(1, Bytes.dict("<f4", "(4,)"), Bytes.floatsLE(1f, 2f, 3f, 4f));
        byte[] zip = Bytes.zip(new String[] {"x.npy"}, new byte[][] {member}, new boolean[] {true});
        byte[] data = zip.clone();
        data[30 + 5 + member.length - 1] ^= 0x01; // the last float's top byte: 4.0 becomes another number
        Path f = Bytes.write(dir.resolve("crc-data.npz"), data);
        try (TensorFile tf = TensorFile.open(f)) { // the header is fine: open succeeds
            assertFails(f, () -> tf.toFloatArray("x"), "tensor 'x'", "CRC-32 mismatch in stored member");
            assertFails(f, () -> tf.floats("x"), "CRC-32 mismatch");
            assertFails(f, () -> tf.rawBytes("x"), "CRC-32 mismatch");
        }
        byte[] crc = zip.clone();
        breakCentralCrc(crc);
        Path g = Bytes.write(dir.resolve("crc-field.npz"), crc);
        try (TensorFile tf = TensorFile.open(g)) {
            assertFails(g, () -> tf.floats("x"), "CRC-32 mismatch in stored member");
        }
        try (TensorFile tf = TensorFile.open(Bytes.write(dir.resolve("ok.npz"), zip))) {
            assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, tf.toFloatArray("x"));
        }
    }

    @Test
    void deflatedMemberWithAWrongCrcIsRefused() {
        byte[] member = Bytes.npy(1, Bytes.dict("<f4", "(64,)"), Bytes.floatsLE(new float[64]));
        byte[] zip = Bytes.zip(new String[] {"x.npy"}, new byte[][] {member}, new boolean[] {false});
        breakCentralCrc(zip); // the deflate stream is intact, only the checksum disagrees
        Path f = Bytes.write(dir.resolve("crc-deflated.npz"), zip);
        try (TensorFile tf = TensorFile.open(f)) {
            assertFails(f, () -> tf.toFloatArray("x"), "tensor 'x'", "CRC-32 mismatch in compressed member");
        }
    }

    @Test
    void storedMemberWithTruncatedNpyData() {
        byte[] member = Bytes.npy(1, Bytes.dict("<f4", "(4,)"), Bytes.floatsLE(1f, 2f, 3f));
        Path f = Bytes.write(dir.resolve("tr.npz"), Bytes.zip(new String[] {"x.npy"}, new byte[][] {member}, new boolean[] {true}));
        assertFails(f, () -> Bytes.open(f), "member 'x.npy'", "truncated data", "needs 16 bytes but 12 follow");
        Path g = Bytes.write(dir.resolve("tr2.npz"), Bytes.zip(new String[] {"x.npy"}, new byte[][] {member}, new boolean[] {false}));
        assertFails(g, () -> Bytes.open(g), "member 'x.npy'", "truncated data");
    }

    @Test
    void zip64EndOfCentralDirectory() {
        // more than 65535 members make java.util.zip write zip64 end records
        int n = 65_600;
        String[] names = new String[n];
        byte[][] contents = new byte[n][];
        boolean[] stored = new boolean[n];
        for (int i = 0; i < n; i++) {
            names[i] = "f" + i + ".txt";
            contents[i] = new byte[0];
            stored[i] = true;
        }
        names[n - 1] = "w.npy";
        contents[n - 1] = members()[0];
        names[n - 2] = "h.npy";
        contents[n - 2] = members()[1];
        stored[n - 2] = false;
        byte[] zip = Bytes.zip(names, contents, stored);
        boolean hasZip64 = false;
        for (int i = zip.length - 100; i < zip.length - 4; i++) {
            hasZip64 |= zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 6 && zip[i + 3] == 6;
        }
        assertTrue(hasZip64, "test archive should carry a zip64 end record");
        Path f = Bytes.write(dir.resolve("z64.npz"), zip);
        try (TensorFile tf = TensorFile.open(f)) {
            assertEquals(List.of("h", "w"), tf.tensors().stream().map(TensorInfo::name).toList());
            assertArrayEquals(new float[] {1f, 0x1p-24f, Float.NEGATIVE_INFINITY}, tf.toFloatArray("h"));
            assertEquals(Float.floatToIntBits(W[4]), Float.floatToIntBits(tf.toFloatArray("w")[4]));
        }
    }
}
