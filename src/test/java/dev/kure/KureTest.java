package dev.kure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kure.KureConfig.Reduction;
import dev.kure.KureConfig.StdConvention;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KureTest {
    final Kernels k = Kernels.scalar();

    /** Independent double reference of the regularizer, for finite differences. */
    static double kurt(double[] w, StdConvention std) {
        int n = w.length;
        double mean = 0;
        for (double v : w) {
            mean += v;
        }
        mean /= n;
        double s2 = 0, s4 = 0;
        for (double v : w) {
            double d = v - mean;
            s2 += d * d;
            s4 += d * d * d * d;
        }
        double var = std == StdConvention.UNBIASED ? s2 / (n - 1) : s2 / n;
        return (s4 / n) / (var * var);
    }

    static double regularizer(List<double[]> ws, KureConfig cfg) {
        double acc = 0, max = 0;
        for (double[] w : ws) {
            double t = Math.pow(kurt(w, cfg.std()) - cfg.target(), 2);
            acc += t;
            max = Math.max(max, t);
        }
        return switch (cfg.reduction()) {
            case MEAN -> cfg.lambda() * acc / ws.size();
            case SUM -> cfg.lambda() * acc;
            case MAX -> cfg.lambda() * max;
        };
    }

    static List<float[]> tensors() {
        return List.of(Data.gaussian(50, 0.1, 1.0, 1), Data.laplace(80, 0.5, 2), Data.uniform(33, 2, 3));
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void gradientMatchesCentralFiniteDifferences(Reduction red) {
        for (StdConvention std : StdConvention.values()) {
            KureConfig cfg = KureConfig.defaults().withReduction(red).withStd(std).withLambda(0.7);
            List<float[]> ws = tensors();
            List<float[]> gs = new ArrayList<>();
            for (float[] w : ws) {
                gs.add(new float[w.length]);
            }
            KureResult r = k.kure(ws, gs, cfg);
            List<double[]> wd = new ArrayList<>();
            for (float[] w : ws) {
                double[] d = new double[w.length];
                for (int i = 0; i < w.length; i++) {
                    d[i] = w[i];
                }
                wd.add(d);
            }
            assertEquals(regularizer(wd, cfg), r.loss(), 1e-12 * r.loss(), "loss " + red + " " + std);
            double h = 1e-5;
            for (int t = 0; t < ws.size(); t++) {
                double[] w = wd.get(t);
                double gmax = 0;
                double[] fd = new double[w.length];
                for (int i = 0; i < w.length; i++) {
                    double keep = w[i];
                    w[i] = keep + h;
                    double lp = regularizer(wd, cfg);
                    w[i] = keep - h;
                    double lm = regularizer(wd, cfg);
                    w[i] = keep;
                    fd[i] = (lp - lm) / (2 * h);
                    gmax = Math.max(gmax, Math.abs(fd[i]));
                }
                for (int i = 0; i < w.length; i++) {
                    double err = Math.abs(gs.get(t)[i] - fd[i]);
                    assertTrue(err <= 1e-6 * gmax + (gmax == 0 ? 1e-12 : 0),
                            red + " " + std + " tensor " + t + " element " + i + ": kernel " + gs.get(t)[i] + " vs fd " + fd[i]);
                }
                if (red == Reduction.MAX && t != r.worst()) {
                    assertEquals(0, gmax, "MAX sends gradient only to the worst tensor");
                }
            }
        }
    }

    @Test
    void invariantsSumAndWeightedSumVanish() {
        float[] w = Data.laplace(10_000, 0.05, 7);
        float[] g = new float[w.length];
        k.kure(List.of(w), List.of(g), KureConfig.defaults());
        double sum = 0, abs = 0, wsum = 0, wabs = 0;
        for (int i = 0; i < w.length; i++) {
            sum += g[i];
            abs += Math.abs(g[i]);
            wsum += (double) w[i] * g[i];
            wabs += Math.abs((double) w[i] * g[i]);
        }
        assertTrue(abs > 0);
        assertEquals(0, sum / abs, 1e-6, "Σg");
        assertEquals(0, wsum / wabs, 1e-6, "Σw·g");
    }

    @Test
    void accumulatesIntoExistingGradients() {
        List<float[]> ws = tensors();
        List<float[]> fresh = new ArrayList<>(), existing = new ArrayList<>();
        for (float[] w : ws) {
            fresh.add(new float[w.length]);
            float[] e = Data.gaussian(w.length, 0, 1, w.length);
            existing.add(e);
        }
        List<float[]> before = new ArrayList<>();
        for (float[] e : existing) {
            before.add(e.clone());
        }
        k.kure(ws, fresh, KureConfig.defaults());
        k.kure(ws, existing, KureConfig.defaults());
        for (int t = 0; t < ws.size(); t++) {
            for (int i = 0; i < ws.get(t).length; i++) {
                assertEquals(before.get(t)[i] + fresh.get(t)[i], existing.get(t)[i], 1e-6 * Math.abs(fresh.get(t)[i]) + 1e-7);
            }
        }
    }

    @Test
    void skippedTensorsAreReportedAndDoNotPoisonTheLoss() {
        float[] constant = new float[100];
        java.util.Arrays.fill(constant, 0.25f);
        float[] single = {3f};
        float[] nan = Data.gaussian(64, 0, 1, 9);
        nan[3] = Float.NaN;
        float[] good = Data.gaussian(500, 0, 1, 10);
        List<float[]> ws = List.of(constant, good, single, nan);
        List<float[]> gs = List.of(new float[100], new float[500], new float[1], new float[64]);
        KureResult r = k.kure(ws, gs, KureConfig.defaults());
        assertEquals(List.of(new KureResult.Skipped(0, KureResult.SkipReason.ZERO_VARIANCE),
                new KureResult.Skipped(2, KureResult.SkipReason.TOO_FEW_ELEMENTS),
                new KureResult.Skipped(3, KureResult.SkipReason.NON_FINITE)), r.skipped());
        double kg = k.moments(good).kurtosisSampleStd();
        assertEquals(Math.pow(kg - 1.8, 2) / 4, r.loss(), 1e-12, "MEAN divides by all 4 tensors given");
        assertEquals(kg, r.kurtosis()[1], 1e-12);
        assertTrue(Double.isNaN(r.kurtosis()[0]));
        for (int t : new int[] {0, 2, 3}) {
            for (float v : gs.get(t)) {
                assertEquals(0f, v);
            }
        }
    }

    @Test
    void lossOnlyWithoutGradients() {
        List<float[]> ws = tensors();
        KureResult a = k.kure(ws, null, KureConfig.defaults());
        KureResult b = k.kure(ws, List.of(new float[50], new float[80], new float[33]), KureConfig.defaults());
        assertEquals(b.loss(), a.loss());
    }

    @Test
    void segmentsFormEqualsArrayForm() {
        List<float[]> ws = tensors();
        List<float[]> g1 = List.of(new float[50], new float[80], new float[33]);
        List<float[]> g2 = List.of(new float[50], new float[80], new float[33]);
        KureResult a = k.kure(ws, g1, KureConfig.defaults());
        List<MemorySegment> wseg = ws.stream().map(MemorySegment::ofArray).toList();
        List<MemorySegment> gseg = g2.stream().map(MemorySegment::ofArray).toList();
        KureResult b = k.kureSegments(wseg, gseg, KureConfig.defaults());
        assertEquals(a.loss(), b.loss());
        for (int t = 0; t < 3; t++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(g1.get(t), g2.get(t));
        }
    }

    @Test
    void descentFlattensAGaussianAndKeepsItsMean() {
        // docs/semantics.md §3: n = 4608, std 0.05, λ = 1, lr 1e-4: K_u 3.03 -> 2.34 (1k) -> 1.85 (10k steps)
        float[] w = Data.gaussian(4608, 0.01, 0.05, 123);
        Moments start = k.moments(w);
        float[] g = new float[w.length];
        double k1000 = 0;
        for (int step = 1; step <= 10_000; step++) {
            java.util.Arrays.fill(g, 0f);
            k.kure(List.of(w), List.of(g), KureConfig.defaults());
            for (int i = 0; i < w.length; i++) {
                w[i] -= 1e-4f * g[i];
            }
            if (step == 1000) {
                k1000 = k.moments(w).kurtosisSampleStd();
            }
        }
        Moments end = k.moments(w);
        assertEquals(2.34, k1000, 0.1, "after 1k steps");
        assertTrue(end.kurtosisSampleStd() < 1.9, "after 10k steps: " + end.kurtosisSampleStd());
        assertEquals(start.mean(), end.mean(), 1e-5 * start.std(), "mean unchanged");
        assertEquals(start.std(), end.std(), 0.05 * start.std(), "std kept to first order");
    }
}
