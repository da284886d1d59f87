package dev.kure.bench;

import dev.kure.Grid;
import dev.kure.Kernels;
import dev.kure.LearnableGrads;
import dev.kure.Quantizer;
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
 * Fused backward passes: STE recomputed from x and the learnable scale / zero-point backward
 * (one read of x and dy, one write of dx, reduced ds/dz): 12 bytes per element, its bandwidth bound.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms6g", "-Xmx6g"})
@Traffic(bytesPerElement = 12, note = "read x + read dy + write dx")
public class BackwardBench {

    /** Inputs, output, backend. */
    @State(Scope.Thread)
    public static class S {
        @Param({"4096", "262144", "4194304", "16777216"})
        public int size;

        @Param({"scalar", "panama"})
        public String backend;

        public float[] x, dy, dx;
        public Kernels k;
        public final Quantizer q = Quantizer.perTensor(4, Grid.SIGNED, 0.25f, 0);

        @Setup(Level.Trial)
        public void setUp() {
            x = BenchData.gaussian(size);
            dy = BenchData.gaussian(size, 7);
            dx = new float[size];
            k = Backends.of(backend, 1);
        }
    }

    @Benchmark
    public float[] ste(S s) {
        s.k.fakeQuantizeBackward(s.x, s.dy, s.dx, s.q);
        return s.dx;
    }

    @Benchmark
    public LearnableGrads learnable(S s) {
        return s.k.fakeQuantizeLearnableBackward(s.x, s.dy, s.dx, s.q, 1.0);
    }
}
