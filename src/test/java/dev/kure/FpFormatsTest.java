package dev.kure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kure.spi.FpMath;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The element formats against the independent table of {@link FpReference}: decoding of every code,
 * and rounding of every value near each boundary (every value, every tie, their float neighbours,
 * saturation and overflow boundaries, subnormals, NaN, ±Inf) plus a large random sample, on the
 * scalar and the CPU backends. The exhaustive version over all 2^32 floats is
 * {@link FpExhaustiveTest}.
 */
class FpFormatsTest {
    static final FpKernels[] BACKENDS = {FpKernels.scalar(), FpKernels.cpu()};

    static void assertBits(float expected, float actual, String what) {
        if (Float.floatToIntBits(expected) != Float.floatToIntBits(actual)) {
            throw new AssertionError(what + ": expected " + expected + " (0x" + Integer.toHexString(
                    Float.floatToRawIntBits(expected)) + ") got " + actual + " (0x"
                    + Integer.toHexString(Float.floatToRawIntBits(actual)) + ")");
        }
    }

    @Test
    void everyCodeDecodesAsTheTextbookFormulaAndEncodesBack() {
        for (FpFormat f : FpFormat.values()) {
            for (int code = 0; code < 1 << f.bits(); code++) {
                double want = FpReference.decodeTextbook(code, f);
                float got = FpMath.decode(code, f);
                if (Double.isNaN(want)) {
                    assertTrue(Float.isNaN(got), f + " code " + code);
                    continue;
                }
                assertEquals(want, got, 0.0, f + " code " + code);
                if (f == FpFormat.INT8 && code == 0x80) {
                    continue; // -2: decodable, never produced
                }
                assertEquals(code, FpMath.encode(got, f), f + " encode of " + got);
            }
        }
    }

    @Test
    void maxAndSpecialsAsDocumented() {
        assertEquals(448f, FpFormat.E4M3.max());
        assertEquals(57344f, FpFormat.E5M2.max());
        assertEquals(7.5f, FpFormat.E2M3.max());
        assertEquals(28f, FpFormat.E3M2.max());
        assertEquals(6f, FpFormat.E2M1.max());
        for (FpFormat f : FpFormat.values()) {
            assertEquals(new FpReference(f).max(), f.max(), 0.0, f.toString());
        }
        float[] fp4 = {0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f};
        double[] table = new FpReference(FpFormat.E2M1).values;
        for (int i = 0; i < fp4.length; i++) {
            assertEquals(fp4[i], table[i], 0.0);
        }
    }

    /** Rounds {@code in} with every backend and compares with the reference, element by element. */
    static void checkAgainstReference(FpFormat f, boolean saturate, float[] in) {
        FpReference ref = new FpReference(f);
        FpQuantizer q = FpQuantizer.of(f).withSaturation(saturate);
        for (FpKernels k : BACKENDS) {
            float[] out = k.fakeQuantize(in, q);
            for (int i = 0; i < in.length; i++) {
                assertBits(ref.round(in[i], saturate), out[i], k.name() + " " + f + (saturate ? "" : " non-saturating")
                        + " of " + in[i] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(in[i])) + ")");
            }
        }
    }

    @Test
    void boundariesTiesSubnormalsAndSpecials() {
        for (FpFormat f : FpFormat.values()) {
            float[] in = new FpReference(f).boundaryInputs();
            checkAgainstReference(f, true, in);
            if (f.hasNaN()) {
                checkAgainstReference(f, false, in);
            }
        }
    }

    @Test
    void largeRandomSample() {
        SplittableRandom r = new SplittableRandom(13);
        for (FpFormat f : FpFormat.values()) {
            float[] in = new float[1 << 18];
            for (int i = 0; i < in.length; i++) {
                // half random bit patterns, half values around the format's range
                in[i] = (i & 1) == 0 ? Float.intBitsToFloat(r.nextInt())
                        : (float) ((r.nextDouble() * 2 - 1) * f.max() * Math.scalb(1.0, r.nextInt(-30, 3)));
            }
            checkAgainstReference(f, true, in);
            if (f.hasNaN()) {
                checkAgainstReference(f, false, in);
            }
        }
    }

    @Test
    void overflowPerFormat() {
        FpKernels k = FpKernels.cpu();
        float[] in = {464f, 465f, 1e9f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        float[] e4 = k.fakeQuantize(in, FpQuantizer.of(FpFormat.E4M3).withSaturation(false));
        assertEquals(448f, e4[0]); // the tie goes to max's even mantissa
        assertTrue(Float.isNaN(e4[1]) && Float.isNaN(e4[2]) && Float.isNaN(e4[3]));
        float[] e4s = k.fakeQuantize(in, FpQuantizer.of(FpFormat.E4M3));
        assertEquals(448f, e4s[3]);
        assertEquals(-448f, e4s[4]);
        float[] e5 = k.fakeQuantize(new float[] {61439f, 61440f, Float.NEGATIVE_INFINITY},
                FpQuantizer.of(FpFormat.E5M2).withSaturation(false));
        assertEquals(57344f, e5[0]);
        assertEquals(Float.POSITIVE_INFINITY, e5[1]); // the tie goes to the even code: Inf
        assertEquals(Float.NEGATIVE_INFINITY, e5[2]);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> FpQuantizer.of(FpFormat.E2M1).withSaturation(false));
        assertTrue(ex.getMessage().contains("E2M1"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> FpQuantizer.mxfp4().withRounding(Rounding.FLOOR));
        assertTrue(ex.getMessage().contains("FLOOR"), ex.getMessage());
    }

    @Test
    void int8HasNoNegativeZero() {
        float[] out = FpKernels.cpu().fakeQuantize(new float[] {-0f, -0.001f, -1f / 128, -3f / 128},
                FpQuantizer.of(FpFormat.INT8));
        assertBits(0f, out[0], "-0");
        assertBits(0f, out[1], "-0.001");
        assertBits(0f, out[2], "-1/128 (tie to even 0)");
        assertBits(-2f / 64, out[3], "-3/128 (tie to even -2/64)");
    }
}
