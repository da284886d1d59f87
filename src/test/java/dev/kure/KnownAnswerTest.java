package dev.kure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kure.spi.QuantMath;
import org.junit.jupiter.api.Test;

/**
 * Known answers, written out by hand, for the code the SIMD backend shares with the oracle (the
 * element arithmetic of {@link QuantMath}, which SIMD tails and rare lanes call, and int8 / int4
 * dequantize, which the SIMD backend delegates to the reference): a bug there would agree with itself
 * in the conformance suite, so these values come from the definitions, not from another backend.
 */
class KnownAnswerTest {

    /** y, then the expected integer for each policy in {@link Rounding} order (STOCHASTIC with u = 0.25). */
    static final double[][] ROUND_H0 = {
        //   y      HALF_EVEN AWAY  UP  DOWN FLOOR CEIL ZERO STOCH(u=.25)
        {2.5,       2,        3,    3,  2,   2,    3,   2,   2},
        {3.5,       4,        4,    4,  3,   3,    4,   3,   3},
        {-2.5,     -2,       -3,   -2, -3,  -3,   -2,  -2,  -3},
        {-0.5,     -0,       -1,   -0, -1,  -1,   -0,  -0,  -1},
        {0.75,      1,        1,    1,  1,   0,    1,   0,   1},
        {-1.25,    -1,       -1,   -1, -1,  -2,   -1,  -1,  -1},
        {-1.8,     -2,       -2,   -2, -2,  -2,   -1,  -1,  -2},
        {7,         7,        7,    7,  7,   7,    7,   7,   7},
    };

    /** Midrise (h = 0.5): y − 0.5 is rounded; y = 3 is the tie 2.5, y = −1 the tie −1.5. */
    static final double[][] ROUND_H05 = {
        {3,         2,        3,    3,  2,   2,    3,   2,   2},
        {-1,       -2,       -2,   -1, -2,  -2,   -1,  -1,  -2},
        {0.5,       0,        0,    0,  0,   0,    0,   0,   0},
        {1.3,       1,        1,    1,  1,   0,    1,   0,   1},
        {0.2,       0,        0,    0,  0,  -1,    0,   0,  -1},
    };

    @Test
    void roundingPolicies() {
        check(ROUND_H0, 0f);
        check(ROUND_H05, 0.5f);
        // STOCHASTIC: floor(y - h + u)
        assertEquals(3.0, QuantMath.round(2.5f, 0f, Rounding.STOCHASTIC, 0.5f));
        assertEquals(2.0, QuantMath.round(2.4f, 0f, Rounding.STOCHASTIC, 0.5f));
        assertEquals(-2.0, QuantMath.round(-2.4f, 0f, Rounding.STOCHASTIC, 0.5f));
        assertEquals(3.0, QuantMath.round(3f, 0.5f, Rounding.STOCHASTIC, 0.5f));
        assertEquals(16777216.0, QuantMath.round(0x1p24f, 0f, Rounding.HALF_UP, 0f));
        assertEquals(Double.NaN, QuantMath.round(Float.NaN, 0f, Rounding.FLOOR, 0f));
        assertEquals(Double.NEGATIVE_INFINITY, QuantMath.round(Float.NEGATIVE_INFINITY, 0.5f, Rounding.CEIL, 0f));
    }

    private static void check(double[][] table, float h) {
        for (double[] row : table) {
            for (Rounding r : Rounding.values()) {
                // both stochastic policies round floor(y − h + u) given their uniform u: one column
                int col = r == Rounding.STOCHASTIC_HASH ? Rounding.STOCHASTIC.ordinal() : r.ordinal();
                double want = row[1 + col];
                double got = QuantMath.round((float) row[0], h, r, 0.25f);
                assertEquals(want == 0 ? 0.0 : want, got == 0 ? 0.0 : got, r + " of y=" + row[0] + " h=" + h);
            }
        }
    }

    @Test
    void overflowPolicies() {
        assertEquals(7f, QuantMath.overflow(9f, -8, 7, Overflow.SATURATE));
        assertEquals(-8f, QuantMath.overflow(-100f, -8, 7, Overflow.SATURATE));
        assertEquals(3f, QuantMath.overflow(3f, -8, 7, Overflow.WRAP));
        assertEquals(-7f, QuantMath.overflow(9f, -8, 7, Overflow.WRAP));     // 9 - 16
        assertEquals(6f, QuantMath.overflow(-10f, -8, 7, Overflow.WRAP));    // -10 + 16
        assertEquals(-8f, QuantMath.overflow(8f, -8, 7, Overflow.WRAP));
        assertEquals(0f, QuantMath.overflow(34f, -20, 13, Overflow.WRAP));   // 34 levels
        assertEquals(13f, QuantMath.overflow(-21f, -20, 13, Overflow.WRAP));
        assertEquals(2f, QuantMath.overflow(2f + 34 * 1000, -20, 13, Overflow.WRAP));
        assertEquals(Float.NaN, QuantMath.overflow(Float.POSITIVE_INFINITY, -8, 7, Overflow.WRAP));
        assertEquals(7f, QuantMath.overflow(Float.POSITIVE_INFINITY, -8, 7, Overflow.SATURATE));
    }

    @Test
    void elementArithmetic() {
        assertEquals(0.5f, QuantMath.scaled(1f, 2f, 0.5f, false));
        assertEquals(1f / 3f, QuantMath.scaled(1f, 3f, 0f, true));
        assertEquals(10f, QuantMath.reciprocal(0.1f));
        assertEquals(((5f - 3f) + 0f) * 0.25f, QuantMath.value(5f, 3, 0f, 0.25f));
        assertEquals(-0.375f, QuantMath.value(-2f, 0, 0.5f, 0.25f));      // (-2 + 0.5) * 0.25
        assertEquals(true, QuantMath.inside(7f, -8, 7));
        assertEquals(false, QuantMath.inside(8f, -8, 7));
        assertEquals(false, QuantMath.inside(Float.NaN, -8, 7));
        // code = round(x·inv) + z: 0.25·(1/0.1) = 2.5 in float → 2 (half even) + 3
        assertEquals(5f, QuantMath.code(0.25f, 0.1f, QuantMath.reciprocal(0.1f), 3, 0f, Rounding.HALF_EVEN, false, 0, 0));
    }

    /** The radix select is shared by the oracle and the SIMD backend: known order statistics of |x|. */
    @Test
    void orderStatisticsOfAbsByHand() {
        float one = 1f, up = Math.nextUp(1f), down = Math.nextDown(1f);
        float[] x = {3f, -1f, 0.5f, -7f, 2f, -0f, 7f, up, -down, Float.MIN_VALUE};
        // |x| sorted: 0, MIN_VALUE, 0.5, down, 1, up, 2, 3, 7, 7
        float[] want = {0f, Float.MIN_VALUE, 0.5f, down, one, up, 2f, 3f, 7f, 7f};
        for (int k = 0; k < want.length; k++) {
            assertEquals(want[k], dev.kure.spi.RadixSelect.absOrderStatistic(x, 0, x.length, k), "k=" + k);
            assertEquals(want[k], Kernels.cpu().backend().absOrderStatistic(x, 0, x.length, k), "cpu k=" + k);
        }
        assertEquals(2f, dev.kure.spi.RadixSelect.absOrderStatistic(x, 3, 3, 1), "sub-range {7, 2, 0}");
    }

    @Test
    void dequantizeInt8AndInt4ByHand() {
        for (Kernels k : new Kernels[] {Kernels.scalar(), Kernels.cpu()}) {
            Quantizer q = Quantizer.perTensorAffine(0.5f, 3, -128, 127);
            float[] out = new float[4];
            k.dequantize(new byte[] {-128, 0, 3, 127}, out, q);
            assertEquals("[-65.5, -1.5, 0.0, 62.0]", java.util.Arrays.toString(out), k.name());
            Quantizer u = Quantizer.perTensor(8, Grid.UNSIGNED, 0.25f, 128);
            k.dequantize(new byte[] {0, (byte) 128, (byte) 255, 1}, out, u);
            assertEquals("[-32.0, 0.0, 31.75, -31.75]", java.util.Arrays.toString(out), k.name());
            Quantizer m = Quantizer.symmetric(8, Grid.MIDRISE, 0.5f);  // value (q + 0.5)·s, q in [-128, 127]
            k.dequantize(new byte[] {0, 1, (byte) 255, -128}, out, m);
            assertEquals("[0.25, 0.75, -0.25, -63.75]", java.util.Arrays.toString(out), k.name());
            float[] o5 = new float[5];
            Quantizer s4 = Quantizer.perTensor(4, Grid.SIGNED, 0.5f, -1);
            // bytes: low nibble first; 0xF8 = (8 -> -8, F -> -1), 0x7 0 -> (7, 0), 0x?2 -> 2
            k.dequantizeInt4(new byte[] {(byte) 0xF8, 0x07, 0x02}, o5, s4);
            assertEquals("[-3.5, 0.0, 4.0, 0.5, 1.5]", java.util.Arrays.toString(o5), k.name());
            Quantizer u4 = Quantizer.perTensor(4, Grid.UNSIGNED, 1f, 8);
            k.dequantizeInt4(new byte[] {(byte) 0xF0, 0x18, (byte) 0xE5}, o5, u4);
            assertEquals("[-8.0, 7.0, 0.0, -7.0, -3.0]", java.util.Arrays.toString(o5), k.name());
        }
    }

    @Test
    void doReFaByHandOverSeveralStagingBlocks() {
        // the formula of docs/semantics.md written out here, over 5,000 weights (three staging blocks),
        // so that the scalar reference, which every backend is compared with, cannot agree with itself
        int n = 5000, bits = 3;
        float[] w = Data.gaussian(n, 0, 0.7, 31);
        float[] dy = Data.gaussian(n, 0, 1, 32);
        double m = 0, dot = 0, tk = 0;
        int k = -1;
        for (int i = 0; i < n; i++) {
            double t = StrictMath.tanh(w[i]);
            dot += dy[i] * t;
            if (Math.abs(t) > m) {
                m = Math.abs(t);
                k = i;
                tk = t;
            }
        }
        double levels = (1 << bits) - 1;
        float[] want = new float[n], wantDx = new float[n];
        double maxTerm = Math.signum(tk) * (1 - tk * tk) / (m * m) * dot;
        for (int i = 0; i < n; i++) {
            double t = StrictMath.tanh(w[i]);
            want[i] = (float) (2 * (Math.rint(levels * (t / (2 * m) + 0.5)) / levels) - 1);
            wantDx[i] = (float) (dy[i] * (1 - t * t) / m - (i == k ? maxTerm : 0));
        }
        float[] out = new float[n], dx = new float[n];
        assertEquals(m, Kernels.scalar().dorefaForward(w, out, bits));
        Kernels.scalar().dorefaBackward(w, dy, dx);
        for (int i = 0; i < n; i++) {
            assertEquals(want[i], out[i], "forward " + i);
            assertEquals(wantDx[i], dx[i], "backward " + i);
        }
    }
}
