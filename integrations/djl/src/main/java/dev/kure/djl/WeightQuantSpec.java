package dev.kure.djl;

import dev.kure.Grid;
import dev.kure.Kernels;
import dev.kure.Quantizer;
import dev.kure.Rounding;
import dev.kure.StepPolicy;
import dev.kure.StepTransform;
import java.util.Objects;

/**
 * How a weight tensor is quantized: per output channel (axis 0 of a conv or linear weight), with
 * {@code bits} on {@code grid}, the step of each channel chosen by {@code policy} from the weights
 * and then changed by {@code transform} (a ratio r·s or a power-of-two rule), and rounded by
 * {@code rounding} (STOCHASTIC draws from Kure's counter-based stream keyed by {@code seed}).
 *
 * <p>The step is always calibrated with round-half-to-even; {@code rounding} applies to the
 * quantization itself. That isolates the question "same steps, other rounding" of the paper's
 * robustness experiments.
 *
 * @param bits bit width, 2..8 in the experiments
 * @param grid the integer grid (default SIGNED_NARROW: symmetric, −(2^(b−1)−1)..2^(b−1)−1)
 * @param policy step-size policy
 * @param transform applied to every calibrated step (identity: {@code StepTransform.ratio(1)})
 * @param rounding rounding policy of the quantization
 * @param seed seed of the stochastic rounding stream
 */
public record WeightQuantSpec(int bits, Grid grid, StepPolicy policy, StepTransform transform, Rounding rounding,
                              long seed) {
    private static final StepTransform IDENTITY = StepTransform.ratio(1.0);

    /** Checks the arguments. */
    public WeightQuantSpec {
        Objects.requireNonNull(grid, "grid");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(transform, "transform");
        Objects.requireNonNull(rounding, "rounding");
        if (bits < 2 || bits > 16) {
            throw new IllegalArgumentException("bits must be in 2..16 for weight quantization, was " + bits);
        }
    }

    /** Per-channel symmetric (SIGNED_NARROW) quantization at {@code bits} with MSE steps and HALF_EVEN rounding. */
    public static WeightQuantSpec of(int bits) {
        return new WeightQuantSpec(bits, Grid.SIGNED_NARROW, new StepPolicy.Mse(), IDENTITY, Rounding.HALF_EVEN, 0L);
    }

    /** This spec at another bit width. */
    public WeightQuantSpec withBits(int b) {
        return new WeightQuantSpec(b, grid, policy, transform, rounding, seed);
    }

    /** This spec with another step policy. */
    public WeightQuantSpec withPolicy(StepPolicy p) {
        return new WeightQuantSpec(bits, grid, p, transform, rounding, seed);
    }

    /** This spec with another step transform. */
    public WeightQuantSpec withTransform(StepTransform t) {
        return new WeightQuantSpec(bits, grid, policy, t, rounding, seed);
    }

    /** This spec with another rounding policy. */
    public WeightQuantSpec withRounding(Rounding r) {
        return new WeightQuantSpec(bits, grid, policy, transform, r, seed);
    }

    /** This spec with another stochastic-rounding seed. */
    public WeightQuantSpec withSeed(long s) {
        return new WeightQuantSpec(bits, grid, policy, transform, rounding, s);
    }

    /** The per-channel quantizer of weights {@code w} of row-major {@code shape} (channels on axis 0). */
    public Quantizer quantizer(Kernels kernels, float[] w, int[] shape) {
        Quantizer q = kernels.calibratePerChannel(w, shape, 0, bits, grid, policy);
        if (!transform.equals(IDENTITY)) {
            float[] s = q.scales();
            for (int c = 0; c < s.length; c++) {
                s[c] = transform.apply(s[c]);
            }
            q = Quantizer.perChannel(bits, grid, s, q.zeroPoints(), shape, 0);
        }
        return q.withRounding(rounding).withSeed(seed);
    }

    /** Fake-quantizes {@code w} (shape as {@link #quantizer}) into a new array. */
    public float[] apply(Kernels kernels, float[] w, int[] shape) {
        float[] out = new float[w.length];
        kernels.fakeQuantize(w, out, quantizer(kernels, w, shape));
        return out;
    }

    @Override
    public String toString() {
        return "W" + bits + " " + grid + " " + policy + " " + transform + " " + rounding;
    }
}
