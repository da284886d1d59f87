package dev.kure.simd;

import static dev.kure.simd.Lanes.F;
import static dev.kure.simd.Lanes.N;

import dev.kure.Moments;
import dev.kure.spi.Backend;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import jdk.incubator.vector.VectorOperators;

/**
 * Moments with the Vector API. Each block of {@link #BLOCK} floats is read from memory once and
 * swept twice while it sits in L1: pass 1 sums x in double lanes (the mean), pass 2 sums the powers
 * of {@code d = (x - K) - m'} in float lanes, K the block's first element ({@code x - K} is exact
 * for data with a large offset) and K + m' the mean rounded to float; the block's sums are shifted to its exact mean in double and blocks merge with the SPEC §2
 * formulas. Chunks of {@link Parallel#CHUNK} elements fold their blocks left to right and the chunks
 * fold in order, so the result does not depend on the thread count.
 */
final class SimdMoments {
    private SimdMoments() {}

    /** Floats per two-sweep block (2 KiB: stays in L1 between the sweeps; float partial sums stay short). */
    static final int BLOCK = 512;

    private static final ValueLayout.OfFloat FL = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** Moments of {@code count} floats from float index {@code off}, chunked over the pool. */
    static Moments of(MemorySegment seg, long off, long count, Parallel par, Backend ref) {
        int chunks = Parallel.chunks(count);
        if (chunks <= 1) {
            return chunk(seg, off, count, ref, new Moments.Accumulator()).toMoments();
        }
        Moments[] parts = new Moments[chunks];
        par.forEach(chunks, c -> {
            long start = (long) c * Parallel.CHUNK;
            parts[c] = chunk(seg, off + start, Math.min(Parallel.CHUNK, count - start), ref,
                    new Moments.Accumulator()).toMoments();
        });
        Moments.Accumulator acc = new Moments.Accumulator();
        for (Moments m : parts) {
            acc.add(m);
        }
        return acc.toMoments();
    }

    /** Lane sums go through these arrays (see {@link Lanes#sum(float[])}). */
    private static final class Scratch {
        final float[] f = new float[N];
        final double[] d = new double[Lanes.D.length()];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** One chunk: its blocks merged left to right into {@code acc}. */
    static Moments.Accumulator chunk(MemorySegment seg, long off, long count, Backend ref, Moments.Accumulator acc) {
        Scratch tmp = SCRATCH.get();
        for (long b = 0; b < count; b += BLOCK) {
            int len = (int) Math.min(BLOCK, count - b);
            if (!block(seg, off + b, len, acc, tmp)) {
                acc.add(ref.moments(seg, off + b, len)); // NaN/Inf: IEEE results exactly as the reference gives them
            }
        }
        return acc;
    }

    /** Merges one block into acc; false (and nothing merged) if its sums are not finite. */
    private static boolean block(MemorySegment seg, long off, int len, Moments.Accumulator acc, Scratch tmp) {
        long base = off * Float.BYTES;
        float k = seg.get(FL, base);
        FloatVector vk = FloatVector.broadcast(F, k);
        int bound2 = len & -(2 * N);
        int bound1 = len & -N;

        // pass 1: Σx in double lanes (half-width loads widened once): the mean to double accuracy
        DoubleVector a0 = DoubleVector.zero(D), a1 = a0;
        int i = 0;
        for (; i < bound1; i += N) { // half-width loads widened to double, two accumulators
            long at = base + (long) i * Float.BYTES;
            a0 = a0.add((DoubleVector) FloatVector.fromMemorySegment(FH, seg, at, NATIVE).convertShape(VectorOperators.F2D, D, 0));
            a1 = a1.add((DoubleVector) FloatVector.fromMemorySegment(FH, seg, at + 4L * H, NATIVE).convertShape(VectorOperators.F2D, D, 0));
        }
        a0.add(a1).intoArray(tmp.d, 0);
        double sum = Lanes.sum(tmp.d);
        for (; i < len; i++) {
            sum += seg.get(FL, base + (long) i * Float.BYTES);
        }
        double mean = sum / len;
        float mp = (float) (mean - k); // sums of pass 2 are taken about K + m'
        FloatVector vm = FloatVector.broadcast(F, mp);

        // pass 2: Σd, Σd², Σd³, Σd⁴ with d = (x - K) - m', and min / max
        FloatVector s1a = FloatVector.zero(F), s2a = s1a, s3a = s1a, s4a = s1a;
        FloatVector s1b = s1a, s2b = s1a, s3b = s1a, s4b = s1a;
        FloatVector mn = vk, mx = vk;
        i = 0;
        for (; i < bound2; i += 2 * N) {
            FloatVector x0 = FloatVector.fromMemorySegment(F, seg, base + (long) i * Float.BYTES, NATIVE);
            FloatVector x1 = FloatVector.fromMemorySegment(F, seg, base + (long) (i + N) * Float.BYTES, NATIVE);
            mn = mn.min(x0).min(x1);
            mx = mx.max(x0).max(x1);
            FloatVector d0 = x0.sub(vk).sub(vm), d1 = x1.sub(vk).sub(vm);
            FloatVector q0 = d0.mul(d0), q1 = d1.mul(d1);
            s1a = s1a.add(d0);
            s1b = s1b.add(d1);
            s2a = s2a.add(q0);
            s2b = s2b.add(q1);
            s3a = q0.fma(d0, s3a);
            s3b = q1.fma(d1, s3b);
            s4a = q0.fma(q0, s4a);
            s4b = q1.fma(q1, s4b);
        }
        for (; i < bound1; i += N) {
            FloatVector x0 = FloatVector.fromMemorySegment(F, seg, base + (long) i * Float.BYTES, NATIVE);
            mn = mn.min(x0);
            mx = mx.max(x0);
            FloatVector d0 = x0.sub(vk).sub(vm);
            FloatVector q0 = d0.mul(d0);
            s1a = s1a.add(d0);
            s2a = s2a.add(q0);
            s3a = q0.fma(d0, s3a);
            s4a = q0.fma(q0, s4a);
        }
        double t1 = 0, t2 = 0, t3 = 0, t4 = 0;
        double min = mn.reduceLanes(VectorOperators.MIN), max = mx.reduceLanes(VectorOperators.MAX);
        for (; i < len; i++) {
            float x = seg.get(FL, base + (long) i * Float.BYTES);
            min = Math.min(min, x);
            max = Math.max(max, x);
            float d = (x - k) - mp;
            double dd = d;
            t1 += dd;
            t2 += dd * dd;
            t3 += dd * dd * dd;
            t4 += dd * dd * dd * dd;
        }
        if (min == max) {
            acc.add(len, min, 0, 0, 0, min, max);
            return true;
        }
        s1a.add(s1b).intoArray(tmp.f, 0);
        double p1 = Lanes.sum(tmp.f) + t1;
        s2a.add(s2b).intoArray(tmp.f, 0);
        double p2 = Lanes.sum(tmp.f) + t2;
        s3a.add(s3b).intoArray(tmp.f, 0);
        double p3 = Lanes.sum(tmp.f) + t3;
        s4a.add(s4b).intoArray(tmp.f, 0);
        double p4 = Lanes.sum(tmp.f) + t4;
        // shift the raw sums about (K + m') to the block mean K + m' + δ
        double n = len;
        double delta = p1 / n;
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

    private static final VectorSpecies<Double> D = Lanes.D;
    private static final VectorSpecies<Float> FH = VectorSpecies.of(float.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final int H = FH.length();

    /** Per-channel moments of the [outer, channels, inner] layout; channels in parallel. */
    static Moments[] perChannel(MemorySegment seg, long off, int outer, int channels, int inner, Parallel par,
                                Backend ref) {
        Moments[] out = new Moments[channels];
        par.forEach(channels, c -> {
            Moments.Accumulator acc = new Moments.Accumulator();
            for (int o = 0; o < outer; o++) {
                acc.add(chunk(seg, off + ((long) o * channels + c) * inner, inner, ref, new Moments.Accumulator()).toMoments());
            }
            out[c] = acc.toMoments();
        });
        return out;
    }
}
