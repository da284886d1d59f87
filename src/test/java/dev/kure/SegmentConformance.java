package dev.kure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tensor-view half of the conformance suite (run by every {@link BackendConformance} subclass as
 * its nested {@code Views} class): every kernel on native segments at odd addresses and on heap
 * segments, in F32, BF16 and F16, against the scalar oracle's float[] path on the widened values,
 * the float results then narrowed (ties to even) by this test's own rounding. Bit for bit for fake
 * quantization, masks, codes, the STE and stochastic rounding; the tolerances of docs/semantics.md §2 for reductions. Sizes
 * span staging blocks and, for the big cases, several parallel chunks, run with 1 and 2 threads.
 */
public abstract class SegmentConformance {
    /** The backend under test. */
    protected abstract Kernels candidate();

    private final Kernels oracle = Kernels.scalar();

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort H16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Sizes around the staging block (2048) and mask words; the chunked sizes are in their own tests. */
    private static final int[] SIZES = {0, 1, 17, 63, 64, 65, 2047, 2048, 2049, 4097, 10_007};

    /** The SIMD backend's parallel chunk (-Dkure.simd.chunk, as the small-chunk runs set it). */
    private static final int CHUNK = Integer.getInteger("kure.simd.chunk", 1 << 20);

    // ---- the test's own conversions (independent of the library's) ---------------------------------

    /** float32 to bfloat16 bits: nearest of the two neighbours, ties to the even one; NaN quiet. */
    static short bf16(float f) {
        if (Float.isNaN(f)) {
            return (short) ((Float.floatToRawIntBits(f) >>> 16) | 0x40);
        }
        int bits = Float.floatToRawIntBits(f);
        int down = bits & 0xffff0000;                         // toward zero
        int up = down + 0x10000;                              // away from zero (may reach ±Inf: correct)
        float lo = Float.intBitsToFloat(down);
        double dLo = Math.abs((double) f - lo);
        double dUp = Float.isInfinite(Float.intBitsToFloat(up))
                ? Math.abs((double) f - Math.copySign(0x1p128, f))  // the rounding boundary beyond MAX
                : Math.abs((double) f - Float.intBitsToFloat(up));
        int pick = dLo < dUp ? down : dUp < dLo ? up : ((down >>> 16) & 1) == 0 ? down : up;
        return (short) (pick >>> 16);
    }

    static float narrow(float f, ElementType t) {
        return switch (t) {
            case F32 -> f;
            case BF16 -> Float.intBitsToFloat(bf16(f) << 16);
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(f));
        };
    }

    /** A native view of n elements at an odd address (heap when {@code heap}), holding x narrowed to t. */
    static TensorView view(float[] x, ElementType t, boolean heap, Arena arena) {
        long bytes = (long) x.length * t.byteSize();
        MemorySegment seg = heap ? MemorySegment.ofArray(new byte[(int) bytes + 3]).asSlice(3, bytes)
                : arena.allocate(bytes + 8, 8).asSlice(3, bytes);
        for (int i = 0; i < x.length; i++) {
            if (t == ElementType.F32) {
                seg.set(F32, 4L * i, x[i]);
            } else {
                seg.set(H16, 2L * i, t == ElementType.BF16 ? bf16(x[i]) : Float.floatToFloat16(x[i]));
            }
        }
        return new TensorView(seg, t);
    }

    /** The view's values widened (test's own reading). */
    static float[] values(TensorView v) {
        float[] out = new float[Math.toIntExact(v.count())];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (v.type()) {
                case F32 -> v.segment().get(F32, 4L * i);
                case BF16 -> Float.intBitsToFloat(v.segment().get(H16, 2L * i) << 16);
                case F16 -> Float.float16ToFloat(v.segment().get(H16, 2L * i));
            };
        }
        return out;
    }

    static float[] narrowed(float[] x, ElementType t) {
        float[] out = x.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = narrow(out[i], t);
        }
        return out;
    }

    static TensorView empty(int n, ElementType t, Arena arena) {
        return new TensorView(arena.allocate((long) n * t.byteSize() + 8, 8).asSlice(1, (long) n * t.byteSize()), t);
    }

    static List<Quantizer> quantizers(int n) {
        List<Quantizer> qs = new ArrayList<>();
        for (Quantizer b : List.of(Quantizer.perTensor(8, Grid.SIGNED, 0.05f, 0), Quantizer.symmetric(4, Grid.MIDRISE, 0.25f),
                Quantizer.perTensor(4, Grid.UNSIGNED, 0.2f, 7))) {
            for (Rounding r : new Rounding[] {Rounding.HALF_EVEN, Rounding.HALF_AWAY_FROM_ZERO, Rounding.STOCHASTIC}) {
                qs.add(b.withRounding(r).withSeed(77).withStreamOffset(5));
            }
        }
        qs.add(Quantizer.perTensor(8, Grid.SIGNED, 0.05f, 3).withOverflow(Overflow.WRAP));
        if (n > 0 && n % 96 == 0) {
            qs.add(perGroup(n, 96).withRounding(Rounding.STOCHASTIC).withSeed(3));
        }
        return qs;
    }

    static Quantizer perGroup(int n, int g) {
        float[] s = new float[n / g];
        int[] z = new int[n / g];
        for (int i = 0; i < s.length; i++) {
            s[i] = 0.01f + 0.003f * (i % 17);
            z[i] = (i % 5) - 2;
        }
        return Quantizer.perGroup(8, Grid.SIGNED, s, z, g);
    }

    static Quantizer perChannel(int[] shape, int axis) {
        int c = shape[axis];
        float[] s = new float[c];
        int[] z = new int[c];
        for (int i = 0; i < c; i++) {
            s[i] = 0.02f + 0.01f * i;
            z[i] = i % 3;
        }
        return Quantizer.perChannel(8, Grid.SIGNED, s, z, shape, axis);
    }

    static void assertBits(float[] want, float[] got, String what) {
        FakeQuantTest.assertBits(want, got, what);
    }

    // ---- elementwise kernels: bit for bit -------------------------------------------------------------

    /** Fake-quant, mask, STE (both forms), learnable dx, codes: every type, size, heap and native. */
    void checkElementwise(List<Kernels> ks, float[] raw, Quantizer q, ElementType t, boolean heap, String what) {
        for (Kernels k : ks) {
            checkElementwise(k, raw, q, t, heap, what + " " + k.describe());
        }
    }

    void checkElementwise(Kernels k, float[] raw, Quantizer q, ElementType t, boolean heap, String what) {
        int n = raw.length;
        try (Arena arena = Arena.ofShared()) {
            TensorView x = view(raw, t, heap, arena);
            float[] xw = values(x);
            String w = what + " " + t + (heap ? " heap" : " native") + " n=" + n + " " + q;

            // forward with mask
            float[] want = new float[n];
            long[] wantMask = new long[(n + 63) / 64 + 1];
            java.util.Arrays.fill(wantMask, -1L); // bits past n must be kept
            oracle.fakeQuantizeWithMask(xw, want, wantMask, q);
            TensorView out = empty(n, t, arena);
            MemorySegment mask = arena.allocate(8L * wantMask.length + 8, 8).asSlice(4, 8L * wantMask.length);
            mask.fill((byte) -1);
            k.fakeQuantizeWithMask(x, out, mask, q);
            assertBits(narrowed(want, t), values(out), "fq " + w);
            assertArrayEquals(wantMask, mask.toArray(WORD), "mask " + w);

            // without mask, out of place and in place
            TensorView out2 = empty(n, t, arena);
            k.fakeQuantize(x, out2, q);
            assertBits(narrowed(want, t), values(out2), "fq no mask " + w);
            TensorView inPlace = view(raw, t, heap, arena);
            k.fakeQuantize(inPlace, inPlace, q);
            assertBits(narrowed(want, t), values(inPlace), "fq in place " + w);

            // STE from x, STE from the mask, learnable dx
            float[] dyRaw = Data.gaussian(n, 0, 1, n + 5);
            TensorView dy = view(dyRaw, t, heap, arena);
            float[] dyw = values(dy);
            float[] wantDx = new float[n];
            oracle.fakeQuantizeBackward(xw, dyw, wantDx, q);
            TensorView dx = empty(n, t, arena);
            k.fakeQuantizeBackward(x, dy, dx, q);
            assertBits(narrowed(wantDx, t), values(dx), "ste " + w);
            TensorView dx2 = empty(n, t, arena);
            k.steBackward(mask, dy, dx2);
            assertBits(narrowed(wantDx, t), values(dx2), "ste mask " + w);
            TensorView dx3 = empty(n, t, arena);
            LearnableGrads want3 = oracle.fakeQuantizeLearnableBackward(xw, dyw, new float[n], q, 0.5);
            LearnableGrads got3 = k.fakeQuantizeLearnableBackward(x, dy, dx3, q, 0.5);
            assertBits(narrowed(wantDx, t), values(dx3), "learnable dx " + w);
            for (int p = 0; p < q.paramCount(); p++) {
                double ws = want3.dScale()[p], wz = want3.dZeroPoint()[p];
                double base = 1e-7 * Math.sqrt(n) + 1e-9;   // float lanes per block, then double
                BackendConformance.assertClose(ws, got3.dScale()[p], base + (Double.isFinite(ws) ? 1e-5 * Math.abs(ws) : 0), "ds " + w);
                BackendConformance.assertClose(wz, got3.dZeroPoint()[p], base + 1e-5 * Math.abs(wz), "dz " + w);
            }

            // int8 and int4 codes and back
            if (q.qmin() >= -128 && q.qmax() <= 127 || q.qmin() >= 0 && q.qmax() <= 255) {
                byte[] codes = new byte[n];
                oracle.quantize(xw, codes, q);
                MemorySegment c8 = arena.allocate(n + 1L).asSlice(1, n);
                k.quantize(x, c8, q);
                assertArrayEquals(codes, c8.toArray(ValueLayout.JAVA_BYTE), "int8 " + w);
                float[] deq = new float[n];
                oracle.dequantize(codes, deq, q);
                TensorView back = empty(n, t, arena);
                k.dequantize(c8, back, q);
                assertBits(narrowed(deq, t), values(back), "dequantize int8 " + w);
            }
            if (q.qmin() >= -8 && q.qmax() <= 7 || q.qmin() >= 0 && q.qmax() <= 15) {
                byte[] packed = new byte[(n + 1) / 2];
                oracle.quantizeInt4(xw, packed, q);
                MemorySegment c4 = arena.allocate(packed.length + 1L).asSlice(1, packed.length);
                k.quantizeInt4(x, c4, q);
                assertArrayEquals(packed, c4.toArray(ValueLayout.JAVA_BYTE), "int4 " + w);
                float[] deq = new float[n];
                oracle.dequantizeInt4(packed, deq, q);
                TensorView back = empty(n, t, arena);
                k.dequantizeInt4(c4, back, q);
                assertBits(narrowed(deq, t), values(back), "dequantize int4 " + w);
            }
        }
    }

    @Test
    void elementwiseBitExactForEveryTypeSizeAndAlignment() {
        for (ElementType t : ElementType.values()) {
            for (int n : SIZES) {
                for (Quantizer q : quantizers(n)) {
                    float[] raw = BackendConformance.adversarial(n, q.scale(0), Math.min(q.qmax(), 300), n * 7L + t.ordinal());
                    checkElementwise(candidate(), raw, q, t, (n & 1) == 1, "sizes");
                }
            }
        }
    }

    @Test
    void perChannelAndPerGroupAcrossStagingBlocks() {
        int[] shape = {3, 5, 701};   // runs of 701 cross the 2048-element blocks, outer 3 wraps the channels
        int n = 3 * 5 * 701;
        for (ElementType t : ElementType.values()) {
            for (Quantizer q : List.of(perChannel(shape, 1), perChannel(shape, 1).withRounding(Rounding.STOCHASTIC).withSeed(9),
                    perChannel(new int[] {15, 701}, 0), perGroup(n, 15), perGroup(n, 701).withOverflow(Overflow.WRAP))) {
                float[] raw = BackendConformance.adversarial(n, 0.05f, 120, 41 + t.ordinal());
                checkElementwise(candidate(), raw, q, t, false, "granularity");
            }
        }
    }

    @Test
    void chunkedSizesWithOneAndTwoThreads() {
        int n = 2 * CHUNK + 4097;  // three parallel chunks, the last one partial
        float[] raw = Data.gaussian(n, 0, 1, 5);
        List<Kernels> ks = List.of(candidate().withThreads(1), candidate().withThreads(2));
        checkElementwise(ks, raw, Quantizer.perTensor(4, Grid.SIGNED, 0.2f, 0), ElementType.BF16, false, "chunks");
        // the direct float32 forward (SimdSegments) across chunks, at an odd heap offset
        checkElementwise(ks, raw, Quantizer.perTensor(4, Grid.SIGNED, 0.2f, 0), ElementType.F32, true, "chunks");
        checkElementwise(ks, raw, Quantizer.perTensor(4, Grid.SIGNED, 0.2f, 0).withRounding(Rounding.STOCHASTIC).withSeed(3)
                .withStreamOffset(11), ElementType.F32, false, "chunks");
        int m = n - n % 96;
        checkElementwise(ks, java.util.Arrays.copyOf(raw, m), perGroup(m, 96), ElementType.F16, true, "chunks");
    }

    // ---- reductions: docs/semantics.md tolerances, thread-count independent -----------------------------------------

    @Test
    void momentsOfEveryTypeMatchTheWidenedArray() {
        try (Arena arena = Arena.ofShared()) {
            for (ElementType t : ElementType.values()) {
                for (int n : new int[] {0, 1, 5, 2049, 100_003, 2 * CHUNK + 17}) {
                    float[] raw = Data.studentT3(n, n + 1);
                    for (int i = 0; i < n; i++) {
                        raw[i] = raw[i] * 0.1f + 3f; // an offset, and F16's range
                    }
                    TensorView x = view(raw, t, false, arena);
                    Moments want = oracle.moments(values(x));
                    for (int threads : new int[] {1, 2}) {
                        Moments got = candidate().withThreads(threads).moments(x);
                        BackendConformance.assertMomentsClose(want, got, t + " n=" + n + " threads=" + threads);
                    }
                    assertEquals(candidate().withThreads(1).moments(x), candidate().withThreads(2).moments(x), t + " n=" + n);
                }
            }
        }
    }

    @Test
    void calibrationQuantErrorAndSweepOnViews() {
        try (Arena arena = Arena.ofShared()) {
            int n = 40_000;
            float[] raw = Data.laplace(n, 0.1, 17);
            for (ElementType t : ElementType.values()) {
                TensorView x = view(raw, t, false, arena);
                float[] xw = values(x);
                Kernels k = candidate();
                for (StepPolicy p : List.of(new StepPolicy.MaxAbs(MaxAbsConvention.AMAX_OVER_QMAX), new StepPolicy.MinMax(),
                        new StepPolicy.Percentile(99.9), new StepPolicy.AciqLaplace(), new StepPolicy.Mse())) {
                    Quantizer want = k.calibrate(xw, 4, Grid.SIGNED, p);
                    Quantizer got = k.calibrate(x, 4, Grid.SIGNED, p);
                    BackendConformance.assertClose(want.scale(0), got.scale(0), 2e-3 * want.scale(0), t + " " + p);
                    assertEquals(want.zeroPoint(0), got.zeroPoint(0), t + " " + p);
                }
                int[] shape = {8, 5000};
                Quantizer wantC = k.calibratePerChannel(xw, shape, 0, 4, Grid.SIGNED, new StepPolicy.MaxAbs(MaxAbsConvention.AMAX_OVER_QMAX));
                Quantizer gotC = k.calibratePerChannel(x, shape, 0, 4, Grid.SIGNED, new StepPolicy.MaxAbs(MaxAbsConvention.AMAX_OVER_QMAX));
                assertArrayEquals(wantC.scales(), gotC.scales(), t + " per channel");
                Quantizer wantA = k.calibratePerChannel(xw, shape, 1, 4, Grid.SIGNED, new StepPolicy.MinMax());
                Quantizer gotA = k.calibratePerChannel(x, shape, 1, 4, Grid.SIGNED, new StepPolicy.MinMax());
                assertArrayEquals(wantA.scales(), gotA.scales(), t + " per channel, inner axis");
                Quantizer wantG = k.calibratePerGroup(xw, 100, 4, Grid.SIGNED, new StepPolicy.AciqGauss());
                Quantizer gotG = k.calibratePerGroup(x, 100, 4, Grid.SIGNED, new StepPolicy.AciqGauss());
                for (int g = 0; g < wantG.paramCount(); g++) {
                    BackendConformance.assertClose(wantG.scale(g), gotG.scale(g), 1e-5 * wantG.scale(g), t + " group " + g);
                }
                assertEquals(k.absPercentile(xw, 97), k.absPercentile(x, 97), t + " percentile");
                QuantError e1 = oracle.quantError(xw, gotG), e2 = k.quantError(x, gotG);
                BackendConformance.assertClose(e1.sumSquaredError(), e2.sumSquaredError(), 1e-6 * e1.sumSquaredError(), t + " quantError");
                BackendConformance.assertClose(e1.sumSquaredSignal(), e2.sumSquaredSignal(), 1e-6 * e1.sumSquaredSignal(), t + " signal");
                // stochastic rounding: element i draws from stream offset + i in every chunk of the view
                Quantizer st = Quantizer.perTensor(3, Grid.SIGNED, 0.07f, 0).withRounding(Rounding.STOCHASTIC).withSeed(21)
                        .withStreamOffset(5);
                QuantError s1e = oracle.quantError(xw, st), s2e = k.quantError(x, st);
                BackendConformance.assertClose(s1e.sumSquaredError(), s2e.sumSquaredError(), 1e-6 * s1e.sumSquaredError(),
                        t + " stochastic quantError");
                SweepSpec spec = SweepSpec.of(new int[] {2, 4}, new double[] {0.8, 1.0, 1.2}, Rounding.HALF_EVEN, Rounding.STOCHASTIC);
                SweepResult s1 = k.sweep(xw, spec), s2 = k.sweep(x, spec);
                for (int r = 0; r < s1.rows().size(); r++) {
                    double a = s1.rows().get(r).error().sumSquaredError(), b = s2.rows().get(r).error().sumSquaredError();
                    BackendConformance.assertClose(a, b, 1e-6 * a, t + " sweep row " + r);
                }
            }
        }
    }

    @Test
    void doReFaOnViewsIsTheReferenceOnTheWidenedValues() {
        try (Arena arena = Arena.ofShared()) {
            for (ElementType t : ElementType.values()) {
                for (int n : new int[] {1, 2049, 5000}) {
                    TensorView w = view(Data.gaussian(n, 0, 0.7, n), t, false, arena);
                    float[] ww = values(w), want = new float[n], wantDx = new float[n];
                    double m = oracle.dorefaForward(ww, want, 4);
                    TensorView out = empty(n, t, arena);
                    assertEquals(m, candidate().dorefaForward(w, out, 4), t + " max|tanh| n=" + n);
                    assertBits(narrowed(want, t), values(out), "dorefa " + t + " n=" + n);
                    TensorView dy = view(Data.gaussian(n, 0, 1, n + 1), t, true, arena);
                    oracle.dorefaBackward(ww, values(dy), wantDx);
                    candidate().dorefaBackward(w, dy, dy); // in place
                    assertBits(narrowed(wantDx, t), values(dy), "dorefa backward " + t + " n=" + n);
                }
            }
        }
    }

    @Test
    void kureOnSixteenBitWeightsWithFloatGradients() {
        try (Arena arena = Arena.ofShared()) {
            for (ElementType t : ElementType.values()) {
                List<TensorView> ws = new ArrayList<>();
                List<float[]> wsw = new ArrayList<>(), g1 = new ArrayList<>();
                List<MemorySegment> g2 = new ArrayList<>();
                for (int n : new int[] {1, 4608, 100_001}) {
                    TensorView w = view(Data.gaussian(n, 0.01, 0.05, n), t, false, arena);
                    ws.add(w);
                    wsw.add(values(w));
                    float[] g = Data.gaussian(n, 0, 1e-3, n + 1);
                    g1.add(g.clone());
                    MemorySegment gs = arena.allocate(4L * n + 8, 8).asSlice(4, 4L * n);
                    MemorySegment.copy(g, 0, gs, F32, 0, n);
                    g2.add(gs);
                }
                KureResult want = oracle.kure(wsw, g1, KureConfig.defaults());
                KureResult got = candidate().kureViews(ws, g2, KureConfig.defaults());
                BackendConformance.assertClose(want.loss(), got.loss(), 1e-6 * Math.abs(want.loss()) + 1e-12, t + " loss");
                for (int i = 0; i < ws.size(); i++) {
                    float[] gw = g1.get(i), gg = g2.get(i).toArray(F32);
                    for (int j = 0; j < gw.length; j++) {
                        BackendConformance.assertClose(gw[j], gg[j], 1e-5 * Math.abs(gw[j]) + 1e-7, t + " grad " + i + "[" + j + "]");
                    }
                }
            }
        }
    }
}
