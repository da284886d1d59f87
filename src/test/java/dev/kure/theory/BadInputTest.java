package dev.kure.theory;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class BadInputTest {
    private static void rejects(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void bits() {
        rejects(() -> TheoryGrid.PAPER.levelCount(0), "bits", "0");
        rejects(() -> TheoryGrid.MIDRISE.levels(17, 0.1), "bits", "17");
        rejects(() -> UniformTheory.lemma2Mse(-3, 1.0, 0.1), "bits", "-3");
        rejects(() -> GaussianTheory.aciqMse(17, 1.0, 1.0), "bits", "17");
        rejects(() -> GaussianTheory.optimalClipRatioAciq(0), "bits", "0");
        rejects(() -> LaplaceTheory.exactMse(TheoryGrid.PAPER, 20, 1.0, 0.1), "bits", "20");
        rejects(() -> GaussianTheory.optimalClipRatioExact(TheoryGrid.SIGNED_NARROW, 1), "bits", "SIGNED_NARROW", "1");
        rejects(() -> UniformTheory.optimalStep(TheoryGrid.SIGNED_NARROW, 1, 1.0), "bits", "1");
    }

    @Test
    void step() {
        rejects(() -> UniformTheory.exactMse(TheoryGrid.PAPER, 4, 1.0, 0.0), "step", "0.0");
        rejects(() -> UniformTheory.exactMse(TheoryGrid.PAPER, 4, 1.0, -0.5), "step", "-0.5");
        rejects(() -> GaussianTheory.exactMse(TheoryGrid.PAPER, 4, 1.0, Double.NaN), "step", "NaN");
        rejects(() -> LaplaceTheory.exactMse(TheoryGrid.PAPER, 4, 1.0, Double.POSITIVE_INFINITY), "step", "Infinity");
        rejects(() -> TheoryGrid.PAPER.quantize(1.0, 4, -1.0), "step", "-1.0");
        rejects(() -> UniformTheory.lemma2Mse(4, 1.0, 0.15), "step", "0.15", "0.125");
        rejects(() -> UniformTheory.noClipMse(4, 1.0, 0.1), "step", "0.1");
    }

    @Test
    void scaleParameters() {
        rejects(() -> UniformTheory.paperMse(4, 0.0, 0.1), "a", "0.0");
        rejects(() -> UniformTheory.optimalStep(TheoryGrid.PAPER, 4, -2.0), "a", "-2.0");
        rejects(() -> GaussianTheory.exactMse(TheoryGrid.PAPER, 4, -1.0, 0.1), "sigma", "-1.0");
        rejects(() -> GaussianTheory.aciqMse(4, 0.0, 1.0), "sigma", "0.0");
        rejects(() -> GaussianTheory.aciqMse(4, 1.0, -1.0), "tau", "-1.0");
        rejects(() -> LaplaceTheory.approxMse(4, Double.NaN, 1.0), "scale", "NaN");
        rejects(() -> LaplaceTheory.approxMse(4, 1.0, Double.NEGATIVE_INFINITY), "tau", "-Infinity");
        rejects(() -> UniformTheory.exactMse(null, 4, 1.0, 0.1), "grid");
    }

    @Test
    void sensitivityAndSnr() {
        rejects(() -> Sensitivity.uniformExactRatio(TheoryGrid.PAPER, 4, 0.0), "r", "0.0");
        rejects(() -> Sensitivity.secondOrderRatio(-1.0, 0.9), "normalizedCurvature", "-1.0");
        rejects(() -> Sensitivity.exactRatio(d -> d, -1.0, 1.0), "optimalStep", "-1.0");
        rejects(() -> Snr.db(1.0, 0.0), "mse", "0.0");
        rejects(() -> Snr.db(-1.0, 1.0), "signalPower", "-1.0");
    }
}
