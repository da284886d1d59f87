package dev.kure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kure.spi.Hash32;
import java.util.function.LongToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both stochastic generators: Hash32's known answers (the same numbers the CUDA host test asserts,
 * computed independently in Python), and the statistics of the rounding decisions the kernels make
 * (unbiased error, uniform decisions by chi-square, no correlation between neighbours), on the
 * scalar and the CPU backend. The statistics are first shown to reject bad generators, so a pass
 * means something. Seeds are fixed: the tests are deterministic.
 */
class StochasticRoundingTest {

    @Test
    void hash32KnownAnswers() {
        assertEquals(0xe220a8397b1dcdafL, Hash32.key(0, 0), "the key is SplitMix64's first output of seed 0");
        assertEquals(0x2f69a059, Hash32.bits(0, 0));
        assertEquals(0x7a0f8f4e, Hash32.bits(0, 1));
        assertEquals(0xb0ada9e0, Hash32.bits(42, 7));
        assertEquals(0xe7d1657d, Hash32.bits(0x5eed, 0x1_0000_0005L), "second high word of the index");
        assertEquals(0x1ca90295, Hash32.bits(-1L, 0xf_ffff_ffffL));
        assertEquals((0xb0ada9e0 >>> 8) * 0x1p-24f, Hash32.uniform(42, 7));
    }

    // ---- the statistics, as functions of a generator of 32-bit words per element index ---------

    /** Chi-square over 16 fractional parts f: rounding-up counts against n·f (16 degrees of freedom). */
    static double decisionChiSquare(LongToIntFunction bits, int perBin) {
        double chi = 0;
        for (int b = 0; b < 16; b++) {
            double f = (b + 0.5) / 16;
            int threshold = (int) Math.round((1 - f) * (1 << 24)); // up iff u >= 1 - f
            long ups = 0;
            for (int i = 0; i < perBin; i++) {
                ups += (bits.applyAsInt((long) i * 16 + b) >>> 8) >= threshold ? 1 : 0;
            }
            double want = perBin * f;
            chi += (ups - want) * (ups - want) / (perBin * f * (1 - f));
        }
        return chi;
    }

    /** Largest |correlation| of the 24-bit uniforms at lags 1..8. */
    static double neighbourCorrelation(LongToIntFunction bits, int n) {
        double[] u = new double[n];
        for (int i = 0; i < n; i++) {
            u[i] = (bits.applyAsInt(i) >>> 8) * 0x1p-24 - 0.5;
        }
        double worst = 0;
        for (int lag = 1; lag <= 8; lag++) {
            double c = 0, v = 0;
            for (int i = 0; i + lag < n; i++) {
                c += u[i] * u[i + lag];
                v += u[i] * u[i];
            }
            worst = Math.max(worst, Math.abs(c / v));
        }
        return worst;
    }

    /** 99.99 % quantile of chi-square with 16 degrees of freedom is 42.3. */
    static final double CHI16 = 42.3;

    @Test
    void theStatisticsRejectBadGenerators() {
        // a counter: perfectly uniform over a period, but neighbours are strongly correlated
        assertTrue(neighbourCorrelation(i -> (int) (i * 0x01000193L), 1 << 18) > 0.1);
        // a slight bias (u never in the top 1/64): the decisions drift from n·f
        assertTrue(decisionChiSquare(i -> (int) ((Hash32.bits(1, i) >>> 1) * 63L / 64 << 1), 1 << 16) > 2 * CHI16);
        // the decision bins see every element of one residue class mod 16: a period-16 generator fails
        assertTrue(decisionChiSquare(i -> (int) ((i & 15) * 0x1000_0000L + 0x0800_0000L), 1 << 12) > 2 * CHI16);
    }

    @ParameterizedTest
    @EnumSource(value = Rounding.class, names = {"STOCHASTIC", "STOCHASTIC_HASH"})
    void generatorsPassTheStatistics(Rounding r) {
        long seed = 0x5eedL;
        LongToIntFunction bits = e -> dev.kure.spi.QuantMath.bits(r, seed, e);
        assertTrue(decisionChiSquare(bits, 1 << 16) < CHI16, r + " decisions not uniform");
        assertTrue(neighbourCorrelation(bits, 1 << 20) < 5 / Math.sqrt(1 << 20), r + " neighbours correlated");
    }

    @ParameterizedTest
    @EnumSource(value = Rounding.class, names = {"STOCHASTIC", "STOCHASTIC_HASH"})
    void kernelsRoundUnbiasedUniformlyAndIndependently(Rounding r) {
        for (Kernels k : new Kernels[] {Kernels.scalar(), Kernels.cpu()}) {
            String what = r + " on " + k.name();
            // element i has fractional part (b + 0.5)/16, b = i mod 16: decisions per bin against n·f
            int perBin = 1 << 15, n = 16 * perBin;
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (i % 16 + 0.5f) / 16 + (i / 16 % 7) - 3; // several integer parts
            }
            Quantizer q = Quantizer.perTensor(8, Grid.SIGNED, 1f, 0).withRounding(r).withSeed(99);
            float[] out = FakeQuantTest.fq(k, x, q);
            double chi = 0, err = 0;
            for (int b = 0; b < 16; b++) {
                double f = (b + 0.5) / 16;
                long ups = 0;
                for (int i = b; i < n; i += 16) {
                    float fl = (float) Math.floor(x[i]);
                    assertTrue(out[i] == fl || out[i] == fl + 1, what + ": " + x[i] + " -> " + out[i]);
                    ups += out[i] == fl + 1 ? 1 : 0;
                }
                chi += (ups - perBin * f) * (ups - perBin * f) / (perBin * f * (1 - f));
            }
            for (int i = 0; i < n; i++) {
                err += out[i] - x[i];
            }
            assertTrue(chi < CHI16, what + ": chi-square " + chi);
            assertEquals(0, err / n, 5 * 0.5 / Math.sqrt(n), what + ": mean rounding error");
            // neighbours: the decisions at frac 0.5 of adjacent elements are uncorrelated
            java.util.Arrays.fill(x, 0.5f);
            out = FakeQuantTest.fq(k, x, q);
            double c = 0;
            for (int i = 0; i + 1 < n; i++) {
                c += (out[i] - 0.5) * (out[i + 1] - 0.5) * 4;
            }
            assertTrue(Math.abs(c / (n - 1)) < 5 / Math.sqrt(n), what + ": lag-1 correlation " + c / (n - 1));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Rounding.class, names = {"STOCHASTIC", "STOCHASTIC_HASH"})
    void sameAcrossThreadsSplitsAndTheHighWordOfTheIndex(Rounding r) {
        float[] x = Data.gaussian(2_500_003, 0, 3, 17);
        // a stream offset just below 2^32: the index's high word changes inside the call
        Quantizer q = Quantizer.perTensor(8, Grid.SIGNED, 0.05f, 3).withRounding(r).withSeed(-7L)
                .withStreamOffset((1L << 32) - 1_000_003);
        float[] want = FakeQuantTest.fq(Kernels.scalar(), x, q);
        for (int t : new int[] {1, 2, 3}) {
            FakeQuantTest.assertBits(want, FakeQuantTest.fq(Kernels.cpu().withThreads(t), x, q), r + " threads " + t);
        }
        for (Kernels k : new Kernels[] {Kernels.scalar(), Kernels.cpu()}) {
            float[] parts = new float[x.length];
            int cut = 1_000_001;
            k.fakeQuantize(x, 0, parts, 0, cut, q);
            k.fakeQuantize(x, cut, parts, cut, x.length - cut, q.withStreamOffset(q.streamOffset() + cut));
            FakeQuantTest.assertBits(want, parts, r + " split on " + k.name());
        }
        assertTrue(!java.util.Arrays.equals(want, FakeQuantTest.fq(Kernels.scalar(), x, q.withSeed(-8L))), "seed matters");
    }
}
