package dev.kure.simd;

import static dev.kure.simd.Lanes.D;
import static dev.kure.simd.Lanes.F;
import static dev.kure.simd.Lanes.N;

import dev.kure.Moments;
import dev.kure.TensorView;
import dev.kure.spi.Staging;
import dev.kure.spi.Backend;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Moments with the Vector API, in one read of the data. A chunk is swept once against a pilot
 * shift p, the float mean of its first {@link #PILOT} elements: Σx in double lanes (the mean, to
 * double accuracy) and the power sums Σd², Σd³, Σd⁴ of {@code d = x - p} in float lanes, folded into
 * double lanes every {@link #BLOCK} elements (32 terms per float partial sum at any vector width),
 * with min and max. The sums about p are shifted to the exact mean in double. The shift amplifies
 * the float rounding of the power sums by about 1 + 6δ²/σ² (δ = mean − p), so an exactness guard
 * accepts the sweep only where δ² ≤ σ²/{@link #GUARD}; otherwise (sorted input, a tensor that starts
 * with padding) the chunk is swept again with p = the float mean just computed, the two passes of
 * the textbook method. Chunks of {@link Parallel#CHUNK} elements fold in order, so results do not
 * depend on the thread count. Segments are copied block by block into a scratch array and take the
 * same sweep as arrays; so are tensor views of any element type, widened block by block
 * ({@link Staging#load}): the same results as the array of the widened values.
 */
final class SimdMoments {
    private SimdMoments() {}

    /** Floats between two folds of the float power sums into double: 32 terms per partial sum. */
    static final int BLOCK = 128 * N;

    /** Elements that set the pilot shift. */
    static final int PILOT = 1024;

    /** The guard accepts a sweep where (mean − p)² ≤ variance / GUARD (error amplification ≤ 1.1). */
    static final double GUARD = 64;

    /** Floats copied from a segment per sweep (L1/L2-resident scratch). */
    private static final int COPY = 8 * BLOCK;

    private static final VectorSpecies<Float> FH = VectorSpecies.of(float.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final int H = FH.length();
    private static final int DL = D.length();

    /**
     * Per-thread scratch: a sweep's running sums in lanes (carried across the sweeps of a segment's
     * copied blocks), lane sums for {@link Lanes#sum}, and the block copied from a segment.
     */
    private static final class Scratch {
        final double[] acc = new double[5 * DL]; // Σx (two vectors), Σd², Σd³, Σd⁴
        final float[] mn = new float[N], mx = new float[N];
        double tx, t2, t3, t4, tmin, tmax;       // the scalar tails' share
        final double[] d = new double[DL];
        final float[] f = new float[N];
        final float[] block = new float[COPY];

        void clear(float first) {
            Arrays.fill(acc, 0);
            Arrays.fill(mn, first);
            Arrays.fill(mx, first);
            tx = t2 = t3 = t4 = 0;
            tmin = tmax = first;
        }

        /** Sum of the lanes of the double vector stored at {@code acc[at ..]}, in index order. */
        double lanes(int at) {
            System.arraycopy(acc, at, d, 0, DL);
            return Lanes.sum(d);
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Where a chunk's floats come from: an array or a tensor view (widened block by block). */
    private record Src(float[] array, TensorView view) {}

    static Moments of(float[] x, int off, int len, Parallel par, Backend ref) {
        return of(new Src(x, null), off, len, par, ref);
    }

    static Moments of(MemorySegment seg, long off, long count, Parallel par, Backend ref) {
        return of(new Src(null, TensorView.f32(seg)), off, count, par, ref);
    }

    static Moments of(TensorView x, long off, long count, Parallel par, Backend ref) {
        return of(new Src(null, x), off, count, par, ref);
    }

    private static Moments of(Src src, long off, long count, Parallel par, Backend ref) {
        int chunks = Parallel.chunks(count);
        if (chunks <= 1) {
            return chunk(src, off, count, ref);
        }
        Moments[] parts = new Moments[chunks];
        par.forEach(chunks, c -> {
            long start = (long) c * Parallel.CHUNK;
            parts[c] = chunk(src, off + start, Math.min(Parallel.CHUNK, count - start), ref);
        });
        Moments.Accumulator acc = new Moments.Accumulator();
        for (Moments m : parts) {
            acc.add(m);
        }
        return acc.toMoments();
    }

    /** One chunk of an array (the unit that per-channel work and the KURE statistics merge). */
    static Moments chunkOf(float[] x, int off, int len, Backend ref) {
        return chunk(new Src(x, null), off, len, ref);
    }

    /** One chunk of a float32 segment (see {@link #chunkOf(float[], int, int, Backend)}). */
    static Moments chunkOf(MemorySegment seg, long off, long count, Backend ref) {
        return chunk(new Src(null, TensorView.f32(seg)), off, count, ref);
    }

    /** One chunk of a tensor view (see {@link #chunkOf(float[], int, int, Backend)}). */
    static Moments chunkOf(TensorView x, long off, long count, Backend ref) {
        return chunk(new Src(null, x), off, count, ref);
    }

    /** The moments of one chunk: one sweep when the guard accepts its pilot shift, else two. */
    private static Moments chunk(Src src, long off, long count, Backend ref) {
        if (count == 0) {
            return Moments.EMPTY;
        }
        Scratch t = SCRATCH.get();
        float pilot = pilot(src, off, count, t);
        sweepAll(src, off, count, pilot, t);
        double n = count;
        double mean = (t.lanes(0) + t.lanes(DL) + t.tx) / n;
        double min = t.tmin, max = t.tmax;
        for (int j = 0; j < N; j++) {
            min = Math.min(min, t.mn[j]);
            max = Math.max(max, t.mx[j]);
        }
        if (!Double.isFinite(mean)) {
            return reference(src, off, count, ref);
        }
        if (min == max) { // constant data: exactly zero central sums
            return Moments.of(count, min, 0, 0, 0, min, max);
        }
        double delta = mean - pilot;
        double p2 = t.lanes(2 * DL) + t.t2;
        double c2 = p2 - n * delta * delta;
        if (!(delta * delta * GUARD <= c2 / n)) {
            pilot = (float) mean; // the second pass: δ is now at most half an ulp of the mean
            sweepAll(src, off, count, pilot, t);
            delta = mean - pilot;
            p2 = t.lanes(2 * DL) + t.t2;
        }
        double p3 = t.lanes(3 * DL) + t.t3, p4 = t.lanes(4 * DL) + t.t4;
        // shift the sums about p to the mean: x - mean = d - δ, Σd = n·δ
        double d2 = delta * delta;
        c2 = p2 - n * d2;
        double c3 = p3 - 3 * delta * p2 + 2 * n * d2 * delta;
        double c4 = p4 - 4 * delta * p3 + 6 * d2 * p2 - 3 * n * d2 * d2;
        if (!Double.isFinite(c4)) {
            return reference(src, off, count, ref);
        }
        return Moments.of(count, mean, Math.max(c2, 0), c3, Math.max(c4, 0), min, max);
    }

    /** NaN, ±Inf or overflowing powers: the IEEE results exactly as the reference gives them. */
    private static Moments reference(Src src, long off, long count, Backend ref) {
        return src.array() != null ? ref.moments(src.array(), (int) off, (int) count)
                : ref.moments(src.view().slice(off, count));
    }

    /** The float mean of the chunk's first {@link #PILOT} elements (float sums: it only sets the shift). */
    private static float pilot(Src src, long off, long count, Scratch t) {
        int k = (int) Math.min(PILOT, count);
        float[] x;
        int xo;
        if (src.array() != null) {
            x = src.array();
            xo = (int) off;
        } else {
            load(src.view(), off, t.block, k);
            x = t.block;
            xo = 0;
        }
        FloatVector s = FloatVector.zero(F);
        int i = 0;
        for (; i + N <= k; i += N) {
            s = s.add(FloatVector.fromArray(F, x, xo + i));
        }
        s.intoArray(t.f, 0); // in a fixed order (not reduceLanes): the shift must not depend on the JIT tier
        double sum = Lanes.sum(t.f);
        for (; i < k; i++) {
            sum += x[xo + i];
        }
        return (float) (sum / k);
    }

    /** Widens {@code n} elements of a view from {@code off} into {@code dst[0, n)}, in Staging-sized pieces. */
    private static void load(TensorView v, long off, float[] dst, int n) {
        Staging.Scratch s = Staging.scratch();
        for (int i = 0; i < n; i += Staging.BLOCK) {
            Staging.load(v, off + i, dst, i, Math.min(Staging.BLOCK, n - i), s);
        }
    }

    /** Sweeps a whole chunk about {@code pilot} into the scratch's sums. */
    private static void sweepAll(Src src, long off, long count, float pilot, Scratch t) {
        float first;
        if (src.array() != null) {
            first = src.array()[(int) off];
        } else {
            Staging.load(src.view(), off, t.f, 0, 1, Staging.scratch());
            first = t.f[0];
        }
        t.clear(first);
        if (src.array() != null) {
            sweep(src.array(), (int) off, (int) count, pilot, t);
            return;
        }
        for (long b = 0; b < count; b += COPY) {
            int len = (int) Math.min(COPY, count - b);
            load(src.view(), off + b, t.block, len);
            sweep(t.block, 0, len, pilot, t);
        }
    }

    /**
     * Adds x[off, off + len) to the scratch's sums: Σx in double lanes, Σd², Σd³, Σd⁴ of d = x − p in
     * float lanes (four accumulator sets) folded into double lanes every {@link #BLOCK} elements,
     * min and max; the last elements (fewer than 4·N) in double. Every vector stays in a register
     * within this one method; the running sums enter and leave through the scratch arrays.
     */
    private static void sweep(float[] x, int off, int len, float pilot, Scratch t) {
        FloatVector vm = FloatVector.broadcast(F, pilot), z = FloatVector.zero(F);
        DoubleVector sx0 = DoubleVector.fromArray(D, t.acc, 0), sx1 = DoubleVector.fromArray(D, t.acc, DL);
        DoubleVector p2 = DoubleVector.fromArray(D, t.acc, 2 * DL), p3 = DoubleVector.fromArray(D, t.acc, 3 * DL);
        DoubleVector p4 = DoubleVector.fromArray(D, t.acc, 4 * DL);
        FloatVector mn = FloatVector.fromArray(F, t.mn, 0), mx = FloatVector.fromArray(F, t.mx, 0), mn2 = mn, mx2 = mx;
        int bound = len & -(4 * N);
        int i = 0;
        while (i < bound) {
            int end = Math.min(bound, i + BLOCK);
            FloatVector s2a = z, s3a = z, s4a = z, s2b = z, s3b = z, s4b = z;
            FloatVector s2c = z, s3c = z, s4c = z, s2d = z, s3d = z, s4d = z;
            for (; i < end; i += 4 * N) {
                int at = off + i;
                FloatVector x0 = FloatVector.fromArray(F, x, at), x1 = FloatVector.fromArray(F, x, at + N);
                FloatVector x2 = FloatVector.fromArray(F, x, at + 2 * N), x3 = FloatVector.fromArray(F, x, at + 3 * N);
                // Σx exactly enough for the mean: floats widened to double, added as a tree so each
                // double accumulator takes one add per 4·N elements
                DoubleVector w0 = (DoubleVector) FloatVector.fromArray(FH, x, at).convertShape(VectorOperators.F2D, D, 0);
                DoubleVector w1 = (DoubleVector) FloatVector.fromArray(FH, x, at + H).convertShape(VectorOperators.F2D, D, 0);
                DoubleVector w2 = (DoubleVector) FloatVector.fromArray(FH, x, at + N).convertShape(VectorOperators.F2D, D, 0);
                DoubleVector w3 = (DoubleVector) FloatVector.fromArray(FH, x, at + N + H).convertShape(VectorOperators.F2D, D, 0);
                DoubleVector w4 = (DoubleVector) FloatVector.fromArray(FH, x, at + 2 * N).convertShape(VectorOperators.F2D, D, 0);
                DoubleVector w5 = (DoubleVector) FloatVector.fromArray(FH, x, at + 2 * N + H).convertShape(VectorOperators.F2D, D, 0);
                DoubleVector w6 = (DoubleVector) FloatVector.fromArray(FH, x, at + 3 * N).convertShape(VectorOperators.F2D, D, 0);
                DoubleVector w7 = (DoubleVector) FloatVector.fromArray(FH, x, at + 3 * N + H).convertShape(VectorOperators.F2D, D, 0);
                sx0 = sx0.add(w0.add(w2).add(w4.add(w6)));
                sx1 = sx1.add(w1.add(w3).add(w5.add(w7)));
                mn = mn.min(x0).min(x1);
                mx = mx.max(x0).max(x1);
                mn2 = mn2.min(x2).min(x3);
                mx2 = mx2.max(x2).max(x3);
                FloatVector d0 = x0.sub(vm), d1 = x1.sub(vm), d2 = x2.sub(vm), d3 = x3.sub(vm);
                FloatVector q0 = d0.mul(d0), q1 = d1.mul(d1), q2 = d2.mul(d2), q3 = d3.mul(d3);
                s2a = d0.fma(d0, s2a);
                s2b = d1.fma(d1, s2b);
                s2c = d2.fma(d2, s2c);
                s2d = d3.fma(d3, s2d);
                s3a = q0.fma(d0, s3a);
                s3b = q1.fma(d1, s3b);
                s3c = q2.fma(d2, s3c);
                s3d = q3.fma(d3, s3d);
                s4a = q0.fma(q0, s4a);
                s4b = q1.fma(q1, s4b);
                s4c = q2.fma(q2, s4c);
                s4d = q3.fma(q3, s4d);
            }
            FloatVector s2 = s2a.add(s2b).add(s2c.add(s2d));
            FloatVector s3 = s3a.add(s3b).add(s3c.add(s3d));
            FloatVector s4 = s4a.add(s4b).add(s4c.add(s4d));
            p2 = p2.add((DoubleVector) s2.convertShape(VectorOperators.F2D, D, 0))
                    .add((DoubleVector) s2.convertShape(VectorOperators.F2D, D, 1));
            p3 = p3.add((DoubleVector) s3.convertShape(VectorOperators.F2D, D, 0))
                    .add((DoubleVector) s3.convertShape(VectorOperators.F2D, D, 1));
            p4 = p4.add((DoubleVector) s4.convertShape(VectorOperators.F2D, D, 0))
                    .add((DoubleVector) s4.convertShape(VectorOperators.F2D, D, 1));
        }
        sx0.intoArray(t.acc, 0);
        sx1.intoArray(t.acc, DL);
        p2.intoArray(t.acc, 2 * DL);
        p3.intoArray(t.acc, 3 * DL);
        p4.intoArray(t.acc, 4 * DL);
        mn.min(mn2).intoArray(t.mn, 0);
        mx.max(mx2).intoArray(t.mx, 0);
        for (; i < len; i++) {
            float v = x[off + i];
            t.tmin = Math.min(t.tmin, v);
            t.tmax = Math.max(t.tmax, v);
            double d = v - pilot;
            t.tx += v;
            t.t2 += d * d;
            t.t3 += d * d * d;
            t.t4 += d * d * d * d;
        }
    }

    /** Per-channel moments of the [outer, channels, inner] layout; channels in parallel. */
    static Moments[] perChannel(float[] x, int off, int outer, int channels, int inner, Parallel par, Backend ref) {
        Moments[] out = new Moments[channels];
        par.forEach(channels, c -> {
            Moments.Accumulator acc = new Moments.Accumulator();
            for (int o = 0; o < outer; o++) {
                acc.add(chunkOf(x, off + (o * channels + c) * inner, inner, ref));
            }
            out[c] = acc.toMoments();
        });
        return out;
    }
}
