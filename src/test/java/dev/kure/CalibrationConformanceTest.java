package dev.kure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kure.spi.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 5 kernels of the backend {@link Kernels#cpu()} picks (Panama SIMD in the default run, once
 * per forced vector width; the scalar fallback without the vector module) against the scalar
 * oracle: errorSums within float-summation tolerance for every rounding, overflow, grid, mode and p,
 * with contiguous and explicit stochastic streams; the order statistic exactly; the mean absolute
 * deviation to double rounding; all identical for 1, 2 and 4 threads.
 */
class CalibrationConformanceTest {
    final Backend oracle = Kernels.scalar().backend();
    final Backend cpu = Kernels.cpu().backend();

    /** Sizes around every vector width, the 1024 fake-quant block, the 4096 sweep block and a chunk. */
    static final int[] SIZES = {0, 1, 2, 3, 5, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 129, 255, 256, 257,
        1009, 1023, 1024, 1025, 4095, 4096, 4097, 8191, 65_537, 262_147};

    /** Settings: every policy × overflow on the conformance grids, DIVIDE, and a second seed. */
    static Quantizer[] settings() {
        List<Quantizer> qs = new ArrayList<>(BackendConformance.quantizers());
        qs.add(Quantizer.perTensor(8, Grid.SIGNED, 0.05f, 0).withRounding(Rounding.STOCHASTIC).withSeed(77));
        // the same seed under the other generator: the sweep must not share the words between them
        qs.add(Quantizer.perTensor(8, Grid.SIGNED, 0.05f, 0).withRounding(Rounding.STOCHASTIC_HASH).withSeed(77));
        qs.add(Quantizer.perTensor(2, Grid.SIGNED, 0.9f, 1));
        return qs.toArray(Quantizer[]::new);
    }

    /** Finite adversarial data (ties, levels, far beyond the grid, -0, tiny) at the scale of the settings. */
    static float[] finite(int n, long seed) {
        float[] x = BackendConformance.adversarial(n, 0.05f, 300, seed);
        SplittableRandom r = new SplittableRandom(seed ^ 0x9e37);
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(x[i])) {
                x[i] = (float) (r.nextGaussian() * 3);
            }
        }
        return x;
    }

    static void assertSums(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length);
        for (int j = 0; j < want.length; j++) {
            if (Double.isInfinite(want[j])) {
                assertEquals(want[j], got[j], what + " setting " + j);
            } else {
                BackendConformance.assertClose(want[j], got[j], 1e-6 * Math.abs(want[j]) + 1e-300, what + " setting " + j);
            }
        }
    }

    @Test
    void errorSumsMatchTheOracleForEverySettingAndSize() {
        Quantizer[] qs = settings();
        for (int n : SIZES) {
            float[] x = finite(n + 7, n * 13L + 1);
            for (double p : new double[] {2.0, 1.0, 0.5, 3.0, 2.4}) {
                if (p != 2.0 && n > 5000) {
                    continue; // pow per element: keep the suite short
                }
                double[] want = new double[qs.length], got = new double[qs.length];
                java.util.Arrays.fill(want, 1.5);
                java.util.Arrays.fill(got, 1.5); // sums are added to what is there
                double sw = oracle.errorSums(x, 3, n, 1000L + n, null, qs, p, want);
                double sg = cpu.errorSums(x, 3, n, 1000L + n, null, qs, p, got);
                BackendConformance.assertClose(sw, sg, 1e-6 * sw, "signal n=" + n);
                assertSums(want, got, "n=" + n + " p=" + p);
            }
        }
    }

    @Test
    void errorSumsWithNanAndInfinities() {
        Quantizer[] qs = settings();
        for (int n : new int[] {1, 17, 1025, 4097, 20_011}) {
            float[] x = BackendConformance.adversarial(n, 0.05f, 300, n);
            double[] want = new double[qs.length], got = new double[qs.length];
            assertEquals(oracle.errorSums(x, 0, n, 0L, null, qs, 2.0, want),
                    cpu.errorSums(x, 0, n, 0L, null, qs, 2.0, got));
            assertSums(want, got, "n=" + n);
        }
        // only infinities: SATURATE gives +Inf error, WRAP NaN
        float[] inf = new float[4099];
        for (int i = 0; i < inf.length; i++) {
            inf[i] = i % 97 == 0 ? Float.NEGATIVE_INFINITY : (float) Math.sin(i);
        }
        double[] want = new double[qs.length], got = new double[qs.length];
        oracle.errorSums(inf, 0, inf.length, 0L, null, qs, 2.0, want);
        cpu.errorSums(inf, 0, inf.length, 0L, null, qs, 2.0, got);
        assertSums(want, got, "infinities");
    }

    @Test
    void errorSumsWithExplicitStreamIndices() {
        Quantizer[] qs = settings();
        int n = 10_007;
        float[] x = finite(n, 5);
        long[] idx = new long[n];
        SplittableRandom r = new SplittableRandom(6);
        for (int i = 0; i < n; i++) {
            idx[i] = r.nextLong(1L << 40);
        }
        double[] want = new double[qs.length], got = new double[qs.length];
        oracle.errorSums(x, 0, n, 0L, idx, qs, 2.0, want);
        cpu.errorSums(x, 0, n, 0L, idx, qs, 2.0, got);
        assertSums(want, got, "stream indices");
        // the streams matter: another base gives other stochastic sums
        double[] other = new double[qs.length];
        cpu.errorSums(x, 0, n, 12345L, null, qs, 2.0, other);
        boolean differs = false;
        for (int j = 0; j < qs.length; j++) {
            differs |= qs[j].rounding().isStochastic() && other[j] != got[j];
        }
        assertTrue(differs);
    }

    /**
     * LP_NORM at p ∉ {1, 2} sums |e|^p with polynomial log2/exp2 in lanes instead of Math.pow: the
     * chosen step must be the exact-pow oracle's (stated tolerance: 1e-4 relative; the sums agree to
     * about 1e-14, so in practice the same float), on a sample-searched and a small tensor.
     */
    @Test
    void lpNormCalibrationChoosesTheExactPowOraclesStep() {
        for (int n : new int[] {20_000, 1_500_000}) {
            float[] x = Data.studentT3(n, 5 + n);
            for (double p : new double[] {0.5, 1.5, 2.4, 3.0, 4.0}) {
                for (int bits : new int[] {3, 4, 8}) {
                    float want = Kernels.scalar().calibrate(x, bits, Grid.SIGNED, StepPolicy.lpNorm(p)).scale(0);
                    float got = Kernels.cpu().calibrate(x, bits, Grid.SIGNED, StepPolicy.lpNorm(p)).scale(0);
                    BackendConformance.assertClose(want, got, 1e-4 * want, "n=" + n + " p=" + p + " bits=" + bits);
                }
            }
        }
    }

    @Test
    void errorSumsOverSeveralChunksIdenticalForOneTwoAndFourThreads() {
        int n = 3 * (1 << 20) + 4099;
        float[] x = Data.gaussian(n, 0.1, 1.0, 41);
        Quantizer[] qs = {
            Quantizer.perTensor(4, Grid.SIGNED, 0.3f, 0),
            Quantizer.perTensor(8, Grid.SIGNED, 0.02f, 0),
            Quantizer.perTensor(3, Grid.PAPER, 0.5f, 0).withRounding(Rounding.STOCHASTIC).withSeed(3),
            Quantizer.symmetric(4, Grid.MIDRISE, 0.25f).withOverflow(Overflow.WRAP),
        };
        double[] want = new double[qs.length];
        double sw = oracle.errorSums(x, 0, n, 99L, null, qs, 2.0, want);
        double[] one = new double[qs.length];
        double s1 = cpu.withThreads(1).errorSums(x, 0, n, 99L, null, qs, 2.0, one);
        BackendConformance.assertClose(sw, s1, 1e-6 * sw, "signal");
        assertSums(want, one, "big");
        for (int t : new int[] {2, 4}) {
            double[] got = new double[qs.length];
            assertEquals(s1, cpu.withThreads(t).errorSums(x, 0, n, 99L, null, qs, 2.0, got), "signal, threads " + t);
            assertArrayEquals(one, got, "threads " + t);
            double[] pow1 = new double[qs.length], powT = new double[qs.length]; // LP_NORM's polynomial path
            cpu.withThreads(1).errorSums(x, 0, n, 99L, null, qs, 2.4, pow1);
            cpu.withThreads(t).errorSums(x, 0, n, 99L, null, qs, 2.4, powT);
            assertArrayEquals(pow1, powT, "p = 2.4, threads " + t);
            assertEquals(cpu.withThreads(1).meanAbsDeviation(x, 0, n, 0.1),
                    cpu.withThreads(t).meanAbsDeviation(x, 0, n, 0.1), "MAD, threads " + t);
            assertEquals(cpu.withThreads(1).absOrderStatistic(x, 0, n, n / 3),
                    cpu.withThreads(t).absOrderStatistic(x, 0, n, n / 3), "order statistic, threads " + t);
        }
    }

    @Test
    void orderStatisticIsExact() {
        for (int n : new int[] {1, 2, 17, 1025, 65_537, 2 * (1 << 20) + 3}) {
            float[] x = Data.studentT3(n, n);
            x[n / 2] = -0.0f;
            for (long k : new long[] {0, n / 7, n / 2, n - 1}) {
                assertEquals(oracle.absOrderStatistic(x, 0, n, k), cpu.absOrderStatistic(x, 0, n, k), "n=" + n + " k=" + k);
            }
        }
        float[] odd = {Float.MIN_VALUE, -Float.MAX_VALUE, 3f, -Float.MIN_NORMAL, 1e-40f, -0f, 0f, 3f};
        for (int k = 0; k < odd.length - 1; k++) {
            assertEquals(oracle.absOrderStatistic(odd, 1, 7, k), cpu.absOrderStatistic(odd, 1, 7, k));
        }
    }

    @Test
    void meanAbsDeviationMatches() {
        for (int n : SIZES) {
            if (n == 0) {
                continue;
            }
            float[] x = Data.laplace(n + 3, 0.7, n);
            double want = oracle.meanAbsDeviation(x, 2, n, 0.25);
            BackendConformance.assertClose(want, cpu.meanAbsDeviation(x, 2, n, 0.25), 1e-12 * want, "n=" + n);
        }
    }
}
