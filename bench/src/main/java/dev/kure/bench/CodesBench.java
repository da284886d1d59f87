package dev.kure.bench;

import dev.kure.Grid;
import dev.kure.Kernels;
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
 * Integer codes and the DoReFa transform: int8 quantize (read 4 + write 1 bytes per element),
 * dequantize (read 1 + write 4) and DoReFa forward (read 4 twice: the max, then the transform,
 * + write 4).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms4g", "-Xmx4g"})
public class CodesBench {

    /** Data, buffers, backend. */
    @State(Scope.Thread)
    public static class S {
        @Param({"262144", "4194304"})
        public int size;

        @Param({"scalar", "panama"})
        public String backend;

        public float[] x, out;
        public byte[] codes;
        public Kernels k;
        public final Quantizer q = Quantizer.perTensor(8, Grid.SIGNED, 0.03f, 0);

        @Setup(Level.Trial)
        public void setUp() {
            x = BenchData.gaussian(size);
            out = new float[size];
            codes = new byte[size];
            k = Backends.of(backend, 1);
            k.quantize(x, codes, q);
        }
    }

    @Benchmark
    @Traffic(bytesPerElement = 5, note = "read x + write int8 codes")
    public byte[] quantizeInt8(S s) {
        s.k.quantize(s.x, s.codes, s.q);
        return s.codes;
    }

    @Benchmark
    @Traffic(bytesPerElement = 5, note = "read int8 codes + write out")
    public float[] dequantizeInt8(S s) {
        s.k.dequantize(s.codes, s.out, s.q);
        return s.out;
    }

    @Benchmark
    @Traffic(bytesPerElement = 12, note = "read w twice + write out")
    public double dorefaForward(S s) {
        return s.k.dorefaForward(s.x, s.out, 4);
    }
}
