package dev.kure.simd;

import static dev.kure.simd.Lanes.D;
import static dev.kure.simd.Lanes.F;
import static dev.kure.simd.Lanes.N;

import dev.kure.Moments;
import dev.kure.TensorView;
import dev.kure.spi.Staging;
import dev.kure.spi.Backend;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Moments with the Vector API. Each block of {@link #BLOCK} floats is read from memory once and
 * swept twice while it sits in L1: pass 1 sums x in double lanes (the mean, to double accuracy),
 * pass 2 sums the powers of {@code d = x - m} in float lanes, m the mean rounded to float ({@code x - m}
 * is exact for data with a large offset); the raw sums are shifted to the exact mean in double and
 * blocks merge with the SPEC §2 formulas. Chunks of {@link Parallel#CHUNK} elements fold their
 * blocks left to right and the chunks fold in order, so results do not depend on the thread count.
 * Tensor views (any element type) are widened block by block into a scratch array
 * ({@link Staging#load}) and take the same path as arrays: the same results as the array of the
 * widened values. A direct segment read measured no faster: the block is swept twice from L1 anyway.
 */
final class SimdMoments {
    private SimdMoments() {}

    /**
     * Floats per two-sweep block: 128 vectors (8 KiB at 512 bits), in L1 between the sweeps; with
     * four accumulators every float partial sum has 32 terms at any vector width.
     */
    static final int BLOCK = 128 * N;

    private static final VectorSpecies<Float> FH = VectorSpecies.of(float.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final int H = FH.length();

    /** Per-thread scratch: lane sums (see {@link Lanes#sum(float[])}) and a block copied from a segment. */
    private static final class Scratch {
        final float[] f = new float[N];
        final double[] d = new double[D.length()];
        final float[] block = new float[BLOCK];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Where a chunk's floats come from: an array or a tensor view of any element type. */
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
            return chunk(src, off, count, ref, new Moments.Accumulator()).toMoments();
        }
        Moments[] parts = new Moments[chunks];
        par.forEach(chunks, c -> {
            long start = (long) c * Parallel.CHUNK;
            parts[c] = chunk(src, off + start, Math.min(Parallel.CHUNK, count - start), ref,
                    new Moments.Accumulator()).toMoments();
        });
        Moments.Accumulator acc = new Moments.Accumulator();
        for (Moments m : parts) {
            acc.add(m);
        }
        return acc.toMoments();
    }

    /** One chunk of an array or segment, as a fresh accumulator's worth of blocks merged left to right. */
    static Moments chunkOf(float[] x, int off, int len, Backend ref) {
        return chunk(new Src(x, null), off, len, ref, new Moments.Accumulator()).toMoments();
    }

    /** One chunk of a tensor view (see {@link #chunkOf(float[], int, int, Backend)}). */
    static Moments chunkOf(TensorView x, long off, long count, Backend ref) {
        return chunk(new Src(null, x), off, count, ref, new Moments.Accumulator()).toMoments();
    }

    private static Moments.Accumulator chunk(Src src, long off, long count, Backend ref, Moments.Accumulator acc) {
        Scratch tmp = SCRATCH.get();
        for (long b = 0; b < count; b += BLOCK) {
            int len = (int) Math.min(BLOCK, count - b);
            boolean ok;
            if (src.array() != null) {
                ok = block(src.array(), (int) (off + b), len, acc, tmp);
            } else {
                Staging.load(src.view(), off + b, tmp.block, 0, len, Staging.scratch());
                ok = block(tmp.block, 0, len, acc, tmp);
            }
            if (!ok) { // NaN/Inf: IEEE results exactly as the reference gives them
                acc.add(src.array() != null ? ref.moments(src.array(), (int) (off + b), len)
                        : ref.moments(tmp.block, 0, len));
            }
        }
        return acc;
    }

    /** Merges one block into acc; false (and nothing merged) if its sums are not finite. */
    private static boolean block(float[] x, int off, int len, Moments.Accumulator acc, Scratch tmp) {
        int bound1 = len & -N;

        // pass 1: Σx in double lanes (half-width loads widened once)
        DoubleVector a0 = DoubleVector.zero(D), a1 = a0;
        int i = 0;
        for (; i < bound1; i += N) {
            a0 = a0.add((DoubleVector) FloatVector.fromArray(FH, x, off + i).convertShape(VectorOperators.F2D, D, 0));
            a1 = a1.add((DoubleVector) FloatVector.fromArray(FH, x, off + i + H).convertShape(VectorOperators.F2D, D, 0));
        }
        a0.add(a1).intoArray(tmp.d, 0);
        double sum = Lanes.sum(tmp.d);
        for (; i < len; i++) {
            sum += x[off + i];
        }
        double mean = sum / len;
        float m = (float) mean;
        FloatVector vm = FloatVector.broadcast(F, m);

        // pass 2: Σd², Σd³, Σd⁴ with d = x - m, and min / max; four independent accumulator sets
        FloatVector z = FloatVector.zero(F);
        FloatVector s2a = z, s3a = z, s4a = z, s2b = z, s3b = z, s4b = z;
        FloatVector s2c = z, s3c = z, s4c = z, s2d = z, s3d = z, s4d = z;
        FloatVector mn = FloatVector.broadcast(F, x[off]), mx = mn, mn2 = mn, mx2 = mn;
        int bound4 = len & -(4 * N);
        i = 0;
        for (; i < bound4; i += 4 * N) {
            FloatVector x0 = FloatVector.fromArray(F, x, off + i), x1 = FloatVector.fromArray(F, x, off + i + N);
            FloatVector x2 = FloatVector.fromArray(F, x, off + i + 2 * N), x3 = FloatVector.fromArray(F, x, off + i + 3 * N);
            mn = mn.min(x0).min(x1);
            mx = mx.max(x0).max(x1);
            mn2 = mn2.min(x2).min(x3);
            mx2 = mx2.max(x2).max(x3);
            FloatVector d0 = x0.sub(vm), d1 = x1.sub(vm), d2 = x2.sub(vm), d3 = x3.sub(vm);
            FloatVector q0 = d0.mul(d0), q1 = d1.mul(d1), q2 = d2.mul(d2), q3 = d3.mul(d3);
            s2a = s2a.add(q0);
            s2b = s2b.add(q1);
            s2c = s2c.add(q2);
            s2d = s2d.add(q3);
            s3a = q0.fma(d0, s3a);
            s3b = q1.fma(d1, s3b);
            s3c = q2.fma(d2, s3c);
            s3d = q3.fma(d3, s3d);
            s4a = q0.fma(q0, s4a);
            s4b = q1.fma(q1, s4b);
            s4c = q2.fma(q2, s4c);
            s4d = q3.fma(q3, s4d);
        }
        for (; i < bound1; i += N) {
            FloatVector x0 = FloatVector.fromArray(F, x, off + i);
            mn = mn.min(x0);
            mx = mx.max(x0);
            FloatVector d0 = x0.sub(vm);
            FloatVector q0 = d0.mul(d0);
            s2a = s2a.add(q0);
            s3a = q0.fma(d0, s3a);
            s4a = q0.fma(q0, s4a);
        }
        mn = mn.min(mn2);
        mx = mx.max(mx2);
        s2a = s2a.add(s2b).add(s2c.add(s2d));
        s3a = s3a.add(s3b).add(s3c.add(s3d));
        s4a = s4a.add(s4b).add(s4c.add(s4d));
        double t2 = 0, t3 = 0, t4 = 0;
        double min = mn.reduceLanes(VectorOperators.MIN), max = mx.reduceLanes(VectorOperators.MAX);
        for (; i < len; i++) {
            float v = x[off + i];
            min = Math.min(min, v);
            max = Math.max(max, v);
            double d = v - m;
            t2 += d * d;
            t3 += d * d * d;
            t4 += d * d * d * d;
        }
        if (min == max) {
            acc.add(len, min, 0, 0, 0, min, max);
            return true;
        }
        s2a.intoArray(tmp.f, 0);
        double p2 = Lanes.sum(tmp.f) + t2;
        s3a.intoArray(tmp.f, 0);
        double p3 = Lanes.sum(tmp.f) + t3;
        s4a.intoArray(tmp.f, 0);
        double p4 = Lanes.sum(tmp.f) + t4;
        // shift the sums about m to the mean: x - mean = d - δ, Σd = n·δ
        double n = len;
        double delta = mean - m;
        double d2 = delta * delta;
        double c2 = p2 - n * d2;
        double c3 = p3 - 3 * delta * p2 + 2 * n * d2 * delta;
        double c4 = p4 - 4 * delta * p3 + 6 * d2 * p2 - 3 * n * d2 * d2;
        if (!Double.isFinite(c4) || !Double.isFinite(mean)) {
            return false;
        }
        acc.add(len, mean, Math.max(c2, 0), c3, Math.max(c4, 0), min, max);
        return true;
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
