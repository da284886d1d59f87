package dev.kure.theory;

import java.util.function.DoubleUnaryOperator;

/**
 * Sensitivity of the quantization MSE to the step (the paper's Γ and Lemma 1): the step is perturbed
 * from the optimum Δ* to Δ' = r·Δ*.
 *
 * <ul>
 *   <li>Exact ratio: MSE(rΔ*)/MSE(Δ*).</li>
 *   <li>Second-order (Lemma 1) ratio: 1 + ½·MSE''(Δ*)·Δ*²·(r − 1)²/MSE(Δ*); the first-order term
 *       vanishes at the optimum.</li>
 *   <li>Curvature ratio Gaussian/uniform: see {@link #curvatureRatioAtClipEqualsSupport(int)} (the
 *       definition that reproduces the 1.73…6.04) and {@link #curvatureRatioAtOptima(int)}.</li>
 * </ul>
 *
 * <p>Both curvatures compared are scale-free (MSE'' in Δ does not depend on a or σ), so no variance
 * matching is involved.
 */
public final class Sensitivity {
    private Sensitivity() {
    }

    /**
     * MSE(r·Δ*)/MSE(Δ*) for any MSE function of the step.
     *
     * @param mse         the MSE as a function of the step
     * @param optimalStep Δ*, positive and finite
     * @param r           the ratio Δ'/Δ*, positive and finite
     * @return the exact ratio
     */
    public static double exactRatio(DoubleUnaryOperator mse, double optimalStep, double r) {
        Checks.notNull("mse", mse);
        Checks.positive("optimalStep", optimalStep);
        Checks.positive("r", r);
        return mse.applyAsDouble(r * optimalStep) / mse.applyAsDouble(optimalStep);
    }

    /**
     * Lemma 1's second-order ratio 1 + ½·κ·(r − 1)², κ = MSE''(Δ*)·Δ*²/MSE(Δ*) given by the caller.
     *
     * @param normalizedCurvature κ, non-negative and finite
     * @param r                   the ratio Δ'/Δ*, positive and finite
     * @return the approximate ratio
     */
    public static double secondOrderRatio(double normalizedCurvature, double r) {
        Checks.nonNegative("normalizedCurvature", normalizedCurvature);
        Checks.positive("r", r);
        double d = r - 1.0;
        return 1.0 + 0.5 * normalizedCurvature * d * d;
    }

    /**
     * Numerical d²f/dx² at x by Richardson-extrapolated central differences (relative step 1e-3 and
     * 5e-4); for smooth f the result is good to about 1e-7 relative.
     *
     * @param f the function
     * @param x the point, positive and finite
     * @return the second derivative
     */
    public static double secondDerivative(DoubleUnaryOperator f, double x) {
        Checks.notNull("f", f);
        Checks.positive("x", x);
        double h = 1e-3 * x;
        double coarse = centralSecond(f, x, h);
        double fine = centralSecond(f, x, 0.5 * h);
        return (4.0 * fine - coarse) / 3.0;
    }

    /**
     * Uniform on [−a, a], exact MSE on a grid, relative to the Lemma 3 optimum:
     * MSE(r·Δ*)/MSE(Δ*). Independent of a.
     *
     * @param grid the level set
     * @param bits bit width in 1..16 (at least 2 for SIGNED_NARROW)
     * @param r    the ratio Δ'/Δ*, positive and finite
     * @return the exact ratio
     */
    public static double uniformExactRatio(TheoryGrid grid, int bits, double r) {
        double step = UniformTheory.optimalStep(grid, bits, 1.0);
        return exactRatio(d -> UniformTheory.exactMse(grid, bits, 1.0, d), step, r);
    }

    /**
     * Gaussian, exact MSE on a grid, relative to that grid's exact optimum.
     *
     * @param grid the level set
     * @param bits bit width in 1..16 (at least 2 for SIGNED_NARROW)
     * @param r    the ratio Δ'/Δ*, positive and finite
     * @return the exact ratio
     */
    public static double gaussianExactRatio(TheoryGrid grid, int bits, double r) {
        double step = GaussianTheory.optimalStepExact(grid, bits, 1.0);
        return exactRatio(d -> GaussianTheory.exactMse(grid, bits, 1.0, d), step, r);
    }

    /**
     * Gaussian, ACIQ approximation, relative to its optimum (τ' = r·τ*).
     *
     * @param bits bit width in 1..16
     * @param r    the ratio Δ'/Δ*, positive and finite
     * @return the ratio of the approximate MSEs
     */
    public static double gaussianAciqRatio(int bits, double r) {
        double tau = GaussianTheory.optimalClipRatioAciq(bits);
        return exactRatio(t -> GaussianTheory.aciqMse(bits, 1.0, t), tau, r);
    }

    /**
     * κ = MSE''(Δ*)Δ*²/MSE(Δ*) for the uniform on the PAPER grid (Lemma 2 at the Lemma 3 optimum);
     * equals 6·2<sup>b</sup> exactly.
     *
     * @param bits bit width in 1..16
     * @return the normalized curvature
     */
    public static double uniformNormalizedCurvature(int bits) {
        double step = UniformTheory.optimalStep(TheoryGrid.PAPER, bits, 1.0);
        return UniformTheory.lemma2SecondDerivative(bits, 1.0, step) * step * step
                / UniformTheory.lemma2Mse(bits, 1.0, step);
    }

    /**
     * κ = MSE''(τ*)τ*²/MSE(τ*) for the Gaussian ACIQ approximation at its optimum (the same in τ
     * or Δ, since τ ∝ Δ).
     *
     * @param bits bit width in 1..16
     * @return the normalized curvature
     */
    public static double gaussianAciqNormalizedCurvature(int bits) {
        double tau = GaussianTheory.optimalClipRatioAciq(bits);
        return GaussianTheory.aciqSecondDerivative(bits, 1.0, tau) * tau * tau
                / GaussianTheory.aciqMse(bits, 1.0, tau);
    }

    /**
     * The curvature ratio Gaussian/uniform as docs/semantics.md §6's 1.73 (b = 2) … 6.04 (b = 8) are computed:
     * d²MSE/dτ² of the Gaussian ACIQ approximation at its optimum τ*, divided by d²MSE/dτ² of the
     * uniform's Lemma 2 formula at τ = a (Δ = 2a/2<sup>b</sup>, the edge of Lemma 2's domain, where it
     * equals 2/4<sup>b</sup>). Closed form: 4<sup>b</sup>·erfc(τ<sup>*</sup>/√2) + 1/3.
     *
     * <p>Note that τ = a is not the uniform's optimum on the PAPER grid (that is
     * τ = 2<sup>b</sup>a/(2<sup>b</sup>+1)); see {@link #curvatureRatioAtOptima(int)}.
     *
     * @param bits bit width in 1..16
     * @return the curvature ratio
     */
    public static double curvatureRatioAtClipEqualsSupport(int bits) {
        double tau = GaussianTheory.optimalClipRatioAciq(bits);
        double gaussian = GaussianTheory.aciqSecondDerivative(bits, 1.0, tau);
        double h = 1 << (bits - 1);
        double uniform = UniformTheory.lemma2SecondDerivative(bits, 1.0, 1.0 / h) / (h * h);
        return gaussian / uniform;
    }

    /**
     * The curvature ratio Gaussian/uniform with each distribution at its own optimum: d²MSE/dΔ² of the
     * Gaussian ACIQ approximation at τ*, divided by that of Lemma 2 at the Lemma 3 optimum (which is
     * exactly 2<sup>b−1</sup>). Below 1 for every b: by this measure the uniform is the more
     * step-sensitive one.
     *
     * @param bits bit width in 1..16
     * @return the curvature ratio
     */
    public static double curvatureRatioAtOptima(int bits) {
        double tau = GaussianTheory.optimalClipRatioAciq(bits);
        double h = 1 << (bits - 1);
        double gaussian = GaussianTheory.aciqSecondDerivative(bits, 1.0, tau) * h * h;
        double step = UniformTheory.optimalStep(TheoryGrid.PAPER, bits, 1.0);
        return gaussian / UniformTheory.lemma2SecondDerivative(bits, 1.0, step);
    }

    private static double centralSecond(DoubleUnaryOperator f, double x, double h) {
        return (f.applyAsDouble(x + h) - 2.0 * f.applyAsDouble(x) + f.applyAsDouble(x - h)) / (h * h);
    }
}
