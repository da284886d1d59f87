package dev.kure.bench;

import dev.kure.Kernels;
import dev.kure.Moments;
import java.util.concurrent.TimeUnit;
import org.apache.commons.math3.stat.descriptive.moment.Kurtosis;
import org.apache.commons.math3.stat.descriptive.moment.Variance;
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
 * Moments (count, mean, S2..S4, min, max in one call) against the read baseline and the peers:
 * Kure's scalar and SIMD backends, Apache Commons Math's storeless Kurtosis + Variance (the usual
 * Java way), and the C baseline (gcc -O3 -march=native, two passes in double). Every one reads x
 * once: 4 bytes per element. {@code threads} applies to the SIMD backend (opt-in 2: {@code -p threads=1,2}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms4g", "-Xmx4g"})
@Traffic(bytesPerElement = 4, note = "read x")
public class MomentsBench {

    /** The input. */
    @State(Scope.Thread)
    public static class Src {
        @Param({"4096", "262144", "4194304", "16777216"})
        public int size;

        public float[] x;
        public final double[] out = new double[7];

        @Setup(Level.Trial)
        public void setUp() {
            x = BenchData.gaussian(size);
        }
    }

    /** The Kure backend under test. */
    @State(Scope.Thread)
    public static class K {
        @Param({"scalar", "panama"})
        public String backend;

        @Param({"1"})
        public int threads;

        public Kernels k;

        @Setup(Level.Trial)
        public void setUp() {
            k = Backends.of(backend, threads);
        }
    }

    @Benchmark
    public Moments kure(Src s, K k) {
        return k.k.moments(s.x);
    }

    @Benchmark
    public double commonsMath(Src s) {
        Kurtosis kurt = new Kurtosis();
        Variance var = new Variance(false);
        for (float v : s.x) {
            kurt.increment(v);
            var.increment(v);
        }
        return kurt.getResult() + var.getResult();
    }

    @Benchmark
    public double cBaseline(Src s) {
        CBaseline.moments(s.x, s.out);
        return s.out[4];
    }
}
