package dev.kure;

/**
 * The outcome of the (cached) probe of one CUDA device.
 *
 * @param device  the device ordinal probed
 * @param usable  whether the GPU backend runs on it
 * @param message when usable, what the device is (name, architecture, memory, driver); otherwise
 *                exactly why not (the reason {@link dev.kure.cuda.GpuUnavailableException} carries)
 */
public record CudaStatus(int device, boolean usable, String message) {
    /** One line: "cuda:N usable: ..." or "cuda:N unavailable: ...". */
    @Override
    public String toString() {
        return "cuda:" + device + (usable ? " usable: " : " unavailable: ") + message;
    }
}
