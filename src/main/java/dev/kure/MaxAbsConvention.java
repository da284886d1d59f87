package dev.kure;

/**
 * How {@link StepPolicy.MaxAbs} turns the largest magnitude {@code amax} of the data into a scale
 * (docs/semantics.md §5). Each is a convention some toolkit uses; the names say which.
 */
public enum MaxAbsConvention {
    /**
     * {@code s = amax / (qmax + h)}: amax lands exactly on the outermost positive level. On SIGNED and
     * SIGNED_NARROW this is amax/(2<sup>b−1</sup>−1) (int8: amax/127), on PAPER amax/2<sup>b−1</sup>,
     * on UNSIGNED amax/(2<sup>b</sup>−1), and on MIDRISE amax/(2<sup>b−1</sup>−½) = 2·amax/(2<sup>b</sup>−1),
     * the reference code's weight quantizer. Zero point 0. The default.
     */
    AMAX_OVER_QMAX,
    /**
     * PyTorch's symmetric observers ({@code MinMaxObserver} with {@code per_tensor_symmetric}):
     * {@code s = max(amax / ((qmax − qmin)/2), 2^-23)} computed in float32 (int8: amax/127.5; the
     * floor is {@code torch.finfo(torch.float32).eps}); zero point 0, except on UNSIGNED where PyTorch
     * uses the middle code {@code (qmin + qmax + 1)/2} (uint8: 128).
     */
    PYTORCH_OBSERVER,
    /**
     * TensorRT / NVIDIA pytorch-quantization: {@code s = amax / (2^(b−1) − 1)} (int8: amax/127) on the
     * symmetric narrow grid; calibrating with it requires {@link Grid#SIGNED_NARROW}.
     */
    TENSORRT
}
