package dev.kure.theory;

/**
 * One entry point to the closed forms of docs/semantics.md §6 as functions of (distribution, bits, step, grid):
 * the exact MSE, the paper's approximations (Lemma 2 with its no-clip branch, ACIQ, the Laplace
 * approximation), the optimal step, the SNR and the step sensitivity Γ(ε) of Lemma 1, both by its
 * second-order approximation and exactly. It only delegates to {@link UniformTheory},
 * {@link GaussianTheory}, {@link LaplaceTheory} and {@link Sensitivity}.
 *
 * <p>{@code param} is the distribution's scale parameter (see {@link Distribution}); {@code step} is Δ;
 * τ = 2<sup>b−1</sup>Δ.
 */
public final class Analytic {
    private Analytic() {}

    /**
     * The exact MSE of the nearest-level quantizer on {@code grid}.
     *
     * @param d     the distribution
     * @param grid  the level set
     * @param bits  bit width in 1..16
     * @param param a, σ or s; positive and finite
     * @param step  Δ, positive and finite
     * @return the MSE
     */
    public static double mse(Distribution d, TheoryGrid grid, int bits, double param, double step) {
        Checks.notNull("d", d);
        return switch (d) {
            case UNIFORM -> UniformTheory.exactMse(grid, bits, param, step);
            case GAUSSIAN -> GaussianTheory.exactMse(grid, bits, param, step);
            case LAPLACE -> LaplaceTheory.exactMse(grid, bits, param, step);
        };
    }

    /**
     * The paper's closed-form approximation on the PAPER grid model: uniform — Lemma 2, or its no-clip
     * branch beyond Δ = 2a/2<sup>b</sup> (both exact on PAPER); Gaussian — the ACIQ formula; Laplace —
     * 2s²e<sup>−τ/s</sup> + τ²/(3·4<sup>b</sup>).
     *
     * @param d     the distribution
     * @param bits  bit width in 1..16
     * @param param a, σ or s; positive and finite
     * @param step  Δ, positive and finite
     * @return the approximate MSE
     */
    public static double approxMse(Distribution d, int bits, double param, double step) {
        Checks.notNull("d", d);
        Checks.bits(bits);
        Checks.positive("step", step);
        double tau = Math.scalb(step, bits - 1);
        return switch (d) {
            case UNIFORM -> UniformTheory.paperMse(bits, param, step);
            case GAUSSIAN -> GaussianTheory.aciqMse(bits, param, tau);
            case LAPLACE -> LaplaceTheory.approxMse(bits, param, tau);
        };
    }

    /**
     * The step minimizing {@link #mse}: Lemma 3 for the uniform, a numeric argmin of the exact MSE
     * otherwise.
     *
     * @param d     the distribution
     * @param grid  the level set
     * @param bits  bit width in 1..16 (at least 2 on SIGNED_NARROW)
     * @param param a, σ or s; positive and finite
     * @return Δ*
     */
    public static double optimalStep(Distribution d, TheoryGrid grid, int bits, double param) {
        Checks.notNull("d", d);
        return switch (d) {
            case UNIFORM -> UniformTheory.optimalStep(grid, bits, param);
            case GAUSSIAN -> GaussianTheory.optimalStepExact(grid, bits, param);
            case LAPLACE -> LaplaceTheory.optimalStepExact(grid, bits, param);
        };
    }

    /**
     * SNR in dB of the exact MSE: 10·log10(E[x²]/MSE) (E[x²] = a²/3, σ², 2s²).
     *
     * @param d     the distribution
     * @param grid  the level set
     * @param bits  bit width in 1..16
     * @param param a, σ or s; positive and finite
     * @param step  Δ, positive and finite
     * @return the SNR in dB
     */
    public static double snrDb(Distribution d, TheoryGrid grid, int bits, double param, double step) {
        Checks.notNull("d", d);
        Checks.positive("param", param);
        double power = switch (d) {
            case UNIFORM -> UniformTheory.secondMoment(param);
            case GAUSSIAN -> param * param;
            case LAPLACE -> 2.0 * param * param;
        };
        return Snr.db(power, mse(d, grid, bits, param, step));
    }

    /**
     * Γ(ε) exactly: MSE(Δ* + ε) − MSE(Δ*) with the exact MSE and its optimum Δ* (Lemma 1's quantity).
     *
     * @param d       the distribution
     * @param grid    the level set
     * @param bits    bit width in 1..16 (at least 2 on SIGNED_NARROW)
     * @param param   a, σ or s; positive and finite
     * @param epsilon the step perturbation ε; Δ* + ε must be positive
     * @return the increase of the MSE
     */
    public static double gammaExact(Distribution d, TheoryGrid grid, int bits, double param, double epsilon) {
        Checks.finite("epsilon", epsilon);
        double opt = optimalStep(d, grid, bits, param);
        double perturbed = opt + epsilon;
        if (!(perturbed > 0.0)) {
            throw new IllegalArgumentException("epsilon must keep the step positive: optimal step " + opt
                    + " + epsilon " + epsilon + " = " + perturbed);
        }
        return mse(d, grid, bits, param, perturbed) - mse(d, grid, bits, param, opt);
    }

    /**
     * Γ(ε) by Lemma 1's second-order approximation: ½·MSE''(Δ*)·ε², the curvature of the exact MSE
     * at its optimum by Richardson-extrapolated central differences.
     *
     * @param d       the distribution
     * @param grid    the level set
     * @param bits    bit width in 1..16 (at least 2 on SIGNED_NARROW)
     * @param param   a, σ or s; positive and finite
     * @param epsilon the step perturbation ε, finite
     * @return the approximate increase of the MSE
     */
    public static double gammaSecondOrder(Distribution d, TheoryGrid grid, int bits, double param, double epsilon) {
        Checks.finite("epsilon", epsilon);
        return 0.5 * curvature(d, grid, bits, param) * epsilon * epsilon;
    }

    /**
     * MSE''(Δ*): the second derivative in Δ of the exact MSE at its optimum (Richardson-extrapolated
     * central differences, relative step 1e-3; about 1e-7 relative where the MSE is smooth there, as it
     * is for all three distributions).
     *
     * @param d     the distribution
     * @param grid  the level set
     * @param bits  bit width in 1..16 (at least 2 on SIGNED_NARROW)
     * @param param a, σ or s; positive and finite
     * @return the curvature
     */
    public static double curvature(Distribution d, TheoryGrid grid, int bits, double param) {
        double opt = optimalStep(d, grid, bits, param);
        return Sensitivity.secondDerivative(step -> mse(d, grid, bits, param, step), opt);
    }
}
