package dev.kure.cuda;

/**
 * A CUDA driver call failed. The message names the call and the CUDA error (e.g.
 * {@code CUDA_ERROR_OUT_OF_MEMORY}); {@link #errorName()} and {@link #errorCode()} give them
 * separately. Device memory the failing Kure call had allocated is freed before this is thrown.
 */
public final class KureCudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The CUresult value of CUDA_ERROR_OUT_OF_MEMORY. */
    static final int OUT_OF_MEMORY = 2;

    private final int code;
    private final String name;

    KureCudaException(String what, int code, String name) {
        super(what + " failed: " + name + " (" + code + ")");
        this.code = code;
        this.name = name;
    }

    /** The CUresult code, e.g. 2 for CUDA_ERROR_OUT_OF_MEMORY. */
    public int errorCode() {
        return code;
    }

    /** The CUresult name, e.g. {@code "CUDA_ERROR_OUT_OF_MEMORY"}. */
    public String errorName() {
        return name;
    }

    /** True when the device ran out of memory (the call freed what it had allocated; retry smaller). */
    public boolean isOutOfMemory() {
        return code == OUT_OF_MEMORY;
    }
}
