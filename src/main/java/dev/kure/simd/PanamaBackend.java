package dev.kure.simd;

import dev.kure.KureConfig;
import dev.kure.KureResult;
import dev.kure.Moments;
import dev.kure.Quantizer;
import dev.kure.TensorView;
import dev.kure.spi.Staging;
import dev.kure.scalar.ScalarBackend;
import dev.kure.spi.Backend;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The Panama SIMD backend: every kernel hand-vectorized with {@code jdk.incubator.vector}, large
 * inputs and multi-tensor work spread over a fixed pool with fixed chunking (results do not depend
 * on the thread count). Bit-exact with the scalar reference for fake quantization, masks and codes;
 * moments and KURE within docs/semantics.md §2 tolerances. Loaded reflectively by {@code Kernels.cpu()} only when
 * the vector module is readable.
 */
public final class PanamaBackend implements Backend {
    private final Parallel par;
    private final ScalarBackend ref = new ScalarBackend("reference used by the SIMD backend for rare lanes");

    private PanamaBackend(int threads) {
        this.par = new Parallel(threads);
    }

    /**
     * The SIMD backend with the thread count of the system property {@code kure.threads}, else the
     * number of available processors.
     */
    public static Backend create() {
        String t = System.getProperty("kure.threads");
        return create(t == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(t.trim()));
    }

    /** The SIMD backend with {@code threads} threads (1: everything on the calling thread). */
    public static Backend create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        return new PanamaBackend(threads);
    }

    @Override
    public Backend withThreads(int threads) {
        return create(threads);
    }

    @Override public String name() { return "panama"; }

    @Override
    public String describe() {
        return "panama (SIMD, " + Lanes.F.vectorBitSize() + "-bit vectors = " + Lanes.N + " float lanes, "
                + par.threads() + " thread" + (par.threads() == 1 ? "" : "s")
                + "): jdk.incubator.vector is readable";
    }

    @Override
    public Moments moments(float[] x, int off, int len) {
        return SimdMoments.of(x, off, len, par, ref);
    }

    @Override
    public Moments moments(MemorySegment seg, long off, long count) {
        return SimdMoments.of(seg, off, count, par.forSegments(seg, null, null), ref);
    }

    @Override
    public Moments[] momentsPerChannel(float[] x, int off, int outer, int channels, int inner) {
        return SimdMoments.perChannel(x, off, outer, channels, inner, par, ref);
    }

    private static SimdFakeQuant.Call call(long base, Quantizer q, SimdFakeQuant.Mode mode, float[] x, int xo) {
        return SimdFakeQuant.of(base, q, mode, x, xo);
    }

    /** Splits [0, len) into chunks on the pool; each chunk is an independent call. */
    private void chunked(int len, Quantizer q, java.util.function.BiConsumer<Integer, Integer> body) {
        int chunks = Parallel.chunks(len);
        if (chunks <= 1 || q.granularity() != dev.kure.Granularity.PER_TENSOR) {
            body.accept(0, len);
            return;
        }
        par.forEach(chunks, ch -> {
            int from = ch * Parallel.CHUNK;
            body.accept(from, Math.min(Parallel.CHUNK, len - from));
        });
    }

    @Override
    public void fakeQuantize(float[] x, int xo, float[] out, int oo, int len, Quantizer q, long[] mask) {
        if (mask != null || Parallel.chunks(len) <= 1 || q.granularity() != dev.kure.Granularity.PER_TENSOR) {
            // masks are written word-wise: keep them on one thread
            fakeQuantize(0, x, xo, out, oo, len, q, mask);
            return;
        }
        chunked(len, q, (from, n) -> fakeQuantize(from, x, xo + from, out, oo + from, n, q, null));
    }

    @Override
    public void fakeQuantize(long base, float[] x, int xo, float[] out, int oo, int len, Quantizer q, long[] mask) {
        SimdFakeQuant.Call c = call(base, q, SimdFakeQuant.Mode.FORWARD, x, xo);
        c.out = out;
        c.oo = oo;
        c.mask = mask;
        SimdFakeQuant.run(c, len);
    }

    @Override
    public void fakeQuantizeBackward(float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len, Quantizer q) {
        if (Parallel.chunks(len) <= 1 || q.granularity() != dev.kure.Granularity.PER_TENSOR) {
            fakeQuantizeBackward(0, x, xo, dy, dyo, dx, dxo, len, q);
            return;
        }
        chunked(len, q, (from, n) -> fakeQuantizeBackward(from, x, xo + from, dy, dyo + from, dx, dxo + from, n, q));
    }

    @Override
    public void fakeQuantizeBackward(long base, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len,
                                     Quantizer q) {
        SimdFakeQuant.Call c = call(base, q, SimdFakeQuant.Mode.STE, x, xo);
        c.dy = dy;
        c.dyo = dyo;
        c.out = dx;
        c.oo = dxo;
        SimdFakeQuant.run(c, len);
    }

    @Override
    public void steBackward(long[] mask, float[] dy, int dyo, float[] dx, int dxo, int len) {
        SimdMask.apply(mask, dy, dyo, dx, dxo, len);
    }

    @Override
    public void learnableBackward(float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len, Quantizer q,
                                  double[] ds, double[] dz) {
        learnableBackward(0, x, xo, dy, dyo, dx, dxo, len, q, ds, dz);
    }

    @Override
    public void learnableBackward(long base, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len,
                                  Quantizer q, double[] ds, double[] dz) {
        SimdFakeQuant.Call c = call(base, q, SimdFakeQuant.Mode.LEARNABLE, x, xo);
        c.dy = dy;
        c.dyo = dyo;
        c.out = dx;
        c.oo = dxo;
        c.ds = ds;
        c.dz = dz;
        SimdFakeQuant.run(c, len);
    }

    @Override
    public void quantizeInt8(float[] x, int xo, byte[] codes, int co, int len, Quantizer q) {
        quantizeInt8(0, x, xo, codes, co, len, q);
    }

    @Override
    public void quantizeInt8(long base, float[] x, int xo, byte[] codes, int co, int len, Quantizer q) {
        SimdFakeQuant.Call c = call(base, q, SimdFakeQuant.Mode.INT8, x, xo);
        c.codes = codes;
        c.co = co;
        SimdFakeQuant.run(c, len);
    }

    @Override
    public void dequantizeInt8(byte[] codes, int co, float[] out, int oo, int len, Quantizer q) {
        // C2 auto-vectorizes the reference loop (byte -> float widening) and JMH measured it faster
        // than the Vector API version (128 vs 78 GB/s at 1 MiB, bench/results/cpu.md and scalar.md)
        ref.dequantizeInt8(codes, co, out, oo, len, q);
    }

    @Override
    public void dequantizeInt8(long base, byte[] codes, int co, float[] out, int oo, int len, Quantizer q) {
        ref.dequantizeInt8(base, codes, co, out, oo, len, q);
    }

    @Override
    public void quantizeInt4(float[] x, int xo, byte[] packed, int po, int len, Quantizer q) {
        quantizeInt4(0, x, xo, packed, po, len, q);
    }

    @Override
    public void quantizeInt4(long base, float[] x, int xo, byte[] packed, int po, int len, Quantizer q) {
        SimdFakeQuant.Call c = call(base, q, SimdFakeQuant.Mode.INT4, x, xo);
        c.codes = packed;
        c.co = po;
        SimdFakeQuant.run(c, len);
    }

    @Override
    public void dequantizeInt4(byte[] packed, int po, float[] out, int oo, int len, Quantizer q) {
        ref.dequantizeInt4(packed, po, out, oo, len, q); // nibble unpacking: the reference loop
    }

    @Override
    public void dequantizeInt4(long base, byte[] packed, int po, float[] out, int oo, int len, Quantizer q) {
        ref.dequantizeInt4(base, packed, po, out, oo, len, q);
    }

    @Override
    public double dorefaForward(float[] w, int wo, float[] out, int oo, int len, int bits) {
        return SimdDoReFa.forward(w, wo, out, oo, len, bits);
    }

    @Override
    public void dorefaBackward(float[] w, int wo, float[] dy, int dyo, float[] dx, int dxo, int len) {
        SimdDoReFa.backward(w, wo, dy, dyo, dx, dxo, len);
    }

    @Override
    public KureResult kure(List<float[]> weights, List<float[]> grads, KureConfig config) {
        return SimdKure.run(SimdKure.views(heap(weights)), grads == null ? null : heap(grads), config, par, ref);
    }

    @Override
    public KureResult kureSegments(List<MemorySegment> weights, List<MemorySegment> grads, KureConfig config) {
        List<TensorView> ws = SimdKure.views(weights);
        return SimdKure.run(ws, grads, config, SimdKure.parallel(par, ws, grads), ref);
    }

    private static List<MemorySegment> heap(List<float[]> arrays) {
        List<MemorySegment> out = new ArrayList<>(arrays.size());
        for (float[] a : arrays) {
            out.add(MemorySegment.ofArray(a));
        }
        return out;
    }

    // ---- calibration and robustness sweeps (issue 5): SimdCalibration ------------------------------

    @Override
    public float absOrderStatistic(float[] x, int off, int len, long k) {
        return SimdCalibration.absOrderStatistic(x, off, len, k, par);
    }

    @Override
    public float absMax(float[] x, int off, int len) {
        return SimdCalibration.absMax(x, off, len, par);
    }

    @Override
    public double meanAbsDeviation(float[] x, int off, int len, double center) {
        return SimdCalibration.meanAbsDeviation(x, off, len, center, par);
    }

    @Override
    public double errorSums(float[] x, int off, int len, long streamBase, long[] streamIndex, Quantizer[] settings,
                            double p, double[] sums) {
        return SimdCalibration.errorSums(x, off, len, streamBase, streamIndex, settings, p, sums, par);
    }

    // ---- tensor views (issue 12): staged blocks (spi.Staging) on the array kernels, chunks on the pool --
    // Chunks are Parallel.CHUNK elements (a multiple of 64: whole mask words and int4 bytes) whatever the
    // granularity: the base-aware kernels give every element its own parameter set and stream. Each
    // method tests for one chunk before building its lambda: a capturing lambda would allocate on
    // every call, small ones included.

    private static long start(int chunk) {
        return (long) chunk * Parallel.CHUNK;
    }

    private static long size(int chunk, long n) {
        return Math.min(Parallel.CHUNK, n - start(chunk));
    }

    @Override
    public void fakeQuantize(TensorView x, TensorView out, Quantizer q, MemorySegment mask) {
        long n = x.count();
        int chunks = Parallel.chunks(n);
        if (SimdSegments.direct(x, out, q, mask)) {
            if (chunks <= 1) {
                SimdSegments.fakeQuantize(x.segment(), out.segment(), q, 0, (int) n);
                return;
            }
            par.forSegments(x.segment(), out.segment(), null).forEach(chunks, c -> SimdSegments.fakeQuantize(
                    x.segment(), out.segment(), q, start(c), (int) size(c, n)));
            return;
        }
        if (chunks <= 1) {
            Staging.fakeQuantize(this, x, out, q, mask, 0, n);
            return;
        }
        par.forSegments(x.segment(), out.segment(), mask).forEach(chunks,
                c -> Staging.fakeQuantize(this, x, out, q, mask, start(c), size(c, n)));
    }

    @Override
    public void fakeQuantizeBackward(TensorView x, TensorView dy, TensorView dx, Quantizer q) {
        long n = x.count();
        int chunks = Parallel.chunks(n);
        if (chunks <= 1) {
            Staging.fakeQuantizeBackward(this, x, dy, dx, q, 0, n);
            return;
        }
        par.forSegments(x.segment(), dy.segment(), dx.segment()).forEach(chunks, c -> Staging.fakeQuantizeBackward(this, x, dy, dx, q, start(c), size(c, n)));
    }

    @Override
    public void steBackward(MemorySegment mask, TensorView dy, TensorView dx) {
        long n = dy.count();
        int chunks = Parallel.chunks(n);
        if (chunks <= 1) {
            Staging.steBackward(this, mask, dy, dx, 0, n);
            return;
        }
        par.forSegments(mask, dy.segment(), dx.segment()).forEach(chunks, c -> Staging.steBackward(this, mask, dy, dx, start(c), size(c, n)));
    }

    @Override
    public void learnableBackward(TensorView x, TensorView dy, TensorView dx, Quantizer q, double[] ds, double[] dz) {
        long n = x.count();
        int chunks = Parallel.chunks(n);
        if (chunks <= 1) {
            Staging.learnableBackward(this, x, dy, dx, q, ds, dz, 0, n);
            return;
        }
        double[][] s = new double[chunks][ds.length], z = new double[chunks][dz.length];
        par.forSegments(x.segment(), dy.segment(), dx.segment()).forEach(chunks, c -> Staging.learnableBackward(this, x, dy, dx, q, s[c], z[c], start(c), size(c, n)));
        for (int c = 0; c < chunks; c++) { // chunk order: the sums do not depend on the thread count
            for (int p = 0; p < ds.length; p++) {
                ds[p] += s[c][p];
                dz[p] += z[c][p];
            }
        }
    }

    @Override
    public void quantize(TensorView x, MemorySegment codes, Quantizer q, boolean int4) {
        long n = x.count();
        int chunks = Parallel.chunks(n);
        if (chunks <= 1) {
            Staging.quantize(this, x, codes, q, int4, 0, n);
            return;
        }
        par.forSegments(x.segment(), codes, null).forEach(chunks, c -> Staging.quantize(this, x, codes, q, int4, start(c), size(c, n)));
    }

    @Override
    public void dequantize(MemorySegment codes, TensorView out, Quantizer q, boolean int4) {
        long n = out.count();
        int chunks = Parallel.chunks(n);
        if (chunks <= 1) {
            Staging.dequantize(this, codes, out, q, int4, 0, n);
            return;
        }
        par.forSegments(codes, out.segment(), null).forEach(chunks, c -> Staging.dequantize(this, codes, out, q, int4, start(c), size(c, n)));
    }

    @Override
    public Moments moments(TensorView x) {
        return SimdMoments.of(x, 0, x.count(), par.forSegments(x.segment(), null, null), ref);
    }

    @Override
    public float absMax(TensorView x, long off, long len) {
        int chunks = Parallel.chunks(len);
        if (chunks <= 1) {
            return Staging.absMax(this, x, off, len);
        }
        float[] part = new float[chunks];
        par.forSegments(x.segment(), null, null).forEach(chunks, c -> part[c] = Staging.absMax(this, x, off + start(c), size(c, len)));
        int m = 0;
        for (float v : part) {
            m = Math.max(m, Float.floatToRawIntBits(v) & 0x7fffffff);
        }
        return Float.intBitsToFloat(m);
    }

    @Override
    public double errorSums(TensorView x, long off, long len, long streamBase, Quantizer[] settings, double p,
                            double[] sums) {
        int chunks = Parallel.chunks(len);
        if (chunks <= 1) {
            return Staging.errorSums(this, x, off, len, streamBase - off, settings, p, sums);
        }
        double[][] part = new double[chunks][sums.length];
        double[] signal = new double[chunks];
        par.forSegments(x.segment(), null, null).forEach(chunks, c -> signal[c] = Staging.errorSums(this, x, off + start(c), size(c, len),
                streamBase - off, settings, p, part[c]));
        double total = 0;
        for (int c = 0; c < chunks; c++) { // chunk order
            total += signal[c];
            for (int k = 0; k < sums.length; k++) {
                sums[k] += part[c][k];
            }
        }
        return total;
    }

    /** The scalar reference (StrictMath tanh, two staged sweeps): no SIMD DoReFa on views yet. */
    @Override
    public double dorefaForward(TensorView w, TensorView out, int bits) {
        return ref.dorefaForward(w, out, bits);
    }

    /** The scalar reference, as {@link #dorefaForward(TensorView, TensorView, int)}. */
    @Override
    public void dorefaBackward(TensorView w, TensorView dy, TensorView dx) {
        ref.dorefaBackward(w, dy, dx);
    }

    @Override
    public KureResult kureViews(List<TensorView> weights, List<MemorySegment> grads, KureConfig config) {
        return SimdKure.run(weights, grads, config, SimdKure.parallel(par, weights, grads), ref);
    }
}
