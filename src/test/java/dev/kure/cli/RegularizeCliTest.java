package dev.kure.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kure.Kernels;
import dev.kure.Moments;
import dev.kure.io.SafetensorsWriter;
import dev.kure.io.TensorFile;
import dev.kure.io.TensorInfo;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kure regularize}: the round trip through a safetensors file. */
class RegularizeCliTest {
    @TempDir
    Path dir;

    private final Kernels k = Kernels.cpu();
    private final float[] conv = Cli.gaussian(32 * 16 * 3 * 3, 0.05, 11);
    private final float[] fc = Cli.laplace(10 * 128, 0.02, 12);
    private final float[] bias = Cli.gaussian(32, 0.01, 13);

    private Path model() {
        Path p = dir.resolve("in.safetensors");
        MemorySegment half = MemorySegment.ofArray(new byte[64]);
        for (int i = 0; i < 32; i++) {
            half.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i, Float.floatToFloat16(1f + i / 64f));
        }
        new SafetensorsWriter().putMetadata(Map.of("format", "pt", "note", "test model"))
                .addFloats("conv.weight", new long[] {32, 16, 3, 3}, conv)
                .addFloats("conv.bias", new long[] {32}, bias)
                .addRaw("bn.weight", "F16", new long[] {32}, half)
                .addRaw("bn.num_batches_tracked", "I64", new long[] {}, MemorySegment.ofArray(new byte[] {7, 0, 0, 0, 0, 0, 0, 0}))
                .addFloats("fc.weight", new long[] {10, 128}, fc)
                .write(p);
        return p;
    }

    private static byte[] bytes(TensorFile f, String name) {
        return f.rawBytes(name).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void roundTripFlattensWeightsAndKeepsEverythingElse() {
        Path in = model(), out = dir.resolve("out.safetensors");
        Cli.Result r = Cli.run("regularize", in.toString(), "--steps", "80", "--out", out.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("skipped 3 tensors of rank 0 or 1 (biases, norms)"), r::toString);
        assertTrue(r.out().contains("conv.weight") && r.out().contains("fc.weight"), r::toString);
        try (TensorFile a = TensorFile.open(in); TensorFile b = TensorFile.open(out)) {
            assertEquals(a.metadata(), b.metadata());
            List<String> namesA = a.tensors().stream().map(TensorInfo::name).toList();
            assertEquals(namesA, b.tensors().stream().map(TensorInfo::name).toList());
            for (String n : List.of("conv.bias", "bn.weight", "bn.num_batches_tracked")) {
                assertArrayEquals(bytes(a, n), bytes(b, n), n);
                assertEquals(a.find(n).get().rawDtype(), b.find(n).get().rawDtype());
            }
            for (String n : List.of("conv.weight", "fc.weight")) {
                Moments before = k.moments(a.toFloatArray(n)), after = k.moments(b.toFloatArray(n));
                assertArrayEquals(a.find(n).get().shape(), b.find(n).get().shape());
                assertTrue(Math.abs(after.kurtosisSampleStd() - 1.8) < 0.02, n + " kurtosis " + after.kurtosisSampleStd());
                assertTrue(Math.abs(after.kurtosis() - 1.8) < Math.abs(before.kurtosis() - 1.8));
                assertEquals(before.mean(), after.mean(), 1e-3 * before.std(), "KURE keeps the mean");
                assertEquals(before.std(), after.std(), 0.3 * before.std(), "and roughly the std");
            }
        }
    }

    @Test
    void filterLeavesUnselectedWeightsUnchanged() {
        Path in = model(), out = dir.resolve("out.safetensors");
        Cli.Result r = Cli.run("regularize", in.toString(), "--steps", "20", "--lr", "0.01", "--filter", "^fc\\.",
                "--out", out.toString());
        assertEquals(0, r.code(), r::toString);
        try (TensorFile a = TensorFile.open(in); TensorFile b = TensorFile.open(out)) {
            assertArrayEquals(bytes(a, "conv.weight"), bytes(b, "conv.weight"));
            float[] fcAfter = b.toFloatArray("fc.weight");
            assertTrue(k.moments(fcAfter).kurtosis() < k.moments(fc).kurtosis() - 1, "fc flattened");
        }
    }

    @Test
    void halfPrecisionTensorsKeepTheirDtypeAndEmptyTensorsAreSkipped() {
        float[] w = Cli.gaussian(64 * 32, 0.05, 21);
        MemorySegment f16 = MemorySegment.ofArray(new byte[w.length * 2]);
        MemorySegment bf16 = MemorySegment.ofArray(new byte[w.length * 2]);
        for (int i = 0; i < w.length; i++) {
            f16.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(w[i]));
            bf16.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) (Float.floatToRawIntBits(w[i]) >>> 16));
        }
        Path in = dir.resolve("half.safetensors"), out = dir.resolve("half-kure.safetensors");
        new SafetensorsWriter().addRaw("h.weight", "F16", new long[] {64, 32}, f16)
                .addRaw("b.weight", "BF16", new long[] {64, 32}, bf16)
                .addFloats("e.weight", new long[] {0, 5}, new float[0])
                .write(in);
        Cli.Result r = Cli.run("regularize", in.toString(), "--steps", "60", "--out", out.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("skipped e.weight: empty (shape [0, 5]), copied unchanged"), r::toString);
        try (TensorFile b = TensorFile.open(out)) {
            assertEquals("F16", b.find("h.weight").get().rawDtype());
            assertEquals("BF16", b.find("b.weight").get().rawDtype());
            assertEquals(in.toFile().length(), out.toFile().length(), "same size: nothing widened");
            for (String n : List.of("h.weight", "b.weight")) {
                Moments after = k.moments(b.toFloatArray(n));
                assertEquals(1.8, after.kurtosisSampleStd(), 0.05, n);
            }
        }
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals(1f, dev.kure.io.DType.BF16.round(1f + 0x1p-8f), "a tie goes to the even neighbour 1.0");
        assertEquals(1f + 0x1p-6f, dev.kure.io.DType.BF16.round(1f + 0x1p-7f + 0x1p-8f), "a tie goes up to even");
        assertEquals(1f + 0x1p-7f, dev.kure.io.DType.BF16.round(1f + 0x1p-7f + 0x1p-9f), "below the tie: down");
        assertEquals(Float.POSITIVE_INFINITY, dev.kure.io.DType.BF16.round(Float.MAX_VALUE));
        assertTrue(Float.isNaN(dev.kure.io.DType.BF16.round(Float.NaN)));
        assertEquals(Float.float16ToFloat(Float.floatToFloat16(0.1f)), dev.kure.io.DType.F16.round(0.1f));
    }

    @Test
    void targetKurtosisAndAWarningWhenFarFromIt() {
        Path in = model(), out = dir.resolve("t.safetensors");
        Cli.Result r = Cli.run("regularize", in.toString(), "--steps", "150", "--target", "2.5", "--out", out.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("target kurtosis 2.5 (sample-std convention)"), r::toString);
        try (TensorFile b = TensorFile.open(out)) {
            assertEquals(2.5, k.moments(b.toFloatArray("conv.weight")).kurtosisSampleStd(), 0.02);
        }
        assertFalse(r.err().contains("warning"), r::toString);
        Cli.Result few = Cli.run("regularize", in.toString(), "--steps", "2", "--out", out.toString());
        assertEquals(0, few.code(), few::toString);
        assertTrue(few.err().contains("warning: 2 of 2 tensors ended more than 0.1 from the target kurtosis 1.8"),
                few::toString);
        assertTrue(few.out().contains("kurtosis (Pearson)"), few::toString);
        // the numbers printed are Pearson's, the convention kure analyze prints
        Moments fcBefore = k.moments(fc);
        assertTrue(few.out().contains(String.format(java.util.Locale.ROOT, "%7.3f ->", fcBefore.kurtosis())), few::toString);
    }

    @Test
    void regularizerConvergesFromGaussianAndLaplace() {
        List<float[]> ws = List.of(Cli.gaussian(50_000, 0.05, 1), Cli.laplace(50_000, 0.01, 2));
        var res = Regularizer.run(k, ws, 200, Regularizer.DEFAULT_LR, null);
        assertEquals(3.0, res[0].kurtosis()[0], 0.1);
        assertEquals(6.0, res[0].kurtosis()[1], 0.5);
        for (double kt : res[1].kurtosis()) {
            assertEquals(1.8, kt, 1e-3);
        }
    }
}
