package dev.kure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Issue 5: step transforms, exact at powers of two and at the LOG (√2) and LINEAR (1.5) boundaries. */
class StepTransformTest {
    static float p2(float s, PowerOfTwo m) {
        return StepTransform.powerOfTwo(m).apply(s);
    }

    @Test
    void exactPowersOfTwoAreFixedPoints() {
        for (int e = -149; e <= 127; e++) {
            float s = Math.scalb(1f, e);
            for (PowerOfTwo m : PowerOfTwo.values()) {
                assertEquals(s, p2(s, m), m + " 2^" + e);
            }
        }
    }

    @Test
    void logBoundaryIsSqrtTwo() {
        float above = Math.nextUp(1.4142135f);          // the smallest float >= √2 (1.4142135f is just below)
        float below = Math.nextDown(above);
        assertEquals(true, (double) above * above >= 2.0);
        assertEquals(true, (double) below * below < 2.0);
        for (int e : new int[] {-126, -20, -1, 0, 1, 30, 126}) {
            float a = Math.scalb(above, e), b = Math.scalb(below, e);
            assertEquals(Math.scalb(1f, e + 1), p2(a, PowerOfTwo.LOG), "2^" + e);
            assertEquals(Math.scalb(1f, e), p2(b, PowerOfTwo.LOG), "2^" + e);
            // a naive Math.round(log2) would decide this by a rounded logarithm; the ratio stays in [1/√2, √2]
            double r = p2(b, PowerOfTwo.LOG) / (double) b;
            assertEquals(true, r > Math.sqrt(0.5) && r <= Math.sqrt(2));
        }
    }

    @Test
    void linearBoundaryIsOnePointFive() {
        for (int e : new int[] {-126, -3, 0, 5, 126}) {
            float mid = Math.scalb(1.5f, e);
            assertEquals(Math.scalb(1f, e + 1), p2(mid, PowerOfTwo.LINEAR), "tie goes up at 1.5·2^" + e);
            assertEquals(Math.scalb(1f, e), p2(Math.nextDown(mid), PowerOfTwo.LINEAR));
            assertEquals(Math.scalb(1f, e + 1), p2(Math.nextUp(mid), PowerOfTwo.LINEAR));
            // 1.45 is LOG-up but LINEAR-down
            float s = Math.scalb(1.45f, e);
            assertEquals(Math.scalb(1f, e + 1), p2(s, PowerOfTwo.LOG));
            assertEquals(Math.scalb(1f, e), p2(s, PowerOfTwo.LINEAR));
        }
    }

    @Test
    void floorAndCeil() {
        for (int e : new int[] {-148, -127, -126, -1, 0, 12, 126}) {
            float s = Math.nextUp(Math.scalb(1f, e));
            assertEquals(Math.scalb(1f, e), p2(s, PowerOfTwo.FLOOR), "2^" + e);
            assertEquals(Math.scalb(1f, e + 1), p2(s, PowerOfTwo.CEIL), "2^" + e);
        }
        assertEquals(Math.scalb(1f, -149), p2(Float.MIN_VALUE, PowerOfTwo.CEIL));
        assertEquals(Math.scalb(1f, -128), p2(3e-39f, PowerOfTwo.FLOOR));     // subnormal: 2^-128 <= 3e-39 < 2^-127
        assertEquals(Math.scalb(1f, 127), p2(Float.MAX_VALUE, PowerOfTwo.CEIL)); // clamped, not infinite
        assertEquals(Math.scalb(1f, 127), p2(Float.MAX_VALUE, PowerOfTwo.LOG));
    }

    @Test
    void ratioAndChainAndApplyTo() {
        assertEquals((float) (1.1 * 0.3f), StepTransform.ratio(1.1).apply(0.3f));
        assertEquals(Float.MAX_VALUE, StepTransform.ratio(4).apply(Float.MAX_VALUE));
        assertEquals(Float.MIN_VALUE, StepTransform.ratio(1e-3).apply(Float.MIN_VALUE));
        StepTransform t = StepTransform.ratio(1.3).andThen(StepTransform.powerOfTwo(PowerOfTwo.FLOOR));
        assertEquals(0.25f, t.apply(0.3f));       // 0.39 -> 0.25
        Quantizer q = Quantizer.perChannel(4, Grid.PAPER, new float[] {0.3f, 0.7f}, new int[] {1, -2}, new int[] {2, 3}, 0)
                .withRounding(Rounding.STOCHASTIC).withSeed(5).withStreamOffset(9).withOverflow(Overflow.WRAP);
        Quantizer r = t.applyTo(q);
        assertEquals(0.25f, r.scale(0));
        assertEquals(0.5f, r.scale(1));
        assertEquals(-2, r.zeroPoint(1));
        assertEquals(Granularity.PER_CHANNEL, r.granularity());
        assertEquals(Rounding.STOCHASTIC, r.rounding());
        assertEquals(5, r.seed());
        assertEquals(9, r.streamOffset());
        assertEquals(Overflow.WRAP, r.overflow());
        assertEquals(Grid.PAPER, r.grid());
        Quantizer custom = StepTransform.ratio(2).applyTo(Quantizer.perGroupAffine(new float[] {1f}, new int[] {0}, 8, -3, 9));
        assertEquals(2f, custom.scale(0));
        assertEquals(-3, custom.qmin());
        assertEquals(8, custom.inner());
    }
}
