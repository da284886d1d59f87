package dev.kure.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SensitivityTest {
    /** docs/semantics.md §6, b = 4, r = 0.7: ×11.8 for the uniform (exactly 59/5 on the PAPER grid). */
    @Test
    void exactRatiosUniform() {
        assertEquals(11.8, Sensitivity.uniformExactRatio(TheoryGrid.PAPER, 4, 0.7), 1e-9);
        assertEquals(1.71, Sensitivity.uniformExactRatio(TheoryGrid.PAPER, 4, 1.3), 0.005);
        assertEquals(1.0, Sensitivity.uniformExactRatio(TheoryGrid.PAPER, 4, 1.0), 1e-15);
    }

    /** docs/semantics.md §6, b = 4: Gaussian (exact MSE, PAPER grid, its exact optimum) ×2.416 at r = 0.7, ×1.39 at 1.3. */
    @Test
    void exactRatiosGaussian() {
        assertEquals(2.416, Sensitivity.gaussianExactRatio(TheoryGrid.PAPER, 4, 0.7), 5e-4);
        assertEquals(1.39, Sensitivity.gaussianExactRatio(TheoryGrid.PAPER, 4, 1.3), 0.005);
        // with the ACIQ approximation instead: 2.396 and 1.384
        assertEquals(2.396, Sensitivity.gaussianAciqRatio(4, 0.7), 5e-4);
        assertEquals(1.384, Sensitivity.gaussianAciqRatio(4, 1.3), 5e-4);
    }

    /**
     * The uniform's absolute MSE (a = √3, unit variance) is below the Gaussian's for r ≳ 0.81 (both
     * exact, PAPER grid, each relative to its own optimum); the crossing is at r = 0.8136.
     */
    @Test
    void absoluteMseCrossing() {
        int b = 4;
        double a = Math.sqrt(3.0);
        double du = UniformTheory.optimalStep(TheoryGrid.PAPER, b, a);
        double dg = GaussianTheory.optimalStepExact(TheoryGrid.PAPER, b, 1.0);
        java.util.function.DoubleUnaryOperator diff = r -> UniformTheory.exactMse(TheoryGrid.PAPER, b, a, r * du)
                - GaussianTheory.exactMse(TheoryGrid.PAPER, b, 1.0, r * dg);
        assertTrue(diff.applyAsDouble(0.81) > 0.0);
        for (double r = 0.817; r <= 1.3; r += 0.01) {
            assertTrue(diff.applyAsDouble(r) < 0.0, "r = " + r);
        }
        Minimum crossing = Minimizer.brent(r -> Math.abs(diff.applyAsDouble(r)), 0.75, 0.9, 1e-10);
        assertEquals(0.8136, crossing.x(), 1e-4);
    }

    /** Lemma 1's second-order ratio, from the normalized curvatures κ (uniform: exactly 6·2^b). */
    @Test
    void secondOrderApproximation() {
        for (int b = 2; b <= 8; b++) {
            assertEquals(6.0 * (1 << b), Sensitivity.uniformNormalizedCurvature(b), 1e-9 * (1 << b));
        }
        double ku = Sensitivity.uniformNormalizedCurvature(4);
        double kg = Sensitivity.gaussianAciqNormalizedCurvature(4);
        assertEquals(14.7238, kg, 1e-4);
        assertEquals(5.32, Sensitivity.secondOrderRatio(ku, 0.7), 1e-12);
        assertEquals(1.6626, Sensitivity.secondOrderRatio(kg, 0.7), 1e-4);
        // the quadratic model underestimates both exact ratios at r = 0.7 (11.8 and 2.40)
        assertTrue(Sensitivity.secondOrderRatio(ku, 0.7) < Sensitivity.uniformExactRatio(TheoryGrid.PAPER, 4, 0.7));
        assertTrue(Sensitivity.secondOrderRatio(kg, 0.7) < Sensitivity.gaussianAciqRatio(4, 0.7));
        // and is exact to second order near r = 1
        double r = 1.0 + 1e-4;
        double exact = Sensitivity.gaussianAciqRatio(4, r);
        assertEquals(exact - 1.0, Sensitivity.secondOrderRatio(kg, r) - 1.0, 1e-3 * (exact - 1.0));
    }

    /**
     * docs/semantics.md §6: "curvature ratio 1.73…6.04 for b = 2..8". Reproduced by d²MSE/dτ² of the Gaussian ACIQ
     * approximation at its optimum over that of the uniform's Lemma 2 at τ = a (= 2/4^b).
     */
    @Test
    void curvatureRatioAsInTheSpec() {
        assertEquals(1.73, Sensitivity.curvatureRatioAtClipEqualsSupport(2), 0.005);
        assertEquals(6.04, Sensitivity.curvatureRatioAtClipEqualsSupport(8), 0.005);
        double previous = 0.0;
        for (int b = 2; b <= 8; b++) {
            double ratio = Sensitivity.curvatureRatioAtClipEqualsSupport(b);
            double tau = GaussianTheory.optimalClipRatioAciq(b);
            double closedForm = Math.pow(4.0, b) * SpecialFunctions.erfc(tau / Math.sqrt(2.0)) + 1.0 / 3.0;
            assertEquals(closedForm, ratio, 1e-12 * closedForm);
            assertTrue(ratio > previous);
            previous = ratio;
        }
    }

    /** With each distribution at its own optimum the ratio is below 1: 0.4319 (b = 2) to 0.0236 (b = 8). */
    @Test
    void curvatureRatioAtOptima() {
        assertEquals(0.4319, Sensitivity.curvatureRatioAtOptima(2), 1e-4);
        assertEquals(0.0236, Sensitivity.curvatureRatioAtOptima(8), 1e-4);
        for (int b = 2; b <= 8; b++) {
            assertTrue(Sensitivity.curvatureRatioAtOptima(b) < 1.0);
        }
    }
}
