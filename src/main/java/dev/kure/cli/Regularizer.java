package dev.kure.cli;

import dev.kure.Kernels;
import dev.kure.KureConfig;
import dev.kure.KureResult;
import dev.kure.Moments;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Plain gradient descent on the KURE regularizer alone (no task loss), as {@code kure regularize}
 * and the demo run it.
 *
 * <h2>Learning rate</h2>
 * The KURE gradient of a tensor scales like 1/(n·σ) (docs/semantics.md §3: ∂K/∂w = 4/(n·m2²)·(d³ − m3 − K·m2·d)),
 * so one raw learning rate cannot suit tensors of different sizes and scales. Each tensor i therefore
 * steps with {@code lr_i = lr · n_i · σ_i²} (σ_i its standard deviation before the first step), on the
 * loss with reduction SUM and λ = 1: the update in units of σ is then independent of n and σ, and
 * {@code lr} is a scale-free rate. The tails move fastest (the gradient grows like d³), so each step
 * is also capped so that no weight moves by more than {@link #MAX_MOVE}·σ_i (this keeps heavy-tailed
 * tensors stable). With the default {@link #DEFAULT_LR} a Gaussian tensor reaches kurtosis 1.80 in
 * about 50 steps (a Laplace tensor in about 150). (docs/semantics.md §3's raw lr 1e-4 for n = 4608, σ = 0.05 is
 * lr ≈ 8.7e-6 in these units.)
 */
final class Regularizer {
    /** The default scale-free learning rate. */
    static final double DEFAULT_LR = 0.02;

    /** The largest move of any weight in one step, in units of the tensor's initial σ. */
    static final double MAX_MOVE = 0.1;

    /** The loss being minimized: target 1.8, λ = 1, SUM over tensors, unbiased std (reference code). */
    static final KureConfig CONFIG = KureConfig.defaults().withReduction(KureConfig.Reduction.SUM);

    private Regularizer() {}

    /**
     * Runs {@code steps} gradient steps on the KURE loss over {@code weights}, in place.
     *
     * @param k        the kernels
     * @param weights  the tensors (modified)
     * @param steps    number of steps, ≥ 0
     * @param lr       the scale-free learning rate (see the class comment)
     * @param progress called with the number of steps done after each step (may be null)
     * @return the KURE result before the first step and after the last
     */
    static KureResult[] run(Kernels k, List<float[]> weights, int steps, double lr, IntConsumer progress) {
        return run(k, weights, steps, lr, CONFIG.target(), progress);
    }

    /**
     * Like {@link #run(Kernels, List, int, double, IntConsumer)} towards another target kurtosis (in the
     * loss's sample-std convention).
     *
     * @param k        the kernels
     * @param weights  the tensors (modified)
     * @param steps    number of steps, ≥ 0
     * @param lr       the scale-free learning rate
     * @param target   the target kurtosis K_T
     * @param progress called with the number of steps done after each step (may be null)
     * @return the KURE result before the first step and after the last
     */
    static KureResult[] run(Kernels k, List<float[]> weights, int steps, double lr, double target,
                            IntConsumer progress) {
        KureConfig config = CONFIG.withTarget(target);
        int t = weights.size();
        double[] rate = new double[t];
        double[] sigma = new double[t];
        List<float[]> grads = new ArrayList<>(t);
        for (int i = 0; i < t; i++) {
            float[] w = weights.get(i);
            Moments m = k.moments(w);
            rate[i] = lr * w.length * m.variance();
            sigma[i] = m.std();
            grads.add(new float[w.length]);
        }
        KureResult first = k.kure(weights, null, config);
        for (int s = 0; s < steps; s++) {
            for (float[] g : grads) {
                Arrays.fill(g, 0f);
            }
            k.kure(weights, grads, config);
            for (int i = 0; i < t; i++) {
                float[] w = weights.get(i), g = grads.get(i);
                float gmax = 0f;
                for (float v : g) {
                    gmax = Math.max(gmax, Math.abs(v));
                }
                double cap = gmax > 0f ? MAX_MOVE * sigma[i] / gmax : rate[i];
                float r = (float) Math.min(rate[i], cap);
                for (int j = 0; j < w.length; j++) {
                    w[j] -= r * g[j];
                }
            }
            if (progress != null) {
                progress.accept(s + 1);
            }
        }
        KureResult last = k.kure(weights, null, config);
        return new KureResult[] {first, last};
    }
}
