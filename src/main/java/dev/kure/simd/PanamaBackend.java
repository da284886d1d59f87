package dev.kure.simd;

import dev.kure.KureConfig;
import dev.kure.KureResult;
import dev.kure.Moments;
import dev.kure.Quantizer;
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
        return SimdMoments.of(seg, off, count, par, ref);
    }

    @Override
    public Moments[] momentsPerChannel(float[] x, int off, int outer, int channels, int inner) {
        return SimdMoments.perChannel(x, off, outer, channels, inner, par, ref);
    }

    private static SimdFakeQuant.Call call(Quantizer q, SimdFakeQuant.Mode mode, float[] x, int xo) {
        return SimdFakeQuant.of(q, mode, x, xo);
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
            SimdFakeQuant.Call c = call(q, SimdFakeQuant.Mode.FORWARD, x, xo);
            c.out = out;
            c.oo = oo;
            c.mask = mask;
            SimdFakeQuant.run(c, len);
            return;
        }
        chunked(len, q, (from, n) -> {
            SimdFakeQuant.Call c = call(q.withStreamOffset(q.streamOffset() + from), SimdFakeQuant.Mode.FORWARD, x, xo + from);
            c.out = out;
            c.oo = oo + from;
            SimdFakeQuant.run(c, n);
        });
    }

    @Override
    public void fakeQuantizeBackward(float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len, Quantizer q) {
        if (Parallel.chunks(len) <= 1 || q.granularity() != dev.kure.Granularity.PER_TENSOR) {
            steRange(x, xo, dy, dyo, dx, dxo, len, q);
            return;
        }
        chunked(len, q, (from, n) -> steRange(x, xo + from, dy, dyo + from, dx, dxo + from, n,
                q.withStreamOffset(q.streamOffset() + from)));
    }

    private static void steRange(float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len, Quantizer q) {
        SimdFakeQuant.Call c = call(q, SimdFakeQuant.Mode.STE, x, xo);
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
        SimdFakeQuant.Call c = call(q, SimdFakeQuant.Mode.LEARNABLE, x, xo);
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
        SimdFakeQuant.Call c = call(q, SimdFakeQuant.Mode.INT8, x, xo);
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
    public void quantizeInt4(float[] x, int xo, byte[] packed, int po, int len, Quantizer q) {
        SimdFakeQuant.Call c = call(q, SimdFakeQuant.Mode.INT4, x, xo);
        c.codes = packed;
        c.co = po;
        SimdFakeQuant.run(c, len);
    }

    @Override
    public void dequantizeInt4(byte[] packed, int po, float[] out, int oo, int len, Quantizer q) {
        ref.dequantizeInt4(packed, po, out, oo, len, q); // nibble unpacking: the reference loop
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
        return SimdKure.run(heap(weights), grads == null ? null : heap(grads), config, par, ref);
    }

    @Override
    public KureResult kureSegments(List<MemorySegment> weights, List<MemorySegment> grads, KureConfig config) {
        return SimdKure.run(weights, grads, config, par, ref);
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
}
