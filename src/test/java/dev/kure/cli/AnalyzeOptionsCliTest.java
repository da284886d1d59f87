package dev.kure.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kure.Grid;
import dev.kure.Kernels;
import dev.kure.Moments;
import dev.kure.Quantizer;
import dev.kure.Rounding;
import dev.kure.StepPolicy;
import dev.kure.io.NpyWriter;
import dev.kure.io.SafetensorsWriter;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kure analyze}: F64 precision, shards, granularity, rounding, threads, compact mode, plots. */
class AnalyzeOptionsCliTest {
    @TempDir
    Path dir;

    private final Kernels k = Kernels.cpu();

    private Path model(String name, String... tensors) {
        Path p = dir.resolve(name);
        SafetensorsWriter w = new SafetensorsWriter();
        int seed = 0;
        for (String t : tensors) {
            seed++;
            w.addFloats(t, t.endsWith("bias") ? new long[] {32} : new long[] {32, 64},
                    t.endsWith("bias") ? Cli.gaussian(32, 0.01, seed) : Cli.laplace(32 * 64, 0.02, seed));
        }
        w.write(p);
        return p;
    }

    @Test
    void f64TensorsGetMomentsInDoubleAndSaySo() throws IOException {
        double[] v = new double[1000];
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian() * 1.2345678901234;
        }
        v[17] = -4.964671689847082; // not a float32: the float would be -4.964671611785889
        MemorySegment seg = MemorySegment.ofArray(new byte[8 * v.length]);
        for (int i = 0; i < v.length; i++) {
            seg.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, v[i]);
        }
        Path p = dir.resolve("d.safetensors");
        new SafetensorsWriter().addRaw("d", "F64", new long[] {1000}, seg).write(p);
        Cli.Result res = Cli.run("analyze", "--json", p.toString());
        assertEquals(0, res.code(), res::toString);
        Object t = Cli.at(Cli.json(res.out()), "files", 0, "tensors", 0);
        assertEquals(-4.964671689847082, Cli.num(t, "moments", "min"), 0.0, "the double, not its float");
        double mean = Arrays.stream(v).sum() / v.length;
        double s2 = 0;
        for (double x : v) {
            s2 += (x - mean) * (x - mean);
        }
        assertEquals(mean, Cli.num(t, "moments", "mean"), 1e-15);
        assertEquals(Math.sqrt(s2 / v.length), Cli.num(t, "moments", "std"), 1e-14);
        assertTrue(((String) Cli.at(t, "note")).contains("F64: moments, min and max computed in double"), res::toString);
        Cli.Result text = Cli.run("analyze", p.toString());
        assertTrue(text.out().contains("note: F64: moments, min and max computed in double; steps and robustness on "
                + "the values rounded to float32"), text::toString);
    }

    @Test
    void shardedCheckpointsByIndexOrDirectory() throws IOException {
        Path shards = Files.createDirectory(dir.resolve("hf"));
        Path a = model("hf/model-00001-of-00002.safetensors", "a.weight", "a.bias");
        Path b = model("hf/model-00002-of-00002.safetensors", "b.weight");
        Path index = shards.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"metadata\": {\"total_size\": 1}, \"weight_map\": {\"b.weight\": \""
                + b.getFileName() + "\", \"a.weight\": \"" + a.getFileName() + "\", \"a.bias\": \"" + a.getFileName()
                + "\"}}");
        for (Path arg : List.of(index, shards)) {
            Cli.Result r = Cli.run("analyze", "--compact", arg.toString());
            assertEquals(0, r.code(), r::toString);
            int ia = r.out().indexOf("== " + a), ib = r.out().indexOf("== " + b);
            assertTrue(ia >= 0 && ib > ia, "both shards, in name order: " + r);
            assertTrue(r.out().contains("summary: 3 tensors, 3 analyzed"), r::toString);
        }
        Files.writeString(index, "{\"weight_map\": {\"c.weight\": \"" + a.getFileName() + "\"}}");
        Cli.Result bad = Cli.run("analyze", index.toString());
        assertEquals(2, bad.code(), bad::toString);
        assertTrue(bad.err().contains("'c.weight' is not in its shard"), bad::toString);
    }

    @Test
    void compactModePrintsOneLinePerTensorAndTheModelSummary() {
        Path p = model("m.safetensors", "l1.weight", "l1.bias", "l2.weight");
        Cli.Result r = Cli.run("analyze", "--compact", p.toString());
        assertEquals(0, r.code(), r::toString);
        List<String> lines = r.out().lines().toList();
        assertEquals(1, lines.stream().filter(l -> l.startsWith("l1.weight ")).count(), r::toString);
        assertFalse(r.out().contains("step / bits"), "no per-tensor tables");
        assertTrue(r.out().contains("SNR4 mse"), r::toString);
        assertTrue(r.out().contains("weights (rank >= 2):      2 tensors"), r::toString);
        assertTrue(r.out().contains("other (biases, norms):    1 tensor, kurtosis"), r::toString);
        assertTrue(r.out().contains("most heavy-tailed weights:"), r::toString);
        assertTrue(r.out().contains("SNR dB at the mse step"), r::toString);
        assertTrue(lines.size() < 20, r::toString);
    }

    @Test
    void outputIsTheSameForEveryThreadCount() {
        Path p = model("t.safetensors", "a.weight", "a.bias", "b.weight", "c.weight", "c.bias");
        Cli.Result one = Cli.run("analyze", "--threads", "1", p.toString());
        Cli.Result three = Cli.run("analyze", "--threads", "3", p.toString());
        assertEquals(0, one.code(), one::toString);
        assertEquals(dropBackend(one.out()), dropBackend(three.out()));
        assertEquals(Cli.run("analyze", "--json", "--threads", "1", p.toString()).out().replaceAll("\"backend\".*", ""),
                Cli.run("analyze", "--json", "--threads", "4", p.toString()).out().replaceAll("\"backend\".*", ""));
    }

    private static String dropBackend(String s) {
        return s.lines().filter(l -> !l.startsWith("backend:")).reduce("", (x, y) -> x + y + "\n");
    }

    @Test
    void perChannelGroupSizeAndRoundingMatchTheLibrary() {
        Path p = model("g.safetensors", "w.weight", "w.bias");
        float[] w = Cli.laplace(32 * 64, 0.02, 1);
        Cli.Result r = Cli.run("analyze", "--json", "--per-channel", "--rounding", "half_up", "--bits", "4",
                "--policies", "max_abs,mse", p.toString());
        assertEquals(0, r.code(), r::toString);
        Object j = Cli.json(r.out());
        assertEquals("HALF_UP", Cli.at(j, "settings", "rounding"));
        Object t = Cli.at(j, "files", 0, "tensors", 0);
        Quantizer template = Quantizer.symmetric(4, Grid.SIGNED, 1f).withRounding(Rounding.HALF_UP);
        Quantizer pc = k.calibratePerChannel(w, new int[] {32, 64}, 0, template, StepPolicy.mse());
        assertEquals(k.quantError(w, pc).snrDb(), Cli.num(t, "steps", "mse", "granular", "snr_db", 0), 1e-9);
        Quantizer pt = k.calibrate(w, template, StepPolicy.mse());
        assertEquals(pt.scale(0), Cli.num(t, "steps", "mse", "scale", 0), 0.0);
        assertTrue(Cli.num(t, "steps", "max_abs:amax_over_qmax", "granular", "snr_db", 0)
                > Cli.num(t, "steps", "max_abs:amax_over_qmax", "granular", "snr_db_per_tensor", 0), "per channel helps");
        assertEquals(null, Cli.at(j, "files", 0, "tensors", 1, "steps", "mse", "granular"), "bias: per tensor only");

        Cli.Result g = Cli.run("analyze", "--json", "--group-size", "16", "--bits", "4", "--policies", "max_abs",
                p.toString());
        Quantizer pg = k.calibratePerGroup(w, 16, 4, Grid.SIGNED, StepPolicy.maxAbs());
        assertEquals(k.quantError(w, pg).snrDb(), Cli.num(Cli.json(g.out()), "files", 0, "tensors", 0, "steps",
                "max_abs:amax_over_qmax", "granular", "snr_db", 0), 1e-9);
        Cli.Result text = Cli.run("analyze", "--group-size", "16", p.toString());
        assertTrue(text.out().contains("per-group 16 steps: median scale"), text::toString);
        Cli.Result odd = Cli.run("analyze", "--group-size", "48", p.toString());
        assertTrue(odd.out().contains("group size 48 does not divide the last dimension 64"), odd::toString);
    }

    @Test
    void defaultPoliciesLeaveTheSlowLpSearchOut() {
        assertFalse(AnalyzeCommand.DEFAULT_POLICIES.contains("lp"));
        Path p = model("lp.safetensors", "w.weight");
        Cli.Result r = Cli.run("analyze", "--json", "--bits", "4", "--policies", "lp:2.4", p.toString());
        assertEquals(0, r.code(), r::toString);
        float[] w = Cli.laplace(32 * 64, 0.02, 1);
        assertEquals(k.calibrate(w, 4, Grid.SIGNED, StepPolicy.parse("lp:2.4")).scale(0),
                Cli.num(Cli.json(r.out()), "files", 0, "tensors", 0, "steps", "lp:2.4", "scale", 0), 0.0);
    }

    @Test
    void plotNamesNeverCollideAndTheHistogramIsLogScaledAndSplit() throws IOException {
        Path p = dir.resolve("c.safetensors");
        float[] x = Cli.gaussian(64, 1, 1);
        new SafetensorsWriter().addFloats("a/b", new long[] {8, 8}, x).addFloats("a_b", new long[] {8, 8}, x)
                .addFloats("a:b", new long[] {8, 8}, x).addFloats("n.bias", new long[] {64}, Cli.laplace(64, 1, 2))
                .write(p);
        Path plots = dir.resolve("plots");
        Cli.Result r = Cli.run("analyze", "--plot", plots.toString(), p.toString());
        assertEquals(0, r.code(), r::toString);
        try (Stream<Path> s = Files.list(plots)) {
            assertEquals(5, s.count(), "4 tensors and the histogram");
        }
        String hist = Files.readString(plots.resolve("kurtosis_histogram.svg"));
        assertTrue(hist.contains("kurtosis (log scale)"), hist);
        assertTrue(hist.contains("weights (3)") && hist.contains("other (1)"), hist);
        // the reference labels sit on separate rows
        List<String> labelRows = hist.lines().filter(l -> l.contains("fill='#d62728'") && l.startsWith("<text"))
                .map(l -> l.replaceAll(".* y='([0-9]+)'.*", "$1")).toList();
        assertEquals(3, labelRows.size(), hist);
        assertEquals(3, labelRows.stream().distinct().count(), hist);
        assertNotEquals(AnalyzePlots.fileName("c", "a/b"), AnalyzePlots.fileName("c", "a_b"));
    }

    @Test
    void progressCountsBytesWithAnEstimate() {
        Path p = model("p.safetensors", "a.weight", "b.weight", "c.weight", "d.weight");
        Cli.Result r = Cli.run("analyze", "--progress", "--threads", "1", p.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.err().contains("ETA"), r::toString);
        assertTrue(r.err().contains("32.8 KB/32.8 KB 100%"), r::toString);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSchemaFileDescribesEveryFieldOfTheOutput() throws IOException {
        Object schema = Cli.json(Files.readString(Path.of("docs/analyze-schema.json")));
        Path p = model("s.safetensors", "w.weight", "w.bias");
        Object out = Cli.json(Cli.run("analyze", "--json", "--per-channel", p.toString()).out());
        assertEquals(Cli.at(schema, "title"), Cli.at(out, "schema"));
        Object tensor = Cli.at(out, "files", 0, "tensors", 0);
        Object tensorSchema = Cli.at(schema, "$defs", "tensor", "properties");
        Object stepSchema = Cli.at(tensorSchema, "steps", "additionalProperties", "properties");
        Object[][] pairs = {
            {out, Cli.at(schema, "properties")},
            {Cli.at(out, "settings"), Cli.at(schema, "properties", "settings", "properties")},
            {Cli.at(out, "summary"), Cli.at(schema, "properties", "summary", "properties")},
            {Cli.at(out, "files", 0), Cli.at(schema, "properties", "files", "items", "properties")},
            {tensor, tensorSchema},
            {Cli.at(tensor, "moments"), Cli.at(tensorSchema, "moments", "oneOf", 1, "properties")},
            {Cli.at(tensor, "steps", "mse"), stepSchema},
            {Cli.at(tensor, "steps", "mse", "granular"), Cli.at(stepSchema, "granular", "properties")},
            {Cli.at(tensor, "robustness"), Cli.at(tensorSchema, "robustness", "properties")},
        };
        for (Object[] pair : pairs) {
            for (String key : ((java.util.Map<String, Object>) pair[0]).keySet()) {
                assertTrue(((java.util.Map<String, Object>) pair[1]).containsKey(key), "schema lacks " + key);
            }
        }
    }

    @Test
    void exampleCommandWritesTheReadmeExample() throws IOException {
        Path ex = dir.resolve("example.safetensors");
        Cli.Result w = Cli.run("example", ex.toString());
        assertEquals(0, w.code(), w::toString);
        byte[] first = Files.readAllBytes(ex);
        Cli.run("example", ex.toString());
        assertTrue(Arrays.equals(first, Files.readAllBytes(ex)), "fixed seed: same bytes");
        Cli.Result r = Cli.run("analyze", "--json", "--bits", "4", "--policies", "max_abs", ex.toString());
        assertEquals(0, r.code(), r::toString);
        Object j = Cli.json(r.out());
        assertEquals("conv1.weight", Cli.at(j, "files", 0, "tensors", 0, "name"));
        assertEquals(3.0, Cli.num(j, "files", 0, "tensors", 0, "moments", "kurtosis"), 0.1);
        assertEquals(6.0, Cli.num(j, "files", 0, "tensors", 1, "moments", "kurtosis"), 0.3);
    }

    @Test
    void npyAndSafetensorsReportTheSameKurtosisConventionAsRegularize() throws IOException {
        float[] w = Cli.laplace(32 * 64, 0.02, 1);
        Path npy = dir.resolve("w.npy");
        NpyWriter.write(npy, new long[] {32, 64}, w);
        Cli.Result r = Cli.run("analyze", npy.toString());
        Moments m = k.moments(w);
        assertTrue(r.out().contains(String.format(Locale.ROOT, "kurtosis %.4f", m.kurtosis())), r::toString);
        assertTrue(r.out().contains("kurtosis: Pearson K = m4/m2^2"), r::toString);
    }
}
