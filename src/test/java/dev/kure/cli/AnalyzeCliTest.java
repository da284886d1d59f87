package dev.kure.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kure.Grid;
import dev.kure.Kernels;
import dev.kure.Moments;
import dev.kure.Quantizer;
import dev.kure.StepPolicy;
import dev.kure.StepTransform;
import dev.kure.io.NpyWriter;
import dev.kure.io.SafetensorsWriter;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kure analyze} end to end, in-process, numbers checked against the library called directly. */
class AnalyzeCliTest {
    @TempDir
    Path dir;

    private final Kernels k = Kernels.cpu();
    private final float[] conv = Cli.gaussian(16 * 8 * 3 * 3, 0.05, 1);
    private final float[] fc = Cli.laplace(10 * 64, 0.02, 2);
    private final float[] bias = Cli.gaussian(16, 0.01, 3);

    private Path model() {
        Path p = dir.resolve("model.safetensors");
        short[] half = new short[fc.length];
        MemorySegment f16 = MemorySegment.ofArray(new byte[fc.length * 2]);
        for (int i = 0; i < fc.length; i++) {
            half[i] = Float.floatToFloat16(fc[i]);
            f16.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 2L * i,
                    half[i]);
        }
        MemorySegment ints = MemorySegment.ofArray(new byte[8]);
        new SafetensorsWriter().putMetadata("format", "pt")
                .addFloats("features.0.weight", new long[] {16, 8, 3, 3}, conv)
                .addFloats("features.0.bias", new long[] {16}, bias)
                .addRaw("classifier.weight", "F16", new long[] {10, 64}, f16)
                .addRaw("num_batches_tracked", "I64", new long[] {}, ints)
                .write(p);
        return p;
    }

    @Test
    void textReportsEveryTensorAndSkipsUnsupportedDtypes() {
        Cli.Result r = Cli.run("analyze", model().toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("features.0.weight  F32 [16, 8, 3, 3]  1,152 values"), r::toString);
        assertTrue(r.out().contains("classifier.weight  F16 [10, 64]"), r::toString);
        assertTrue(r.out().contains("skipped: dtype I64 is not supported"), r::toString);
        assertTrue(r.out().contains("SNR dB, mse step"), r::toString);
        assertTrue(r.out().contains("summary: 4 tensors, 3 analyzed"), r::toString);
        Moments m = k.moments(conv);
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "kurtosis %.4f", m.kurtosis())), r::toString);
        assertEquals("", r.err(), "no progress bar when stderr is not a terminal");
    }

    @Test
    void formatsReportTheLibrarysFloatingPointErrors() {
        Cli.Result r = Cli.run("analyze", "--json", "--formats", "mxfp4,fp8,nvfp4,e4m3", "--filter", "features.0.weight",
                model().toString());
        assertEquals(0, r.code(), r.err());
        Object t = Cli.at(Cli.json(r.out()), "files", 0, "tensors", 0);
        dev.kure.FpKernels fk = dev.kure.FpKernels.cpu();
        dev.kure.FpQuantizer[] want = {dev.kure.FpQuantizer.mxfp4(), dev.kure.FpQuantizer.perTensor(dev.kure.FpFormat.E4M3),
            dev.kure.FpQuantizer.nvfp4()}; // fp8 and e4m3 are one format: listed once
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i].label(), Cli.at(t, "robustness", "formats", i, "format"));
            assertEquals(fk.quantError(conv, want[i]).snrDb(), Cli.num(t, "robustness", "formats", i, "snr_db"), 1e-9);
            assertEquals(fk.quantError(conv, want[i]).mse(), Cli.num(t, "robustness", "formats", i, "mse"), 0.0);
        }
        Cli.Result text = Cli.run("analyze", "--formats", "standard", "--filter", "features.0.weight", model().toString());
        assertEquals(0, text.code(), text.err());
        for (dev.kure.FpQuantizer q : dev.kure.FpKernels.standardFormats()) {
            assertTrue(text.out().contains("SNR dB, " + q.label()), q.label() + " missing in\n" + text.out());
        }
        Cli.Result bad = Cli.run("analyze", "--formats", "fp7", model().toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--formats: 'fp7' is not one of"), bad.err());
    }

    @Test
    void jsonNumbersEqualTheLibrary() {
        Cli.Result r = Cli.run("analyze", "--json", model().toString());
        assertEquals(0, r.code(), r::toString);
        Object j = Cli.json(r.out());
        assertEquals("kure.analyze/1", Cli.at(j, "schema"));
        Object t = Cli.at(j, "files", 0, "tensors", 0);
        assertEquals("features.0.weight", Cli.at(t, "name"));
        assertEquals("ok", Cli.at(t, "status"));
        Moments m = k.moments(conv);
        assertEquals(m.mean(), Cli.num(t, "moments", "mean"));
        assertEquals(m.std(), Cli.num(t, "moments", "std"));
        assertEquals(m.skewness(), Cli.num(t, "moments", "skewness"));
        assertEquals(m.kurtosis(), Cli.num(t, "moments", "kurtosis"));
        int[] bits = {2, 3, 4, 5, 6, 7, 8};
        for (int i = 0; i < bits.length; i++) {
            for (String p : AnalyzeCommand.DEFAULT_POLICIES.split(",")) {
                StepPolicy policy = StepPolicy.parse(p);
                Quantizer q = k.calibrate(conv, bits[i], Grid.SIGNED, policy);
                String key = policy.toString();
                assertEquals(q.scale(0), Cli.num(t, "steps", key, "scale", i), 0.0, key + " at " + bits[i]);
                assertEquals(q.zeroPoint(0), Cli.num(t, "steps", key, "zero_point", i), 0.0, key);
            }
            Quantizer maxAbs = k.calibrate(conv, bits[i], Grid.SIGNED, StepPolicy.maxAbs());
            Quantizer mse = k.calibrate(conv, bits[i], Grid.SIGNED, StepPolicy.mse());
            assertEquals(k.quantError(conv, maxAbs).snrDb(), Cli.num(t, "robustness", "snr_db_max_abs", i), 1e-9);
            assertEquals(k.quantError(conv, mse).snrDb(), Cli.num(t, "robustness", "snr_db_mse", i), 1e-9);
            double worst = Double.POSITIVE_INFINITY, worstMse = Double.POSITIVE_INFINITY;
            for (int s = 0; s <= 20; s++) {
                double ratio = (70 + 3 * s) / 100.0;
                worst = Math.min(worst, k.quantError(conv, StepTransform.ratio(ratio).applyTo(maxAbs)).snrDb());
                double e = k.quantError(conv, StepTransform.ratio(ratio).applyTo(mse)).snrDb();
                worstMse = Math.min(worstMse, e);
                assertEquals(k.quantError(conv, StepTransform.ratio(ratio).applyTo(mse)).mse(),
                        Cli.num(t, "robustness", "mse_vs_ratio", i, s), 1e-12);
            }
            assertEquals(worst, Cli.num(t, "robustness", "worst_snr_db_max_abs", i), 1e-9);
            assertEquals(worstMse, Cli.num(t, "robustness", "worst_snr_db_mse", i), 1e-9);
        }
        // the F16 tensor is analyzed as its float16 values widened to float32
        float[] widened = new float[fc.length];
        for (int i = 0; i < fc.length; i++) {
            widened[i] = Float.float16ToFloat(Float.floatToFloat16(fc[i]));
        }
        Object f = Cli.at(j, "files", 0, "tensors", 2);
        assertEquals("F16", Cli.at(f, "dtype"));
        assertEquals(k.moments(widened).kurtosis(), Cli.num(f, "moments", "kurtosis"));
        Object skipped = Cli.at(j, "files", 0, "tensors", 3);
        assertEquals("skipped", Cli.at(skipped, "status"));
        assertNull(Cli.at(skipped, "moments"));
        assertEquals(3.0, Cli.num(j, "summary", "analyzed"));
        assertEquals(1.0, Cli.num(j, "summary", "skipped"));
    }

    @Test
    void sixteenBitTensorsAreAnalyzedWithoutAWidenedCopy() {
        Analysis.Settings s = new Analysis.Settings(new int[] {4}, List.of(StepPolicy.mse()), Grid.SIGNED, 1L << 27, 1 << 20);
        try (dev.kure.io.TensorFile tf = dev.kure.io.TensorFile.open(model())) {
            dev.kure.io.TensorInfo t = tf.tensors().stream().filter(i -> i.name().equals("classifier.weight"))
                    .findFirst().orElseThrow();
            Analysis.Report r = Analysis.analyze(k, tf, t, s, bytes -> { });
            assertEquals("ok", r.status());
            assertEquals(0, tf.convertedBytes(), "the F16 tensor was read in place");
            // and sampled (strided sample of a tensor above --sample-above): still in place
            Analysis.Settings sampled = new Analysis.Settings(new int[] {4}, List.of(StepPolicy.mse()), Grid.SIGNED, 100, 50);
            assertEquals(52, Analysis.analyze(k, tf, t, sampled, bytes -> { }).sampled());
            assertEquals(0, tf.convertedBytes());
        }
    }

    @Test
    void npyAndNpzWithFilterBitsAndPolicies() throws IOException {
        Path npy = dir.resolve("w.npy");
        NpyWriter.write(npy, new long[] {16, 72}, conv);
        Path npz = dir.resolve("arrays.npz");
        Map<String, float[]> arrays = new LinkedHashMap<>();
        arrays.put("fc", fc);
        arrays.put("bias", bias);
        Cli.npz(npz, Files.createDirectory(dir.resolve("tmp")), arrays,
                Map.of("fc", new long[] {10, 64}, "bias", new long[] {16}));
        Cli.Result r = Cli.run("analyze", "--json", "--bits", "4,8", "--policies", "max_abs,percentile:99", "--filter",
                "^(w|fc)$", npy.toString(), npz.toString());
        assertEquals(0, r.code(), r::toString);
        Object j = Cli.json(r.out());
        assertEquals("NPY", Cli.at(j, "files", 0, "format"));
        assertEquals("NPZ", Cli.at(j, "files", 1, "format"));
        assertEquals(1, ((List<?>) Cli.at(j, "files", 1, "tensors")).size(), "bias filtered out");
        Object w = Cli.at(j, "files", 0, "tensors", 0);
        assertEquals(k.moments(conv).kurtosis(), Cli.num(w, "moments", "kurtosis"));
        assertEquals(k.calibrate(conv, 8, Grid.SIGNED, StepPolicy.percentile(99)).scale(0),
                Cli.num(w, "steps", "percentile:99.0", "scale", 1), 0.0);
        Object f = Cli.at(j, "files", 1, "tensors", 0);
        assertEquals(k.quantError(fc, k.calibrate(fc, 4, Grid.SIGNED, StepPolicy.mse())).snrDb(),
                Cli.num(f, "robustness", "snr_db_mse", 0), 1e-9);
        assertEquals(2, ((List<?>) Cli.at(f, "robustness", "snr_db_mse")).size());
    }

    @Test
    void nonFiniteWeightsAreReportedPerTensor() {
        float[] bad = conv.clone();
        bad[5] = Float.NaN;
        bad[7] = Float.POSITIVE_INFINITY;
        Path p = dir.resolve("bad.safetensors");
        new SafetensorsWriter().addFloats("ok", new long[] {conv.length}, conv).addFloats("bad", new long[] {16, 72}, bad)
                .write(p);
        Cli.Result r = Cli.run("analyze", p.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("NOT ANALYZED: 2 NaN or infinite values; nothing computed"), r::toString);
        Object j = Cli.json(Cli.run("analyze", "--json", p.toString()).out());
        assertEquals("non_finite", Cli.at(j, "files", 0, "tensors", 1, "status"));
        assertEquals(2.0, Cli.num(j, "files", 0, "tensors", 1, "non_finite_count"));
        assertNull(Cli.at(j, "files", 0, "tensors", 1, "steps"));
        assertEquals("ok", Cli.at(j, "files", 0, "tensors", 0, "status"));
    }

    @Test
    void largeTensorsUseSegmentMomentsAndAStridedSample() {
        Path p = model();
        Cli.Result r = Cli.run("analyze", "--json", "--sample-above", "1000", "--sample-size", "300", "--filter",
                "features.0.weight", p.toString());
        assertEquals(0, r.code(), r::toString);
        Object t = Cli.at(Cli.json(r.out()), "files", 0, "tensors", 0);
        assertEquals(302.0, Cli.num(t, "sampled"));
        assertTrue(((String) Cli.at(t, "note")).contains("exact over all 1152 values"), r::toString);
        assertTrue(((String) Cli.at(t, "note")).contains("strided sample of 300 values plus the two extremes"));
        Moments exact = k.moments(conv);
        assertEquals(exact.kurtosis(), Cli.num(t, "moments", "kurtosis"), 1e-12, "moments on every value");
        float[] sample = new float[302];
        for (int i = 0; i < 300; i++) {
            sample[i] = conv[i * (1152 / 300)];
        }
        sample[300] = (float) exact.min();
        sample[301] = (float) exact.max();
        assertEquals(k.calibrate(sample, 4, Grid.SIGNED, StepPolicy.mse()).scale(0),
                Cli.num(t, "steps", "mse", "scale", 2), 0.0);
        // max-based steps come from the exact extremes, not from the sample's
        for (int i = 0; i < 7; i++) {
            assertEquals(k.calibrate(conv, 2 + i, Grid.SIGNED, StepPolicy.maxAbs()).scale(0),
                    Cli.num(t, "steps", "max_abs:amax_over_qmax", "scale", i), 0.0);
            assertEquals(k.calibrate(conv, 2 + i, Grid.SIGNED, StepPolicy.minMax()).scale(0),
                    Cli.num(t, "steps", "min_max", "scale", i), 0.0);
        }
    }

    @Test
    void plotsWriteOneSvgPerTensorAndAHistogram() throws IOException {
        Path plots = dir.resolve("plots");
        Cli.Result r = Cli.run("analyze", "--plot", plots.toString(), model().toString());
        assertEquals(0, r.code(), r::toString);
        try (Stream<Path> s = Files.list(plots)) {
            List<String> names = s.map(x -> x.getFileName().toString()).sorted().toList();
            assertEquals(List.of("kurtosis_histogram.svg", AnalyzePlots.fileName("model", "classifier.weight"),
                    AnalyzePlots.fileName("model", "features.0.bias"), AnalyzePlots.fileName("model", "features.0.weight")),
                    names);
        }
        assertTrue(AnalyzePlots.fileName("model", "features.0.weight").startsWith("model__features.0.weight-"));
        String svg = Files.readString(plots.resolve(AnalyzePlots.fileName("model", "features.0.weight")));
        assertTrue(svg.startsWith("<svg xmlns='http://www.w3.org/2000/svg'"), svg);
        assertEquals(7, svg.split("<polyline").length - 1, "one line per bit-width");
        assertTrue(svg.contains("8 bits"));
        assertTrue(Files.readString(plots.resolve("kurtosis_histogram.svg")).contains("<rect"));
    }

    @Test
    void progressBarWhenAsked() {
        Cli.Result r = Cli.run("analyze", "--progress", model().toString());
        assertEquals(0, r.code());
        long bytes = 16 * 8 * 3 * 3 * 4 + 16 * 4 + 10 * 64 * 2 + 8;
        assertTrue(r.err().contains("analyze: " + Progress.size(bytes) + "/" + Progress.size(bytes) + " 100%"), r::toString);
        assertFalse(r.out().contains("analyze:"));
    }
}
