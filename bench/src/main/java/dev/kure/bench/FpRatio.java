package dev.kure.bench;

import dev.kure.FpKernels;
import dev.kure.FpQuantizer;
import java.util.Arrays;

/**
 * Load-robust companion of {@link FpFormatsBench} for a shared machine: alternates
 * {@code System.arraycopy} and one format's fake quantization of the same array many times (each
 * timing a few milliseconds) and reports the median of the per-round ratios kernel GB/s / copy GB/s,
 * so both sides of every ratio ran under the same load within milliseconds. Not a JMH benchmark (no
 * forks, no blackholes: the output arrays are consumed into a checksum); read it next to the JMH run.
 *
 * <p>{@code java --add-modules jdk.incubator.vector -cp bench/target/kure-benchmarks.jar
 * dev.kure.bench.FpRatio [size] [rounds]}
 */
public final class FpRatio {
    private FpRatio() {}

    /** Runs the rounds and prints one line per format. */
    public static void main(String[] args) {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 16_777_216;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        float[] x = BenchData.gaussian(size);
        float[] out = new float[size];
        FpKernels k = FpKernels.cpu();
        String[] names = {"e4m3", "mxfp8", "mxfp6", "mxfp4", "mxint8", "nvfp4"};
        FpQuantizer[] qs = {FpQuantizer.perTensor(dev.kure.FpFormat.E4M3, 4f / 448), FpQuantizer.mxfp8(),
                FpQuantizer.mxfp6(), FpQuantizer.mxfp4(), FpQuantizer.mxint8(), FpQuantizer.nvfp4()};
        int reps = Math.max(1, (1 << 24) / size);
        double check = 0;
        System.out.println("size " + size + " floats, " + rounds + " rounds, " + reps + " calls per timing, "
                + k.describe());
        for (int f = 0; f < qs.length; f++) {
            double[] ratio = new double[rounds];
            double[] gbs = new double[rounds];
            for (int r = -5; r < rounds; r++) { // 5 warm-up rounds
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    System.arraycopy(x, 0, out, 0, size);
                }
                long tc = System.nanoTime() - t0;
                check += out[r & 1023];
                t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    k.fakeQuantize(x, out, qs[f]);
                }
                long tq = System.nanoTime() - t0;
                check += out[r & 1023];
                if (r >= 0) {
                    ratio[r] = (double) tc / tq;
                    gbs[r] = 8.0 * size * reps / tq;
                }
            }
            Arrays.sort(ratio);
            Arrays.sort(gbs);
            System.out.printf("%-7s median %.2f x copy (quartiles %.2f - %.2f), median %.1f GB/s%n", names[f],
                    ratio[rounds / 2], ratio[rounds / 4], ratio[3 * rounds / 4], gbs[rounds / 2]);
        }
        System.out.println("checksum " + check);
    }
}
