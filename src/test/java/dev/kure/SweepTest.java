package dev.kure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 5: the one-pass robustness sweep equals fake-quantizing per setting and measuring. */
class SweepTest {
    final Kernels k = kernels();

    /** The backend under test (the scalar oracle here; {@link CpuSweepTest} runs the CPU backend). */
    Kernels kernels() {
        return Kernels.scalar();
    }

    /** Relative tolerance of the sums: double summation order here, float partial sums for SIMD. */
    double tol() {
        return 1e-9;
    }

    static double sse(Kernels k, float[] x, Quantizer q) {
        float[] out = new float[x.length];
        k.fakeQuantize(x, out, q);
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double e = (double) out[i] - x[i];
            s += e * e;
        }
        return s;
    }

    void assertMatches(Kernels k, float[] x, SweepResult r) {
        double tol = tol();
        double sig = 0;
        for (float v : x) {
            sig += (double) v * v;
        }
        for (SweepResult.Row row : r.rows()) {
            double want = sse(k, x, row.quantizer());
            assertEquals(want, row.error().sumSquaredError(), tol * want, row.toString());
            assertEquals(want / x.length, row.mse(), tol * want / x.length);
            assertEquals(10 * Math.log10(sig / want), row.snrDb(), 10 * tol + 1e-8);
            assertEquals(x.length, row.error().count());
        }
    }

    /** 3 bit-widths × 21 ratios × 2 roundings (one stochastic: the same Philox stream) on random data. */
    @Test
    void sweepEqualsPerSettingFakeQuantize() {
        float[] x = Data.gaussian(50_001, 0.1, 1.3, 31);   // not a multiple of the 4096 block
        SweepSpec spec = SweepSpec.of(new int[] {2, 4, 8}, SweepSpec.linspace(0.7, 1.3, 21),
                Rounding.HALF_EVEN, Rounding.STOCHASTIC).withSeed(1234);
        SweepResult r = k.sweep(x, spec);
        assertEquals(126, r.size());
        assertMatches(k, x, r);
        // order: bits, grid, rounding, ratio; the base is MAX_ABS and r = 1 reproduces it
        SweepResult.Row row = r.row(1, 0, 1, 10);
        assertEquals(4, row.bits());
        assertEquals(Rounding.STOCHASTIC, row.rounding());
        assertEquals(1.0, row.ratio(), 1e-15);
        assertEquals(k.calibrate(x, 4, Grid.SIGNED, StepPolicy.maxAbs()).scale(0), row.scale());
        assertEquals(1234, row.quantizer().seed());
        // the stochastic error is larger than the nearest one at the same step
        assertTrue(row.mse() > r.row(1, 0, 0, 10).mse());
    }

    /** Other grids, policies, overflow and mode, and power-of-two steps, all still equal. */
    @Test
    void sweepVariantsEqualPerSetting() {
        float[] x = Data.laplace(9_000, 0.5, 32);
        SweepSpec spec = SweepSpec.of(new int[] {3, 5}, new double[] {0.5, 0.9, 1.0, 1.7}, Rounding.HALF_UP,
                        Rounding.TOWARD_ZERO, Rounding.STOCHASTIC)
                .withGrids(Grid.PAPER, Grid.MIDRISE, Grid.UNSIGNED).withBasePolicy(StepPolicy.mse())
                .withOverflow(Overflow.WRAP).withMode(QuantMode.DIVIDE).withSeed(-5);
        SweepResult r = k.sweep(x, spec);
        assertEquals(2 * 3 * 3 * 4, r.size());
        assertMatches(k, x, r);
        SweepResult p2 = k.sweep(x, spec.withPowerOfTwo(PowerOfTwo.LOG));
        assertMatches(k, x, p2);
        for (SweepResult.Row row : p2.rows()) {
            float s = row.scale();
            assertEquals(s, Math.scalb(1f, Math.getExponent(s)), row.toString());
        }
        SweepResult mm = k.sweep(x, spec.withBasePolicy(StepPolicy.minMax()).withGrids(Grid.UNSIGNED));
        assertMatches(k, x, mm);
        assertTrue(mm.rows().get(0).quantizer().zeroPoint(0) > 0);
    }

    /** Accessors, best row, the table and CSV. */
    @Test
    void resultAccessorsAndTable() {
        float[] x = Data.uniform(5000, 1.0, 33);
        SweepResult r = k.sweep(x, SweepSpec.of(new int[] {4}, SweepSpec.linspace(0.8, 1.2, 5), Rounding.HALF_EVEN)
                .withGrids(Grid.PAPER).withBasePolicy(StepPolicy.uniformPrior()));
        String table = r.table();
        assertEquals(6, table.lines().count());
        assertTrue(table.startsWith("bits"), table);
        assertTrue(table.contains("PAPER"), table);
        assertEquals(6, r.toCsv().lines().count());
        SweepResult.Row best = r.best();
        for (SweepResult.Row row : r.rows()) {
            assertTrue(best.mse() <= row.mse());
        }
        assertThrows(IndexOutOfBoundsException.class, () -> r.row(1, 0, 0, 0));
        // the measured MSE follows the closed form of the PAPER grid (Lemma 2 / no-clip branch, docs/semantics.md §6)
        for (SweepResult.Row row : r.rows()) {
            double theory = dev.kure.theory.UniformTheory.paperMse(4, 1.0, row.scale());
            assertEquals(theory, row.mse(), 0.05 * theory, row.toString());
        }
    }

    @Test
    void linspace() {
        double[] r = SweepSpec.linspace(0.7, 1.3, 61);
        assertEquals(61, r.length);
        assertEquals(0.7, r[0]);
        assertEquals(1.3, r[60], 1e-15);
        assertEquals(1.0, r[30], 1e-15);
        assertEquals(List.of(Rounding.HALF_EVEN), SweepSpec.of(new int[] {8}, r, Rounding.HALF_EVEN).roundings());
    }
}
