package dev.kure.simd;

import static dev.kure.simd.Lanes.F;
import static dev.kure.simd.Lanes.I;
import static dev.kure.simd.Lanes.N;

import dev.kure.Overflow;
import dev.kure.QuantMode;
import dev.kure.Quantizer;
import dev.kure.Rounding;
import dev.kure.spi.Philox;
import dev.kure.spi.QuantMath;
import dev.kure.spi.Runs;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fake quantization, its backward passes and integer codes on float lanes, bit-exact with the
 * scalar reference.
 *
 * <p>Rounding: the Vector API has no lane-wise rint or floor. rint is {@code (y + 1.5·2^23) - 1.5·2^23},
 * exact for |y| &lt; 2^22, and every policy is a base value plus exact fix-ups decided by comparing
 * {@code y} with the base (docs/semantics.md §4.3); MIDRISE (h = 0.5) compares y with floor(y) + 0.5 and never
 * forms y − 0.5; STOCHASTIC works on the integer 2^24·frac(y) against the 24-bit uniform. Under
 * SATURATE the scaled value is first clamped to one step beyond the grid — rounding commutes with
 * clamping to integer bounds — which keeps every lane in the exact range and still tells inside from
 * outside for the STE mask. Under WRAP, lanes beyond 2^22 (and NaN, ±Inf) go to the scalar reference.
 *
 * <p>Structure: {@link #core} rounds one block of up to {@link #BLOCK} elements and either finishes a
 * forward pass on the spot or leaves the unclamped and final codes in the call's scratch for the
 * per-mode loops ({@link #ste}, {@link #learnable}, {@link #codes}). Every loop is a single method
 * whose vector values never cross a call, so C2 keeps them in registers (no boxing, no allocation).
 */
final class SimdFakeQuant {
    private SimdFakeQuant() {}

    /**
     * What a call computes from the codes. ERROR is driven block by block by {@link SimdCalibration}:
     * {@link #core} leaves the final codes in {@code w} (for every element, scalar lanes included).
     */
    enum Mode { FORWARD, STE, LEARNABLE, INT8, INT4, ERROR }

    /** Elements per block: the scratch (codes and Philox words) stays in L1. */
    static final int BLOCK = 1024;

    private static final float MAGIC = 0x1.8p23f;
    private static final float ALMOST_HALF = Math.nextDown(0.5f);

    /**
     * Arguments and scratch of one call, reused across its runs; one per thread (see {@link #of}),
     * so a call allocates nothing.
     */
    static final class Call {
        Quantizer q;
        Mode mode;
        Rounding rounding;
        boolean divide, half, wrap, stochastic;
        int qmin, qmax;
        float h, levelsF, invLevels;
        long seed, e0;
        long base;         // tensor index of the call's element 0 (parameter sets, stochastic streams)
        final int[] k = new int[BLOCK + 4 * N];  // random words of the block (stochastic policies)
        final long[] ktmp = SimdPhilox.scratch();
        final float[] r = new float[BLOCK];      // unclamped rounded y - h ({@link #DONE}: done by the scalar path)
        final float[] w = new float[BLOCK];      // final code q after SATURATE/WRAP
        final int[] lane = new int[N];
        final float[] lanesF = new float[N];
        float[] x, out, dy;
        int xo, oo, dyo;
        long[] mask;
        byte[] codes;      // INT8: one byte per element; INT4: packed, low nibble first
        int co;
        double[] ds, dz;   // LEARNABLE: per parameter set
        double sumS, sumZ; // LEARNABLE: the current run's sums
        // the current run's parameters
        float s, inv, zf, lo, hi, wlo, whi;
        int z, p;

        Call reset(Quantizer quantizer, Mode m, float[] xs, int xOff, long first) {
            q = quantizer;
            mode = m;
            rounding = q.rounding();
            divide = q.mode() == QuantMode.DIVIDE;
            half = q.offset() != 0f;
            wrap = q.overflow() == Overflow.WRAP;
            stochastic = rounding.isStochastic();
            qmin = q.qmin();
            qmax = q.qmax();
            h = q.offset();
            levelsF = q.levels();
            invLevels = 1f / q.levels();
            seed = q.seed();
            base = first;
            e0 = q.streamOffset() + first;
            x = xs;
            xo = xOff;
            out = dy = null;
            oo = dyo = co = 0;
            mask = null;
            codes = null;
            ds = dz = null;
            return this;
        }

        void param(int param) {
            p = param;
            s = q.scale(param);
            inv = QuantMath.reciprocal(s);
            z = q.zeroPoint(param);
            zf = z;
            lo = qmin - z;
            hi = qmax - z;
            wlo = lo - 1 + h;   // one step beyond the grid, in units of y
            whi = hi + 1 + h;
        }
    }

    private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);

    /** This thread's call object, reset for a new call. */
    static Call of(Quantizer q, Mode mode, float[] x, int xo) {
        return CALLS.get().reset(q, mode, x, xo, 0);
    }

    /** This thread's call object for a call whose element 0 is element {@code base} of the tensor. */
    static Call of(long base, Quantizer q, Mode mode, float[] x, int xo) {
        return CALLS.get().reset(q, mode, x, xo, base);
    }

    /** Runs the call over elements [0, len) of its arrays, run by run, block by block. */
    static void run(Call c, int len) {
        // runs start at 0 and follow each other: step the parameter set instead of dividing per run
        // (per-group runs of 128 elements would otherwise spend as long on the bookkeeping as on the data)
        long inner = c.q.inner();
        int sets = c.q.paramCount();
        int p = Runs.param(c.base, c.q);
        long first = inner - c.base % inner; // the first run may start inside the tensor's run
        for (int i = 0; i < len; p = p + 1 == sets ? 0 : p + 1) {
            int end = (int) Math.min(len, i + (i == 0 ? first : inner));
            c.param(p);
            c.sumS = c.sumZ = 0;
            for (int b = i; b < end; b += BLOCK) {
                int n = Math.min(BLOCK, end - b);
                if (c.stochastic) {
                    words(c, b, n);
                }
                if (core(c, b, n)) {
                    continue; // a fused loop finished the block
                }
                switch (c.mode) {
                    case FORWARD -> { }
                    case STE -> ste(c, b, n);
                    case LEARNABLE -> learnable(c, b, n);
                    case INT8, INT4 -> codes(c, b, n);
                    case ERROR -> throw new AssertionError("ERROR calls are driven by SimdCalibration");
                }
            }
            if (c.mode == Mode.LEARNABLE) {
                c.ds[c.p] += c.sumS;
                c.dz[c.p] += c.sumZ;
            }
            i = end;
        }
    }

    /**
     * The random words of stream indices [e0 + at, e0 + at + n) under the call's seed into
     * {@code k[0, n)}, from the policy's generator.
     */
    static void words(Call c, int at, int n) {
        if (c.rounding == Rounding.STOCHASTIC_HASH) {
            SimdHash32.words(c.seed, c.e0 + at, c.k, n);
        } else {
            philox(c, at, n);
        }
    }

    /** Philox words (see {@link #words}): block-aligned evaluations, 4·N elements each. */
    private static void philox(Call c, int at, int n) {
        long first = c.e0 + at;
        long b0 = first >>> 2;
        int skip = (int) (first & 3);
        for (int j = 0; j < skip + n; j += 4 * N) {
            SimdPhilox.words(c.seed, b0 + j / 4, c.k, j, c.ktmp);
        }
        if (skip != 0) {
            System.arraycopy(c.k, skip, c.k, 0, n);
        }
    }

    /**
     * Rounds block [at, at + n). The PyTorch default (HALF_EVEN, SATURATE, integer grid) runs fused
     * for a forward pass without mask ({@link #fused}), STE ({@link #fusedSte}) and the learnable
     * backward ({@link #fusedLearnable}), and then
     * returns true: the block is finished. Everything else rounds into the scratch
     * ({@link #roundDeterministic} or {@link #roundStochastic}) and {@link #finish} applies the
     * overflow policy and writes the forward outputs or the codes for the mode loops. Splitting
     * keeps each compiled loop small enough for C2 to inline every vector operation whatever mix of
     * policies a program uses.
     */
    static boolean core(Call c, int at, int n) {
        boolean needInside = c.mode == Mode.STE || c.mode == Mode.LEARNABLE || c.mask != null;
        boolean pytorchDefault = c.rounding == Rounding.HALF_EVEN && !c.wrap && !c.half;
        if (pytorchDefault && c.mode == Mode.FORWARD && c.mask == null) {
            fused(c, at, n);
            return true;
        }
        if (pytorchDefault && c.mode == Mode.STE) {
            fusedSte(c, at, n);
            return true;
        }
        if (pytorchDefault && c.mode == Mode.LEARNABLE) {
            fusedLearnable(c, at, n);
            return true;
        }
        if (c.stochastic && c.mode == Mode.FORWARD && c.mask == null && !c.wrap && !c.half) {
            fusedStochastic(c, at, n);
            return true;
        }
        if (c.stochastic) {
            roundStochastic(c, at, n, needInside);
        } else {
            roundDeterministic(c, at, n, needInside);
        }
        finish(c, at, n, needInside);
        return false;
    }

    /**
     * Learnable scale / zero point for the PyTorch default, in one sweep: dx as STE, and the block's
     * ds/dz partial sums (inside: dy·(fq − x)·inv; outside: dy·(qmin or qmax − z), dz −= dy·s) in
     * float lanes, then added to the run's double sums. fq = clamp(r)·s equals ((q − z) + 0)·s here.
     */
    private static void fusedLearnable(Call c, int at, int n) {
        FloatVector zero = FloatVector.zero(F), accS = zero, accZ = zero;
        FloatVector above = FloatVector.broadcast(F, c.hi), below = FloatVector.broadcast(F, c.lo);
        int j = 0;
        for (; j + N <= n; j += N) {
            FloatVector xv = FloatVector.fromArray(F, c.x, c.xo + at + j);
            FloatVector y = c.divide ? xv.div(c.s) : xv.mul(c.inv);
            FloatVector r = y.max(c.wlo).min(c.whi).add(MAGIC).sub(MAGIC);
            VectorMask<Float> lowM = r.compare(VectorOperators.LT, c.lo);
            VectorMask<Float> highM = r.compare(VectorOperators.GT, c.hi);
            VectorMask<Float> outside = lowM.or(highM);                   // NaN: neither inside nor outside
            VectorMask<Float> inside = r.compare(VectorOperators.GE, c.lo).and(r.compare(VectorOperators.LE, c.hi));
            FloatVector g = FloatVector.fromArray(F, c.dy, c.dyo + at + j);
            zero.blend(g, inside).intoArray(c.out, c.oo + at + j);
            FloatVector fq = r.max(c.lo).min(c.hi).mul(c.s);
            FloatVector in = g.mul(fq.sub(xv)).mul(c.inv);
            accS = accS.add(in.blend(g.mul(above.blend(below, lowM)), outside));
            accZ = accZ.sub(g.mul(c.s), outside);
        }
        accS.intoArray(c.lanesF, 0);
        c.sumS += Lanes.sum(c.lanesF);
        accZ.intoArray(c.lanesF, 0);
        c.sumZ += Lanes.sum(c.lanesF);
        for (; j < n; j++) {
            scalar(c, at, j);
        }
    }

    /** STE for the PyTorch default: dx = dy where rint(x·inv) is inside the grid, else +0. */
    private static void fusedSte(Call c, int at, int n) {
        FloatVector zero = FloatVector.zero(F);
        int j = 0;
        for (; j + N <= n; j += N) {
            FloatVector y = FloatVector.fromArray(F, c.x, c.xo + at + j);
            y = c.divide ? y.div(c.s) : y.mul(c.inv);
            FloatVector r = y.max(c.wlo).min(c.whi).add(MAGIC).sub(MAGIC); // NaN: compares false -> 0
            VectorMask<Float> inside = r.compare(VectorOperators.GE, c.lo).and(r.compare(VectorOperators.LE, c.hi));
            zero.blend(FloatVector.fromArray(F, c.dy, c.dyo + at + j), inside).intoArray(c.out, c.oo + at + j);
        }
        for (; j < n; j++) {
            scalar(c, at, j);
        }
    }

    /** out = clamp(rint(x·inv), lo, hi)·s: clamping first keeps rint's trick exact. */
    private static void fused(Call c, int at, int n) {
        int j = 0;
        for (; j + N <= n; j += N) {
            FloatVector y = FloatVector.fromArray(F, c.x, c.xo + at + j);
            y = c.divide ? y.div(c.s) : y.mul(c.inv);
            // NaN stays NaN (max/min propagate it, as Math.max does); rint of a clamped value is
            // never -0.0, so ((r + z) - z)·s = r·s bit for bit
            y.max(c.lo).min(c.hi).add(MAGIC).sub(MAGIC).mul(c.s).intoArray(c.out, c.oo + at + j);
        }
        for (; j < n; j++) {
            scalar(c, at, j);
        }
    }

    /**
     * Stochastic forward without mask, SATURATE, h = 0: out = floor(y + u)·s with y clamped to the
     * grid (floor(y + u) stays inside it then), exactly: with fl = floor(y) and u = k'·2^-24,
     * floor(y + u) = fl + [y − fl ≥ 1 − u], where y − fl and 1 − u are exact floats except for y in
     * (−1, 0) (fl = −1), where the same test is y ≥ −u.
     */
    private static void fusedStochastic(Call c, int at, int n) {
        int j = 0;
        for (; j + N <= n; j += N) {
            FloatVector y = FloatVector.fromArray(F, c.x, c.xo + at + j);
            y = c.divide ? y.div(c.s) : y.mul(c.inv);
            y = y.max(c.lo).min(c.hi);                                    // NaN stays NaN
            FloatVector rn = y.add(MAGIC).sub(MAGIC);
            FloatVector fl = rn.sub(1f, rn.compare(VectorOperators.GT, y));
            VectorMask<Float> smallNeg = fl.compare(VectorOperators.EQ, -1f);
            FloatVector frac = y.sub(fl, smallNeg.not());
            IntVector kk = IntVector.fromArray(I, c.k, j).lanewise(VectorOperators.LSHR, 8);
            FloatVector oneMinusU = ((FloatVector) IntVector.broadcast(I, 1 << 24).sub(kk)
                    .convert(VectorOperators.I2F, 0)).mul(0x1p-24f).sub(1f, smallNeg);
            fl.add(1f, frac.compare(VectorOperators.GE, oneMinusU)).mul(c.s).intoArray(c.out, c.oo + at + j);
        }
        for (; j < n; j++) {
            scalar(c, at, j);
        }
    }

    /** Deterministic policies: a base value b and exact fix-ups from the signs of (y - h) - b. */
    private static void roundDeterministic(Call c, int at, int n, boolean needInside) {
        final boolean half = c.half;
        final Rounding pol = c.rounding;
        final float h = c.h;
        final float ylo = needInside ? c.wlo : c.lo + h, yhi = needInside ? c.whi : c.hi + h;
        int j = 0;
        for (; j + N <= n; j += N) {
            // y = x/s, clamped under SATURATE (to the grid, or one step beyond it when inside/outside
            // must be known); under WRAP, lanes outside the exact range go to the scalar path.
            // Written out in both rounding loops: a helper returning a vector may not be inlined.
            FloatVector y = FloatVector.fromArray(F, c.x, c.xo + at + j);
            y = c.divide ? y.div(c.s) : y.mul(c.inv);
            if (!c.wrap) {
                y = y.max(ylo).min(yhi);
            } else if (!y.abs().compare(VectorOperators.LT, 0x1p22f).allTrue()) {
                scalarLanes(c, at, j);
                continue;
            }
            // base b and exact signs of t = (y - h) - b: pos, neg, ties at ±0.5. h = 0: b = rint(y),
            // d = y - b (exact), ties where |d| = 0.5. h = 0.5: b = floor(y), t compares y with
            // b + 0.5, the only tie is y = b (d = 0; d > 0 otherwise: distinct floats never subtract
            // to 0). Written without branches: masks or vectors merged from two branches are boxed
            // by C2 once both branches have been profiled (allocation per vector).
            FloatVector rn = y.add(MAGIC).sub(MAGIC);
            FloatVector b = rn.sub(half ? 1f : 0f, rn.compare(VectorOperators.GT, y));
            FloatVector d = y.sub(b);
            FloatVector mid = b.add(half ? 0.5f : 0f);
            VectorMask<Float> pos = y.compare(VectorOperators.GT, mid);
            VectorMask<Float> neg = y.compare(VectorOperators.LT, mid);
            VectorMask<Float> tieUp = d.compare(VectorOperators.GT, half ? Float.POSITIVE_INFINITY : ALMOST_HALF);
            VectorMask<Float> tieDown = d.compare(VectorOperators.LT, half ? Float.MIN_VALUE : -ALMOST_HALF);
            FloatVector r = switch (pol) {
                case FLOOR -> b.sub(1f, neg);
                case CEIL -> b.add(1f, pos);
                case TOWARD_ZERO -> b.sub(1f, neg).blend(b.add(1f, pos), y.compare(VectorOperators.LT, h));
                case HALF_UP -> b.add(1f, tieUp);
                case HALF_DOWN -> b.sub(1f, tieDown);
                case HALF_AWAY_FROM_ZERO -> b.add(1f, tieUp.and(y.compare(VectorOperators.GT, h)))
                        .sub(1f, tieDown.and(y.compare(VectorOperators.LT, h)));
                case HALF_EVEN -> half
                        ? b.sub(1f, tieDown.and(b.mul(0.5f).add(MAGIC).sub(MAGIC).mul(2f).compare(VectorOperators.NE, b)))
                        : b;
                case STOCHASTIC, STOCHASTIC_HASH -> throw new AssertionError();
            };
            r.intoArray(c.r, j);
        }
        for (; j < n; j++) {
            scalar(c, at, j);
        }
    }

    /**
     * STOCHASTIC: floor(y - h + u), u = k·2^-24, exactly: with fl = floor(y) and
     * G = floor(2^24·(y - fl)), r = fl - 1 + [K + G ≥ 2^24] + [K + G ≥ 2^25], K = k + 2^24·(1 - h).
     * For y in (-1, 0) the fraction y + 1 is not exact in float, so G = 2^24 + floor(2^24·y) there.
     */
    private static void roundStochastic(Call c, int at, int n, boolean needInside) {
        final int kOffset = c.half ? 1 << 23 : 1 << 24;
        final float ylo = needInside ? c.wlo : c.lo + c.h, yhi = needInside ? c.whi : c.hi + c.h;
        int j = 0;
        for (; j + N <= n; j += N) {
            // y = x/s, clamped under SATURATE (to the grid, or one step beyond it when inside/outside
            // must be known); under WRAP, lanes outside the exact range go to the scalar path.
            // Written out in both rounding loops: a helper returning a vector may not be inlined.
            FloatVector y = FloatVector.fromArray(F, c.x, c.xo + at + j);
            y = c.divide ? y.div(c.s) : y.mul(c.inv);
            if (!c.wrap) {
                y = y.max(ylo).min(yhi);
            } else if (!y.abs().compare(VectorOperators.LT, 0x1p22f).allTrue()) {
                scalarLanes(c, at, j);
                continue;
            }
            FloatVector rn = y.add(MAGIC).sub(MAGIC);
            FloatVector fl = rn.sub(1f, rn.compare(VectorOperators.GT, y));
            IntVector g = (IntVector) y.sub(fl).mul(0x1p24f).convert(VectorOperators.F2I, 0);
            VectorMask<Float> smallNeg = y.compare(VectorOperators.LT, 0f).and(y.compare(VectorOperators.GT, -1f));
            FloatVector big = y.mul(0x1p24f);
            IntVector t = (IntVector) big.convert(VectorOperators.F2I, 0);
            VectorMask<Integer> down = ((FloatVector) t.convert(VectorOperators.I2F, 0))
                    .compare(VectorOperators.GT, big).cast(I);
            g = g.blend(t.sub(1, down).add(1 << 24), smallNeg.cast(I));
            IntVector sum = IntVector.fromArray(I, c.k, j).lanewise(VectorOperators.LSHR, 8).add(kOffset).add(g);
            fl.sub(1f).add(1f, sum.compare(VectorOperators.GE, 1 << 24).cast(F))
                    .add(1f, sum.compare(VectorOperators.GE, 1 << 25).cast(F)).intoArray(c.r, j);
        }
        for (; j < n; j++) {
            scalar(c, at, j);
        }
    }

    /** Hands lanes [j, j + N) to the scalar reference (WRAP lanes outside the exact range). */
    private static void scalarLanes(Call c, int at, int j) {
        for (int t = 0; t < N; t++) {
            scalar(c, at, j + t);
        }
    }

    /**
     * Applies the overflow policy to the rounded values in the scratch: FORWARD writes out (and the
     * mask); other modes keep w = the final code next to r for their loops. Lanes the scalar path
     * finished are marked {@link #DONE} in r and left alone.
     */
    private static void finish(Call c, int at, int n, boolean needInside) {
        final boolean forward = c.mode == Mode.FORWARD;
        final int full = n & -N;
        for (int j = 0; j < full; j += N) {
            FloatVector r = FloatVector.fromArray(F, c.r, j);
            VectorMask<Float> todo = r.compare(VectorOperators.NE, DONE);
            if (!todo.anyTrue()) {
                continue;
            }
            FloatVector w;
            if (!c.wrap) {
                // r is never -0.0 (rint via 1.5·2^23 gives +0), so ((r + z) - z + h)·s = (r + h)·s
                FloatVector rc = needInside ? r.max(c.lo).min(c.hi) : r;
                if (forward) {
                    (c.half ? rc.add(0.5f) : rc).mul(c.s).intoArray(c.out, c.oo + at + j, todo);
                } else {
                    rc.add(c.zf).intoArray(c.w, j, todo);
                }
            } else {
                // floorMod(q - qmin, L) + qmin, exact. t is an integer, |t| ≤ 2^22 + 2^17 (|y| < 2^22,
                // grid within ±2^16), so t and qt·L are exact floats. For L ≥ 3, |t/L| < 2^21 and
                // t·fl(1/L) is within 0.25 of t/L, so qt = rint(t·fl(1/L)) is within 0.75 of it (L = 1
                // and 2 are exact): m = t - qt·L lies in (-L, L), and one "+ L where negative" lands
                // it in [0, L). No "- L where m ≥ L" fix-up is needed (the WRAP extremes are
                // compared with the reference in SimdOracleTest).
                FloatVector t = r.add(c.zf).sub((float) c.qmin);
                FloatVector qt = t.mul(c.invLevels).add(MAGIC).sub(MAGIC);
                FloatVector m = t.sub(qt.mul(c.levelsF));
                m = m.add(c.levelsF, m.compare(VectorOperators.LT, 0f));
                w = m.add((float) c.qmin);
                if (forward) {
                    w.sub(c.zf).add(c.h).mul(c.s).intoArray(c.out, c.oo + at + j, todo);
                } else {
                    w.intoArray(c.w, j, todo);
                }
            }
            if (forward && c.mask != null) { // every lane is ours: the scalar path takes whole vectors
                VectorMask<Float> inside = r.compare(VectorOperators.GE, c.lo).and(r.compare(VectorOperators.LE, c.hi));
                putBits(c.mask, at + j, inside.toLong(), N);
            }
        }
    }

    /**
     * The scalar reference for element {@code at + j}: finishes a forward pass, or leaves r = NaN
     * (a marker) and the mode's result written, for the mode loops to skip.
     */
    private static void scalar(Call c, int at, int j) {
        int i = at + j;
        float xv = c.x[c.xo + i];
        // the block's random words hold this element's uniform (QuantMath.code's, from the same stream)
        float u = c.stochastic ? (float) ((c.k[j] >>> 8) * Philox.TWO_POW_M24) : 0f;
        float code = (float) QuantMath.round(QuantMath.scaled(xv, c.s, c.inv, c.divide), c.h, c.rounding, u) + (float) c.z;
        boolean inside = QuantMath.inside(code, c.qmin, c.qmax);
        float w = QuantMath.overflow(code, c.qmin, c.qmax, c.q.overflow());
        switch (c.mode) {
            case FORWARD -> {
                c.out[c.oo + i] = QuantMath.value(w, c.z, c.h, c.s);
                if (c.mask != null) {
                    putBits(c.mask, i, inside ? 1 : 0, 1);
                }
            }
            case STE -> c.out[c.oo + i] = inside ? c.dy[c.dyo + i] : 0f;
            case INT8, INT4 -> store(c, i, Float.isNaN(w) ? c.z : (int) w);
            case ERROR -> c.w[j] = w;
            case LEARNABLE -> {
                float g = c.dy[c.dyo + i];
                c.out[c.oo + i] = inside ? g : 0f;
                if (inside) {
                    c.sumS += g * ((double) QuantMath.value(w, c.z, c.h, c.s) - xv) * c.inv;
                } else if (code < c.qmin || code > c.qmax) {
                    c.sumS += g * ((double) (code < c.qmin ? c.lo : c.hi) + c.h);
                    c.sumZ -= (double) g * c.s;
                } else {
                    c.sumS += Double.NaN; // NaN input
                }
            }
        }
        c.r[j] = DONE;
    }

    /** Marks a scratch lane the scalar path already finished (vector-path r is finite or NaN). */
    private static final float DONE = Float.NEGATIVE_INFINITY;

    /** STE: dx = dy where the unclamped code is inside the grid, else +0. */
    private static void ste(Call c, int at, int n) {
        FloatVector zero = FloatVector.zero(F);
        for (int j = 0; j + N <= n; j += N) {
            FloatVector r = FloatVector.fromArray(F, c.r, j);
            VectorMask<Float> inside = r.compare(VectorOperators.GE, c.lo).and(r.compare(VectorOperators.LE, c.hi));
            VectorMask<Float> done = r.compare(VectorOperators.EQ, DONE);
            zero.blend(FloatVector.fromArray(F, c.dy, c.dyo + at + j), inside)
                    .intoArray(c.out, c.oo + at + j, done.not());
        }
    }

    /** Learnable scale and zero point: dx, and the run's ds/dz sums (float lanes per block, then double). */
    private static void learnable(Call c, int at, int n) {
        FloatVector zero = FloatVector.zero(F), accS = zero, accZ = zero;
        FloatVector above = FloatVector.broadcast(F, c.hi + c.h);
        FloatVector below = FloatVector.broadcast(F, c.lo + c.h);
        for (int j = 0; j + N <= n; j += N) {
            FloatVector r = FloatVector.fromArray(F, c.r, j);
            VectorMask<Float> todo = r.compare(VectorOperators.NE, DONE);
            FloatVector g = FloatVector.fromArray(F, c.dy, c.dyo + at + j);
            FloatVector xv = FloatVector.fromArray(F, c.x, c.xo + at + j);
            VectorMask<Float> lowM = r.compare(VectorOperators.LT, c.lo);
            VectorMask<Float> highM = r.compare(VectorOperators.GT, c.hi);
            VectorMask<Float> outside = lowM.or(highM);   // NaN: neither inside nor outside
            VectorMask<Float> inside = r.compare(VectorOperators.GE, c.lo).and(r.compare(VectorOperators.LE, c.hi));
            zero.blend(g, inside).intoArray(c.out, c.oo + at + j, todo);
            FloatVector fq = FloatVector.fromArray(F, c.w, j).sub(c.zf).add(c.h).mul(c.s);
            FloatVector in = g.mul(fq.sub(xv)).mul(c.inv);
            FloatVector edge = above.blend(below, lowM);
            accS = accS.add(in.blend(g.mul(edge), outside), todo);
            accZ = accZ.sub(g.mul(c.s), outside.and(todo));
        }
        accS.intoArray(c.lanesF, 0);
        c.sumS += Lanes.sum(c.lanesF);
        accZ.intoArray(c.lanesF, 0);
        c.sumZ += Lanes.sum(c.lanesF);
    }

    /** Byte lanes as many as float lanes, when such a shape exists (not for 128-bit floats). */
    private static final VectorSpecies<Byte> B = N * 8 >= 64 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(N * 8)) : null;

    /** int8 bytes or packed int4 nibbles from the final codes. */
    private static void codes(Call c, int at, int n) {
        for (int j = 0; j + N <= n; j += N) {
            FloatVector r = FloatVector.fromArray(F, c.r, j);
            if (r.compare(VectorOperators.EQ, DONE).anyTrue()) {
                continue; // the scalar path stored this vector: it takes whole vectors (scalarLanes) or tails
            }
            FloatVector w = FloatVector.fromArray(F, c.w, j);
            IntVector iv = (IntVector) w.blend(c.zf, w.test(VectorOperators.IS_NAN)).convert(VectorOperators.F2I, 0);
            if (c.mode == Mode.INT8 && B != null) {
                iv.convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoArray(c.codes, c.co + at + j);
            } else {
                iv.intoArray(c.lane, 0);
                for (int t = 0; t < N; t++) {
                    store(c, at + j + t, c.lane[t]);
                }
            }
        }
    }

    /** Stores element i's code: a byte (INT8) or a nibble, low first (INT4). */
    private static void store(Call c, int i, int code) {
        if (c.mode == Mode.INT8) {
            c.codes[c.co + i] = (byte) code;
        } else {
            int b = c.co + (i >>> 1);
            c.codes[b] = (i & 1) == 0 ? (byte) (code & 0xF) : (byte) ((c.codes[b] & 0x0F) | ((code & 0xF) << 4));
        }
    }

    /** Sets bits [pos, pos + count) of a packed mask to the low {@code count} bits of {@code bits}. */
    static void putBits(long[] mask, int pos, long bits, int count) {
        long keep = count == 64 ? -1L : (1L << count) - 1;
        bits &= keep;
        int w = pos >>> 6, b = pos & 63;
        mask[w] = (mask[w] & ~(keep << b)) | (bits << b);
        if (b + count > 64) {
            int spill = b + count - 64;
            mask[w + 1] = (mask[w + 1] & ~((1L << spill) - 1)) | (bits >>> (64 - b));
        }
    }

    static {
        assert ByteVector.SPECIES_64 != null;
    }
}
