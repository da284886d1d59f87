package dev.kure.simd;

import static dev.kure.simd.Lanes.F;
import static dev.kure.simd.Lanes.N;

import dev.kure.KureConfig;
import dev.kure.KureResult;
import dev.kure.Moments;
import dev.kure.TensorView;
import dev.kure.spi.Staging;
import dev.kure.spi.Backend;
import dev.kure.spi.KureMath;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;

/**
 * KURE over many tensors: SIMD moments per tensor, the shared plan, then one fused SIMD pass per
 * tensor that adds {@code c·(d³ − m3 − Kb·m2·d)} into its gradient (two reads, one write). Tensors
 * and large tensors' chunks are spread over the pool with fixed boundaries.
 */
final class SimdKure {
    private SimdKure() {}

    private static final ValueLayout.OfFloat FL = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** float32 views of segments. */
    static List<TensorView> views(List<MemorySegment> segments) {
        List<TensorView> out = new ArrayList<>(segments.size());
        for (MemorySegment s : segments) {
            out.add(TensorView.f32(s));
        }
        return out;
    }

    /** par, or the calling thread alone when a weight or gradient segment is confined to its owner. */
    static Parallel parallel(Parallel par, List<TensorView> ws, List<MemorySegment> gs) {
        for (int i = 0; i < ws.size(); i++) {
            if (par.forSegments(ws.get(i).segment(), gs == null ? null : gs.get(i), null) != par) {
                return par.forSegments(ws.get(i).segment(), gs == null ? null : gs.get(i), null);
            }
        }
        return par;
    }

    static KureResult run(List<TensorView> ws, List<MemorySegment> gs, KureConfig cfg, Parallel par, Backend ref) {
        int t = ws.size();
        Moments[] ms = new Moments[t];
        // small tensors: one task each; big ones are chunked inside SimdMoments.of
        par.forEach(t, i -> {
            TensorView w = ws.get(i);
            ms[i] = Parallel.chunks(w.count()) > 1 ? null : SimdMoments.chunkOf(w, 0, w.count(), ref);
        });
        for (int i = 0; i < t; i++) {
            if (ms[i] == null) {
                ms[i] = SimdMoments.of(ws.get(i), 0, ws.get(i).count(), par, ref);
            }
        }
        KureMath.Plan plan = KureMath.plan(ms, cfg);
        if (gs == null) {
            return plan.result();
        }
        // gradient pass: tasks are (tensor, chunk) pairs in a fixed order
        int[] first = new int[t + 1];
        for (int i = 0; i < t; i++) {
            long n = ws.get(i).count();
            first[i + 1] = first[i] + (plan.coef()[i] == 0 ? 0 : Math.max(1, Parallel.chunks(n)));
        }
        par.forEach(first[t], task -> {
            int i = tensorOf(first, task);
            long n = ws.get(i).count();
            long start = (long) (task - first[i]) * Parallel.CHUNK;
            long len = Math.min(Parallel.CHUNK, n - start);
            TensorView w = ws.get(i);
            if (Staging.isF32(w)) {
                addGradient(w.segment(), gs.get(i), start, len, plan.coef()[i], plan.mean(i), plan.m3(i), plan.kbm2(i));
            } else {
                addGradientStaged(w, gs.get(i), start, len, plan.coef()[i], plan.mean(i), plan.m3(i), plan.kbm2(i));
            }
        });
        return plan.result();
    }

    private static int tensorOf(int[] first, int task) {
        int lo = 0, hi = first.length - 2;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (first[mid] <= task) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** g += c·(d³ − m3 − kbm2·d), d = w − mean, on float lanes (the reference does it in double). */
    private static void addGradient(MemorySegment w, MemorySegment g, long from, long len, double c, double mean,
                                    double m3, double kbm2) {
        float cf = (float) c, mf = (float) mean, m3f = (float) m3, kf = (float) kbm2;
        long i = 0;
        long bound = len - len % N;
        for (; i < bound; i += N) {
            long off = (from + i) * Float.BYTES;
            FloatVector d = FloatVector.fromMemorySegment(F, w, off, NATIVE).sub(mf);
            FloatVector term = d.mul(d).sub(kf).mul(d).sub(m3f).mul(cf);
            FloatVector.fromMemorySegment(F, g, off, NATIVE).add(term).intoMemorySegment(g, off, NATIVE);
        }
        for (; i < len; i++) {
            long off = (from + i) * Float.BYTES;
            double d = w.get(FL, off) - mean;
            g.set(FL, off, (float) (g.get(FL, off) + c * (d * d * d - m3 - kbm2 * d)));
        }
    }

    /** {@link #addGradient} for 16-bit weights: each block widened into the staging scratch first. */
    private static void addGradientStaged(TensorView w, MemorySegment g, long from, long len, double c, double mean,
                                          double m3, double kbm2) {
        float cf = (float) c, mf = (float) mean, m3f = (float) m3, kf = (float) kbm2;
        Staging.Scratch s = Staging.scratch();
        float[] a = s.a;
        for (long b = 0; b < len; b += Staging.BLOCK) {
            int n = (int) Math.min(Staging.BLOCK, len - b);
            Staging.load(w, from + b, a, 0, n, s);
            int i = 0;
            for (; i + N <= n; i += N) {
                long off = (from + b + i) * Float.BYTES;
                FloatVector d = FloatVector.fromArray(F, a, i).sub(mf);
                FloatVector term = d.mul(d).sub(kf).mul(d).sub(m3f).mul(cf);
                FloatVector.fromMemorySegment(F, g, off, NATIVE).add(term).intoMemorySegment(g, off, NATIVE);
            }
            for (; i < n; i++) {
                long off = (from + b + i) * Float.BYTES;
                double d = a[i] - mean;
                g.set(FL, off, (float) (g.get(FL, off) + c * (d * d * d - m3 - kbm2 * d)));
            }
        }
    }
}
