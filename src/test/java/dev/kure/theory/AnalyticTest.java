package dev.kure.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The facade: (distribution, bits, step, grid) → MSE, optimum, SNR, Γ(ε) both ways. */
class AnalyticTest {
    @Test
    void delegatesToTheClosedForms() {
        assertEquals(1.0 / 768.0, Analytic.approxMse(Distribution.UNIFORM, 4, 1.0, 0.125), 1e-15);
        assertEquals(37.0 / 19200.0, Analytic.approxMse(Distribution.UNIFORM, 4, 1.0, 0.15), 1e-15); // no-clip branch
        assertEquals(1.0 / 768.0, Analytic.mse(Distribution.UNIFORM, TheoryGrid.PAPER, 4, 1.0, 0.125), 1e-15);
        assertEquals(GaussianTheory.aciqMse(4, 2.0, 8 * 0.3), Analytic.approxMse(Distribution.GAUSSIAN, 4, 2.0, 0.3), 0);
        assertEquals(LaplaceTheory.approxMse(5, 1.5, 16 * 0.2), Analytic.approxMse(Distribution.LAPLACE, 5, 1.5, 0.2), 0);
        assertEquals(2.0 / 17.0, Analytic.optimalStep(Distribution.UNIFORM, TheoryGrid.PAPER, 4, 1.0), 1e-15);
        // docs/semantics.md §6: exact PAPER optimum τ/σ = 2.9330 at b = 5, SNR 24.80 dB
        double g = Analytic.optimalStep(Distribution.GAUSSIAN, TheoryGrid.PAPER, 5, 1.0);
        assertEquals(2.9330, 16 * g, 5e-5);
        assertEquals(24.80, Analytic.snrDb(Distribution.GAUSSIAN, TheoryGrid.PAPER, 5, 1.0, g), 0.005);
        // uniform: 6.02·b dB on MIDRISE at the optimum
        double m = Analytic.optimalStep(Distribution.UNIFORM, TheoryGrid.MIDRISE, 6, 1.0);
        assertEquals(6.02 * 6, Analytic.snrDb(Distribution.UNIFORM, TheoryGrid.MIDRISE, 6, 1.0, m), 0.013);
        // Laplace SNR uses E[x²] = 2s²
        double l = Analytic.optimalStep(Distribution.LAPLACE, TheoryGrid.PAPER, 4, 1.0);
        assertEquals(10 * Math.log10(2.0 / LaplaceTheory.exactMse(TheoryGrid.PAPER, 4, 1.0, l)),
                Analytic.snrDb(Distribution.LAPLACE, TheoryGrid.PAPER, 4, 1.0, l), 1e-12);
    }

    /** docs/semantics.md §6 at b = 4, r = 0.7: Γ/MSE* = 10.8 (uniform, ×11.8) and 1.416 (Gaussian, ×2.416), exactly. */
    @Test
    void gammaExact() {
        double u = Analytic.optimalStep(Distribution.UNIFORM, TheoryGrid.PAPER, 4, 1.0);
        double mu = Analytic.mse(Distribution.UNIFORM, TheoryGrid.PAPER, 4, 1.0, u);
        assertEquals(10.8, Analytic.gammaExact(Distribution.UNIFORM, TheoryGrid.PAPER, 4, 1.0, -0.3 * u) / mu, 1e-9);
        assertEquals(0.71, Analytic.gammaExact(Distribution.UNIFORM, TheoryGrid.PAPER, 4, 1.0, 0.3 * u) / mu, 0.005);
        double g = Analytic.optimalStep(Distribution.GAUSSIAN, TheoryGrid.PAPER, 4, 1.0);
        double mg = Analytic.mse(Distribution.GAUSSIAN, TheoryGrid.PAPER, 4, 1.0, g);
        assertEquals(1.416, Analytic.gammaExact(Distribution.GAUSSIAN, TheoryGrid.PAPER, 4, 1.0, -0.3 * g) / mg, 5e-4);
        assertEquals(0.39, Analytic.gammaExact(Distribution.GAUSSIAN, TheoryGrid.PAPER, 4, 1.0, 0.3 * g) / mg, 0.005);
        assertThrows(IllegalArgumentException.class,
                () -> Analytic.gammaExact(Distribution.UNIFORM, TheoryGrid.PAPER, 4, 1.0, -2 * u));
    }

    /**
     * Lemma 1's second order: for the uniform on PAPER the curvature at the optimum is exactly 2^(b−1)
     * (Lemma 2), so Γ ≈ 2^(b−2)·ε²; at r = 0.7 it gives 4.32 MSE* against the exact 10.8 (docs/semantics.md §6:
     * the approximation ranks the distributions differently from the exact MSE). Near ε = 0 both agree.
     */
    @Test
    void gammaSecondOrder() {
        for (int b = 2; b <= 8; b++) {
            double h = 1 << (b - 1);
            assertEquals(h, Analytic.curvature(Distribution.UNIFORM, TheoryGrid.PAPER, b, 1.0), 1e-6 * h);
        }
        double u = Analytic.optimalStep(Distribution.UNIFORM, TheoryGrid.PAPER, 4, 1.0);
        double mu = Analytic.mse(Distribution.UNIFORM, TheoryGrid.PAPER, 4, 1.0, u);
        assertEquals(4.32, Analytic.gammaSecondOrder(Distribution.UNIFORM, TheoryGrid.PAPER, 4, 1.0, 0.3 * u) / mu, 1e-5);
        for (Distribution d : Distribution.values()) {
            double opt = Analytic.optimalStep(d, TheoryGrid.PAPER, 4, 1.0);
            double eps = 1e-3 * opt;
            double exact = Analytic.gammaExact(d, TheoryGrid.PAPER, 4, 1.0, eps);
            double approx = Analytic.gammaSecondOrder(d, TheoryGrid.PAPER, 4, 1.0, eps);
            assertTrue(exact > 0);
            assertEquals(exact, approx, 0.02 * exact, d.toString());
        }
    }

    @Test
    void badInput() {
        assertThrows(IllegalArgumentException.class, () -> Analytic.mse(null, TheoryGrid.PAPER, 4, 1.0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> Analytic.approxMse(Distribution.LAPLACE, 0, 1.0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> Analytic.snrDb(Distribution.GAUSSIAN, TheoryGrid.PAPER, 4, -1, 0.1));
        assertThrows(IllegalArgumentException.class,
                () -> Analytic.gammaSecondOrder(Distribution.UNIFORM, TheoryGrid.PAPER, 4, 1.0, Double.NaN));
    }
}
