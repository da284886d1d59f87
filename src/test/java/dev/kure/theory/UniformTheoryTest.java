package dev.kure.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UniformTheoryTest {
    private static void assertRelative(double expected, double actual, double rel) {
        assertEquals(expected, actual, rel * Math.abs(expected));
    }

    /** docs/semantics.md §6, Lemma 2 (a = 1), relative 1e-6 (docs/semantics.md gives 7 digits). */
    @Test
    void lemma2SpecValues() {
        assertRelative(1.0 / 768.0, UniformTheory.lemma2Mse(4, 1.0, 0.125), 1e-12);
        assertRelative(1.302083e-3, UniformTheory.lemma2Mse(4, 1.0, 0.125), 1e-6);
        assertRelative(1.158040e-3, UniformTheory.lemma2Mse(4, 1.0, 0.11875), 1e-6);
        assertRelative(3.333333e-3, UniformTheory.lemma2Mse(4, 1.0, 0.1), 1e-6);
        assertRelative(4.427083e-2, UniformTheory.lemma2Mse(2, 1.0, 0.25), 1e-6);
        assertRelative(5.086263e-6, UniformTheory.lemma2Mse(8, 1.0, 2.0 / 256.0), 1e-6);
    }

    /** docs/semantics.md §6, the no-clipping branch: a = 1, b = 4, Δ = 0.15 → 1.927083e-3 (= 37/19200). */
    @Test
    void noClipSpecValue() {
        assertRelative(1.927083e-3, UniformTheory.noClipMse(4, 1.0, 0.15), 1e-6);
        assertRelative(37.0 / 19200.0, UniformTheory.paperMse(4, 1.0, 0.15), 1e-12);
        assertRelative(37.0 / 19200.0, UniformTheory.exactMse(TheoryGrid.PAPER, 4, 1.0, 0.15), 1e-12);
    }

    /** The cell integration agrees with both closed forms on their domains (a real cross-check). */
    @Test
    void exactCellIntegrationMatchesClosedForms() {
        for (int b = 1; b <= 10; b++) {
            for (double a : new double[] {0.37, 1.0, 5.5}) {
                double edge = 2.0 * a / (1 << b);
                for (double f = 0.05; f <= 3.0; f += 0.0173) {
                    double step = f * edge;
                    double exact = UniformTheory.exactMse(TheoryGrid.PAPER, b, a, step);
                    assertRelative(UniformTheory.paperMse(b, a, step), exact, 1e-11);
                    if (step <= edge) {
                        assertRelative(UniformTheory.lemma2Mse(b, a, step), exact, 1e-11);
                    }
                }
            }
        }
    }

    /** Lemma 2 and the no-clip formula coincide on [2a/(2^b+1), 2a/2^b]. */
    @Test
    void closedFormsAgreeOnTheirOverlap() {
        for (int b = 1; b <= 12; b++) {
            double lo = 2.0 / ((1 << b) + 1);
            double hi = 2.0 / (1 << b);
            for (int i = 0; i <= 10; i++) {
                double step = lo + (hi - lo) * i / 10.0;
                assertRelative(UniformTheory.lemma2Mse(b, 1.0, step), UniformTheory.noClipMse(b, 1.0, step), 1e-11);
            }
        }
    }

    /** Lemma 3: a numeric argmin of the exact MSE recovers 2a/(2^b+1), 2a/(2^b−1), 2a/2^b. */
    @Test
    void lemma3NumericArgminOnEveryGrid() {
        double a = 1.7;
        for (int b = 2; b <= 8; b++) {
            int n = 1 << b;
            double[] expected = {2 * a / (n + 1), 2 * a / (n - 1), 2 * a / n};
            TheoryGrid[] grids = {TheoryGrid.PAPER, TheoryGrid.SIGNED_NARROW, TheoryGrid.MIDRISE};
            for (int g = 0; g < 3; g++) {
                TheoryGrid grid = grids[g];
                int bits = b;
                Minimum m = Minimizer.scanThenBrent(d -> UniformTheory.exactMse(grid, bits, a, d),
                        0.2 * a / n, 8.0 * a / n, 400, 1e-10);
                assertRelative(expected[g], m.x(), 1e-7);
                assertRelative(expected[g], UniformTheory.optimalStep(grid, b, a), 1e-15);
                assertRelative(expected[g] * expected[g] / 12.0, UniformTheory.optimalMse(grid, b, a), 1e-12);
            }
            assertRelative(a * a / (3.0 * (n + 1) * (n + 1)), UniformTheory.optimalMse(TheoryGrid.PAPER, b, a), 1e-12);
        }
    }

    /**
     * SNR at the optimum. docs/semantics.md §6 says "6.02·b dB exactly": that holds on MIDRISE (10·log10(4^b) =
     * 6.0206·b); on the PAPER grid it is 20·log10(2^b + 1) (13.98 dB at b = 2, not 12.04).
     */
    @Test
    void snrAtTheOptimum() {
        for (int b = 2; b <= 8; b++) {
            double paper = UniformTheory.snrDb(TheoryGrid.PAPER, b, 1.0, UniformTheory.optimalStep(TheoryGrid.PAPER, b, 1.0));
            assertEquals(20.0 * Math.log10((1 << b) + 1), paper, 1e-10);
            double midrise = UniformTheory.snrDb(TheoryGrid.MIDRISE, b, 1.0, UniformTheory.optimalStep(TheoryGrid.MIDRISE, b, 1.0));
            assertEquals(20.0 * b * Math.log10(2.0), midrise, 1e-10);
            assertEquals(6.02 * b, midrise, 0.0021 * b);
            double narrow = UniformTheory.snrDb(TheoryGrid.SIGNED_NARROW, b, 1.0, UniformTheory.optimalStep(TheoryGrid.SIGNED_NARROW, b, 1.0));
            assertEquals(20.0 * Math.log10((1 << b) - 1), narrow, 1e-10);
        }
        assertEquals(13.979400, UniformTheory.snrDb(TheoryGrid.PAPER, 2, 1.0, 0.4), 1e-6);
    }

    /** The Lemma 2 curvature: h at the PAPER optimum, 1/2 at τ = a; checked against finite differences. */
    @Test
    void lemma2Curvature() {
        for (int b = 1; b <= 10; b++) {
            int bits = b;
            double h = 1 << (b - 1);
            double opt = UniformTheory.optimalStep(TheoryGrid.PAPER, b, 2.0);
            assertRelative(h, UniformTheory.lemma2SecondDerivative(b, 2.0, opt), 1e-12);
            assertRelative(0.5, UniformTheory.lemma2SecondDerivative(b, 2.0, 2.0 / h), 1e-12);
            double numeric = Sensitivity.secondDerivative(d -> UniformTheory.lemma2Mse(bits, 2.0, d), 0.9 * opt);
            assertRelative(UniformTheory.lemma2SecondDerivative(b, 2.0, 0.9 * opt), numeric, 1e-6);
        }
    }
}
