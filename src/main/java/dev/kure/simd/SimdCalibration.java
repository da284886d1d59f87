package dev.kure.simd;

import static dev.kure.simd.Lanes.D;
import static dev.kure.simd.Lanes.F;
import static dev.kure.simd.Lanes.I;
import static dev.kure.simd.Lanes.N;

import dev.kure.Overflow;
import dev.kure.QuantMode;
import dev.kure.Quantizer;
import dev.kure.Rounding;
import dev.kure.spi.QuantMath;
import dev.kure.spi.RadixSelect;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Calibration and robustness-sweep kernels on float lanes: the multi-setting error sums (the hot
 * kernel of sweeps and MSE / LP_NORM calibration), max |x|, the mean absolute deviation, and the exact order
 * statistic of |x| (radix select whose histogram passes run per chunk on the pool).
 *
 * <p><b>errorSums.</b> The input is cut into {@link #CHUNK}-element chunks (fixed boundaries,
 * each chunk's per-setting sums in its own slot, slots added in chunk order: the result does not
 * depend on the thread count) and every chunk into blocks of {@link #BLOCK} floats that stay in L1
 * while every setting is evaluated on them. A setting's fake-quant values are bit-identical with
 * {@code fakeQuantize}:
 * <ul>
 *   <li>the common case (p = 2, MULTIPLY, SATURATE, HALF_EVEN, h = 0) runs a fused loop: y = x·inv
 *       clamped to [qmin − z, qmax − z] (rint commutes with clamping to integer bounds), rint by the
 *       1.5·2^23 trick, out = r·s, e = out − x in float (exact whenever out and x are within a factor
 *       of two, i.e. for all but far-clipped elements), e² summed in float lanes over runs of
 *       {@link #RUN} vectors and the runs' sums in double lanes;</li>
 *   <li>every other setting (every rounding policy, MIDRISE, WRAP, DIVIDE, STOCHASTIC, p ≠ 2) runs
 *       {@link SimdFakeQuant#core} — the same vector rounding as fake-quant, not a copy of it — on
 *       sub-blocks of {@link SimdFakeQuant#BLOCK} elements, which leaves the final codes in the call's
 *       scratch, and an error loop reads them: squared errors in lanes for p = 2, otherwise
 *       |e|^p in double lanes by polynomial log2/exp2 (see {@link #powErrors}; terms within 1e-13
 *       relative of the reference's {@code Math.pow}).</li>
 * </ul>
 * Stochastic settings share the random words of a sub-block, drawn once per (generator, seed) per
 * sub-block (vector generators for contiguous stream indices, the scalar ones for explicit ones).
 *
 * <p>As everywhere in this package, every vector loop is one method with only JDK vector calls
 * inside (no vector crosses a call), lane sums go through arrays in index order, and the scratch is
 * per thread, so a call allocates only its per-chunk result slots when it runs on several chunks.
 */
final class SimdCalibration {
    private SimdCalibration() {}

    /** Floats per block of the fused loop (16 KiB: stays in L1 while every setting is evaluated). */
    static final int BLOCK = 4096;
    /**
     * Elements per errorSums task: small enough that the calibration search's sample (2^18 elements,
     * evaluated at every candidate step) spreads over every core, large enough that a task's
     * hand-off costs well under a percent of its work.
     */
    static final int CHUNK = 1 << 16;
    /** Vectors per float partial sum before it is added into the double lanes. */
    static final int RUN = 16;

    private static final float MAGIC = 0x1.8p23f;
    private static final VectorSpecies<Float> FH = VectorSpecies.of(float.class,
            VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final int H = FH.length();

    static {
        if (BLOCK % SimdFakeQuant.BLOCK != 0 || BLOCK % (RUN * N) != 0) {
            throw new AssertionError("block sizes");
        }
    }

    /** Per-thread scratch. */
    private static final class Scratch {
        final double[] d = new double[D.length()];
        final int[] bits = new int[N];
        /** Per-setting parameters of the fused loop. */
        float[] inv = new float[0], s = new float[0], lo = new float[0], hi = new float[0];
        boolean[] fused = new boolean[0];
        /** The chunk's per-setting sums (the single-chunk path writes here, no allocation). */
        double[] part = new double[0];
        /** Per-chunk slots of a multi-chunk call on the calling thread (grown, reused). */
        double[] slots = new double[0];

        void ensure(int k) {
            if (inv.length < k) {
                inv = new float[k];
                s = new float[k];
                lo = new float[k];
                hi = new float[k];
                fused = new boolean[k];
                part = new double[k];
            }
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Whether a setting runs the fused loop (p = 2 is decided by the caller). */
    static boolean fused(Quantizer q) {
        if (q.mode() == QuantMode.DIVIDE || q.overflow() != Overflow.SATURATE || q.rounding() != Rounding.HALF_EVEN
                || q.offset() != 0f) {
            return false;
        }
        long lo = (long) q.qmin() - q.zeroPoint(0), hi = (long) q.qmax() - q.zeroPoint(0);
        return Math.abs(lo) < (1 << 22) && Math.abs(hi) < (1 << 22);
    }

    // ---- errorSums ----------------------------------------------------------------------------------

    /** See {@link dev.kure.spi.Backend#errorSums}. */
    static double errorSums(float[] x, int off, int len, long streamBase, long[] streamIndex, Quantizer[] settings,
                            double p, double[] sums, Parallel par) {
        int k = settings.length;
        int chunks = (len + CHUNK - 1) / CHUNK;
        if (chunks <= 1) {
            Scratch t = SCRATCH.get();
            t.ensure(k);
            double[] part = t.part;
            java.util.Arrays.fill(part, 0, k, 0.0);
            double signal = chunk(x, off, len, 0, streamBase, streamIndex, settings, p, part, t);
            for (int j = 0; j < k; j++) {
                sums[j] += part[j];
            }
            return signal;
        }
        // slot c·(k + 1) + j: chunk c's sum of setting j; slot c·(k + 1) + k: its signal
        int stride = k + 1;
        Scratch caller = SCRATCH.get();
        if (caller.slots.length < chunks * stride) {
            caller.slots = new double[chunks * stride];
        }
        double[] slots = caller.slots;
        par.forEach(chunks, c -> {
            Scratch t = SCRATCH.get();
            t.ensure(k);
            double[] part = t.part;
            java.util.Arrays.fill(part, 0, k, 0.0);
            int from = c * CHUNK;
            double sig = chunk(x, off + from, Math.min(CHUNK, len - from), from, streamBase, streamIndex,
                    settings, p, part, t);
            System.arraycopy(part, 0, slots, c * stride, k);
            slots[c * stride + k] = sig;
        });
        double signal = 0;
        for (int c = 0; c < chunks; c++) {
            for (int j = 0; j < k; j++) {
                sums[j] += slots[c * stride + j];
            }
            signal += slots[c * stride + k];
        }
        return signal;
    }

    /**
     * One chunk {@code x[xo, xo + len)} whose first element is element {@code first} of the call;
     * ADDS each setting's error into {@code part}, returns Σx².
     */
    private static double chunk(float[] x, int xo, int len, int first, long streamBase, long[] streamIndex,
                                Quantizer[] settings, double p, double[] part, Scratch t) {
        int k = settings.length;
        boolean square = p == 2.0;
        boolean anyGeneral = false;
        for (int j = 0; j < k; j++) {
            Quantizer q = settings[j];
            float s = q.scale(0);
            t.s[j] = s;
            t.inv[j] = QuantMath.reciprocal(s);
            t.lo[j] = q.qmin() - q.zeroPoint(0);
            t.hi[j] = q.qmax() - q.zeroPoint(0);
            t.fused[j] = square && fused(q);
            anyGeneral |= !t.fused[j];
        }
        double signal = 0;
        for (int b = 0; b < len; b += BLOCK) {
            int n = Math.min(BLOCK, len - b);
            signal += signal(x, xo + b, n, t.d);
            for (int j = 0; j < k; j++) {
                if (t.fused[j]) {
                    part[j] += fusedBlock(x, xo + b, n, t.inv[j], t.s[j], t.lo[j], t.hi[j], t.d);
                }
            }
            if (anyGeneral) {
                for (int sb = 0; sb < n; sb += SimdFakeQuant.BLOCK) {
                    int m = Math.min(SimdFakeQuant.BLOCK, n - sb);
                    general(x, xo, first, b + sb, m, streamBase, streamIndex, settings, p, part, t);
                }
            }
        }
        return signal;
    }

    /** Σx² of {@code x[xo, xo + n)}: float lanes over runs of RUN vectors, the runs' sums in double lanes. */
    private static double signal(float[] x, int xo, int n, double[] lanes) {
        DoubleVector d0 = DoubleVector.zero(D), d1 = d0;
        FloatVector zero = FloatVector.zero(F);
        int bound = n & -N;
        int i = 0;
        while (i < bound) {
            int end = Math.min(bound, i + RUN * N);
            FloatVector a0 = zero;
            for (; i < end; i += N) {
                FloatVector v = FloatVector.fromArray(F, x, xo + i);
                a0 = v.fma(v, a0);
            }
            d0 = d0.add((DoubleVector) a0.convertShape(VectorOperators.F2D, D, 0));
            d1 = d1.add((DoubleVector) a0.convertShape(VectorOperators.F2D, D, 1));
        }
        d0.add(d1).intoArray(lanes, 0);
        double s = Lanes.sum(lanes);
        for (; i < n; i++) {
            double v = x[xo + i];
            s += v * v;
        }
        return s;
    }

    /**
     * The fused common case over one block: Σ(fq(x) − x)² with fq = clamp(rint(x·inv), lo, hi)·s
     * (lo, hi = qmin − z, qmax − z), which is bit for bit {@code ((clamp(rint(y) + z) − z) + 0)·s}
     * up to the sign of a zero output (irrelevant to the error).
     */
    private static double fusedBlock(float[] x, int xo, int n, float inv, float s, float lo, float hi, double[] lanes) {
        DoubleVector d0 = DoubleVector.zero(D), d1 = d0;
        FloatVector zero = FloatVector.zero(F);
        final int run = RUN * N;
        int i = 0;
        for (; i + run <= n; i += run) {
            FloatVector a0 = zero, a1 = zero;
            for (int j = i; j < i + run; j += 2 * N) {
                FloatVector x0 = FloatVector.fromArray(F, x, xo + j);
                FloatVector x1 = FloatVector.fromArray(F, x, xo + j + N);
                FloatVector y0 = x0.mul(inv), y1 = x1.mul(inv);
                y0 = y0.blend(lo, y0.compare(VectorOperators.LT, lo)).blend(hi, y0.compare(VectorOperators.GT, hi));
                y1 = y1.blend(lo, y1.compare(VectorOperators.LT, lo)).blend(hi, y1.compare(VectorOperators.GT, hi));
                FloatVector e0 = y0.add(MAGIC).sub(MAGIC).mul(s).sub(x0);
                FloatVector e1 = y1.add(MAGIC).sub(MAGIC).mul(s).sub(x1);
                a0 = e0.fma(e0, a0);
                a1 = e1.fma(e1, a1);
            }
            FloatVector a = a0.add(a1);
            d0 = d0.add((DoubleVector) a.convertShape(VectorOperators.F2D, D, 0));
            d1 = d1.add((DoubleVector) a.convertShape(VectorOperators.F2D, D, 1));
        }
        FloatVector a0 = zero;
        for (; i + N <= n; i += N) {
            FloatVector x0 = FloatVector.fromArray(F, x, xo + i);
            FloatVector y0 = x0.mul(inv);
            y0 = y0.blend(lo, y0.compare(VectorOperators.LT, lo)).blend(hi, y0.compare(VectorOperators.GT, hi));
            FloatVector e0 = y0.add(MAGIC).sub(MAGIC).mul(s).sub(x0);
            a0 = e0.fma(e0, a0);
        }
        d0 = d0.add((DoubleVector) a0.convertShape(VectorOperators.F2D, D, 0));
        d1 = d1.add((DoubleVector) a0.convertShape(VectorOperators.F2D, D, 1));
        d0.add(d1).intoArray(lanes, 0);
        double acc = Lanes.sum(lanes);
        for (; i < n; i++) { // the reference's arithmetic
            float xv = x[xo + i];
            float r = (float) Math.rint(Math.min(Math.max(xv * inv, lo), hi));
            double e = (double) (r * s) - xv;
            acc += e * e;
        }
        return acc;
    }

    /**
     * Every non-fused setting on elements [at, at + m) of the chunk (at most one fake-quant block):
     * the block's random words once per generator and seed, then per setting {@link SimdFakeQuant#core} (codes into
     * the call's scratch) and the error loop.
     */
    private static void general(float[] x, int xo, int first, int at, int m, long streamBase, long[] streamIndex,
                                Quantizer[] settings, double p, double[] part, Scratch t) {
        Rounding wordsFrom = null; // the generator the sub-block's words came from, or none yet
        long wordsSeed = 0;
        SimdFakeQuant.Call c = null;
        for (int j = 0; j < settings.length; j++) {
            if (t.fused[j]) {
                continue;
            }
            Quantizer q = settings[j];
            c = SimdFakeQuant.of(q, SimdFakeQuant.Mode.ERROR, x, xo);
            c.param(0);
            // stream index of chunk element i: streamIndex[first + i] or streamBase + first + i
            c.e0 = streamBase + first;
            if (c.stochastic && (wordsFrom != c.rounding || wordsSeed != q.seed())) {
                if (streamIndex == null) {
                    SimdFakeQuant.words(c, at, m);
                } else {
                    for (int i = 0; i < m; i++) {
                        c.k[i] = QuantMath.bits(c.rounding, q.seed(), streamIndex[first + at + i]);
                    }
                }
                wordsFrom = c.rounding;
                wordsSeed = q.seed();
            }
            SimdFakeQuant.core(c, at, m);
            part[j] += p == 2.0 ? squaredErrors(c, at, m, t.d) : powErrors(c, at, m, p, t.d);
        }
    }

    /** Σ(((w − z) + h)·s − x)² over the sub-block's final codes w. */
    private static double squaredErrors(SimdFakeQuant.Call c, int at, int m, double[] lanes) {
        DoubleVector d0 = DoubleVector.zero(D), d1 = d0;
        FloatVector zero = FloatVector.zero(F);
        float zf = c.zf, h = c.h, s = c.s;
        float[] x = c.x, w = c.w;
        int xo = c.xo + at;
        int bound = m & -N;
        int i = 0;
        while (i < bound) {
            int end = Math.min(bound, i + RUN * N);
            FloatVector a0 = zero;
            for (; i < end; i += N) {
                FloatVector xv = FloatVector.fromArray(F, x, xo + i);
                FloatVector e = FloatVector.fromArray(F, w, i).sub(zf).add(h).mul(s).sub(xv);
                a0 = e.fma(e, a0);
            }
            d0 = d0.add((DoubleVector) a0.convertShape(VectorOperators.F2D, D, 0));
            d1 = d1.add((DoubleVector) a0.convertShape(VectorOperators.F2D, D, 1));
        }
        d0.add(d1).intoArray(lanes, 0);
        double acc = Lanes.sum(lanes);
        for (; i < m; i++) {
            double e = (double) QuantMath.value(w[i], c.z, h, s) - x[xo + i];
            acc += e * e;
        }
        return acc;
    }

    /**
     * Σ|((w − z) + h)·s − x|^p over the sub-block's final codes w, p ≠ 2: the error of each element in
     * double exactly as the reference forms it, then |e|^p = 2^(p·log2|e|) in double lanes with
     * {@link #log2} and {@link #exp2}'s polynomials (no per-element {@code Math.pow}): each term within
     * about 1e-13 relative of {@code Math.pow}'s (the error of p·log2|e| in double), so the sums match
     * the reference to 1e-12 relative. Only basic IEEE operations: the same bits in every JIT tier and
     * on every thread (the JDK's vector POW would differ between tiers). 0, ±Inf and NaN pass through
     * (0^p = 0, Inf^p = Inf for p &gt; 0).
     */
    private static double powErrors(SimdFakeQuant.Call c, int at, int m, double p, double[] lanes) {
        if (p == 1.0) {
            return absErrors(c, at, m, lanes);
        }
        float[] x = c.x, w = c.w;
        int xo = c.xo + at;
        final float zf = c.zf, h = c.h, s = c.s;
        DoubleVector acc = DoubleVector.zero(D);
        int i = 0;
        for (; i + H <= m; i += H) {
            FloatVector fq = FloatVector.fromArray(FH, w, i).sub(zf).add(h).mul(s);
            DoubleVector a = ((DoubleVector) fq.convertShape(VectorOperators.F2D, D, 0))
                    .sub((DoubleVector) FloatVector.fromArray(FH, x, xo + i).convertShape(VectorOperators.F2D, D, 0)).abs();
            // log2 a = k + log2 mm, mm in [√½, √2): log2 mm = (2/ln 2)·atanh(t), t = (mm − 1)/(mm + 1)
            LongVector bits = a.reinterpretAsLongs();
            // the biased exponent (0..2047) as a double through the 2^52 trick: C2 does not intrinsify L2D here
            DoubleVector kd = bits.lanewise(VectorOperators.LSHR, 52).or(0x4330_0000_0000_0000L).reinterpretAsDoubles()
                    .sub(0x1p52 + 1023);
            DoubleVector mm = bits.and(0x000F_FFFF_FFFF_FFFFL).or(0x3FF0_0000_0000_0000L).reinterpretAsDoubles();
            VectorMask<Double> big = mm.compare(VectorOperators.GT, SQRT2);
            mm = mm.mul(0.5, big);
            kd = kd.add(1.0, big);
            DoubleVector t = mm.sub(1.0).div(mm.add(1.0));
            DoubleVector t2 = t.mul(t);
            // atanh(t)/t = Σ t^(2j)/(2j + 1), j = 0..8: truncation below 4e-16 relative for t² ≤ 0.0295
            DoubleVector poly = t2.fma(1.0 / 17, 1.0 / 15).fma(t2, DoubleVector.broadcast(D, C13)).fma(t2, DoubleVector.broadcast(D, C11)).fma(t2, DoubleVector.broadcast(D, C9)).fma(t2, DoubleVector.broadcast(D, C7))
                    .fma(t2, DoubleVector.broadcast(D, C5)).fma(t2, DoubleVector.broadcast(D, C3)).fma(t2, DoubleVector.broadcast(D, C1));
            DoubleVector y = t.mul(poly).fma(DoubleVector.broadcast(D, TWO_OVER_LN2), kd).mul(p).max(-1100.0).min(1100.0);
            // 2^y = 2^n · e^g, n = rint(y), g = (y − n)·ln 2, |g| ≤ ln(2)/2; e^g = Σ g^j/j!, j = 0..13
            // (truncation below 1e-17); 2^n applied in two halves so its exponent never overflows
            DoubleVector shifted = y.add(MAGIC_D);   // n = rint(y) sits in its low mantissa bits
            DoubleVector n = shifted.sub(MAGIC_D);
            DoubleVector g = y.sub(n).mul(LN2);
            DoubleVector ex = g.fma(E13, E12).fma(g, DoubleVector.broadcast(D, E11)).fma(g, DoubleVector.broadcast(D, E10)).fma(g, DoubleVector.broadcast(D, E9)).fma(g, DoubleVector.broadcast(D, E8)).fma(g, DoubleVector.broadcast(D, E7)).fma(g, DoubleVector.broadcast(D, E6))
                    .fma(g, DoubleVector.broadcast(D, E5)).fma(g, DoubleVector.broadcast(D, E4)).fma(g, DoubleVector.broadcast(D, E3)).fma(g, DoubleVector.broadcast(D, E2)).fma(g, DoubleVector.broadcast(D, E1)).fma(g, DoubleVector.broadcast(D, E1));
            LongVector ni = shifted.reinterpretAsLongs().sub(0x4338_0000_0000_0000L); // no D2L either
            LongVector n1 = ni.lanewise(VectorOperators.ASHR, 1), n2 = ni.sub(n1);
            DoubleVector r = ex.mul(n1.add(1023L).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                    .mul(n2.add(1023L).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles());
            // 0^p = 0, Inf^p = Inf (p > 0), NaN: a itself
            VectorMask<Double> special = a.compare(VectorOperators.EQ, 0.0)
                    .or(a.compare(VectorOperators.EQ, Double.POSITIVE_INFINITY)).or(a.test(VectorOperators.IS_NAN));
            acc = acc.add(r.blend(a, special));
        }
        acc.intoArray(lanes, 0);
        double sum = Lanes.sum(lanes);
        for (; i < m; i++) { // the reference's terms
            sum += Math.pow(Math.abs((double) QuantMath.value(w[i], c.z, h, s) - x[xo + i]), p);
        }
        return sum;
    }

    /** Σ|((w − z) + h)·s − x| (p = 1) in double lanes, each term exactly the reference's. */
    private static double absErrors(SimdFakeQuant.Call c, int at, int m, double[] lanes) {
        float[] x = c.x, w = c.w;
        int xo = c.xo + at;
        final float zf = c.zf, h = c.h, s = c.s;
        DoubleVector acc = DoubleVector.zero(D);
        int i = 0;
        for (; i + H <= m; i += H) {
            FloatVector fq = FloatVector.fromArray(FH, w, i).sub(zf).add(h).mul(s);
            acc = acc.add(((DoubleVector) fq.convertShape(VectorOperators.F2D, D, 0))
                    .sub((DoubleVector) FloatVector.fromArray(FH, x, xo + i).convertShape(VectorOperators.F2D, D, 0)).abs());
        }
        acc.intoArray(lanes, 0);
        double sum = Lanes.sum(lanes);
        for (; i < m; i++) {
            sum += Math.abs((double) QuantMath.value(w[i], c.z, h, s) - x[xo + i]);
        }
        return sum;
    }

    private static final VectorSpecies<Long> L = VectorSpecies.of(long.class, D.vectorShape());
    private static final double SQRT2 = Math.sqrt(2.0), LN2 = Math.log(2.0), TWO_OVER_LN2 = 2.0 / Math.log(2.0);
    private static final double MAGIC_D = 0x1.8p52;
    private static final double C1 = 1.0, C3 = 1.0 / 3, C5 = 1.0 / 5, C7 = 1.0 / 7, C9 = 1.0 / 9, C11 = 1.0 / 11,
            C13 = 1.0 / 13;
    private static final double E1 = 1.0, E2 = 1.0 / 2, E3 = E2 / 3, E4 = E3 / 4, E5 = E4 / 5, E6 = E5 / 6, E7 = E6 / 7,
            E8 = E7 / 8, E9 = E8 / 9, E10 = E9 / 10, E11 = E10 / 11, E12 = E11 / 12, E13 = E12 / 13;

    // ---- max |x| ------------------------------------------------------------------------------------

    /** max |x| on the float bits in int lanes (exact, NaN-aware: NaN bits exceed +Inf's), per chunk. */
    static float absMax(float[] x, int off, int len, Parallel par) {
        int chunks = Parallel.chunks(len);
        if (chunks <= 1) {
            return Float.intBitsToFloat(absMaxBits(x, off, len, SCRATCH.get().bits));
        }
        int[] parts = new int[chunks];
        par.forEach(chunks, c -> {
            int from = c * Parallel.CHUNK;
            parts[c] = absMaxBits(x, off + from, Math.min(Parallel.CHUNK, len - from), SCRATCH.get().bits);
        });
        int m = 0;
        for (int v : parts) {
            m = Math.max(m, v);
        }
        return Float.intBitsToFloat(m);
    }

    private static int absMaxBits(float[] x, int xo, int n, int[] lanes) {
        IntVector m0 = IntVector.zero(I), m1 = m0;
        int i = 0;
        for (; i + 2 * N <= n; i += 2 * N) {
            m0 = m0.max(FloatVector.fromArray(F, x, xo + i).reinterpretAsInts().and(0x7fffffff));
            m1 = m1.max(FloatVector.fromArray(F, x, xo + i + N).reinterpretAsInts().and(0x7fffffff));
        }
        m0.max(m1).intoArray(lanes, 0);
        int m = 0;
        for (int v : lanes) {
            m = Math.max(m, v);
        }
        for (; i < n; i++) {
            m = Math.max(m, Float.floatToRawIntBits(x[xo + i]) & 0x7fffffff);
        }
        return m;
    }

    // ---- mean absolute deviation --------------------------------------------------------------------

    /** Σ|x − center|/len in double lanes, per chunk, chunks added in order. */
    static double meanAbsDeviation(float[] x, int off, int len, double center, Parallel par) {
        int chunks = Parallel.chunks(len);
        if (chunks <= 1) {
            return madChunk(x, off, len, center, SCRATCH.get().d) / len;
        }
        double[] parts = new double[chunks];
        par.forEach(chunks, c -> {
            int from = c * Parallel.CHUNK;
            parts[c] = madChunk(x, off + from, Math.min(Parallel.CHUNK, len - from), center, SCRATCH.get().d);
        });
        double s = 0;
        for (double v : parts) {
            s += v;
        }
        return s / len;
    }

    private static double madChunk(float[] x, int xo, int n, double center, double[] lanes) {
        DoubleVector a0 = DoubleVector.zero(D), a1 = a0;
        int i = 0;
        for (; i + 2 * H <= n; i += 2 * H) {
            DoubleVector v0 = (DoubleVector) FloatVector.fromArray(FH, x, xo + i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector v1 = (DoubleVector) FloatVector.fromArray(FH, x, xo + i + H).convertShape(VectorOperators.F2D, D, 0);
            a0 = a0.add(v0.sub(center).abs());
            a1 = a1.add(v1.sub(center).abs());
        }
        a0.add(a1).intoArray(lanes, 0);
        double s = Lanes.sum(lanes);
        for (; i < n; i++) {
            s += Math.abs(x[xo + i] - center);
        }
        return s;
    }

    // ---- order statistic of |x| ---------------------------------------------------------------------

    /**
     * The k-th smallest |x|, exactly: the shared radix select ({@link RadixSelect}), with each
     * counting pass split into chunks counted on the pool and added (integer counts: exact for any
     * thread count). The counting loop stays scalar: a histogram scatter has no profitable vector
     * form here (no conflict-free lane increments in the Vector API), so this kernel scales with
     * threads only.
     */
    static float absOrderStatistic(float[] x, int off, int len, long k, Parallel par) {
        int chunks = Parallel.chunks(len);
        if (chunks <= 1) {
            return RadixSelect.absOrderStatistic(x, off, len, k);
        }
        long[][] counts = new long[chunks][];
        return RadixSelect.select(k, (prefix, prefixMask, shift, digitMask, count) -> {
            par.forEach(chunks, c -> {
                long[] mine = counts[c] == null ? (counts[c] = new long[count.length]) : counts[c];
                java.util.Arrays.fill(mine, 0);
                int from = c * Parallel.CHUNK;
                RadixSelect.count(x, off + from, Math.min(Parallel.CHUNK, len - from), prefix, prefixMask, shift,
                        digitMask, mine);
            });
            for (long[] part : counts) {
                for (int i = 0; i <= digitMask; i++) {
                    count[i] += part[i];
                }
            }
        });
    }
}
