package dev.kure.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kure.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input: each case is one line on stderr naming the file and the problem, exit code 2, no stack
 * trace, nothing written.
 */
class BadInputCliTest {
    @TempDir
    Path dir;

    private static byte[] safetensors(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private Path good() {
        Path p = dir.resolve("good.safetensors");
        new SafetensorsWriter().addFloats("w", new long[] {8, 8}, Cli.gaussian(64, 0.1, 1)).write(p);
        return p;
    }

    /** Asserts exit 2, one stderr line containing every fragment, no stack trace, no stdout. */
    private static void assertBad(Cli.Result r, String... fragments) {
        assertEquals(2, r.code(), r::toString);
        String err = r.err().strip();
        assertFalse(err.contains("\n"), () -> "one line expected: " + r);
        assertFalse(err.contains("Exception") || err.contains("\tat "), () -> "no stack trace: " + r);
        assertTrue(err.startsWith("kure: "), r::toString);
        for (String f : fragments) {
            assertTrue(err.contains(f), () -> "'" + f + "' missing: " + r);
        }
        assertEquals("", r.out(), "nothing on stdout");
    }

    private void assertNothingWritten(String... before) throws IOException {
        try (var s = Files.list(dir)) {
            String[] now = s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
            String[] was = before.clone();
            Arrays.sort(was);
            assertEquals(Arrays.asList(was), Arrays.asList(now));
        }
    }

    @Test
    void missingFile() {
        Path p = dir.resolve("nope.safetensors");
        assertBad(Cli.run("analyze", p.toString()), p.toString(), "no such file");
        assertBad(Cli.run("regularize", p.toString(), "--out", dir.resolve("o.safetensors").toString()), p.toString(),
                "no such file");
    }

    @Test
    void unreadableFile() throws IOException {
        Path p = good();
        boolean changed = p.toFile().setReadable(false, false);
        org.junit.jupiter.api.Assumptions.assumeTrue(changed && !Files.isReadable(p),
                "file permissions are not enforced here (running as root?)");
        try {
            assertBad(Cli.run("analyze", p.toString()), p.toString(), "permission denied");
        } finally {
            p.toFile().setReadable(true, false);
        }
    }

    @Test
    void fifoIsRefusedWithoutWaitingForAWriter() throws Exception {
        Path fifo = dir.resolve("pipe.safetensors");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mk.waitFor() == 0, "mkfifo is not available");
        // no writer ever opens the FIFO: opening it for reading would block forever
        Cli.Result r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                () -> Cli.run("analyze", fifo.toString()));
        assertBad(r, fifo.toString(), "not a regular file", "save the data to a file first");
    }

    @Test
    void storedNpzMemberWithAWrongCrcIsExitTwo() throws IOException {
        Path npy = dir.resolve("x.npy");
        dev.kure.io.NpyWriter.write(npy, new long[] {4096}, Cli.gaussian(4096, 1, 3));
        byte[] member = Files.readAllBytes(npy);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(member);
        java.io.ByteArrayOutputStream zip = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(zip)) {
            java.util.zip.ZipEntry e = new java.util.zip.ZipEntry("x.npy");
            e.setMethod(java.util.zip.ZipEntry.STORED); // as np.savez writes it
            e.setSize(member.length);
            e.setCrc(crc.getValue());
            z.putNextEntry(e);
            z.write(member);
            z.closeEntry();
        }
        byte[] b = zip.toByteArray();
        b[b.length / 2] ^= 0x01; // inside the stored member's float data: only the CRC-32 tells
        Path bad = write("bad-crc.npz", b);
        assertBad(Cli.run("analyze", bad.toString()), bad.toString(), "CRC-32 mismatch");
    }

    @Test
    void safetensorsWithTrailingBytesIsExitTwo() throws IOException {
        byte[] good = Files.readAllBytes(good());
        Path p = write("trailing.safetensors", Arrays.copyOf(good, good.length + 16));
        assertBad(Cli.run("analyze", p.toString()), p.toString(), "16 trailing bytes");
    }

    @Test
    void directoryInsteadOfFile() {
        assertBad(Cli.run("analyze", dir.toString()), dir.toString(), "directory");
    }

    @Test
    void truncatedData() throws IOException {
        byte[] full = Files.readAllBytes(good());
        Path p = write("cut.safetensors", Arrays.copyOf(full, full.length - 10));
        assertBad(Cli.run("analyze", "--plot", dir.resolve("plots").toString(), p.toString()), p.toString());
        assertNothingWritten("good.safetensors", "cut.safetensors");
    }

    @Test
    void offsetsPastTheEndOfTheFile() throws IOException {
        Path p = write("past.safetensors", safetensors(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,160]}}", new byte[16]));
        assertBad(Cli.run("analyze", p.toString()), p.toString());
    }

    @Test
    void overlappingOffsets() throws IOException {
        Path p = write("overlap.safetensors", safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", new byte[24]));
        assertBad(Cli.run("analyze", p.toString()), p.toString(), "overlap");
    }

    @Test
    void giganticHeaderLength() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(1L << 60).put("{\"w\":{}}".getBytes(StandardCharsets.UTF_8));
        Path p = write("huge.safetensors", b.array());
        assertBad(Cli.run("analyze", p.toString()), p.toString(), "header");
    }

    @Test
    void garbageAndTruncatedNumpy() throws IOException {
        Path g = write("junk.bin", "not a tensor file at all".getBytes(StandardCharsets.UTF_8));
        assertBad(Cli.run("analyze", g.toString()), g.toString(), "unrecognized format");
        Path npy = dir.resolve("a.npy");
        dev.kure.io.NpyWriter.write(npy, new long[] {100}, Cli.gaussian(100, 1, 2));
        byte[] all = Files.readAllBytes(npy);
        Path cut = write("cut.npy", Arrays.copyOf(all, all.length - 4));
        assertBad(Cli.run("analyze", cut.toString()), cut.toString());
    }

    @Test
    void corruptedNpz() throws IOException {
        Path npz = dir.resolve("a.npz");
        Cli.npz(npz, Files.createDirectory(dir.resolve("t")), java.util.Map.of("x", Cli.gaussian(64, 1, 3)),
                java.util.Map.of("x", new long[] {64}));
        byte[] b = Files.readAllBytes(npz);
        b[b.length / 2] ^= 0x55; // inside the stored member's data: CRC mismatch, or a broken header
        Path bad = write("bad.npz", b);
        assertBad(Cli.run("analyze", bad.toString()), bad.toString());
    }

    @Test
    void unsupportedDtypeIsANoteInAnalyzeAndCopiedByRegularize() throws IOException {
        Path p = write("ints.safetensors", safetensors("{\"i\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}",
                new byte[16]));
        Cli.Result r = Cli.run("analyze", p.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("skipped: dtype I32 is not supported"), r::toString);
        Path out = dir.resolve("o.safetensors");
        assertBad(Cli.run("regularize", p.toString(), "--out", out.toString()), p.toString(), "no tensor selected");
        assertFalse(Files.exists(out));
    }

    @Test
    void nonFiniteWeightsAreRefusedByRegularize() throws IOException {
        float[] w = Cli.gaussian(64, 0.1, 1);
        w[3] = Float.NaN;
        Path p = dir.resolve("nan.safetensors");
        new SafetensorsWriter().addFloats("w", new long[] {8, 8}, w).write(p);
        Path out = dir.resolve("o.safetensors");
        assertBad(Cli.run("regularize", p.toString(), "--out", out.toString()), p.toString(), "'w'", "NaN");
        assertNothingWritten("nan.safetensors");
    }

    @Test
    void outputEqualToTheInputOrNotWritable() throws IOException {
        Path in = good();
        byte[] before = Files.readAllBytes(in);
        assertBad(Cli.run("regularize", in.toString(), "--out", in.toString()), "--out is the input");
        Path alias = dir.resolve(".").resolve("good.safetensors");
        assertBad(Cli.run("regularize", in.toString(), "--out", alias.toString()), "--out is the input");
        Path missingDir = dir.resolve("no/such/dir/o.safetensors");
        assertBad(Cli.run("regularize", in.toString(), "--out", missingDir.toString()), missingDir.toString(),
                "does not exist");
        assertBad(Cli.run("regularize", in.toString(), "--out", dir.toString()), "is a directory");
        assertEquals(Arrays.toString(before), Arrays.toString(Files.readAllBytes(in)));
        assertNothingWritten("good.safetensors");
    }

    @Test
    void regularizeNeedsSafetensors() throws IOException {
        Path npy = dir.resolve("a.npy");
        dev.kure.io.NpyWriter.write(npy, new long[] {8, 8}, Cli.gaussian(64, 1, 2));
        assertBad(Cli.run("regularize", npy.toString(), "--out", dir.resolve("o.safetensors").toString()), npy.toString(),
                "needs a safetensors file");
    }

    @Test
    void badOptions() {
        Path p = good();
        assertBad(Cli.run("analyze", "--filter", "([", p.toString()), "--filter", "regular expression");
        assertBad(Cli.run("analyze", "--bits", "0", p.toString()), "--bits");
        assertBad(Cli.run("analyze", "--bits", "1", p.toString()), "--bits: 1 is not supported", "2..16");
        assertBad(Cli.run("analyze", "--bits", "17", p.toString()), "--bits: 17", "2..16");
        assertBad(Cli.run("analyze", "--policies", "lp:-1", p.toString()), "--policies", "'lp:-1'", "p must be > 0",
                "-1.0");
        assertBad(Cli.run("analyze", "--rounding", "up", p.toString()), "--rounding", "'up'", "HALF_EVEN");
        assertBad(Cli.run("analyze", "--threads", "0", p.toString()), "--threads");
        assertBad(Cli.run("analyze", "--group-size", "-4", p.toString()), "--group-size");
        assertBad(Cli.run("analyze", "--group-size", "4", "--per-channel", p.toString()), "exclude each other");
        assertBad(Cli.run("regularize", p.toString(), "--out", dir.resolve("o").toString(), "--target", "0.5"),
                "--target");
        assertBad(Cli.run("analyze", "--bits", "four", p.toString()), "four");
        assertBad(Cli.run("analyze", "--policies", "magic", p.toString()), "--policies", "magic");
        assertBad(Cli.run("analyze", "--grid", "CUSTOM", p.toString()), "--grid");
        assertBad(Cli.run("analyze"), "FILE");
        assertBad(Cli.run("--no-such-option"), "--no-such-option");
        assertBad(Cli.run("regularize", p.toString()), "--out");
        assertBad(Cli.run("regularize", p.toString(), "--out", dir.resolve("o").toString(), "--lr", "-1"), "--lr");
        assertBad(Cli.run("regularize", p.toString(), "--out", dir.resolve("o").toString(), "--steps", "-3"), "--steps");
    }

    @Test
    void verboseShowsTheStackTrace() {
        Path p = dir.resolve("nope.safetensors");
        Cli.Result r = Cli.run("analyze", "--verbose", p.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("TensorFileException") && r.err().contains("\tat "), r::toString);
    }

    @Test
    void helpAndVersion() {
        Cli.Result h = Cli.run("--help");
        assertEquals(0, h.code());
        assertTrue(h.out().contains("analyze") && h.out().contains("regularize"), h::toString);
        Cli.Result ah = Cli.run("analyze", "--help");
        assertEquals(0, ah.code());
        assertTrue(ah.out().contains("--json") && ah.out().contains("--plot"), ah::toString);
        Cli.Result rh = Cli.run("regularize", "--help");
        assertEquals(0, rh.code());
        assertTrue(rh.out().contains("--steps") && rh.out().contains("--lr"), rh::toString);
        Cli.Result v = Cli.run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("kure "), v::toString);
    }
}
