package dev.kure.bench;

import dev.kure.FpFormat;
import dev.kure.FpKernels;
import dev.kure.FpQuantizer;
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
 * Fake quantization to the floating-point formats ({@link FpKernels#cpu()}, one thread): the plain
 * element formats with an explicit per-tensor scale, the FP8 recipe with its amax pass
 * ({@code e4m3-amax}: reads x twice), MX (32-element blocks, E8M0 scales), NVFP4 (16-element blocks,
 * E4M3 scales, plus the tensor amax pass) and stochastic MXFP4. Run it together with
 * {@code BaselineBench.copy} so the ratios come from the same run:
 * {@code bench/run.sh fp-formats 'FpFormatsBench|BaselineBench.copy' -p size=262144,16777216}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms2g", "-Xmx2g"})
public class FpFormatsBench {

    /** Data, output buffer, quantizer. */
    @State(Scope.Thread)
    public static class S {
        @Param({"262144", "16777216"})
        public int size;

        @Param({"e4m3", "e4m3-amax", "e5m2", "e2m3", "e3m2", "e2m1", "mxfp8", "mxfp6", "mxfp4", "mxint8", "nvfp4",
                "mxfp4-stochastic"})
        public String format;

        public float[] x, out;
        public FpQuantizer q;
        public final FpKernels k = FpKernels.cpu();

        @Setup(Level.Trial)
        public void setUp() {
            x = BenchData.gaussian(size);
            out = new float[size];
            q = switch (format) {
                case "e4m3" -> FpQuantizer.perTensor(FpFormat.E4M3, 4f / 448);
                case "e4m3-amax" -> FpQuantizer.perTensor(FpFormat.E4M3);
                case "e5m2" -> FpQuantizer.perTensor(FpFormat.E5M2, 4f / 57344);
                case "e2m3" -> FpQuantizer.perTensor(FpFormat.E2M3, 4f / 7.5f);
                case "e3m2" -> FpQuantizer.perTensor(FpFormat.E3M2, 4f / 28);
                case "e2m1" -> FpQuantizer.perTensor(FpFormat.E2M1, 4f / 6);
                case "mxfp8" -> FpQuantizer.mxfp8();
                case "mxfp6" -> FpQuantizer.mxfp6();
                case "mxfp4" -> FpQuantizer.mxfp4();
                case "mxint8" -> FpQuantizer.mxint8();
                case "nvfp4" -> FpQuantizer.nvfp4();
                case "mxfp4-stochastic" -> FpQuantizer.mxfp4().withRounding(Rounding.STOCHASTIC).withSeed(1);
                default -> throw new IllegalArgumentException("unknown format " + format);
            };
            if (!k.name().equals("panama")) {
                throw new IllegalStateException("expected the SIMD kernels, got " + k.describe());
            }
        }
    }

    @Benchmark
    @Traffic(bytesPerElement = 8, note = "read x + write out (the amax pass of e4m3-amax and nvfp4 is not counted)")
    public float[] fakeQuantize(S s) {
        s.k.fakeQuantize(s.x, s.out, s.q);
        return s.out;
    }
}
