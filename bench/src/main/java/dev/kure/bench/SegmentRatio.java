package dev.kure.bench;

import dev.kure.ElementType;
import dev.kure.Grid;
import dev.kure.Kernels;
import dev.kure.Quantizer;
import dev.kure.TensorView;
import dev.kure.spi.Staging;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Interleaved A/B timing of the tensor-view kernels against the float[] path in one JVM, for a
 * machine whose load changes faster than JMH moves from one benchmark to the next: every round times
 * each variant for about 40 ms in turn, and the report is the median over rounds of each variant's
 * ratio to the array variant of the same round (with the 25th and 75th percentiles). JMH's numbers
 * for the same kernels are in {@code SegmentBench}.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp
 * bench/target/kure-benchmarks.jar dev.kure.bench.SegmentRatio [rounds]}.
 */
public final class SegmentRatio {
    private SegmentRatio() {}

    private interface Op {
        void run();
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 31;
        Kernels k = Backends.of("panama", 1);
        Quantizer q = Quantizer.perTensor(8, Grid.SIGNED, 0.03f, 0);
        System.out.println("| size | kernel | variant | elements/s ratio to the float[] kernel, median (p25–p75) | median GB/s |");
        System.out.println("|---:|---|---|---|---:|");
        try (Arena arena = Arena.ofShared()) {
            for (int size : new int[] {262_144, 4_194_304}) {
                float[] x = BenchData.gaussian(size), out = new float[size], copy = new float[size];
                TensorView[] in = new TensorView[3], res = new TensorView[3];
                for (ElementType t : ElementType.values()) {
                    long bytes = (long) size * t.byteSize();
                    in[t.ordinal()] = new TensorView(arena.allocate(bytes + 64, 64).asSlice(1, bytes), t);
                    res[t.ordinal()] = new TensorView(arena.allocate(bytes + 64, 64).asSlice(1, bytes), t);
                    for (int i = 0; i < size; i++) {
                        MemorySegment s = in[t.ordinal()].segment();
                        switch (t) {
                            case F32 -> s.set(ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * i, x[i]);
                            case BF16 -> s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i, Staging.toBf16(x[i]));
                            case F16 -> s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i, Float.floatToFloat16(x[i]));
                        }
                    }
                }
                TensorView a32 = TensorView.f32(arena.allocate(4L * size, 64)), b32 = TensorView.f32(arena.allocate(4L * size, 64));
                MemorySegment.copy(in[0].segment(), 0, a32.segment(), 0, 4L * size);
                String[] names = {"copy (System.arraycopy)", "fake-quant float[]", "fake-quant native F32",
                    "fake-quant native BF16", "fake-quant native F16", "moments float[]", "moments native F32",
                    "moments native BF16", "moments native F16", "fake-quant native F32 64-byte aligned",
                    "moments native F32 64-byte aligned"};
                double[] bytesPerElement = {8, 8, 8, 4, 4, 4, 4, 2, 2, 8, 4};
                int[] reference = {1, 1, 1, 1, 1, 5, 5, 5, 5, 1, 5};
                Op[] ops = {
                    () -> System.arraycopy(x, 0, copy, 0, size),
                    () -> k.fakeQuantize(x, out, q),
                    () -> k.fakeQuantize(in[0], res[0], q),
                    () -> k.fakeQuantize(in[1], res[1], q),
                    () -> k.fakeQuantize(in[2], res[2], q),
                    () -> k.moments(x),
                    () -> k.moments(in[0]),
                    () -> k.moments(in[1]),
                    () -> k.moments(in[2]),
                    () -> k.fakeQuantize(a32, b32, q),
                    () -> k.moments(a32),
                };
                double[][] gbs = new double[ops.length][rounds];
                for (int warm = 0; warm < 3; warm++) {
                    for (Op op : ops) {
                        time(op, 300_000_000L);
                    }
                }
                for (int r = 0; r < rounds; r++) {
                    for (int o = 0; o < ops.length; o++) {
                        double sec = time(ops[o], 40_000_000L);
                        gbs[o][r] = bytesPerElement[o] * size / sec / 1e9;
                    }
                }
                for (int o = 0; o < ops.length; o++) {
                    double[] ratio = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        ratio[r] = gbs[o][r] / gbs[reference[o]][r] * (bytesPerElement[reference[o]] / bytesPerElement[o]);
                    }
                    Arrays.sort(ratio);
                    double[] g = gbs[o].clone();
                    Arrays.sort(g);
                    System.out.printf("| %d | %s | %s | %.3f (%.3f–%.3f) | %.1f |%n", size, names[o].split(" ")[0],
                            names[o], ratio[rounds / 2], ratio[rounds / 4], ratio[3 * rounds / 4], g[rounds / 2]);
                }
            }
        }
    }

    /** Seconds per call, calling op for at least {@code nanos}. */
    private static double time(Op op, long nanos) {
        long start = System.nanoTime(), now;
        int calls = 0;
        do {
            op.run();
            calls++;
            now = System.nanoTime();
        } while (now - start < nanos);
        return (now - start) / 1e9 / calls;
    }
}
