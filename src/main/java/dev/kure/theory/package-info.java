/**
 * Analytic theory of the paper "Robust Quantization: One Model to Rule Them All" (Shkolnik et al.,
 * NeurIPS 2020): closed-form and exact (cell-integrated) mean squared errors of symmetric
 * round-to-nearest quantizers for uniform, Gaussian and Laplace inputs, the optimal step sizes,
 * signal-to-noise ratios and the sensitivity of the error to a perturbed step (the paper's Lemmas 1
 * to 3 and the ACIQ approximations).
 *
 * <p>Everything here is pure double-precision Java with no dependencies: the special functions
 * ({@link dev.kure.theory.SpecialFunctions}) and the one-dimensional minimizer
 * ({@link dev.kure.theory.Minimizer}) are part of the package. Arguments are validated and a bad
 * one raises {@link java.lang.IllegalArgumentException} naming the parameter and its value.
 *
 * <p>Conventions: {@code bits} is in 1..16; {@code step} is the quantization step Δ; the clipping
 * value is τ = 2<sup>bits−1</sup>·Δ for every grid (the convention of docs/semantics.md §6, which is the outermost
 * level only on {@link dev.kure.theory.TheoryGrid#PAPER}).
 */
package dev.kure.theory;
