package dev.kure.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GaussianTheoryTest {
    /** docs/semantics.md §6: optimal τ/σ of the ACIQ approximation, b = 2..8 (4 decimals). */
    private static final double[] ACIQ_SPEC = {1.7106, 2.1516, 2.5591, 2.9362, 3.2869, 3.6151, 3.9240};
    /** docs/semantics.md §6: optimal τ/σ of the exact MSE on the PAPER grid, b = 2..8 (4 decimals). */
    private static final double[] EXACT_SPEC = {1.6860, 2.1353, 2.5512, 2.9330, 3.2857, 3.6147, 3.9239};
    /** docs/semantics.md §6: SNR at the exact PAPER optimum, b = 2..8 (2 decimals). */
    private static final double[] SNR_SPEC = {10.85, 15.13, 19.83, 24.80, 29.95, 35.23, 40.60};
    /** Exact PAPER optimum τ/σ computed independently (scipy, bounded Brent on the same closed form). */
    private static final double[] EXACT_REFERENCE = {1.6859724952, 2.1352888675, 2.5512253478, 2.9329589272,
        3.2857181602, 3.6147034816, 3.9238992170};

    private static double density(double x, double sigma) {
        return SpecialFunctions.normalPdf(x / sigma) / sigma;
    }

    @Test
    void aciqOptimalClipRatios() {
        for (int b = 2; b <= 8; b++) {
            double t = GaussianTheory.optimalClipRatioAciq(b);
            assertEquals(ACIQ_SPEC[b - 2], t, 5e-5, "b = " + b);
            // converged: the analytic derivative vanishes and neighbours are higher
            assertEquals(0.0, GaussianTheory.aciqFirstDerivative(b, 1.0, t), 1e-15);
            double f = GaussianTheory.aciqMse(b, 1.0, t);
            assertTrue(GaussianTheory.aciqMse(b, 1.0, t * (1 + 1e-6)) > f);
            assertTrue(GaussianTheory.aciqMse(b, 1.0, t * (1 - 1e-6)) > f);
        }
    }

    @Test
    void exactPaperOptimalClipRatios() {
        for (int b = 2; b <= 8; b++) {
            double t = GaussianTheory.optimalClipRatioExact(TheoryGrid.PAPER, b);
            assertEquals(EXACT_SPEC[b - 2], t, 5e-5, "b = " + b);
            assertEquals(EXACT_REFERENCE[b - 2], t, 1e-6 * t, "6 digits, b = " + b);
        }
    }

    @Test
    void snrAtTheExactPaperOptimum() {
        for (int b = 2; b <= 8; b++) {
            double step = GaussianTheory.optimalStepExact(TheoryGrid.PAPER, b, 2.5);
            assertEquals(SNR_SPEC[b - 2], GaussianTheory.snrDb(TheoryGrid.PAPER, b, 2.5, step), 0.005, "b = " + b);
        }
    }

    /** The closed-form cell sums against an independent Simpson integration, every grid. */
    @Test
    void exactMseMatchesNumericalIntegration() {
        double sigma = 1.3;
        for (TheoryGrid grid : TheoryGrid.values()) {
            for (int b : new int[] {1, 2, 4, 8}) {
                if (grid == TheoryGrid.SIGNED_NARROW && b == 1) {
                    assertEquals(sigma * sigma, GaussianTheory.exactMse(grid, b, sigma, 0.3), 1e-15);
                    continue;
                }
                for (double tau : new double[] {0.7, 2.5, 4.0}) {
                    double step = sigma * tau / (1 << (b - 1));
                    double exact = GaussianTheory.exactMse(grid, b, sigma, step);
                    double numeric = Quadrature.mse(grid, b, step, x -> density(x, sigma), 40.0 * sigma, sigma / 2000.0);
                    assertEquals(numeric, exact, 1e-10 * numeric, grid + " b=" + b + " tau=" + tau);
                }
            }
        }
    }

    /** Narrow cells take the series path: still exact at high bit widths (PAPER grid, b = 10..16). */
    @Test
    void exactMseStaysAccurateAtHighBitWidths() {
        for (int b : new int[] {10, 12, 16}) {
            double step = (3.9 + 0.35 * (b - 8)) / (1 << (b - 1));
            double exact = GaussianTheory.exactMse(TheoryGrid.PAPER, b, 1.0, step);
            double numeric = Quadrature.mse(TheoryGrid.PAPER, b, step, x -> density(x, 1.0), 40.0, 1.0 / 2000.0);
            assertEquals(numeric, exact, 1e-11 * numeric, "b = " + b);
        }
    }

    /** The series for a narrow cell against the closed form where both are well conditioned. */
    @Test
    void narrowCellSeriesMatchesClosedForm() {
        for (double lambda : new double[] {0.0, 0.3, -1.7, 3.0, 6.0}) {
            double omega = 0.2 / (Math.abs(lambda) + 1.0);
            double lo = lambda - omega;
            double hi = lambda + omega;
            double p = lo >= 0.0 ? SpecialFunctions.normalSf(lo) - SpecialFunctions.normalSf(hi)
                    : SpecialFunctions.normalCdf(hi) - SpecialFunctions.normalCdf(lo);
            double closed = (1.0 + lambda * lambda) * p
                    - ((hi - 2 * lambda) * SpecialFunctions.normalPdf(hi) - (lo - 2 * lambda) * SpecialFunctions.normalPdf(lo));
            double series = GaussianTheory.narrowCell(lambda, omega);
            assertEquals(closed, series, 1e-9 * series, "lambda = " + lambda);
        }
    }

    /** Near the optimum the ACIQ approximation is within 2% of the exact PAPER-grid MSE for b >= 4. */
    @Test
    void aciqApproximatesTheExactMse() {
        for (int b = 4; b <= 8; b++) {
            double t = GaussianTheory.optimalClipRatioAciq(b);
            double exact = GaussianTheory.exactMse(TheoryGrid.PAPER, b, 1.0, t / (1 << (b - 1)));
            double approx = GaussianTheory.aciqMse(b, 1.0, t);
            assertEquals(exact, approx, 0.02 * exact, "b = " + b);
        }
    }

    @Test
    void scaleInvariance() {
        double a = GaussianTheory.exactMse(TheoryGrid.MIDRISE, 3, 1.0, 0.4);
        double b = GaussianTheory.exactMse(TheoryGrid.MIDRISE, 3, 3.0, 1.2);
        assertEquals(9.0 * a, b, 1e-13 * b);
        assertEquals(9.0 * GaussianTheory.aciqMse(5, 1.0, 2.0), GaussianTheory.aciqMse(5, 3.0, 6.0), 1e-14);
    }

    @Test
    void aciqSecondDerivativeMatchesFiniteDifferences() {
        for (int b = 2; b <= 8; b++) {
            int bits = b;
            double t = 0.8 * GaussianTheory.optimalClipRatioAciq(b);
            double numeric = Sensitivity.secondDerivative(z -> GaussianTheory.aciqMse(bits, 1.0, z), t);
            assertEquals(GaussianTheory.aciqSecondDerivative(b, 1.0, t), numeric,
                    1e-6 * numeric, "b = " + b);
        }
    }
}
