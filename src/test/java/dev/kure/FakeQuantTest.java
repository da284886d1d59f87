package dev.kure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FakeQuantTest {
    final Kernels k = Kernels.scalar();

    static float[] fq(Kernels k, float[] x, Quantizer q) {
        float[] out = new float[x.length];
        k.fakeQuantize(x, out, q);
        return out;
    }

    static void assertBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " expected " + expected[i] + " got " + actual[i]);
            }
        }
    }

    static final float[] TIES = {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, -1.3f, 1.7f};

    @Test
    void everyRoundingPolicyAtEveryTie() {
        Map<Rounding, float[]> expected = new EnumMap<>(Rounding.class);
        expected.put(Rounding.HALF_EVEN, new float[] {-2, -2, 0, 0, 2, 2, -1, 2});
        expected.put(Rounding.HALF_AWAY_FROM_ZERO, new float[] {-3, -2, -1, 1, 2, 3, -1, 2});
        expected.put(Rounding.HALF_UP, new float[] {-2, -1, 0, 1, 2, 3, -1, 2});
        expected.put(Rounding.HALF_DOWN, new float[] {-3, -2, -1, 0, 1, 2, -1, 2});
        expected.put(Rounding.FLOOR, new float[] {-3, -2, -1, 0, 1, 2, -2, 1});
        expected.put(Rounding.CEIL, new float[] {-2, -1, 0, 1, 2, 3, -1, 2});
        expected.put(Rounding.TOWARD_ZERO, new float[] {-2, -1, 0, 0, 1, 2, -1, 1});
        for (var e : expected.entrySet()) {
            Quantizer q = Quantizer.perTensor(8, Grid.SIGNED, 1f, 0).withRounding(e.getKey());
            assertBits(e.getValue(), fq(k, TIES, q), e.getKey().toString());
            // the same ties at scale 0.25 (exact in binary): outputs scale with s
            float[] x = TIES.clone(), want = e.getValue().clone();
            for (int i = 0; i < x.length; i++) {
                x[i] *= 0.25f;
                want[i] *= 0.25f;
            }
            assertBits(want, fq(k, x, Quantizer.perTensor(8, Grid.SIGNED, 0.25f, 0).withRounding(e.getKey())),
                    e.getKey() + " at s=0.25");
        }
    }

    @Test
    void roundingNearestBelowHalfIsNotFooledByFloatAddition() {
        // 0.49999997f + 0.5f rounds to 1.0f in float; the exact policies must still give 0.
        float[] x = {0.49999997f, -0.49999997f, 2.4999998f};
        for (Rounding r : new Rounding[] {Rounding.HALF_UP, Rounding.HALF_AWAY_FROM_ZERO, Rounding.HALF_EVEN}) {
            assertBits(new float[] {0, 0, 2}, fq(k, x, Quantizer.perTensor(8, Grid.SIGNED, 1f, 0).withRounding(r)), r.name());
        }
    }

    @Test
    void midriseTiesAndTinyValues() {
        // MIDRISE levels are (k + 0.5)·s; y = 1 is a tie between 0.5 and 1.5, y = 0 between -0.5 and 0.5.
        float[] y = {1f, 0f, 0.3f, -1f, 2f, 1e-30f, -1e-30f};
        Map<Rounding, float[]> expected = new EnumMap<>(Rounding.class);
        expected.put(Rounding.HALF_EVEN, new float[] {0.5f, 0.5f, 0.5f, -1.5f, 2.5f, 0.5f, -0.5f});
        expected.put(Rounding.HALF_AWAY_FROM_ZERO, new float[] {1.5f, -0.5f, 0.5f, -1.5f, 2.5f, 0.5f, -0.5f});
        expected.put(Rounding.HALF_UP, new float[] {1.5f, 0.5f, 0.5f, -0.5f, 2.5f, 0.5f, -0.5f});
        expected.put(Rounding.HALF_DOWN, new float[] {0.5f, -0.5f, 0.5f, -1.5f, 1.5f, 0.5f, -0.5f});
        expected.put(Rounding.FLOOR, new float[] {0.5f, -0.5f, -0.5f, -1.5f, 1.5f, -0.5f, -0.5f});
        expected.put(Rounding.CEIL, new float[] {1.5f, 0.5f, 0.5f, -0.5f, 2.5f, 0.5f, 0.5f});
        expected.put(Rounding.TOWARD_ZERO, new float[] {0.5f, 0.5f, 0.5f, -0.5f, 1.5f, 0.5f, 0.5f});
        for (var e : expected.entrySet()) {
            Quantizer q = Quantizer.symmetric(4, Grid.MIDRISE, 1f).withRounding(e.getKey());
            assertBits(e.getValue(), fq(k, y, q), "MIDRISE " + e.getKey());
        }
        // the ends of the 2-bit MIDRISE grid are ±1.5·s
        assertBits(new float[] {1.5f, -1.5f}, fq(k, new float[] {9f, -9f}, Quantizer.symmetric(2, Grid.MIDRISE, 1f)), "ends");
    }

    @Test
    void saturateVersusWrapAtAndBeyondTheBounds() {
        float[] x = {7, 8, 9, -8, -9, 23, -24, 1e9f};
        Quantizer sat = Quantizer.perTensor(4, Grid.SIGNED, 1f, 0);
        assertBits(new float[] {7, 7, 7, -8, -8, 7, -8, 7}, fq(k, x, sat), "SATURATE");
        assertBits(new float[] {7, -8, -7, -8, 7, 7, -8, 0}, fq(k, x, sat.withOverflow(Overflow.WRAP)), "WRAP");
        // unsigned 4-bit with zero point 3: codes 0..15 hold values -3..12
        Quantizer u = Quantizer.perTensor(4, Grid.UNSIGNED, 1f, 3);
        float[] xu = {12, 13, -3, -4};
        assertBits(new float[] {12, 12, -3, -3}, fq(k, xu, u), "unsigned SATURATE");
        assertBits(new float[] {12, -3, -3, 12}, fq(k, xu, u.withOverflow(Overflow.WRAP)), "unsigned WRAP");
        // PAPER 2-bit grid [-2, 2] has 5 levels: WRAP is modulo 5
        Quantizer p = Quantizer.perTensor(2, Grid.PAPER, 1f, 0).withOverflow(Overflow.WRAP);
        assertBits(new float[] {2, -2, 2, -1}, fq(k, new float[] {2, 3, 7, -6}, p), "PAPER WRAP");
    }

    @Test
    void pytorchOrderReciprocalMultiplyDiffersFromDivide() {
        float s = 0.1f;
        float inv = 1.0f / s;
        int found = 0;
        float[] xs = new float[64];
        for (int i = 1; i < 2_000_000 && found < xs.length; i++) {
            float x = (i + 0.5f) * s; // near a tie
            x = Math.nextUp(x);
            for (int d = -4; d <= 4; d++) {
                float xx = x;
                for (int t = 0; t < Math.abs(d); t++) {
                    xx = d < 0 ? Math.nextDown(xx) : Math.nextUp(xx);
                }
                if (Math.rint(xx * inv) != Math.rint(xx / s) && Math.abs(Math.rint(xx * inv)) < 100 && found < xs.length) {
                    xs[found++] = xx;
                }
            }
        }
        assertTrue(found >= 8, "values where x*(1/s) and x/s round differently: " + found);
        xs = java.util.Arrays.copyOf(xs, found);
        Quantizer mul = Quantizer.perTensor(8, Grid.SIGNED, s, 3);
        float[] a = fq(k, xs, mul), b = fq(k, xs, mul.withMode(QuantMode.DIVIDE));
        for (int i = 0; i < xs.length; i++) {
            // PyTorch: (clamp(nearbyint(x * inv) + z, qmin, qmax) - z) * s, all float
            float torch = ((Math.min(Math.max((float) Math.rint(xs[i] * inv) + 3, -128), 127)) - 3) * s;
            float onnx = ((Math.min(Math.max((float) Math.rint(xs[i] / s) + 3, -128), 127)) - 3) * s;
            assertEquals(Float.floatToIntBits(torch), Float.floatToIntBits(a[i]), "multiply mode at " + xs[i]);
            assertEquals(Float.floatToIntBits(onnx), Float.floatToIntBits(b[i]), "divide mode at " + xs[i]);
            assertNotEquals(a[i], b[i]);
        }
    }

    @Test
    void nanAndInfinities() {
        float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1f};
        Quantizer q = Quantizer.perTensorAffine(0.5f, 2, -128, 127);
        float[] out = new float[4];
        long[] mask = {-1L};
        k.fakeQuantizeWithMask(x, out, mask, q);
        assertTrue(Float.isNaN(out[0]));
        assertEquals((127 - 2) * 0.5f, out[1]);
        assertEquals((-128 - 2) * 0.5f, out[2]);
        assertEquals(1f, out[3]);
        assertEquals(0b1000L, mask[0] & 0xF);
        assertEquals(-1L << 4, mask[0] & (-1L << 4), "bits past the range are not touched");
        float[] wrap = fq(k, x, q.withOverflow(Overflow.WRAP));
        assertTrue(Float.isNaN(wrap[0]) && Float.isNaN(wrap[1]) && Float.isNaN(wrap[2]));
        assertEquals(1f, wrap[3]);
    }

    @Test
    void steMaskPackedAndBackward() {
        float[] x = Data.gaussian(1000, 0, 1, 21);
        Quantizer q = Quantizer.perTensor(4, Grid.SIGNED, 0.2f, 1);
        long[] mask = new long[(x.length + 63) / 64];
        float[] out = new float[x.length];
        k.fakeQuantizeWithMask(x, out, mask, q);
        float[] dy = Data.gaussian(1000, 0, 1, 22);
        float[] dx1 = new float[1000], dx2 = new float[1000];
        k.fakeQuantizeBackward(x, dy, dx1, q);
        k.steBackward(mask, dy, dx2);
        int inside = 0;
        for (int i = 0; i < x.length; i++) {
            float code = (float) Math.rint(x[i] * (1.0f / 0.2f)) + 1;
            boolean in = code >= -8 && code <= 7;
            inside += in ? 1 : 0;
            assertEquals(in, ((mask[i >>> 6] >>> (i & 63)) & 1) == 1, "mask bit " + i);
            assertEquals(in ? dy[i] : 0f, dx1[i]);
        }
        assertArrayEquals(dx1, dx2);
        assertTrue(inside > 500 && inside < 1000, "both regions exercised: " + inside);
    }

    @Test
    void learnableScaleAndZeroPointGradients() {
        float s = 0.1f;
        int z = 2;
        Quantizer q = Quantizer.perTensor(4, Grid.SIGNED, s, z);
        float[] x = Data.uniform(5000, 1.5, 31);
        float[] dy = Data.gaussian(5000, 0, 1, 32);
        float[] dx = new float[x.length];
        LearnableGrads g = k.fakeQuantizeLearnableBackward(x, dy, dx, q, 1.0);
        // independent reference: LSQ / PyTorch formulas
        double ds = 0, dz = 0;
        float[] f = fq(k, x, q);
        int below = 0, above = 0;
        for (int i = 0; i < x.length; i++) {
            float code = (float) Math.rint(x[i] * (1.0f / s)) + z;
            if (code < -8) {
                ds += dy[i] * (-8.0 - z);
                dz -= dy[i] * (double) s;
                below++;
            } else if (code > 7) {
                ds += dy[i] * (7.0 - z);
                dz -= dy[i] * (double) s;
                above++;
            } else {
                ds += dy[i] * ((double) f[i] - x[i]) * (1.0f / s);
            }
        }
        assertTrue(below > 100 && above > 100);
        assertEquals(ds, g.dScale()[0], 1e-9 * Math.abs(ds) + 1e-9);
        assertEquals(dz, g.dZeroPoint()[0], 1e-9 * Math.abs(dz) + 1e-9);
        // the grad factor scales both
        LearnableGrads g2 = k.fakeQuantizeLearnableBackward(x, dy, dx, q, 0.25);
        assertEquals(0.25 * g.dScale()[0], g2.dScale()[0], 1e-12 * Math.abs(ds));
        assertEquals(0.25 * g.dZeroPoint()[0], g2.dZeroPoint()[0], 1e-12 * Math.abs(dz));
    }

    @Test
    void learnableScaleGradientMatchesFiniteDifferencesWhereDifferentiable() {
        // In the saturated region fq = (qmax - z)·s or (qmin - z)·s: the measured loss Σ dy·fq is
        // differentiable in s and its derivative is what the kernel returns.
        float[] x = new float[2000];
        float[] dy = Data.gaussian(2000, 0.3, 1, 41);
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 2 == 0 ? 1 : -1) * (5f + i * 1e-3f);
        }
        double s = 0.125;
        Quantizer q = Quantizer.perTensor(4, Grid.SIGNED, (float) s, 1);
        LearnableGrads g = k.fakeQuantizeLearnableBackward(x, dy, new float[x.length], q, 1.0);
        double h = 1.0 / 1024;
        double lp = loss(x, dy, Quantizer.perTensor(4, Grid.SIGNED, (float) (s + h), 1));
        double lm = loss(x, dy, Quantizer.perTensor(4, Grid.SIGNED, (float) (s - h), 1));
        assertEquals((lp - lm) / (2 * h), g.dScale()[0], 1e-6 * Math.abs(g.dScale()[0]));
        double dz = 0;
        for (float v : dy) {
            dz -= v * s;
        }
        assertEquals(dz, g.dZeroPoint()[0], 1e-9);
    }

    private double loss(float[] x, float[] dy, Quantizer q) {
        float[] f = fq(k, x, q);
        double l = 0;
        for (int i = 0; i < x.length; i++) {
            l += (double) dy[i] * f[i];
        }
        return l;
    }

    @Test
    void stochasticRoundingUnbiasedReproducibleAndSplitIndependent() {
        int n = 1_000_000;
        float[] x = new float[n];
        java.util.Arrays.fill(x, 0.3f);
        Quantizer q = Quantizer.perTensor(8, Grid.SIGNED, 1f, 0).withRounding(Rounding.STOCHASTIC).withSeed(42);
        float[] a = fq(k, x, q);
        double sum = 0;
        for (float v : a) {
            assertTrue(v == 0f || v == 1f);
            sum += v;
        }
        double sd = Math.sqrt(0.3 * 0.7 / n);
        assertEquals((double) 0.3f, sum / n, 5 * sd, "unbiased");
        // unbiased on spread data too: mean rounding error ~ 0
        float[] g = Data.gaussian(n, 0, 3, 5);
        float[] r = fq(k, g, q);
        double err = 0;
        for (int i = 0; i < n; i++) {
            err += r[i] - g[i];
        }
        assertEquals(0, err / n, 5 * 0.5 / Math.sqrt(n), "mean error");
        assertBits(a, fq(k, x, q), "same seed");
        assertNotEquals(java.util.Arrays.hashCode(a), java.util.Arrays.hashCode(fq(k, x, q.withSeed(43))), "other seed");
        // split: two calls with a stream offset give the same result as one
        int cut = 333_337;
        float[] whole = fq(k, g, q);
        float[] parts = new float[n];
        k.fakeQuantize(g, 0, parts, 0, cut, q);
        k.fakeQuantize(g, cut, parts, cut, n - cut, q.withStreamOffset(cut));
        assertBits(whole, parts, "split");
    }

    @Test
    void stochasticOnMidriseIsUnbiased() {
        int n = 400_000;
        float[] x = new float[n];
        java.util.Arrays.fill(x, 0.8f); // between levels 0.5 and 1.5: P(1.5) = 0.3
        float[] r = fq(k, x, Quantizer.symmetric(4, Grid.MIDRISE, 1f).withRounding(Rounding.STOCHASTIC).withSeed(9));
        double sum = 0;
        for (float v : r) {
            assertTrue(v == 0.5f || v == 1.5f);
            sum += v;
        }
        assertEquals((double) 0.8f, sum / n, 5 * Math.sqrt(0.21 / n));
    }

    @Test
    void perChannelAndPerGroupEqualPerTensorOnEachSlice() {
        int[] shape = {4, 3, 5};
        float[] x = Data.gaussian(60, 0, 1, 51);
        float[] scales = {0.1f, 0.2f, 0.05f, 0.3f};
        int[] zps = {0, 1, -2, 3};
        float[] out = fq(k, x, Quantizer.perChannel(8, Grid.SIGNED, scales, zps, shape, 0));
        for (int c = 0; c < 4; c++) {
            float[] slice = java.util.Arrays.copyOfRange(x, c * 15, c * 15 + 15);
            float[] want = fq(k, slice, Quantizer.perTensor(8, Grid.SIGNED, scales[c], zps[c]));
            assertBits(want, java.util.Arrays.copyOfRange(out, c * 15, c * 15 + 15), "channel " + c);
        }
        // axis 1: channel c of element (o, c, i)
        float[] s3 = {0.1f, 0.2f, 0.4f};
        float[] out1 = fq(k, x, Quantizer.perChannel(4, Grid.SIGNED, s3, new int[3], shape, 1));
        for (int i = 0; i < 60; i++) {
            int c = (i / 5) % 3;
            float want = fq(k, new float[] {x[i]}, Quantizer.perTensor(4, Grid.SIGNED, s3[c], 0))[0];
            assertEquals(want, out1[i]);
        }
        float[] gs = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
        float[] og = fq(k, x, Quantizer.perGroup(8, Grid.SIGNED, gs, new int[6], 10));
        for (int i = 0; i < 60; i++) {
            assertEquals(fq(k, new float[] {x[i]}, Quantizer.perTensor(8, Grid.SIGNED, gs[i / 10], 0))[0], og[i]);
        }
    }

    @Test
    void inPlaceAndSubrangesTouchNothingElse() {
        float[] x = Data.gaussian(100, 0, 1, 61);
        float[] copy = x.clone();
        Quantizer q = Quantizer.perTensor(4, Grid.SIGNED, 0.3f, 0);
        float[] want = fq(k, x, q);
        float[] out = new float[110];
        java.util.Arrays.fill(out, 42f);
        k.fakeQuantize(x, 10, out, 5, 80, q);
        for (int i = 0; i < 110; i++) {
            if (i < 5 || i >= 85) {
                assertEquals(42f, out[i], "outside the range at " + i);
            } else {
                assertEquals(want[i + 5], out[i]);
            }
        }
        assertArrayEquals(copy, x);
        k.fakeQuantize(x, x, q);
        assertArrayEquals(want, x);
    }

    @Test
    void doReFaForwardAndBackward() {
        float[] w = Data.gaussian(257, 0, 0.7, 71);
        float[] out = new float[w.length];
        double m = k.dorefaForward(w, out, 2);
        double mm = 0;
        for (float v : w) {
            mm = Math.max(mm, Math.abs(Math.tanh(v)));
        }
        assertEquals(mm, m, 1e-15);
        for (int i = 0; i < w.length; i++) {
            double wp = Math.tanh(w[i]) / (2 * mm) + 0.5;
            double qv = Math.rint(3 * wp) / 3;
            assertEquals(2 * qv - 1, out[i], 1e-6);
            assertTrue(out[i] == -1f || Math.abs(out[i] + 1f / 3) < 1e-6 || Math.abs(out[i] - 1f / 3) < 1e-6 || out[i] == 1f);
        }
        // backward: gradient of Σ dy·(tanh(w)/M) by central differences (round passed through)
        float[] dy = Data.gaussian(257, 0, 1, 72);
        float[] dx = new float[w.length];
        k.dorefaBackward(w, dy, dx);
        for (int i : new int[] {0, 5, 100, 256, argmaxAbs(w)}) {
            double h = 1e-3;
            double fd = (surrogate(w, dy, i, h) - surrogate(w, dy, i, -h)) / (2 * h);
            assertEquals(fd, dx[i], 1e-4 * Math.max(1, Math.abs(fd)), "dx[" + i + "]");
        }
    }

    private static int argmaxAbs(float[] w) {
        int k = 0;
        for (int i = 1; i < w.length; i++) {
            if (Math.abs(w[i]) > Math.abs(w[k])) {
                k = i;
            }
        }
        return k;
    }

    private static double surrogate(float[] w, float[] dy, int i, double h) {
        double m = 0;
        double[] t = new double[w.length];
        for (int j = 0; j < w.length; j++) {
            t[j] = Math.tanh(w[j] + (j == i ? h : 0));
            m = Math.max(m, Math.abs(t[j]));
        }
        double l = 0;
        for (int j = 0; j < w.length; j++) {
            l += dy[j] * t[j] / m;
        }
        return l;
    }

    @Test
    void learnableBackwardMakesNaNVisible() {
        float[] x = {0.1f, Float.NaN, 0.3f};
        float[] dx = new float[3];
        LearnableGrads g = k.fakeQuantizeLearnableBackward(x, new float[] {1, 1, 1}, dx,
                Quantizer.perTensor(8, Grid.SIGNED, 0.1f, 0), 1.0);
        assertTrue(Double.isNaN(g.dScale()[0]));
        assertEquals(0f, dx[1]);
        assertEquals(1f, dx[0]);
    }
}
