package dev.kure.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

import dev.kure.KureConfig;
import dev.kure.KureResult;
import dev.kure.Moments;
import dev.kure.spi.KureMath;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * KURE over a fixed set of device-resident weight tensors (a model's weights), prepared once: the
 * device tables (pointers, lengths, the chunk table) and the scratch buffers are uploaded when the
 * batch is made, so each {@link #run(KureConfig)} is three multi-tensor launches for all tensors
 * (moments per chunk, merge per tensor, gradient) plus one small copy of the per-tensor moments to
 * the host, where {@link KureMath#plan} computes the loss, the kurtoses, the skipped tensors and the
 * gradient coefficients exactly as every CPU backend does.
 *
 * <p>Made by {@link CudaBackend#kureBatch(List, List)}; close it to free its tables (a Cleaner is the
 * safety net). It keeps its tensors reachable, but does not own them: closing the batch leaves them open.
 */
public final class KureBatch implements AutoCloseable {
    private final CudaDevice dev;
    private final int tensors;
    private final long totalChunks;
    private final CUdeviceptr wTable;
    private final CUdeviceptr gTable;   // null: loss only
    private final CUdeviceptr lens;
    private final CUdeviceptr chunkBegin;
    private final CUdeviceptr states;
    private final CUdeviceptr merged;
    private final CUdeviceptr params;
    private final CudaDevice.Scope scope;
    private final Cleaner.Cleanable cleanable;
    private final Object keepAlive;
    private volatile boolean closed;

    /**
     * @param w     device pointers of the weight tensors (each its own allocation)
     * @param g     device pointers of the gradient buffers (same lengths), or null for the loss only
     * @param len   element counts
     * @param keepAlive objects (DeviceTensors) that must stay reachable while the batch lives
     */
    KureBatch(CudaDevice dev, CUdeviceptr[] w, CUdeviceptr[] g, long[] len, Object keepAlive) {
        this.dev = dev;
        this.tensors = w.length;
        this.keepAlive = keepAlive;
        long[] begin = new long[tensors + 1];
        for (int t = 0; t < tensors; t++) {
            begin[t + 1] = begin[t] + (len[t] + CudaDevice.CHUNK - 1) / CudaDevice.CHUNK;
        }
        this.totalChunks = begin[tensors];
        dev.enter();
        CudaDevice.Scope sc = dev.scope();
        try {
            wTable = sc.pointerTable(w);
            gTable = g == null ? null : sc.pointerTable(g);
            lens = sc.upload(len);
            chunkBegin = sc.upload(begin);
            states = sc.alloc(totalChunks * Moments.WIRE_BYTES);
            merged = sc.alloc((long) tensors * Moments.WIRE_BYTES);
            params = sc.alloc(32L * tensors);
        } catch (RuntimeException e) {
            sc.close();
            throw e;
        }
        this.scope = sc;
        this.cleanable = CudaDevice.CLEANER.register(this, sc::close);
    }

    /** Number of tensors. */
    public int size() {
        return tensors;
    }

    /**
     * Computes the KURE loss and kurtoses of the weights and, when the batch has gradient buffers,
     * ADDS the regularizer's gradient into them on the device (docs/semantics.md §3). Synchronous: returns when the
     * gradients are written.
     */
    public KureResult run(KureConfig config) {
        return plan(config).result();
    }

    /** {@link #run} returning the whole plan (package use: the host-array forms read the coefficients). */
    KureMath.Plan plan(KureConfig config) {
        if (closed) {
            throw new IllegalStateException("this KureBatch is closed");
        }
        try {
            dev.enter();
            if (tensors == 0) {
                return KureMath.plan(new Moments[0], config);
            }
            if (totalChunks > 0) {
                dev.launch("kure_moments_multi_chunks", dev.stream, totalChunks, 1, wTable, lens, chunkBegin, tensors,
                        CudaDevice.CHUNK, states);
            }
            dev.launch("kure_moments_merge", dev.stream, tensors, 1, states, chunkBegin, 0L, tensors, merged);
            dev.sync();
            byte[] raw = new byte[tensors * Moments.WIRE_BYTES];
            CudaDevice.download(raw, 0, raw.length, merged);
            Moments[] ms = new Moments[tensors];
            for (int t = 0; t < tensors; t++) {
                ms[t] = Moments.fromBytes(java.util.Arrays.copyOfRange(raw, t * Moments.WIRE_BYTES,
                        (t + 1) * Moments.WIRE_BYTES));
            }
            KureMath.Plan plan = KureMath.plan(ms, config);
            if (gTable != null) {
                double[] p = new double[4 * tensors];
                boolean any = false;
                for (int t = 0; t < tensors; t++) {
                    double c = plan.coef()[t];
                    if (c != 0) {
                        any = true;
                        p[4 * t] = c;
                        p[4 * t + 1] = plan.mean(t);
                        p[4 * t + 2] = plan.m3(t);
                        p[4 * t + 3] = plan.kbm2(t);
                    }
                }
                if (any) {
                    CudaDevice.check(cuMemcpyHtoD(params, Pointer.to(p), 8L * p.length), "cuMemcpyHtoD");
                    dev.launch("kure_kure_grad", dev.stream, totalChunks, 1, wTable, gTable, lens, chunkBegin, tensors,
                            CudaDevice.CHUNK, params);
                    dev.sync();
                }
            }
            return plan;
        } finally {
            Reference.reachabilityFence(keepAlive);
        }
    }

    /** Frees the batch's device tables (not its tensors). */
    @Override
    public void close() {
        closed = true;
        cleanable.clean();
    }
}
