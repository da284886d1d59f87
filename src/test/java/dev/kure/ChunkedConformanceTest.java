package dev.kure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kure.spi.Backend;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every CPU kernel against the scalar oracle at sizes that span one, two and three parallel chunks
 * with odd tails, with 1 and 2 threads: the forward fake-quant WITHOUT a mask (the chunked path) for
 * every rounding × overflow × grid × mode, STE and learnable backward, integer codes, KURE loss and
 * gradients, moments, max |x|, mean absolute deviation, order statistics and the error sums.
 *
 * <p>The chunk is {@code kure.simd.chunk}: the pom's simd-small-chunks run sets 4096 and this class
 * runs the full matrix there; at the default 2^20 (the other runs) it runs a small sample of it at
 * 2.5 chunks, to stay short.
 */
class ChunkedConformanceTest {
    static final int CHUNK = Integer.getInteger("kure.simd.chunk", 1 << 20);
    /** The full policy matrix only where chunks are small enough for the oracle to keep up. */
    static final boolean FULL = CHUNK <= 65_536;

    final Kernels oracle = Kernels.scalar();
    final Kernels[] cpus = {Kernels.cpu().withThreads(1), Kernels.cpu().withThreads(2)};

    /** One chunk (tail of 3 past a multiple of 16), two chunks less one, three chunks with an odd tail. */
    static int[] sizes() {
        int[] all = {CHUNK - 13, 2 * CHUNK - 1, 2 * CHUNK + CHUNK / 2 + 7};
        return FULL ? all : new int[] {all[2]};
    }

    static List<Quantizer> grids() {
        return List.of(
                Quantizer.perTensor(8, Grid.SIGNED, 0.05f, 3),
                Quantizer.perTensor(4, Grid.UNSIGNED, 0.3f, 5),
                Quantizer.perTensor(3, Grid.SIGNED_NARROW, 0.4f, 0),
                Quantizer.perTensor(3, Grid.PAPER, 0.7f, -1),
                Quantizer.symmetric(4, Grid.MIDRISE, 0.25f),
                Quantizer.perTensorAffine(0.1f, -3, -20, 13),          // 34 levels: WRAP by a non-power of two
                Quantizer.perTensorAffine(1e-3f, 100, -65536, 65536)); // widest grid the API allows
    }

    /** Every rounding × overflow × grid × mode (a sample of it at the default chunk size). */
    static List<Quantizer> quantizers() {
        List<Quantizer> qs = new ArrayList<>();
        int i = 0;
        for (Quantizer g : grids()) {
            for (Rounding r : Rounding.values()) {
                for (Overflow o : Overflow.values()) {
                    for (QuantMode m : QuantMode.values()) {
                        if (FULL || i++ % 29 == 0) {
                            qs.add(g.withRounding(r).withOverflow(o).withMode(m).withSeed(11 + r.ordinal())
                                    .withStreamOffset(5));
                        }
                    }
                }
            }
        }
        return qs;
    }

    /** Adversarial data plus values near ±2^22 steps, where WRAP leaves the exact SIMD range. */
    static float[] data(int n, Quantizer q, long seed) {
        float[] x = BackendConformance.adversarial(n, q.scale(0), Math.min(q.qmax(), 300), seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (int k = 0; k < n / 97; k++) {
            float steps = 0x1p22f - r.nextInt(4) + (r.nextBoolean() ? 0.5f : 0f);
            x[r.nextInt(n)] = (r.nextBoolean() ? steps : -steps) * q.scale(0);
        }
        return x;
    }

    static float[] finite(float[] x) {
        float[] y = x.clone();
        for (int i = 0; i < y.length; i++) {
            if (!Float.isFinite(y[i])) {
                y[i] = 0.25f * i % 7;
            }
        }
        return y;
    }

    @Test
    void fakeQuantizeForwardWithoutMask() {
        for (int n : sizes()) {
            for (Quantizer q : quantizers()) {
                float[] x = data(n + 3, q, n ^ q.hashCode());
                float[] want = new float[n + 1];
                oracle.fakeQuantize(x, 3, want, 1, n, q);
                for (Kernels k : cpus) {
                    float[] got = new float[n + 1];
                    k.fakeQuantize(x, 3, got, 1, n, q);
                    FakeQuantTest.assertBits(want, got, k.describe() + " " + q + " n=" + n);
                }
            }
        }
    }

    /** The masked forward (single-threaded, word-wise mask writes) at sizes that end mid-word. */
    @Test
    void fakeQuantizeWithMask() {
        for (int n : new int[] {1, 63, 65, 1000, 3 * 1024 + 17}) {
            for (Quantizer q : quantizers()) {
                float[] x = data(n, q, n * 3L + q.hashCode());
                long[] m1 = new long[(n + 63) / 64], m2 = new long[(n + 63) / 64];
                float[] want = new float[n], got = new float[n];
                oracle.fakeQuantizeWithMask(x, want, m1, q);
                cpus[1].fakeQuantizeWithMask(x, got, m2, q);
                FakeQuantTest.assertBits(want, got, "masked " + q + " n=" + n);
                assertArrayEquals(m1, m2, "mask " + q + " n=" + n);
            }
        }
    }

    @Test
    void fakeQuantizeWithMaskPerChannelAndPerGroup() {
        // runs of 9, 117 and 39 elements: vectors start at bit positions that are not multiples of the
        // lane count, so their mask bits straddle 64-bit words
        int[] shape = {7, 13, 9};
        int n = 7 * 13 * 9;
        float[] scales13 = new float[13];
        int[] zps13 = new int[13];
        float[] scales7 = new float[7];
        int[] zps7 = new int[7];
        for (int c = 0; c < 13; c++) {
            scales13[c] = 0.05f + 0.01f * c;
            zps13[c] = c % 3 - 1;
        }
        for (int c = 0; c < 7; c++) {
            scales7[c] = 0.07f + 0.02f * c;
            zps7[c] = c % 2;
        }
        float[] scalesG = new float[n / 39];
        int[] zpsG = new int[n / 39];
        for (int g = 0; g < scalesG.length; g++) {
            scalesG[g] = 0.04f + 0.003f * g;
            zpsG[g] = g % 3 - 1;
        }
        List<Quantizer> qs = List.of(
                Quantizer.perChannel(4, Grid.SIGNED, scales13, zps13, shape, 1),
                Quantizer.perChannel(3, Grid.SIGNED, scales7, zps7, shape, 0).withOverflow(Overflow.WRAP),
                Quantizer.perChannel(4, Grid.UNSIGNED, scales13, java.util.Arrays.stream(zps13).map(z -> z + 8).toArray(), shape, 1)
                        .withRounding(Rounding.STOCHASTIC).withSeed(9),
                Quantizer.perGroup(4, Grid.SIGNED, scalesG, zpsG, 39).withRounding(Rounding.HALF_UP));
        for (Quantizer q : qs) {
            float[] x = Data.gaussian(n, 0, 0.6, q.hashCode());
            x[5] = Float.NaN;
            x[77] = 1e9f; // beyond the exact range: the scalar path under WRAP
            long[] m1 = new long[(n + 63) / 64], m2 = new long[(n + 63) / 64];
            float[] want = new float[n], got = new float[n];
            oracle.fakeQuantizeWithMask(x, want, m1, q);
            cpus[1].fakeQuantizeWithMask(x, got, m2, q);
            FakeQuantTest.assertBits(want, got, "masked " + q);
            assertArrayEquals(m1, m2, "mask " + q);
        }
    }

    @Test
    void doReFaForwardAndBackward() {
        for (int n : sizes()) {
            float[] w = Data.gaussian(n, 0, 0.5, n + 11L);
            float[] dy = Data.gaussian(n, 0, 1, n + 12L);
            float[] a = new float[n], da = new float[n];
            double maxA = oracle.dorefaForward(w, a, 3);
            oracle.dorefaBackward(w, dy, da);
            for (Kernels k : cpus) {
                float[] b = new float[n], db = new float[n];
                BackendConformance.assertClose(maxA, k.dorefaForward(w, b, 3), 1e-12, "max|tanh| n=" + n);
                int differ = 0;
                for (int i = 0; i < n; i++) {
                    differ += a[i] == b[i] ? 0 : 1;
                    // a tanh ulp may move a value across a rounding tie: one level, 1/(2^3 - 1) of the range
                    assertTrue(Math.abs(a[i] - b[i]) <= 2f / 7 + 1e-6f, "dorefa out " + i + " n=" + n);
                }
                assertTrue(differ <= n / 1000 + 1, "outputs that differ (tanh ulps at round ties): " + differ);
                k.dorefaBackward(w, dy, db);
                for (int i = 0; i < n; i++) {
                    BackendConformance.assertClose(da[i], db[i], 1e-5 * Math.abs(da[i]) + 1e-6, "dorefa dx " + i + " n=" + n);
                }
            }
        }
    }

    @Test
    void steAndLearnableBackward() {
        for (int n : sizes()) {
            for (Quantizer q : quantizers()) {
                float[] x = data(n, q, n * 7L + q.hashCode());
                float[] dy = Data.gaussian(n, 0, 1, n);
                float[] want = new float[n];
                oracle.fakeQuantizeBackward(x, dy, want, q);
                float[] xf = finite(x);
                float[] wantL = new float[n];
                LearnableGrads a = oracle.fakeQuantizeLearnableBackward(xf, dy, wantL, q, 0.25);
                for (Kernels k : cpus) {
                    float[] got = new float[n];
                    k.fakeQuantizeBackward(x, dy, got, q);
                    FakeQuantTest.assertBits(want, got, "STE " + k.describe() + " " + q + " n=" + n);
                    LearnableGrads b = k.fakeQuantizeLearnableBackward(xf, dy, got, q, 0.25);
                    FakeQuantTest.assertBits(wantL, got, "learnable dx " + q + " n=" + n);
                    int z = q.zeroPoint(0);
                    double tol = 1e-6 * BackendConformance.sumAbs(dy) * (Math.max(z - q.qmin(), q.qmax() - z) + 1);
                    BackendConformance.assertClose(a.dScale()[0], b.dScale()[0], tol, "dScale " + q + " n=" + n);
                    BackendConformance.assertClose(a.dZeroPoint()[0], b.dZeroPoint()[0], tol, "dZeroPoint " + q);
                }
            }
        }
    }

    @Test
    void integerCodes() {
        for (int n : sizes()) {
            List<Quantizer> int8 = List.of(
                    Quantizer.perTensor(8, Grid.UNSIGNED, 0.05f, 128).withRounding(Rounding.STOCHASTIC).withSeed(4),
                    Quantizer.perTensor(8, Grid.SIGNED, 0.05f, -2).withOverflow(Overflow.WRAP).withMode(QuantMode.DIVIDE),
                    Quantizer.perTensor(8, Grid.SIGNED, 0.05f, 3),
                    Quantizer.symmetric(8, Grid.MIDRISE, 0.05f).withRounding(Rounding.HALF_UP));
            for (Quantizer q : FULL ? int8 : int8.subList(0, 2)) {
                float[] x = data(n, q, n);
                byte[] c1 = new byte[n];
                oracle.quantize(x, c1, q);
                float[] o1 = new float[n];
                oracle.dequantize(c1, o1, q);
                if (q == int8.get(0)) {
                    q4(n, x);
                }
                for (Kernels k : cpus) {
                    byte[] c2 = new byte[n];
                    k.quantize(x, c2, q);
                    assertArrayEquals(c1, c2, "int8 " + q + " n=" + n);
                    float[] o2 = new float[n];
                    k.dequantize(c1, o2, q);
                    FakeQuantTest.assertBits(o1, o2, "dequantize int8 " + q);
                }
            }
        }
    }

    private void q4(int n, float[] x) {
        for (Quantizer q : List.of(Quantizer.perTensor(4, Grid.SIGNED, 0.3f, 1).withOverflow(Overflow.WRAP),
                Quantizer.perTensor(4, Grid.UNSIGNED, 0.3f, 8).withRounding(Rounding.STOCHASTIC).withSeed(3))) {
            byte[] p1 = new byte[(n + 1) / 2];
            oracle.quantizeInt4(x, p1, q);
            float[] o1 = new float[n];
            oracle.dequantizeInt4(p1, o1, q);
            for (Kernels k : cpus) {
                byte[] p2 = new byte[(n + 1) / 2];
                k.quantizeInt4(x, p2, q);
                assertArrayEquals(p1, p2, "int4 " + q + " n=" + n);
                float[] o2 = new float[n];
                k.dequantizeInt4(p1, o2, q);
                FakeQuantTest.assertBits(o1, o2, "dequantize int4 " + q);
            }
        }
    }

    @Test
    void kureLossAndGradients() {
        List<float[]> ws = new ArrayList<>();
        for (int n : sizes()) {
            ws.add(Data.studentT3(n, n));
            ws.add(Data.gaussian(n, 0.3, 0.05, n + 1));
        }
        ws.add(Data.gaussian(777, 0, 1, 2));
        if (!FULL) {
            ws.remove(1);
        }
        for (KureConfig cfg : List.of(KureConfig.defaults(),
                KureConfig.defaults().withStd(KureConfig.StdConvention.BIASED).withReduction(KureConfig.Reduction.SUM),
                KureConfig.defaults().withReduction(KureConfig.Reduction.MAX).withLambda(0.7))) {
            List<float[]> gWant = grads(ws);
            KureResult a = oracle.kure(ws, gWant, cfg);
            KureResult first = null;
            List<float[]> gFirst = null;
            for (Kernels k : cpus) {
                List<float[]> g = grads(ws);
                KureResult b = k.kure(ws, g, cfg);
                BackendConformance.assertClose(a.loss(), b.loss(), 1e-6 * a.loss(), "loss " + cfg);
                assertEquals(a.worst(), b.worst(), "worst " + cfg);
                for (int t = 0; t < ws.size(); t++) {
                    BackendConformance.assertClose(a.kurtosis()[t], b.kurtosis()[t], 1e-5 * a.kurtosis()[t], "K " + t);
                    assertGradClose(gWant.get(t), g.get(t), cfg + " tensor " + t);
                }
                List<MemorySegment> segs = new ArrayList<>(), gsegs = new ArrayList<>();
                List<float[]> g2 = grads(ws);
                for (int t = 0; t < ws.size(); t++) {
                    segs.add(MemorySegment.ofArray(ws.get(t)));
                    gsegs.add(MemorySegment.ofArray(g2.get(t)));
                }
                assertEquals(b.loss(), k.kureSegments(segs, gsegs, cfg).loss(), "segments " + cfg);
                for (int t = 0; t < ws.size(); t++) {
                    assertArrayEquals(g.get(t), g2.get(t), "segment gradient " + t);
                }
                if (first == null) {
                    first = b;
                    gFirst = g;
                } else { // identical for every thread count
                    assertEquals(first.loss(), b.loss(), "loss, 1 vs 2 threads");
                    for (int t = 0; t < ws.size(); t++) {
                        assertArrayEquals(gFirst.get(t), g.get(t), "gradient, 1 vs 2 threads, tensor " + t);
                    }
                }
            }
        }
    }

    private static List<float[]> grads(List<float[]> ws) {
        List<float[]> g = new ArrayList<>();
        for (float[] w : ws) {
            g.add(Data.gaussian(w.length, 0, 1e-3, w.length + 5));
        }
        return g;
    }

    private static void assertGradClose(float[] want, float[] got, String what) {
        double max = 0;
        for (float v : want) {
            max = Math.max(max, Math.abs(v));
        }
        for (int i = 0; i < want.length; i++) {
            if (Math.abs(want[i] - got[i]) > 1e-5 * max) {
                BackendConformance.assertClose(want[i], got[i], 1e-5 * max, what + " [" + i + "]");
            }
        }
    }

    @Test
    void momentsAbsMaxMadAndOrderStatistics() {
        Backend ref = oracle.backend();
        for (int n : sizes()) {
            float[] x = Data.studentT3(n + 2, n);
            x[n / 2] = -3e3f;                    // the max |x| inside an inner chunk
            x[n + 1] = 1e3f;                     // a smaller peak at the very end of the last
            Moments want = oracle.moments(x, 2, n);
            float wantMax = ref.absMax(x, 2, n);
            double wantMad = ref.meanAbsDeviation(x, 2, n, 0.125);
            long[] ks = {0, 1, n / 3, n / 2, n - 2, n - 1};
            float[] wantK = new float[ks.length];
            for (int j = 0; j < ks.length; j++) {
                wantK[j] = ref.absOrderStatistic(x, 2, n, ks[j]);
            }
            Moments first = null;
            for (Kernels k : cpus) {
                Moments got = k.moments(x, 2, n);
                BackendConformance.assertMomentsClose(want, got, "moments n=" + n);
                assertEquals(got, k.moments(MemorySegment.ofArray(x), 2, n), "segment moments n=" + n);
                if (first != null) {
                    assertEquals(first, got, "moments, 1 vs 2 threads");
                }
                first = got;
                Backend b = k.backend();
                assertEquals(wantMax, b.absMax(x, 2, n), "absMax n=" + n);
                BackendConformance.assertClose(wantMad, b.meanAbsDeviation(x, 2, n, 0.125), 1e-12 * wantMad, "MAD");
                for (int j = 0; j < ks.length; j++) {
                    assertEquals(wantK[j], b.absOrderStatistic(x, 2, n, ks[j]), "order statistic k=" + ks[j]);
                }
                float[] y = java.util.Arrays.copyOfRange(x, 2, n + 2);
                assertEquals(oracle.absPercentile(y, 99.9), k.absPercentile(y, 99.9), "99.9th percentile");
            }
        }
    }

    @Test
    void momentsWhoseShiftGuardFallsBackAndPerChannelAndPerGroup() {
        for (int n : sizes()) {
            // the first elements (the pilot of the one-pass shift) far from the rest: the guard rejects
            // the shift and the chunk takes a second sweep about its mean
            float[] x = Data.gaussian(n, 5, 0.001, n + 3L);
            for (int i = 0; i < Math.min(n, 300); i++) {
                x[i] = 400f;
            }
            Moments want = oracle.moments(x);
            for (Kernels k : cpus) {
                BackendConformance.assertMomentsClose(want, k.moments(x), "guarded moments n=" + n);
            }
            int m = n - n % 96;
            float[] y = Data.laplace(m, 0.3, m + 5L);
            int[] shape = {3, m / 96, 32};
            for (int axis = 0; axis < 3; axis++) {
                Moments[] a = oracle.momentsPerChannel(y, shape, axis);
                for (Kernels k : cpus) {
                    Moments[] b = k.momentsPerChannel(y, shape, axis);
                    assertEquals(a.length, b.length);
                    for (int c = 0; c < a.length; c++) {
                        BackendConformance.assertMomentsClose(a[c], b[c], "axis " + axis + " channel " + c + " n=" + m);
                    }
                }
            }
            Moments[] a = oracle.momentsPerGroup(y, 96);
            for (Kernels k : cpus) {
                Moments[] b = k.momentsPerGroup(y, 96);
                for (int g = 0; g < a.length; g += 7) {
                    BackendConformance.assertMomentsClose(a[g], b[g], "group " + g + " n=" + m);
                }
            }
        }
    }

    @Test
    void confinedSegmentsStayOnTheCallingThread() {
        // a confined arena's memory cannot be read by the pool's threads: multi-chunk work on it must run
        // on the caller (with 2 threads asked for), with the same results
        int n = 2 * CHUNK + 1001;
        float[] raw = Data.gaussian(n, 0, 1, 77);
        Quantizer q = Quantizer.perTensor(4, Grid.SIGNED, 0.2f, 0);
        float[] want = new float[n];
        oracle.fakeQuantize(raw, want, q);
        float[] wantGrad = new float[n];
        KureResult wantK = oracle.kure(List.of(raw), List.of(wantGrad), KureConfig.defaults());
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment x = arena.allocate(4L * n), out = arena.allocate(4L * n), g = arena.allocate(4L * n);
            MemorySegment.copy(raw, 0, x, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, n);
            TensorView xv = TensorView.f32(x);
            Kernels k = cpus[1];
            k.fakeQuantize(xv, TensorView.f32(out), q);
            FakeQuantTest.assertBits(want, out.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT), "confined fake-quant");
            BackendConformance.assertMomentsClose(oracle.moments(raw), k.moments(xv), "confined moments");
            KureResult got = k.kureViews(List.of(xv), List.of(g), KureConfig.defaults());
            BackendConformance.assertClose(wantK.loss(), got.loss(), 1e-6 * Math.abs(wantK.loss()), "confined KURE loss");
            float[] grad = g.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
            for (int i = 0; i < n; i += 997) {
                BackendConformance.assertClose(wantGrad[i], grad[i], 1e-5 * Math.abs(wantGrad[i]) + 1e-12, "grad " + i);
            }
        }
    }

    @Test
    void errorSumsOverChunks() {
        Quantizer[] qs = quantizers().toArray(Quantizer[]::new);
        for (int n : sizes()) {
            float[] x = finite(data(n, qs[0], n + 9));
            double[] want = new double[qs.length];
            double sw = oracle.backend().errorSums(x, 0, n, 17L, null, qs, 2.0, want);
            for (Kernels k : cpus) {
                double[] got = new double[qs.length];
                double sg = k.backend().errorSums(x, 0, n, 17L, null, qs, 2.0, got);
                BackendConformance.assertClose(sw, sg, 1e-6 * sw, "signal n=" + n);
                CalibrationConformanceTest.assertSums(want, got, "n=" + n);
            }
        }
    }
}
