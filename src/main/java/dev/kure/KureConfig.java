package dev.kure;

/**
 * Settings of the KURE regularizer R = λ·reduce_i (K(W_i) − K_T)² (docs/semantics.md §3).
 *
 * @param target    target kurtosis K_T; 1.8 is the uniform distribution
 * @param lambda    regularization weight λ (1.0 in every experiment of the paper)
 * @param reduction how the per-tensor terms combine
 * @param std       which kurtosis: the reference code's (sample std) or the paper's (population)
 */
public record KureConfig(double target, double lambda, Reduction reduction, StdConvention std) {

    /** How per-tensor terms combine into the loss. */
    public enum Reduction {
        /** λ/L · Σ_i over the L tensors given (skipped ones count in L). */
        MEAN,
        /** λ · Σ_i. */
        SUM,
        /** λ · max_i; the gradient goes only to the worst tensor (the first on ties). */
        MAX
    }

    /** Which standard deviation normalizes the fourth moment. */
    public enum StdConvention {
        /** K_u = m4/s⁴ with the unbiased s² = S2/(n−1): the reference code ({@code torch.std}). */
        UNBIASED,
        /** K_b = m4/m2²: the paper's formula. */
        BIASED
    }

    /** Validates the settings. */
    public KureConfig {
        Check.finite(target, "target");
        Check.finite(lambda, "lambda");
        if (lambda < 0) {
            throw new IllegalArgumentException("lambda must be >= 0, was " + lambda);
        }
        Check.notNull(reduction, "reduction");
        Check.notNull(std, "std");
    }

    /** Target 1.8, λ = 1, MEAN, UNBIASED: the paper's setting with the reference code's kurtosis. */
    public static KureConfig defaults() {
        return new KureConfig(1.8, 1.0, Reduction.MEAN, StdConvention.UNBIASED);
    }

    /** This config with another target kurtosis. */
    public KureConfig withTarget(double t) { return new KureConfig(t, lambda, reduction, std); }

    /** This config with another λ. */
    public KureConfig withLambda(double l) { return new KureConfig(target, l, reduction, std); }

    /** This config with another reduction. */
    public KureConfig withReduction(Reduction r) { return new KureConfig(target, lambda, r, std); }

    /** This config with another std convention. */
    public KureConfig withStd(StdConvention s) { return new KureConfig(target, lambda, reduction, s); }
}
