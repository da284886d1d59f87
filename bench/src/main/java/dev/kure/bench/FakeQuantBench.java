package dev.kure.bench;

import dev.kure.Grid;
import dev.kure.Kernels;
import dev.kure.Quantizer;
import dev.kure.Rounding;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Fake quantization (8-bit SIGNED, read x + write out: 8 bytes per element) against the copy
 * baseline: per tensor HALF_EVEN SATURATE (PyTorch's default), STOCHASTIC, per channel (64 channels
 * along axis 0), per group (G = 128), and the C baseline of the PyTorch loop.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms6g", "-Xmx6g"})
@Traffic(bytesPerElement = 8, note = "read x + write out")
public class FakeQuantBench {

    /** Input and output. */
    @State(Scope.Thread)
    public static class Src {
        @Param({"4096", "262144", "4194304", "16777216"})
        public int size;

        public float[] x, out;

        @Setup(Level.Trial)
        public void setUp() {
            x = BenchData.gaussian(size);
            out = new float[size];
        }
    }

    /** Backend and quantizers. */
    @State(Scope.Thread)
    public static class K {
        @Param({"scalar", "panama"})
        public String backend;

        @Param({"1"})
        public int threads;

        public Kernels k;
        public Quantizer tensor, stochastic, stochasticHash, channel, group;

        @Setup(Level.Trial)
        public void setUp(Src s) {
            k = Backends.of(backend, threads);
            tensor = Quantizer.perTensor(8, Grid.SIGNED, 0.03f, 0);
            stochastic = tensor.withRounding(Rounding.STOCHASTIC).withSeed(42);
            stochasticHash = tensor.withRounding(Rounding.STOCHASTIC_HASH).withSeed(42);
            int channels = 64;
            float[] sc = new float[channels];
            java.util.Arrays.fill(sc, 0.03f);
            channel = Quantizer.perChannel(8, Grid.SIGNED, sc, new int[channels], new int[] {channels, s.size / channels}, 0);
            int groups = s.size / 128;
            float[] sg = new float[groups];
            java.util.Arrays.fill(sg, 0.03f);
            group = Quantizer.perGroup(8, Grid.SIGNED, sg, new int[groups], 128);
        }
    }

    @Benchmark
    public float[] perTensor(Src s, K k) {
        k.k.fakeQuantize(s.x, s.out, k.tensor);
        return s.out;
    }

    @Benchmark
    public float[] stochastic(Src s, K k) {
        k.k.fakeQuantize(s.x, s.out, k.stochastic);
        return s.out;
    }

    /** STOCHASTIC_HASH: the same rounding with the fast counter-based hash instead of Philox. */
    @Benchmark
    public float[] stochasticHash(Src s, K k) {
        k.k.fakeQuantize(s.x, s.out, k.stochasticHash);
        return s.out;
    }

    @Benchmark
    public float[] perChannel(Src s, K k) {
        k.k.fakeQuantize(s.x, s.out, k.channel);
        return s.out;
    }

    @Benchmark
    public float[] perGroup(Src s, K k) {
        k.k.fakeQuantize(s.x, s.out, k.group);
        return s.out;
    }

    @Benchmark
    public float[] cBaseline(Src s) {
        CBaseline.fakeQuant(s.x, 0.03f, 0, -128, 127, s.out);
        return s.out;
    }
}
