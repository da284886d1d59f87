package dev.kure;

/**
 * Gradients of a fake-quant loss with respect to a learnable scale and zero point (docs/semantics.md §4.6),
 * one entry per parameter set of the quantizer, already multiplied by the grad factor.
 *
 * @param dScale     ∂L/∂s per parameter set
 * @param dZeroPoint ∂L/∂z per parameter set
 */
public record LearnableGrads(double[] dScale, double[] dZeroPoint) {
    /** Copies the arrays. */
    public LearnableGrads {
        dScale = dScale.clone();
        dZeroPoint = dZeroPoint.clone();
    }

    /** A copy of ∂L/∂s. */
    @Override
    public double[] dScale() { return dScale.clone(); }

    /** A copy of ∂L/∂z. */
    @Override
    public double[] dZeroPoint() { return dZeroPoint.clone(); }
}
