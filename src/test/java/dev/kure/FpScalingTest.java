package dev.kure;

import static dev.kure.FpFormatsTest.assertBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Scaled formats: per-tensor and per-channel FP8 against a direct computation with the reference
 * rounding, the MX scale rules and their edge cases (all-zero blocks, amax a power of two, amax at
 * the top of the E8M0 range, NaN and Inf inside a block), NVFP4, codes round trips, the STE mask, and
 * the error entry points.
 */
class FpScalingTest {
    static final FpKernels[] BACKENDS = FpFormatsTest.BACKENDS;

    static void assertSame(float[] want, float[] got, String what) {
        FakeQuantTest.assertBits(want, got, what);
    }

    @Test
    void perTensorIsTheFp8RecipeWithTheReferenceRounding() {
        float[] x = Data.gaussian(1001, 0, 0.05, 3);
        x[17] = 0.4f;
        for (FpFormat f : new FpFormat[] {FpFormat.E4M3, FpFormat.E5M2, FpFormat.E2M1}) {
            FpReference ref = new FpReference(f);
            float s = 0.4f / f.max();
            float inv = 1f / s;
            for (FpKernels k : BACKENDS) {
                float[] out = k.fakeQuantize(x, FpQuantizer.perTensor(f));
                for (int i = 0; i < x.length; i++) {
                    assertBits(ref.round(x[i] * inv, true) * s, out[i], k.name() + " " + f + " x[" + i + "]");
                }
                assertEquals(0.4f, out[17], 1e-6f); // amax maps onto max
            }
        }
    }

    @Test
    void perChannelUsesEachChannelsAmax() {
        int[] shape = {3, 4, 5};
        float[] x = Data.laplace(60, 1, 7);
        FpReference ref = new FpReference(FpFormat.E4M3);
        for (FpKernels k : BACKENDS) {
            float[] out = k.fakeQuantize(x, FpQuantizer.perChannel(FpFormat.E4M3, shape, 1));
            for (int c = 0; c < 4; c++) {
                float amax = 0;
                for (int o = 0; o < 3; o++) {
                    for (int t = 0; t < 5; t++) {
                        amax = Math.max(amax, Math.abs(x[(o * 4 + c) * 5 + t]));
                    }
                }
                float s = amax / 448f;
                for (int o = 0; o < 3; o++) {
                    for (int t = 0; t < 5; t++) {
                        int i = (o * 4 + c) * 5 + t;
                        assertBits(ref.round(x[i] * (1f / s), true) * s, out[i], k.name() + " x[" + i + "]");
                    }
                }
            }
        }
    }

    /** One MX block's exponent through the codes: its E8M0 byte minus 127. */
    static int mxExponent(float[] block, FpQuantizer q) {
        return (FpKernels.scalar().quantize(block, q).blockScales()[0] & 0xFF) - 127;
    }

    @Test
    void mxScaleRules() {
        float[] b = new float[32];
        b[5] = 7.9f; // FP4: floor(log2 7.9) - 2 = 0; clips to 6 under FLOOR
        assertEquals(0, mxExponent(b, FpQuantizer.mx(FpFormat.E2M1, MxScaleRounding.FLOOR)));
        assertEquals(1, mxExponent(b, FpQuantizer.mx(FpFormat.E2M1, MxScaleRounding.CEIL)));    // 7.9/6 > 1
        assertEquals(1, mxExponent(b, FpQuantizer.mx(FpFormat.E2M1, MxScaleRounding.NEAREST))); // 7.9 -> 8
        assertEquals(6f, FpKernels.cpu().fakeQuantize(b, FpQuantizer.mxfp4())[5]);
        assertEquals(8f, FpKernels.cpu().fakeQuantize(b, FpQuantizer.mx(FpFormat.E2M1, MxScaleRounding.CEIL))[5]);
        b[5] = 6.5f; // CEIL: 6.5/6 > 1 -> 2^1; NEAREST: 6.5 rounds (1 mantissa bit) to 6 -> 2^0
        assertEquals(1, mxExponent(b, FpQuantizer.mx(FpFormat.E2M1, MxScaleRounding.CEIL)));
        assertEquals(0, mxExponent(b, FpQuantizer.mx(FpFormat.E2M1, MxScaleRounding.NEAREST)));
        b[5] = 7f;   // the NEAREST step: 7 = 1.11b rounds up to 8 (ties up)
        assertEquals(1, mxExponent(b, FpQuantizer.mx(FpFormat.E2M1, MxScaleRounding.NEAREST)));
        b[5] = 6f;   // exactly max: no rule moves it
        for (MxScaleRounding r : MxScaleRounding.values()) {
            assertEquals(0, mxExponent(b, FpQuantizer.mx(FpFormat.E2M1, r)), r.toString());
        }
    }

    /** The three rules from their definitions, in exact double arithmetic, as an independent check. */
    static int ruleByDefinition(float amax, FpFormat f, MxScaleRounding r) {
        if (amax == 0) {
            return -127;
        }
        double a = amax;
        int k = switch (r) {
            case FLOOR -> Math.getExponent(a) - f.emax();
            case CEIL -> { // the smallest k with amax <= max * 2^k
                int j = Math.getExponent(a) - f.emax() - 2;
                while (a > f.max() * Math.pow(2, j)) {
                    j++;
                }
                yield j;
            }
            case NEAREST -> {
                double ulp = Math.pow(2, Math.getExponent(a) - (f == FpFormat.INT8 ? 6 : f.mantissaBits()));
                yield Math.getExponent(Math.floor(a / ulp + 0.5) * ulp) - f.emax();
            }
        };
        return Math.max(-127, Math.min(127, k));
    }

    @Test
    void mxScaleRulesEqualTheirDefinitionsOverManyAmax() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(8);
        for (int t = 0; t < 20_000; t++) {
            float amax = t < 64 ? Math.scalb(1.0f + t / 64f, t % 3 == 0 ? -130 : t % 3 == 1 ? 3 : 127)
                    : Float.intBitsToFloat(rnd.nextInt(0, 0x7f800000));
            for (FpFormat f : FpFormat.values()) {
                for (MxScaleRounding r : MxScaleRounding.values()) {
                    assertEquals(ruleByDefinition(amax, f, r),
                            dev.kure.spi.FpMath.mxExponent(Float.floatToRawIntBits(amax), f, r), f + " " + r + " " + amax);
                }
            }
        }
    }

    @Test
    void mxAmaxPowerOfTwoMapsOntoTheTopBinadeWithoutClipping() {
        for (FpFormat f : FpFormat.values()) {
            float[] b = Data.uniform(32, 1, 5);
            b[9] = -16f;
            for (int i = 0; i < 32; i++) {
                b[i] = i == 9 ? b[i] : b[i] * 8f;
            }
            FpQuantizer q = FpQuantizer.mx(f);
            assertEquals(4 - f.emax(), mxExponent(b, q), f.toString());
            for (FpKernels k : BACKENDS) {
                assertEquals(-16f, k.fakeQuantize(b, q)[9], f + " " + k.name());
            }
        }
    }

    @Test
    void mxAllZeroBlockNaNBlockInfBlockAndTopOfRange() {
        float[] x = new float[4 * 32 + 5];
        float[] g = Data.gaussian(x.length, 0, 1, 9);
        System.arraycopy(g, 0, x, 0, x.length);
        java.util.Arrays.fill(x, 0, 32, 0f);     // block 0: all zero
        x[32 + 7] = Float.NaN;                     // block 1: NaN inside
        x[64 + 3] = Float.NEGATIVE_INFINITY;       // block 2: Inf inside
        x[96] = Float.MAX_VALUE;                   // block 3: amax at the top of the E8M0 range
        for (FpFormat f : FpFormat.values()) {
            for (MxScaleRounding r : MxScaleRounding.values()) {
                FpQuantizer q = FpQuantizer.mx(f, r);
                FpCodes c = FpKernels.scalar().quantize(x, q);
                assertEquals(5, c.blockScales().length);
                assertEquals(0, c.blockScales()[0] & 0xFF, "all-zero block gets 2^-127");
                assertEquals(0xFF, c.blockScales()[1] & 0xFF, "NaN block");
                assertEquals(0xFF, c.blockScales()[2] & 0xFF, "Inf block");
                int top = c.blockScales()[3] & 0xFF;
                assertTrue(top <= 254, "E8M0 top clamps at 254");
                assertEquals(r == MxScaleRounding.FLOOR ? 254 - f.emax() : Math.min(254, 254 - f.emax() + 1), top,
                        f + " " + r);
                for (FpKernels k : BACKENDS) {
                    float[] out = k.fakeQuantize(x, q);
                    for (int i = 0; i < 32; i++) {
                        assertBits(0f, out[i], "zero block");
                        assertTrue(Float.isNaN(out[32 + i]) && Float.isNaN(out[64 + i]), "NaN/Inf block " + i);
                    }
                    // FLOOR stays finite; CEIL / NEAREST may round an element past 2^128 - FP32's range - to +Inf
                    assertTrue(out[96] > 1e38f && (r != MxScaleRounding.FLOOR || Float.isFinite(out[96])),
                            f + " " + r + " top: " + out[96]);
                    assertTrue(Float.isFinite(out[x.length - 1]), "the last, short block is unaffected");
                    assertSame(out, k.dequantize(k.quantize(x, q)), k.name() + " codes " + q);
                }
            }
        }
    }

    @Test
    void nvfp4FollowsItsDefinition() {
        float[] x = Data.gaussian(64, 0, 1, 21);
        java.util.Arrays.fill(x, 16, 32, 1e-9f); // a block whose E4M3 scale underflows to 0
        float amax = 0;
        for (float v : x) {
            amax = Math.max(amax, Math.abs(v));
        }
        float g = amax / 2688f;
        FpReference e4 = new FpReference(FpFormat.E4M3), e2 = new FpReference(FpFormat.E2M1);
        for (FpKernels k : BACKENDS) {
            float[] out = k.fakeQuantize(x, FpQuantizer.nvfp4());
            FpCodes c = k.quantize(x, FpQuantizer.nvfp4());
            assertEquals(4, c.blockScales().length);
            assertEquals(g, c.scales()[0]);
            for (int b = 0; b < 4; b++) {
                float ab = 0;
                for (int i = 0; i < 16; i++) {
                    ab = Math.max(ab, Math.abs(x[b * 16 + i]));
                }
                float sb = e4.round(ab / 6f * (1f / g), true);
                float d = sb * g;
                for (int i = 0; i < 16; i++) {
                    float xi = x[b * 16 + i];
                    float want = d == 0 ? Math.copySign(0f, xi) : e2.round(xi * (1f / d), true) * d;
                    assertBits(want, out[b * 16 + i], k.name() + " block " + b + " element " + i);
                }
            }
            assertSame(out, k.dequantize(c), "NVFP4 codes");
        }
    }

    static List<FpQuantizer> everySetting(int[] shape) {
        List<FpQuantizer> l = new ArrayList<>();
        for (FpFormat f : FpFormat.values()) {
            l.add(FpQuantizer.of(f));
            l.add(FpQuantizer.perTensor(f));
            l.add(FpQuantizer.perTensor(f, 0.0123f));
            l.add(FpQuantizer.perChannel(f, shape, shape.length - 1));
            l.add(FpQuantizer.perChannel(f, shape, 0));
            for (MxScaleRounding r : MxScaleRounding.values()) {
                l.add(FpQuantizer.mx(f, r));
                l.add(FpQuantizer.mx(f, r).withBlockAxis(shape, 0));
                l.add(FpQuantizer.mx(f, r).withRounding(Rounding.STOCHASTIC).withSeed(3).withStreamOffset(11));
            }
            if (f.hasNaN()) {
                l.add(FpQuantizer.perTensor(f, 0.001f).withSaturation(false));
                l.add(FpQuantizer.mx(f).withSaturation(false));
            }
            l.add(FpQuantizer.perTensor(f).withRounding(Rounding.STOCHASTIC).withSeed(7));
        }
        l.add(FpQuantizer.nvfp4());
        l.add(FpQuantizer.nvfp4().withBlockAxis(shape, shape.length - 1));
        l.add(FpQuantizer.nvfp4().withBlockAxis(shape, 0));
        l.add(FpQuantizer.nvfp4().withRounding(Rounding.STOCHASTIC).withSeed(1));
        return l;
    }

    @Test
    void cpuEqualsScalarAndCodesRoundTripForEverySetting() {
        int[] shape = {37, 96};
        float[] x = Data.studentT3(37 * 96, 4);
        x[100] = Float.NaN;
        x[2000] = 1e-42f;
        x[3000] = -0f;
        float[] y = x.clone();
        y[100] = 0.5f; // a finite copy: the explicit-scale codes of no-NaN formats need it
        for (FpQuantizer q : everySetting(shape)) {
            for (float[] in : new float[][] {x, y}) {
                float[] want = FpKernels.scalar().fakeQuantize(in, q);
                assertSame(want, FpKernels.cpu().fakeQuantize(in, q), "cpu vs scalar " + q);
                if (in == x && !q.format().hasNaN() && !q.scalesFromData()) {
                    assertThrows(IllegalArgumentException.class, () -> FpKernels.cpu().quantize(in, q));
                    continue;
                }
                assertSame(want, FpKernels.cpu().dequantize(FpKernels.cpu().quantize(in, q)), "codes " + q);
            }
        }
    }

    @Test
    void mxBlocksOfEveryMagnitudeMatchTheScalarKernels() {
        // each block scaled by its own power of two from 2^-149 to 2^127, some with a block max at
        // exactly max·2^j or just above, zero blocks and float32-subnormal blocks
        java.util.SplittableRandom r = new java.util.SplittableRandom(31);
        float[] x = new float[32 * 600 + 7];
        for (int b = 0; b * 32 < x.length; b++) {
            int e = r.nextInt(-160, 128);
            for (int i = b * 32; i < Math.min(x.length, b * 32 + 32); i++) {
                x[i] = b % 50 == 3 ? 0f : Math.scalb((float) (r.nextDouble() * 2 - 1), e);
            }
            if (b % 7 == 1 && b * 32 + 5 < x.length) {
                x[b * 32 + 5] = Math.scalb(6f, e);      // FP4 max exactly
            }
            if (b % 7 == 2 && b * 32 + 5 < x.length) {
                x[b * 32 + 5] = Math.nextUp(Math.scalb(448f, Math.min(e, 100)));
            }
        }
        for (FpFormat f : FpFormat.values()) {
            for (MxScaleRounding rule : MxScaleRounding.values()) {
                FpQuantizer q = FpQuantizer.mx(f, rule);
                assertSame(FpKernels.scalar().fakeQuantize(x, q), FpKernels.cpu().fakeQuantize(x, q), q.toString());
                if (f.hasNaN()) {
                    FpQuantizer ns = q.withSaturation(false);
                    assertSame(FpKernels.scalar().fakeQuantize(x, ns), FpKernels.cpu().fakeQuantize(x, ns), ns.toString());
                }
            }
        }
    }

    @Test
    void oddSizesAndOffsetsMatchTheScalarKernels() {
        for (int n : new int[] {0, 1, 7, 15, 16, 17, 31, 32, 33, 63, 65, 1000, 4099}) {
            float[] x = Data.gaussian(n + 3, 0, 2, n);
            for (FpQuantizer q : new FpQuantizer[] {FpQuantizer.mxfp4(), FpQuantizer.nvfp4(),
                    FpQuantizer.perTensor(FpFormat.E4M3), FpQuantizer.mxfp8().withRounding(Rounding.STOCHASTIC)}) {
                float[] a = new float[n + 5], b = new float[n + 5];
                FpKernels.scalar().fakeQuantize(x, 3, a, 2, n, q);
                FpKernels.cpu().fakeQuantize(x, 3, b, 2, n, q);
                assertSame(a, b, n + " " + q);
            }
        }
    }

    @Test
    void stochasticIsUnbiasedAndSeeded() {
        float[] x = new float[200_000];
        java.util.Arrays.fill(x, 2.3f); // FP4: between 2 and 3, P(3) = 0.3
        FpQuantizer q = FpQuantizer.of(FpFormat.E2M1).withRounding(Rounding.STOCHASTIC).withSeed(99);
        float[] out = FpKernels.cpu().fakeQuantize(x, q);
        double mean = 0;
        for (float v : out) {
            assertTrue(v == 2f || v == 3f);
            mean += v;
        }
        mean /= out.length;
        assertEquals(2.3, mean, 0.005);
        assertArrayEquals(out, FpKernels.cpu().fakeQuantize(x, q));
        float[] other = FpKernels.cpu().fakeQuantize(x, q.withSeed(100));
        assertTrue(!java.util.Arrays.equals(out, other));
    }

    @Test
    void steMaskAndBackward() {
        float[] x = {0.1f, 5f, 6.2f, 7f, -100f, Float.NaN, Float.POSITIVE_INFINITY, -6.1f};
        FpQuantizer q = FpQuantizer.of(FpFormat.E2M1);
        float[] out = new float[x.length];
        long[] mask = FpKernels.cpu().fakeQuantizeWithMask(x, out, q);
        // 6.2 rounds to 6 (inside); 7 is the tie between 6 and the absent 8: to 8, clipped
        assertEquals(0b10000111L, mask[0]);
        float[] dy = {1, 2, 3, 4, 5, 6, 7, 8};
        float[] dx = new float[8];
        FpKernels.cpu().backward(x, dy, dx, q);
        assertArrayEquals(new float[] {1, 2, 3, 0, 0, 0, 0, 8}, dx);
    }

    @Test
    void errorsMatchFakeQuantizeAndMeasuring() {
        float[] x = Data.gaussian(50_000, 0, 1, 2);
        List<FpQuantizer> fs = new ArrayList<>(FpKernels.standardFormats());
        fs.add(FpQuantizer.mxfp4().withRounding(Rounding.STOCHASTIC).withSeed(4));
        fs.add(FpQuantizer.perChannel(FpFormat.E4M3, new int[] {500, 100}, 0));
        Quantizer int8 = Quantizer.symmetric(8, Grid.SIGNED, 4f / 127);
        List<FpKernels.Row> rows = FpKernels.cpu().formatErrors(x, fs, List.of(int8));
        assertEquals(fs.size() + 1, rows.size());
        for (int k = 0; k < fs.size(); k++) {
            float[] fq = FpKernels.scalar().fakeQuantize(x, fs.get(k));
            double e = 0, s = 0;
            for (int i = 0; i < x.length; i++) {
                double d = (double) fq[i] - x[i];
                e += d * d;
                s += (double) x[i] * x[i];
            }
            assertEquals(e, rows.get(k).error().sumSquaredError(), 1e-9 * e, rows.get(k).label());
            assertEquals(s, rows.get(k).error().sumSquaredSignal(), 1e-9 * s);
            assertEquals(rows.get(k).error().snrDb(), FpKernels.scalar().quantError(x, fs.get(k)).snrDb(), 1e-9);
        }
        QuantError i8 = Kernels.cpu().quantError(x, int8);
        assertEquals(i8.sumSquaredError(), rows.get(fs.size()).error().sumSquaredError(), 1e-9 * i8.sumSquaredError());
        // sanity of the ordering the formats are known for on Gaussian data (SNR in dB)
        double fp8 = rows.get(0).error().snrDb(), mxfp4 = rows.get(5).error().snrDb();
        assertTrue(fp8 > 25 && fp8 < 40, "FP8 E4M3 per tensor " + fp8);
        assertTrue(mxfp4 > 10 && mxfp4 < 20, "MXFP4 " + mxfp4);
    }

    @Test
    void errorsOfSixteenBitViewsEqualThoseOfTheWidenedArray() {
        float[] raw = Data.gaussian(50_000, 0, 1, 5);
        List<FpQuantizer> fs = new ArrayList<>(FpKernels.standardFormats());
        fs.add(FpQuantizer.mxfp4().withRounding(Rounding.STOCHASTIC).withSeed(4));
        fs.add(FpQuantizer.perChannel(FpFormat.E4M3, new int[] {500, 100}, 0));
        List<Quantizer> ints = List.of(Quantizer.symmetric(8, Grid.SIGNED, 4f / 127));
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            for (ElementType t : ElementType.values()) {
                TensorView v = SegmentConformance.view(raw, t, true, arena);
                float[] widened = SegmentConformance.values(v);
                for (FpKernels k : new FpKernels[] {FpKernels.cpu(), FpKernels.scalar()}) {
                    List<FpKernels.Row> want = k.formatErrors(widened, fs, ints);
                    List<FpKernels.Row> got = k.formatErrors(v, fs, ints);
                    assertEquals(want, got, t + " on " + k.name()); // same chunks, same order: bit for bit
                }
            }
        }
    }

    @Test
    void badArgumentsNameTheValue() {
        FpKernels k = FpKernels.cpu();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> k.fakeQuantize(new float[10], FpQuantizer.perChannel(FpFormat.E4M3, new int[] {3, 4}, 1)));
        assertTrue(e.getMessage().contains("12") && e.getMessage().contains("10"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FpQuantizer.perTensor(FpFormat.E4M3, -1f));
        assertTrue(e.getMessage().contains("-1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FpQuantizer.perTensor(FpFormat.E4M3).withBlockAxis(
                new int[] {4}, 0));
        assertTrue(e.getMessage().contains("TENSOR"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> k.quantize(new float[] {Float.NaN}, FpQuantizer.of(FpFormat.E2M1)));
        assertTrue(e.getMessage().contains("x[0]"), e.getMessage());
    }
}
