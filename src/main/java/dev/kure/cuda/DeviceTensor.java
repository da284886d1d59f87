package dev.kure.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuMemFree;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdeviceptr;

/**
 * A float32 tensor resident in GPU memory: the data stays on the device between kernel calls of
 * {@link CudaBackend} (fake quantization, moments, KURE, ...), and crosses the bus only through
 * {@link #upload} and {@link #download}. Created by {@link CudaBackend#allocate(long)} or
 * {@link CudaBackend#upload(float[])}.
 *
 * <p>Close it (try-with-resources) to free the device memory at once; a {@link Cleaner} frees it
 * when the tensor becomes unreachable, as a safety net only (GC timing knows nothing about device
 * memory pressure). Not thread-safe for concurrent writes, like any buffer; closing twice is harmless.
 */
public final class DeviceTensor implements AutoCloseable {
    private final CudaBackend backend;
    private final long length;
    private final CUdeviceptr ptr;
    private final State state;
    private final Cleaner.Cleanable cleanable;

    /** What the cleaner frees: holds no reference to the tensor itself. */
    private static final class State implements Runnable {
        private final CUcontext ctx;
        private CUdeviceptr ptr;

        State(CUcontext ctx, CUdeviceptr ptr) {
            this.ctx = ctx;
            this.ptr = ptr;
        }

        @Override
        public synchronized void run() {
            if (ptr != null) {
                cuCtxSetCurrent(ctx);
                cuMemFree(ptr);
                ptr = null;
            }
        }

        synchronized boolean open() {
            return ptr != null;
        }
    }

    DeviceTensor(CudaBackend backend, CUdeviceptr ptr, long length) {
        this.backend = backend;
        this.length = length;
        this.ptr = ptr;
        this.state = new State(backend.device().ctx, ptr);
        this.cleanable = CudaDevice.CLEANER.register(this, state);
    }

    /** Number of float32 elements. */
    public long length() {
        return length;
    }

    /** The backend (device) this tensor lives on. */
    public CudaBackend backend() {
        return backend;
    }

    /** Whether {@link #close()} has not been called yet. */
    public boolean isOpen() {
        return state.open();
    }

    /** Copies {@code x} (whose length must equal {@link #length()}) to the device. */
    public DeviceTensor upload(float[] x) {
        backend.uploadInto(this, x);
        return this;
    }

    /** Copies a float32 segment (native byte order, {@code length()·4} bytes) to the device, staged through pinned memory. */
    public DeviceTensor upload(MemorySegment x) {
        backend.uploadInto(this, x);
        return this;
    }

    /** Copies the device data into {@code out} (length {@link #length()}). */
    public float[] download(float[] out) {
        backend.downloadFrom(this, out);
        return out;
    }

    /** Copies the device data into a float32 segment of {@code length()·4} bytes. */
    public MemorySegment download(MemorySegment out) {
        backend.downloadFrom(this, out);
        return out;
    }

    /** The device data as a new array (length must fit an array). */
    public float[] toArray() {
        return download(new float[Math.toIntExact(length)]);
    }

    /** Frees the device memory now. */
    @Override
    public void close() {
        cleanable.clean();
    }

    /** The device pointer (checked open). */
    CUdeviceptr ptr() {
        if (!state.open()) {
            throw new IllegalStateException("this DeviceTensor is closed");
        }
        return ptr;
    }

    @Override
    public String toString() {
        return "DeviceTensor[" + length + " floats on cuda:" + backend.device().ordinal + (isOpen() ? "" : ", closed") + "]";
    }
}
