package dev.kure.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
