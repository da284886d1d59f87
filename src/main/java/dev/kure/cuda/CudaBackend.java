package dev.kure.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import dev.kure.Granularity;
import dev.kure.KureConfig;
import dev.kure.KureResult;
import dev.kure.LearnableGrads;
import dev.kure.Moments;
import dev.kure.QuantMode;
import dev.kure.Quantizer;
import dev.kure.TensorView;
import dev.kure.scalar.ScalarBackend;
import dev.kure.scalar.ScalarSweep;
import dev.kure.spi.Backend;
import dev.kure.spi.KureMath;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * The GPU backend: every {@link Backend} kernel on one CUDA device, through JCuda's driver API and
 * the fatbin shipped in the jar ({@code dev/kure/cuda/kure.fatbin}). Obtain it from
 * {@link Cuda#backend(int)} or {@link dev.kure.Kernels#cuda(int)}; one instance per device.
 *
 * <p><b>Two ways to call it.</b> The {@link Backend} methods on Java arrays and segments are a
 * convenience that COPIES: each call uploads its inputs, runs the kernels and downloads the results
 * (segments are staged through pinned memory; moments of a segment larger than device memory run in
 * pieces). For training loops keep data resident: {@link #upload(float[])} or {@link #allocate(long)}
 * give {@link DeviceTensor}s, and the methods taking DeviceTensors ({@link #fakeQuantize(DeviceTensor,
 * DeviceTensor, Quantizer)}, {@link #moments(DeviceTensor)}, {@link #kureDevice(List, List, KureConfig)},
 * {@link #kureBatch(List, List)}, ...) run on the device without copying tensors.
 *
 * <p><b>Results.</b> Fake quantization, masks, STE and learnable dx, integer codes and stochastic
 * rounding are bit-identical with the scalar reference backend; moments, KURE and the learnable
 * parameter gradients agree within the tolerances of docs/semantics.md (deterministic: the same input gives the same bits
 * on every run and launch shape); DoReFa uses the device's double tanh (within a few ulps of
 * {@link StrictMath#tanh}).
 *
 * <p><b>Errors.</b> A failing CUDA call throws {@link KureCudaException} naming the CUDA error; out of
 * device memory is such an exception ({@link KureCudaException#isOutOfMemory()}), never a crash, and
 * the call frees whatever it had allocated. Thread-safe: every call makes the device's primary
 * context current on the calling thread; calls are ordered on the backend's stream.
 */
public final class CudaBackend implements Backend {
    private final CudaDevice dev;

    CudaBackend(CudaDevice dev) {
        this.dev = dev;
    }

    CudaDevice device() {
        return dev;
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String describe() {
        return "cuda (JCuda driver API, fatbin " + CudaDevice.FATBIN + "): " + dev.describe();
    }

    /** The device ordinal. */
    public int deviceOrdinal() {
        return dev.ordinal;
    }

    /** Total device memory in bytes. */
    public long deviceMemory() {
        return dev.totalMem;
    }

    // =============================================================================================
    // Device-resident tensors
    // =============================================================================================

    /** A zero-filled device tensor of {@code length} floats. */
    public DeviceTensor allocate(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, was " + length);
        }
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            CUdeviceptr p = sc.zeros(4 * length);
            DeviceTensor t = new DeviceTensor(this, p, length);
            sc.release(p);
            return t;
        }
    }

    /** A device tensor holding a copy of {@code x}. */
    public DeviceTensor upload(float[] x) {
        DeviceTensor t = allocate(x.length);
        try {
            return t.upload(x);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** A device tensor holding a copy of a float32 segment (native byte order). */
    public DeviceTensor upload(MemorySegment x) {
        if (x.byteSize() % 4 != 0) {
            throw new IllegalArgumentException("segment byte size must be a multiple of 4, was " + x.byteSize());
        }
        DeviceTensor t = allocate(x.byteSize() / 4);
        try {
            return t.upload(x);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    void uploadInto(DeviceTensor t, float[] x) {
        sameLength(t, x.length, "x");
        dev.enter();
        if (x.length > 0) {
            CudaDevice.check(cuMemcpyHtoD(t.ptr(), Pointer.to(x), 4L * x.length), "cuMemcpyHtoD");
        }
        Reference.reachabilityFence(t);
    }

    void uploadInto(DeviceTensor t, MemorySegment x) {
        sameLength(t, x.byteSize() / 4, "x");
        dev.enter();
        dev.uploadSegment(x, 0, x.byteSize(), t.ptr());
        Reference.reachabilityFence(t);
    }

    void downloadFrom(DeviceTensor t, float[] out) {
        sameLength(t, out.length, "out");
        dev.enter();
        dev.sync();
        CudaDevice.download(out, 0, out.length, t.ptr());
        Reference.reachabilityFence(t);
    }

    void downloadFrom(DeviceTensor t, MemorySegment out) {
        sameLength(t, out.byteSize() / 4, "out");
        if (out.isReadOnly()) {
            throw new IllegalArgumentException("out is read-only");
        }
        dev.enter();
        dev.sync();
        dev.downloadSegment(t.ptr(), out, 0, 4 * t.length());
        Reference.reachabilityFence(t);
    }

    /** Device-to-device copy of {@code src} into {@code dst} (same length), ordered on the backend's stream. */
    public void copy(DeviceTensor src, DeviceTensor dst) {
        sameLength(dst, src.length(), "src");
        dev.enter();
        if (src.length() > 0) {
            CudaDevice.check(cuMemcpyDtoDAsync(dst.ptr(), src.ptr(), 4 * src.length(), dev.stream), "cuMemcpyDtoDAsync");
        }
        Reference.reachabilityFence(src);
        Reference.reachabilityFence(dst);
    }

    /** Waits until every kernel and copy queued on this backend has finished; reports asynchronous errors. */
    public void synchronize() {
        dev.enter();
        dev.sync();
    }

    /**
     * Fake-quantizes {@code x} into {@code out} (same length; may be the same tensor) on the device.
     * Asynchronous: queued on the backend's stream; read the result with {@link DeviceTensor#download}
     * (which waits) or {@link #synchronize()}.
     */
    public void fakeQuantize(DeviceTensor x, DeviceTensor out, Quantizer q) {
        sameLength(out, x.length(), "x");
        checkLayout(x.length(), q);
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            fq(sc, x.ptr(), out.ptr(), CudaDevice.nullPtr(), x.length(), q);
            if (sc.owns()) {
                dev.sync(); // per-channel parameters were uploaded for this call: wait before freeing them
            }
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(out);
        }
    }

    /** STE backward on the device: dx = dy where x's code is inside the grid, else +0 (asynchronous, as fakeQuantize). */
    public void fakeQuantizeBackward(DeviceTensor x, DeviceTensor dy, DeviceTensor dx, Quantizer q) {
        sameLength(dy, x.length(), "x");
        sameLength(dx, x.length(), "x");
        checkLayout(x.length(), q);
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            ste(sc, x.ptr(), dy.ptr(), dx.ptr(), x.length(), q);
            if (sc.owns()) {
                dev.sync();
            }
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(dy);
            Reference.reachabilityFence(dx);
        }
    }

    /**
     * Fused learnable scale / zero-point backward on the device (one read of x and dy, one write of
     * dx, two-stage deterministic reduction): returns ∂L/∂s and ∂L/∂z per parameter set times
     * {@code gradFactor} (finite and &gt;= 0). Synchronous. Semantics and the deliberate differences
     * from PyTorch's backward: {@link dev.kure.Kernels#fakeQuantizeLearnableBackward}.
     */
    public LearnableGrads fakeQuantizeLearnableBackward(DeviceTensor x, DeviceTensor dy, DeviceTensor dx, Quantizer q,
                                                        double gradFactor) {
        sameLength(dy, x.length(), "x");
        sameLength(dx, x.length(), "x");
        checkLayout(x.length(), q);
        if (!(gradFactor >= 0) || gradFactor == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("gradFactor must be finite and >= 0, was " + gradFactor);
        }
        double[] ds = new double[q.paramCount()], dz = new double[q.paramCount()];
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            learnable(sc, x.ptr(), dy.ptr(), dx.ptr(), x.length(), q, ds, dz);
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(dy);
            Reference.reachabilityFence(dx);
        }
        for (int p = 0; p < ds.length; p++) {
            ds[p] *= gradFactor;
            dz[p] *= gradFactor;
        }
        return new LearnableGrads(ds, dz);
    }

    /** Moments of a device tensor (two-stage, deterministic). Synchronous. */
    public Moments moments(DeviceTensor x) {
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            return momentsOf(sc, x.ptr(), x.length(), 1, x.length())[0];
        } finally {
            Reference.reachabilityFence(x);
        }
    }

    /**
     * Per-channel moments of a device tensor of row-major {@code shape} along {@code axis} (result[c]
     * covers every element whose index along the axis is c). Synchronous.
     */
    public Moments[] momentsPerChannel(DeviceTensor x, int[] shape, int axis) {
        long volume = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("shape dimensions must be > 0: " + java.util.Arrays.toString(shape));
            }
            volume = Math.multiplyExact(volume, d);
        }
        if (axis < 0 || axis >= shape.length) {
            throw new IllegalArgumentException("axis must be in [0, " + shape.length + "), was " + axis);
        }
        sameLength(x, volume, "shape volume");
        long inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            return momentsOf(sc, x.ptr(), volume, shape[axis], inner);
        } finally {
            Reference.reachabilityFence(x);
        }
    }

    /**
     * KURE over device-resident weights (docs/semantics.md §3): returns the loss and kurtoses and, when
     * {@code gradsToAccumulate} is not null, ADDS the gradient into those device tensors. One
     * multi-tensor launch per stage. For repeated calls on the same tensors (every training step)
     * prefer {@link #kureBatch(List, List)}, which uploads the tensor tables once.
     */
    public KureResult kureDevice(List<DeviceTensor> weights, List<DeviceTensor> gradsToAccumulate, KureConfig config) {
        try (KureBatch b = kureBatch(weights, gradsToAccumulate)) {
            return b.run(config);
        }
    }

    /** A prepared KURE call over these device tensors (gradients may be null: loss only). */
    public KureBatch kureBatch(List<DeviceTensor> weights, List<DeviceTensor> gradsToAccumulate) {
        if (weights == null) {
            throw new NullPointerException("weights");
        }
        if (gradsToAccumulate != null && gradsToAccumulate.size() != weights.size()) {
            throw new IllegalArgumentException("weights and gradsToAccumulate must have the same size, were "
                    + weights.size() + " and " + gradsToAccumulate.size());
        }
        int T = weights.size();
        CUdeviceptr[] w = new CUdeviceptr[T];
        CUdeviceptr[] g = gradsToAccumulate == null ? null : new CUdeviceptr[T];
        long[] len = new long[T];
        for (int t = 0; t < T; t++) {
            DeviceTensor wt = weights.get(t);
            if (wt == null) {
                throw new NullPointerException("weights[" + t + "]");
            }
            mine(wt, "weights[" + t + "]");
            w[t] = wt.ptr();
            len[t] = wt.length();
            if (g != null) {
                DeviceTensor gt = gradsToAccumulate.get(t);
                if (gt == null) {
                    throw new NullPointerException("gradsToAccumulate[" + t + "]");
                }
                mine(gt, "gradsToAccumulate[" + t + "]");
                if (gt.length() != wt.length()) {
                    throw new IllegalArgumentException("weights[" + t + "] and gradsToAccumulate[" + t
                            + "] must have the same length, were " + wt.length() + " and " + gt.length());
                }
                g[t] = gt.ptr();
            }
        }
        return new KureBatch(dev, w, g, len, new Object[] {List.copyOf(weights),
            gradsToAccumulate == null ? List.of() : List.copyOf(gradsToAccumulate)});
    }

    // =============================================================================================
    // Backend SPI without device kernels yet: the scalar reference on the host
    // =============================================================================================

    /** Runs the kernels that have no device version yet (parts of tensors, views, DoReFa on views). */
    private static final ScalarBackend HOST = new ScalarBackend("host reference of the GPU backend");

    @Override
    public void fakeQuantize(long base, float[] x, int xo, float[] out, int oo, int len, Quantizer q, long[] mask) {
        HOST.fakeQuantize(base, x, xo, out, oo, len, q, mask);
    }

    @Override
    public void fakeQuantizeBackward(long base, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len,
                                     Quantizer q) {
        HOST.fakeQuantizeBackward(base, x, xo, dy, dyo, dx, dxo, len, q);
    }

    @Override
    public void learnableBackward(long base, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len,
                                  Quantizer q, double[] ds, double[] dz) {
        HOST.learnableBackward(base, x, xo, dy, dyo, dx, dxo, len, q, ds, dz);
    }

    @Override
    public void quantizeInt8(long base, float[] x, int xo, byte[] codes, int co, int len, Quantizer q) {
        HOST.quantizeInt8(base, x, xo, codes, co, len, q);
    }

    @Override
    public void dequantizeInt8(long base, byte[] codes, int co, float[] out, int oo, int len, Quantizer q) {
        HOST.dequantizeInt8(base, codes, co, out, oo, len, q);
    }

    @Override
    public void quantizeInt4(long base, float[] x, int xo, byte[] packed, int po, int len, Quantizer q) {
        HOST.quantizeInt4(base, x, xo, packed, po, len, q);
    }

    @Override
    public void dequantizeInt4(long base, byte[] packed, int po, float[] out, int oo, int len, Quantizer q) {
        HOST.dequantizeInt4(base, packed, po, out, oo, len, q);
    }

    @Override
    public double dorefaForward(TensorView w, TensorView out, int bits) {
        return HOST.dorefaForward(w, out, bits);
    }

    @Override
    public void dorefaBackward(TensorView w, TensorView dy, TensorView dx) {
        HOST.dorefaBackward(w, dy, dx);
    }

    @Override
    public KureResult kureViews(List<TensorView> weights, List<MemorySegment> grads, KureConfig config) {
        return HOST.kureViews(weights, grads, config);
    }

    // =============================================================================================
    // Backend SPI: host arrays and segments (copies)
    // =============================================================================================

    /** {@inheritDoc} Copies x to the device (through pinned memory) and merges on the device. */
    @Override
    public Moments moments(float[] x, int off, int len) {
        return momentsHost(MemorySegment.ofArray(x), 4L * off, len);
    }

    /**
     * {@inheritDoc} Staged through pinned memory in pieces of 16 Mi floats, two streams overlapping the
     * host copy of one piece with the transfer and kernel of the other: works for segments larger than
     * device memory, and the result does not depend on the piece size (pieces are whole chunks).
     */
    @Override
    public Moments moments(MemorySegment seg, long off, long count) {
        return momentsHost(seg, 4L * off, count);
    }

    @Override
    public Moments[] momentsPerChannel(float[] x, int off, int outer, int channels, int inner) {
        long n = (long) outer * channels * inner;
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            CUdeviceptr d = sc.upload(x, off, Math.toIntExact(n));
            return momentsOf(sc, d, n, channels, inner);
        }
    }

    @Override
    public void fakeQuantize(float[] x, int xo, float[] out, int oo, int len, Quantizer q, long[] mask) {
        if (len == 0) {
            return;
        }
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            CUdeviceptr dx = sc.upload(x, xo, len);
            CUdeviceptr dout = sc.alloc(4L * len);
            int words = (len + 31) >>> 5;
            CUdeviceptr dmask = mask == null ? CudaDevice.nullPtr() : sc.alloc(4L * words);
            fq(sc, dx, dout, dmask, len, q);
            dev.sync();
            CudaDevice.download(out, oo, len, dout);
            if (mask != null) {
                int[] w = new int[words];
                CudaDevice.download(w, dmask);
                mergeMask(w, mask, len);
            }
        }
    }

    /** Packs uint32 mask words into the long[] layout, keeping the caller's bits past {@code len}. */
    static void mergeMask(int[] w, long[] mask, int len) {
        int longs = (len + 63) >>> 6;
        for (int i = 0; i < longs; i++) {
            long lo = w[2 * i] & 0xffffffffL;
            long hi = 2 * i + 1 < w.length ? (w[2 * i + 1] & 0xffffffffL) << 32 : 0L;
            long bits = lo | hi;
            int rest = len - 64 * i;
            if (rest < 64) {
                long own = (1L << rest) - 1;
                mask[i] = (mask[i] & ~own) | (bits & own);
            } else {
                mask[i] = bits;
            }
        }
    }

    @Override
    public void fakeQuantizeBackward(float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len, Quantizer q) {
        if (len == 0) {
            return;
        }
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            CUdeviceptr px = sc.upload(x, xo, len);
            CUdeviceptr pdy = sc.upload(dy, dyo, len);
            CUdeviceptr pdx = sc.alloc(4L * len);
            ste(sc, px, pdy, pdx, len, q);
            dev.sync();
            CudaDevice.download(dx, dxo, len, pdx);
        }
    }

    @Override
    public void steBackward(long[] mask, float[] dy, int dyo, float[] dx, int dxo, int len) {
        if (len == 0) {
            return;
        }
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            long[] words = java.util.Arrays.copyOf(mask, (len + 63) >>> 6);
            CUdeviceptr pm = sc.upload(words);
            CUdeviceptr pdy = sc.upload(dy, dyo, len);
            CUdeviceptr pdx = sc.alloc(4L * len);
            dev.launch("kure_ste_backward_packed", dev.stream, (len + 3L) / 4, CudaDevice.BLOCK, pdy, pm, pdx, (long) len);
            dev.sync();
            CudaDevice.download(dx, dxo, len, pdx);
        }
    }

    @Override
    public void learnableBackward(float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len, Quantizer q,
                                  double[] ds, double[] dz) {
        if (len == 0) {
            return;
        }
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            CUdeviceptr px = sc.upload(x, xo, len);
            CUdeviceptr pdy = sc.upload(dy, dyo, len);
            CUdeviceptr pdx = sc.alloc(4L * len);
            learnable(sc, px, pdy, pdx, len, q, ds, dz);
            CudaDevice.download(dx, dxo, len, pdx);
        }
    }

    @Override
    public void quantizeInt8(float[] x, int xo, byte[] codes, int co, int len, Quantizer q) {
        if (len == 0) {
            return;
        }
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            CUdeviceptr px = sc.upload(x, xo, len);
            CUdeviceptr pc = sc.alloc(len);
            launchQ(sc, "kure_quantize_i8", len, CudaDevice.BLOCK, q, len, px, pc);
            dev.sync();
            CudaDevice.download(codes, co, len, pc);
        }
    }

    @Override
    public void dequantizeInt8(byte[] codes, int co, float[] out, int oo, int len, Quantizer q) {
        if (len == 0) {
            return;
        }
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            CUdeviceptr pc = sc.upload(codes, co, len);
            CUdeviceptr po = sc.alloc(4L * len);
            launchDq(sc, "kure_dequantize_i8", len, q, pc, po);
            dev.sync();
            CudaDevice.download(out, oo, len, po);
        }
    }

    @Override
    public void quantizeInt4(float[] x, int xo, byte[] packed, int po, int len, Quantizer q) {
        if (len == 0) {
            return;
        }
        int bytes = (len + 1) >>> 1;
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            CUdeviceptr px = sc.upload(x, xo, len);
            CUdeviceptr pp = sc.alloc(bytes);
            launchQ(sc, "kure_quantize_i4", bytes, CudaDevice.BLOCK, q, len, px, pp);
            dev.sync();
            CudaDevice.download(packed, po, bytes, pp);
        }
    }

    @Override
    public void dequantizeInt4(byte[] packed, int po, float[] out, int oo, int len, Quantizer q) {
        if (len == 0) {
            return;
        }
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            CUdeviceptr pp = sc.upload(packed, po, (len + 1) >>> 1);
            CUdeviceptr pout = sc.alloc(4L * len);
            launchDq(sc, "kure_dequantize_i4", len, q, pp, pout);
            dev.sync();
            CudaDevice.download(out, oo, len, pout);
        }
    }

    @Override
    public double dorefaForward(float[] w, int wo, float[] out, int oo, int len, int bits) {
        if (len == 0) {
            return 0;
        }
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            CUdeviceptr pw = sc.upload(w, wo, len);
            DoReFaStats st = dorefaStats(sc, pw, CudaDevice.nullPtr(), len);
            double m = st.anyNaN ? Double.NaN : st.max;
            CUdeviceptr pout = sc.alloc(4L * len);
            dev.launch("kure_dorefa_forward", dev.stream, len, CudaDevice.BLOCK, pw, pout, (long) len, m, bits);
            dev.sync();
            CudaDevice.download(out, oo, len, pout);
            return m;
        }
    }

    @Override
    public void dorefaBackward(float[] w, int wo, float[] dy, int dyo, float[] dx, int dxo, int len) {
        if (len == 0) {
            return;
        }
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            CUdeviceptr pw = sc.upload(w, wo, len);
            CUdeviceptr pdy = sc.upload(dy, dyo, len);
            DoReFaStats st = dorefaStats(sc, pw, pdy, len);
            if (st.max == 0) {
                System.arraycopy(dy, dyo, dx, dxo, len);
                return;
            }
            double tk = StrictMath.tanh(w[wo + (int) st.index]);
            double maxTerm = Math.signum(tk) * (1 - tk * tk) / (st.max * st.max) * st.dot;
            CUdeviceptr pdx = sc.alloc(4L * len);
            dev.launch("kure_dorefa_backward", dev.stream, len, CudaDevice.BLOCK, pw, pdy, pdx, (long) len, st.max,
                    st.index, maxTerm);
            dev.sync();
            CudaDevice.download(dx, dxo, len, pdx);
        }
    }

    /** {@inheritDoc} Copies every weight (and gradient) to the device; gradients that change are copied back. */
    @Override
    public KureResult kure(List<float[]> weights, List<float[]> grads, KureConfig config) {
        int T = weights.size();
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            CUdeviceptr[] w = new CUdeviceptr[T];
            CUdeviceptr[] g = grads == null ? null : new CUdeviceptr[T];
            long[] len = new long[T];
            for (int t = 0; t < T; t++) {
                float[] a = weights.get(t);
                len[t] = a.length;
                w[t] = sc.upload(a, 0, a.length);
                if (g != null) {
                    g[t] = sc.upload(grads.get(t), 0, a.length);
                }
            }
            try (KureBatch b = new KureBatch(dev, w, g, len, null)) {
                KureMath.Plan plan = b.plan(config);
                if (g != null) {
                    for (int t = 0; t < T; t++) {
                        if (plan.coef()[t] != 0) {
                            CudaDevice.download(grads.get(t), 0, weights.get(t).length, g[t]);
                        }
                    }
                }
                return plan.result();
            }
        }
    }

    /**
     * {@inheritDoc} On the host, with the reference kernel: the sweep and the MSE / LP_NORM
     * calibration search have no device kernel yet.
     */
    @Override
    public double errorSums(float[] x, int off, int len, long streamBase, long[] streamIndex, Quantizer[] settings,
                            double p, double[] sums) {
        return ScalarSweep.errorSums(x, off, len, streamBase, streamIndex, settings, p, sums);
    }

    /** {@inheritDoc} Segments are staged through pinned memory; gradients that change are copied back. */
    @Override
    public KureResult kureSegments(List<MemorySegment> weights, List<MemorySegment> grads, KureConfig config) {
        int T = weights.size();
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            CUdeviceptr[] w = new CUdeviceptr[T];
            CUdeviceptr[] g = grads == null ? null : new CUdeviceptr[T];
            long[] len = new long[T];
            for (int t = 0; t < T; t++) {
                MemorySegment a = weights.get(t);
                len[t] = a.byteSize() / 4;
                w[t] = sc.alloc(4 * len[t]);
                dev.uploadSegment(a, 0, 4 * len[t], w[t]);
                if (g != null) {
                    g[t] = sc.alloc(4 * len[t]);
                    dev.uploadSegment(grads.get(t), 0, 4 * len[t], g[t]);
                }
            }
            try (KureBatch b = new KureBatch(dev, w, g, len, null)) {
                KureMath.Plan plan = b.plan(config);
                if (g != null) {
                    for (int t = 0; t < T; t++) {
                        if (plan.coef()[t] != 0) {
                            dev.downloadSegment(g[t], grads.get(t), 0, 4 * len[t]);
                        }
                    }
                }
                return plan.result();
            }
        }
    }

    // =============================================================================================
    // Kernel plumbing
    // =============================================================================================

    private static int rounding(Quantizer q) {
        return switch (q.rounding()) {
            case HALF_EVEN -> 0;
            case HALF_AWAY_FROM_ZERO -> 1;
            case HALF_UP -> 2;
            case HALF_DOWN -> 3;
            case FLOOR -> 4;
            case CEIL -> 5;
            case TOWARD_ZERO -> 6;
            case STOCHASTIC -> 7;
            case STOCHASTIC_HASH -> 8;
        };
    }

    private static int overflow(Quantizer q) {
        return switch (q.overflow()) {
            case SATURATE -> 0;
            case WRAP -> 1;
        };
    }

    private static int mode(Quantizer q) {
        return q.mode() == QuantMode.DIVIDE ? 1 : 0;
    }

    private static boolean perTensor(Quantizer q) {
        return q.granularity() == Granularity.PER_TENSOR;
    }

    /**
     * The quantizer parameter tail (TAIL_T or TAIL_C of native/README.md) for n elements; per-channel
     * scales and zero points are uploaded into {@code sc}.
     */
    private Object[] tail(CudaDevice.Scope sc, Quantizer q, long n) {
        if (perTensor(q)) {
            return new Object[] {n, q.scale(0), q.zeroPoint(0), q.qmin(), q.qmax(), q.offset(), rounding(q), overflow(q),
                mode(q), q.seed(), q.streamOffset()};
        }
        return new Object[] {n, sc.upload(q.scales()), sc.upload(q.zeroPoints()), (long) q.paramCount(), q.inner(),
            q.qmin(), q.qmax(), q.offset(), rounding(q), overflow(q), mode(q), q.seed(), q.streamOffset()};
    }

    private static Object[] concat(Object[] a, Object... b) {
        Object[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** Launches {@code base + "_t"/"_c"} with leading pointers then the quantizer tail. */
    private void launchQ(CudaDevice.Scope sc, String base, long units, long perBlock, Quantizer q, long n,
                         Object... lead) {
        String k = base + (perTensor(q) ? "_t" : "_c");
        dev.launch(k, dev.stream, units, perBlock, concat(lead, tail(sc, q, n)));
    }

    private void launchDq(CudaDevice.Scope sc, String base, long n, Quantizer q, Object... lead) {
        Object[] t = perTensor(q)
                ? new Object[] {n, q.scale(0), q.zeroPoint(0), q.qmin(), q.offset()}
                : new Object[] {n, sc.upload(q.scales()), sc.upload(q.zeroPoints()), (long) q.paramCount(), q.inner(),
                    q.qmin(), q.offset()};
        dev.launch(base + (perTensor(q) ? "_t" : "_c"), dev.stream, n, CudaDevice.BLOCK, concat(lead, t));
    }

    /** Forward tiles: 128 elements per warp, 8 warps per block. */
    private void fq(CudaDevice.Scope sc, CUdeviceptr x, CUdeviceptr out, CUdeviceptr mask, long n, Quantizer q) {
        if (n > 0) {
            launchQ(sc, "kure_fq_forward", (n + 127) / 128, CudaDevice.BLOCK / 32, q, n, x, out, mask);
        }
    }

    private void ste(CudaDevice.Scope sc, CUdeviceptr x, CUdeviceptr dy, CUdeviceptr dx, long n, Quantizer q) {
        if (n > 0) {
            launchQ(sc, "kure_fq_ste_backward", (n + 127) / 128, CudaDevice.BLOCK / 32, q, n, x, dy, dx);
        }
    }

    /** Learnable backward, both stages; adds the per-parameter sums (no grad factor) into ds/dz. Synchronous. */
    private void learnable(CudaDevice.Scope sc, CUdeviceptr x, CUdeviceptr dy, CUdeviceptr dx, long n, Quantizer q,
                           double[] ds, double[] dz) {
        if (n == 0) {
            return;
        }
        int C = perTensor(q) ? 1 : q.paramCount();
        long M = n / C;
        long cpc = (M + CudaDevice.CHUNK - 1) / CudaDevice.CHUNK;
        CUdeviceptr partials = sc.alloc(16L * C * cpc);
        CUdeviceptr dsOut = sc.alloc(8L * C), dzOut = sc.alloc(8L * C);
        String k = "kure_fq_learnable_backward" + (perTensor(q) ? "_t" : "_c");
        dev.launch(k, dev.stream, C * cpc, 1, concat(concat(new Object[] {x, dy, dx}, tail(sc, q, n)),
                CudaDevice.CHUNK, partials));
        dev.launch("kure_sum2_segments", dev.stream, C, 1, partials, cpc, C, 1.0, dsOut, dzOut);
        dev.sync();
        double[] a = new double[C], b = new double[C];
        CudaDevice.download(a, dsOut);
        CudaDevice.download(b, dzOut);
        for (int p = 0; p < C; p++) {
            ds[p] += a[p];
            dz[p] += b[p];
        }
    }

    /** Moments of n floats at p laid out [outer, C, inner]: one per channel. Synchronous. */
    private Moments[] momentsOf(CudaDevice.Scope sc, CUdeviceptr p, long n, long C, long inner) {
        Moments[] r = new Moments[Math.toIntExact(C)];
        if (n == 0) {
            java.util.Arrays.fill(r, Moments.EMPTY);
            return r;
        }
        long M = n / C;
        long cpc = (M + CudaDevice.CHUNK - 1) / CudaDevice.CHUNK;
        CUdeviceptr states = sc.alloc(Moments.WIRE_BYTES * C * cpc);
        CUdeviceptr out = sc.alloc(Moments.WIRE_BYTES * C);
        dev.launch("kure_moments_chunks", dev.stream, C * cpc, 1, p, n, C, inner, CudaDevice.CHUNK, states);
        dev.launch("kure_moments_merge", dev.stream, C, 1, states, CudaDevice.nullPtr(), cpc, (int) C, out);
        dev.sync();
        return readMoments(out, r.length);
    }

    private static Moments[] readMoments(CUdeviceptr src, int count) {
        byte[] raw = new byte[count * Moments.WIRE_BYTES];
        CudaDevice.download(raw, 0, raw.length, src);
        Moments[] r = new Moments[count];
        for (int i = 0; i < count; i++) {
            r[i] = Moments.fromBytes(java.util.Arrays.copyOfRange(raw, i * Moments.WIRE_BYTES, (i + 1) * Moments.WIRE_BYTES));
        }
        return r;
    }

    /** Moments of {@code count} floats of a host segment from byte {@code byteOff}, in pinned pieces. */
    private Moments momentsHost(MemorySegment src, long byteOff, long count) {
        if (count == 0) {
            return Moments.EMPTY;
        }
        long pieceFloats = CudaDevice.STAGING_BYTES / 4; // a multiple of CHUNK
        long nchunks = (count + CudaDevice.CHUNK - 1) / CudaDevice.CHUNK;
        long pieces = (count + pieceFloats - 1) / pieceFloats;
        dev.enter();
        try (CudaDevice.Scope sc = dev.scope()) {
            CUdeviceptr states = sc.alloc(Moments.WIRE_BYTES * nchunks);
            CUdeviceptr out = sc.alloc(Moments.WIRE_BYTES);
            long bufFloats = Math.min(count, pieceFloats);
            CUdeviceptr[] buf = {sc.alloc(4 * bufFloats), pieces > 1 ? sc.alloc(4 * bufFloats) : null};
            dev.withStaging((host, seg) -> {
                CUstream[] ss = {dev.stream, dev.stream2};
                for (long p = 0; p < pieces; p++) {
                    int k = (int) (p & 1);
                    long first = p * pieceFloats;
                    long pn = Math.min(pieceFloats, count - first);
                    CudaDevice.check(cuStreamSynchronize(ss[k]), "cuStreamSynchronize");
                    MemorySegment.copy(src, byteOff + 4 * first, seg[k], 0, 4 * pn);
                    CudaDevice.check(jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync(buf[k], host[k], 4 * pn, ss[k]),
                            "cuMemcpyHtoDAsync");
                    long chunk0 = first / CudaDevice.CHUNK;
                    long pc = (pn + CudaDevice.CHUNK - 1) / CudaDevice.CHUNK;
                    dev.launch("kure_moments_chunks", ss[k], pc, 1, buf[k], pn, 1L, pn, CudaDevice.CHUNK,
                            states.withByteOffset(Moments.WIRE_BYTES * chunk0));
                }
                CudaDevice.check(cuStreamSynchronize(dev.stream), "kernel execution (cuStreamSynchronize)");
                CudaDevice.check(cuStreamSynchronize(dev.stream2), "kernel execution (cuStreamSynchronize)");
                return null;
            });
            dev.launch("kure_moments_merge", dev.stream, 1, 1, states, CudaDevice.nullPtr(), nchunks, 1, out);
            dev.sync();
            return readMoments(out, 1)[0];
        }
    }

    /** DoReFa statistics merged in chunk order on the host. */
    private record DoReFaStats(double max, long index, double dot, boolean anyNaN) {}

    private DoReFaStats dorefaStats(CudaDevice.Scope sc, CUdeviceptr w, CUdeviceptr dy, long n) {
        long nchunks = (n + CudaDevice.CHUNK - 1) / CudaDevice.CHUNK;
        CUdeviceptr pmax = sc.alloc(8 * nchunks), pidx = sc.alloc(8 * nchunks), pdot = sc.alloc(8 * nchunks),
                pnan = sc.alloc(4 * nchunks);
        dev.launch("kure_dorefa_stats", dev.stream, nchunks, 1, w, dy, n, CudaDevice.CHUNK, pmax, pidx, pdot, pnan);
        dev.sync();
        int c = Math.toIntExact(nchunks);
        double[] mx = new double[c], dt = new double[c];
        long[] ix = new long[c];
        int[] nn = new int[c];
        CudaDevice.download(mx, pmax);
        CudaDevice.download(ix, pidx);
        CudaDevice.download(dt, pdot);
        CudaDevice.download(nn, pnan);
        double m = 0, dot = 0;
        long k = -1;
        boolean nan = false;
        for (int i = 0; i < c; i++) {
            if (mx[i] > m) {
                m = mx[i];
                k = ix[i];
            }
            dot += dt[i];
            nan |= nn[i] != 0;
        }
        return new DoReFaStats(m, k, dot, nan);
    }

    // =============================================================================================
    // Checks for the DeviceTensor methods (the SPI methods are validated by Kernels)
    // =============================================================================================

    private void mine(DeviceTensor t, String what) {
        if (t.backend() != this) {
            throw new IllegalArgumentException(what + " lives on another device (" + t + ")");
        }
    }

    private void sameLength(DeviceTensor t, long n, String what) {
        mine(t, "tensor");
        if (t.length() != n) {
            throw new IllegalArgumentException(what + " has " + n + " elements, the device tensor " + t.length());
        }
    }

    private static void checkLayout(long n, Quantizer q) {
        if (q == null) {
            throw new NullPointerException("q");
        }
        long need = q.requiredLength();
        if (need >= 0 && need != n) {
            throw new IllegalArgumentException("tensor length must be " + need + " for this " + q.granularity()
                    + " quantizer, was " + n);
        }
    }

    /** Device-to-device copy used by the benchmarks (synchronous, on the legacy stream). */
    void copySync(DeviceTensor src, DeviceTensor dst) {
        dev.enter();
        CudaDevice.check(cuMemcpyDtoD(dst.ptr(), src.ptr(), 4 * src.length()), "cuMemcpyDtoD");
    }
}
