package dev.kure.cli;

import dev.kure.Grid;
import dev.kure.Kernels;
import dev.kure.KureConfig;
import dev.kure.KureResult;
import dev.kure.Moments;
import dev.kure.Quantizer;
import dev.kure.Rounding;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A short demonstration on generated data: moments of the three distributions the paper contrasts,
 * a fake-quant table across rounding policies at the ties, and KURE steps flattening Gaussian weights.
 */
public final class Demo {
    private Demo() {}

    /** Runs the demo on {@code k}, printing to {@code out}. */
    public static void run(Kernels k, PrintStream out) {
        out.println("Kure demo — backend: " + k.describe());
        out.println();
        out.println("1. Moments of 10^6 samples (kurtosis: uniform 1.8, Gaussian 3, Laplace 6)");
        out.printf("   %-9s %10s %10s %10s %10s %10s%n", "dist", "mean", "std", "skewness", "kurtosis", "absMax");
        SplittableRandom r = new SplittableRandom(2020);
        String[] names = {"uniform", "gaussian", "laplace"};
        for (int d = 0; d < 3; d++) {
            float[] x = sample(r, d, 1_000_000, 1.0);
            Moments m = k.moments(x);
            out.printf("   %-9s %10.5f %10.5f %10.5f %10.5f %10.5f%n", names[d], m.mean(), m.std(), m.skewness(),
                    m.kurtosis(), m.absMax());
        }
        out.println();
        out.println("2. Fake quantization, 4-bit SIGNED grid, scale 1: every rounding policy at the ties");
        float[] ties = {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 7.6f, -9f};
        StringBuilder head = new StringBuilder(String.format("   %-20s", "x ->"));
        for (float t : ties) {
            head.append(String.format("%6.1f", t));
        }
        out.println(head);
        for (Rounding policy : Rounding.values()) {
            float[] q = new float[ties.length];
            k.fakeQuantize(ties, q, Quantizer.perTensor(4, Grid.SIGNED, 1f, 0).withRounding(policy).withSeed(7));
            StringBuilder row = new StringBuilder(String.format("   %-20s", policy));
            for (float v : q) {
                row.append(String.format("%6.1f", v));
            }
            out.println(row);
        }
        out.println();
        out.println("3. KURE on Gaussian weights (3 tensors, std 0.05, target 1.8, lr 1e-4)");
        List<float[]> ws = new ArrayList<>();
        for (int n : new int[] {4608, 9216, 1728}) {
            ws.add(sample(r, 1, n, 0.05));
        }
        List<float[]> gs = new ArrayList<>();
        for (float[] w : ws) {
            gs.add(new float[w.length]);
        }
        KureResult first = null;
        int steps = 2000;
        for (int s = 0; s < steps; s++) {
            for (float[] g : gs) {
                java.util.Arrays.fill(g, 0f);
            }
            KureResult res = k.kure(ws, gs, KureConfig.defaults());
            if (first == null) {
                first = res;
            }
            for (int t = 0; t < ws.size(); t++) {
                float[] w = ws.get(t), g = gs.get(t);
                for (int i = 0; i < w.length; i++) {
                    w[i] -= 1e-4f * g[i];
                }
            }
        }
        KureResult last = k.kure(ws, null, KureConfig.defaults());
        out.printf("   step 0: loss %.5f, kurtosis %s%n", first.loss(), fmt(first.kurtosis()));
        out.printf("   step %d: loss %.5f, kurtosis %s%n", steps, last.loss(), fmt(last.kurtosis()));
    }

    private static String fmt(double[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : ", ").append(String.format("%.3f", v[i]));
        }
        return b.append(']').toString();
    }

    /** 0 uniform on [-a, a], 1 Gaussian with std a, 2 Laplace with scale a. */
    static float[] sample(SplittableRandom r, int dist, int n, double a) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double v = switch (dist) {
                case 0 -> r.nextDouble(-a, a);
                case 1 -> a * Math.sqrt(-2 * Math.log1p(-r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
                default -> {
                    double u = r.nextDouble() - 0.5;
                    yield -a * Math.signum(u) * Math.log(1 - 2 * Math.abs(u));
                }
            };
            x[i] = (float) v;
        }
        return x;
    }

    /** Entry point: runs the demo on the best CPU backend. */
    public static void main(String[] args) {
        run(Kernels.cpu(), System.out);
    }
}
