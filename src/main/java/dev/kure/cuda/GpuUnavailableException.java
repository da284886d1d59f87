package dev.kure.cuda;

/**
 * No usable GPU backend: the message says exactly why (JCuda missing, no NVIDIA driver, no device,
 * a driver too old for the fatbin, no fatbin in this build, ...). Thrown by
 * {@link dev.kure.Kernels#cuda()}; {@link dev.kure.Kernels#cudaStatus()} returns the same reason
 * without throwing.
 */
public final class GpuUnavailableException extends UnsupportedOperationException {
    private static final long serialVersionUID = 1L;

    /** An exception whose message is {@code "no usable CUDA GPU: " + reason}. */
    public GpuUnavailableException(String reason) {
        super("no usable CUDA GPU: " + reason);
    }
}
