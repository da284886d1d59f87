package dev.kure.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReproduceTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = Reproduce.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @Test
    void reducedEndToEndRunTrainsQuantizesAndReports() throws IOException {
        Path out = tmp.resolve("res");
        Run r = run("--quick", "--train-images", "384", "--test-images", "200", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : new String[] {"reproduce.md", "reproduce.json", "accuracy-vs-step-ratio.svg", "accuracy-vs-bits.svg"}) {
            assertTrue(Files.size(out.resolve(f)) > 200, f);
        }
        String md = Files.readString(out.resolve("reproduce.md"));
        for (String t : new String[] {"### T1", "### T2", "### T3", "### T4", "Kurtosis", "Weight SNR", "per training step"}) {
            assertTrue(md.contains(t), "report lacks " + t);
        }
        assertTrue(md.contains("| W2 |") && md.contains("| pow2 CEIL |") && md.contains("| STOCHASTIC |"), md);
        String json = Files.readString(out.resolve("reproduce.json"));
        assertTrue(json.contains("\"schema\": \"kure.reproduce/1\""), json);
        // every accuracy is a probability and the FP32 model learned something on 384 images
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\| baseline \\| (0\\.\\d+) \\|").matcher(md);
        assertTrue(m.find(), md);
        assertTrue(Double.parseDouble(m.group(1)) > 0.3, "FP32 accuracy after training " + m.group(1));
        assertTrue(r.err().contains("ETA"), "progress on stderr: " + r.err());
        assertTrue(r.out().contains("### T4"), "report on stdout");
    }

    @Test
    void missingDataIsOneLineAndExit2() {
        Run r = run("--data", tmp.resolve("nowhere").toString(), "--out", tmp.resolve("o").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("train-images-idx3-ubyte.gz: file not found; install it with: apt-get install -y dataset-fashion-mnist"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void corruptDataNamesTheFile() throws IOException {
        Path dir = tmp.resolve("bad");
        Files.createDirectories(dir);
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), new byte[] {1, 2, 3, 4});
        Run r = run("--data", dir.toString(), "--out", tmp.resolve("o").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("train-images-idx3-ubyte.gz: corrupt gzip data"), r.err());

        try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(dir.resolve("train-images-idx3-ubyte.gz")))) {
            os.write(new byte[] {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28, 7}); // 2 images announced, 1 byte given
        }
        r = run("--data", dir.toString(), "--out", tmp.resolve("o").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("truncated: 1 of 1568 pixel bytes"), r.err());
    }

    @Test
    void badOptionsAreRejected() {
        Run r = run("--seeds", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--seeds must be >= 1, was 0"), r.err());
        r = run("--lambda", "-1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--lambda must be a finite number >= 0, was -1.0"), r.err());
        r = run("--test-images", "20000", "--out", tmp.resolve("o").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--test-images in 1..10000"), r.err());
        Path file = tmp.resolve("a-file");
        try {
            Files.writeString(file, "x");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        r = run("--out", file.resolve("sub").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("cannot create the output directory"), r.err());
    }
}
