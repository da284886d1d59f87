package dev.kure.bench;

import dev.kure.ElementType;
import dev.kure.Grid;
import dev.kure.Kernels;
import dev.kure.Moments;
import dev.kure.Quantizer;
import dev.kure.TensorView;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tensor views (issue 12): per-tensor fake quantization (PyTorch default, 8-bit SIGNED) and moments
 * on float[] arrays against native segments at an odd address in F32, BF16 and F16, one thread. The
 * 16-bit variants move half the bytes (their @Traffic says so); compare each with the array and copy
 * rows of the same run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms4g", "-Xmx4g"})
public class SegmentBench {

    /** The same data as a float[] and as native F32 / BF16 / F16 segments (1 byte past an aligned address). */
    @State(Scope.Thread)
    public static class Src {
        @Param({"262144", "4194304"})
        public int size;

        public float[] x, out;
        public TensorView x32, out32, x16b, out16b, x16h, out16h;
        private Arena arena;

        @Setup(Level.Trial)
        public void setUp() {
            x = BenchData.gaussian(size);
            out = new float[size];
            arena = Arena.ofShared();
            x32 = view(ElementType.F32);
            out32 = view(ElementType.F32);
            x16b = view(ElementType.BF16);
            out16b = view(ElementType.BF16);
            x16h = view(ElementType.F16);
            out16h = view(ElementType.F16);
            MemorySegment.copy(x, 0, x32.segment(), java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0, size);
            for (int i = 0; i < size; i++) {
                x16b.segment().setAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, i,
                        dev.kure.spi.Staging.toBf16(x[i]));
                x16h.segment().setAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(x[i]));
            }
        }

        private TensorView view(ElementType t) {
            long bytes = (long) size * t.byteSize();
            return new TensorView(arena.allocate(bytes + 64, 64).asSlice(1, bytes), t);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** The SIMD backend on one thread and the PyTorch-default quantizer. */
    @State(Scope.Thread)
    public static class K {
        public Kernels k;
        public Quantizer q;

        @Setup(Level.Trial)
        public void setUp() {
            k = Backends.of("panama", 1);
            q = Quantizer.perTensor(8, Grid.SIGNED, 0.03f, 0);
        }
    }

    @Benchmark
    @Traffic(bytesPerElement = 8, note = "read x + write out, float32")
    public float[] fqArray(Src s, K k) {
        k.k.fakeQuantize(s.x, s.out, k.q);
        return s.out;
    }

    @Benchmark
    @Traffic(bytesPerElement = 8, note = "read x + write out, float32")
    public TensorView fqNativeF32(Src s, K k) {
        k.k.fakeQuantize(s.x32, s.out32, k.q);
        return s.out32;
    }

    @Benchmark
    @Traffic(bytesPerElement = 4, note = "read x + write out, bfloat16")
    public TensorView fqNativeBf16(Src s, K k) {
        k.k.fakeQuantize(s.x16b, s.out16b, k.q);
        return s.out16b;
    }

    @Benchmark
    @Traffic(bytesPerElement = 4, note = "read x + write out, float16")
    public TensorView fqNativeF16(Src s, K k) {
        k.k.fakeQuantize(s.x16h, s.out16h, k.q);
        return s.out16h;
    }

    @Benchmark
    @Traffic(bytesPerElement = 4, note = "read x, float32")
    public Moments momentsArray(Src s, K k) {
        return k.k.moments(s.x);
    }

    @Benchmark
    @Traffic(bytesPerElement = 4, note = "read x, float32")
    public Moments momentsNativeF32(Src s, K k) {
        return k.k.moments(s.x32);
    }

    @Benchmark
    @Traffic(bytesPerElement = 2, note = "read x, bfloat16")
    public Moments momentsNativeBf16(Src s, K k) {
        return k.k.moments(s.x16b);
    }

    @Benchmark
    @Traffic(bytesPerElement = 2, note = "read x, float16")
    public Moments momentsNativeF16(Src s, K k) {
        return k.k.moments(s.x16h);
    }
}
