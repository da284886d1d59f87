package dev.kure;

import java.util.List;

/**
 * What one KURE call computed.
 *
 * @param loss      the regularizer R over the tensors that were not skipped
 * @param kurtosis  each tensor's kurtosis in the configured convention (NaN where skipped)
 * @param skipped   the tensors that contributed nothing, in index order, with the reason
 * @param worst     under {@link KureConfig.Reduction#MAX}, the index of the tensor that received the
 *                  gradient; −1 otherwise or if all were skipped
 */
public record KureResult(double loss, double[] kurtosis, List<Skipped> skipped, int worst) {

    /** Why a tensor contributed nothing to the loss and gradient. */
    public enum SkipReason {
        /** Fewer than two elements: no variance. */
        TOO_FEW_ELEMENTS,
        /** All elements equal: kurtosis undefined. */
        ZERO_VARIANCE,
        /** NaN or infinite values: kurtosis not finite. */
        NON_FINITE
    }

    /**
     * A skipped tensor.
     *
     * @param index  its position in the list given
     * @param reason why it was skipped
     */
    public record Skipped(int index, SkipReason reason) {}

    /** Copies the arrays so the result stays immutable. */
    public KureResult {
        kurtosis = kurtosis.clone();
        skipped = List.copyOf(skipped);
    }

    /** A copy of the per-tensor kurtoses. */
    @Override
    public double[] kurtosis() {
        return kurtosis.clone();
    }
}
