package dev.kure.simd;

import static dev.kure.simd.Lanes.F;
import static dev.kure.simd.Lanes.I;
import static dev.kure.simd.Lanes.N;

import dev.kure.FpFormat;
import dev.kure.FpQuantizer;
import dev.kure.scalar.ScalarFp;
import dev.kure.spi.FpBackend;
import dev.kure.spi.FpMath;
import dev.kure.spi.FpParams;
import dev.kure.spi.Philox;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The floating-point quantizers in SIMD, bit for bit {@link ScalarFp}. Rounding to a format is done
 * on the magnitude a = min(|y|, 2·max) with the exponent-dependent "magic" constant
 * c = 2^(e + 23 − m), e = max(exponent(a), emin): a + c rounds a to the format's quantum 2^(e − m)
 * half to even (the float addition's own rounding), and (a + c) − c is that multiple exactly. An MX
 * or NVFP4 block of 32 or 16 contiguous elements is a few vectors: its amax is an integer max over the
 * magnitude bits, its scale is computed once with {@link FpMath}, and its vectors are rounded in
 * registers. STOCHASTIC draws its uniforms with {@link Philox#uniform} (the project's generator entry
 * point) and rounds in vectors. Blocks along a strided axis, partial blocks, short channel runs and
 * STE masks run the scalar reference.
 */
public final class SimdFp implements FpBackend {
    /** The single instance (stateless). */
    public static final SimdFp INSTANCE = new SimdFp();

    private static final int ABS = 0x7fffffff;

    static {
        // the F2I / I2F conversions of the stochastic path keep the lane count only when int and float lanes match
        if (I.length() != F.length()) {
            throw new AssertionError("int and float species differ in length");
        }
    }

    private SimdFp() {}

    @Override
    public String name() {
        return "panama";
    }

    @Override
    public void fakeQuantize(float[] x, int xo, float[] out, int oo, int len, long base, FpParams p, long[] mask) {
        if (mask != null || p.strided()) {
            ScalarFp.INSTANCE.fakeQuantize(x, xo, out, oo, len, base, p, mask);
            return;
        }
        float[] u = p.stochastic() ? new float[N] : null;
        if (p.block() == 0) {
            scaled(x, xo, out, oo, len, base, p, u);
        } else if (vectorScales(p)) {
            mxFlat(x, xo, out, oo, len, p);
        } else {
            blocks(x, xo, out, oo, len, base, p, u);
        }
    }

    /** TENSOR / CHANNEL: runs of one scale, vectors inside each run. */
    private static void scaled(float[] x, int xo, float[] out, int oo, int len, long base, FpParams p, float[] u) {
        int channels = p.scales().length;
        long inner = p.inner();
        for (int from = 0; from < len; ) {
            long g = base + from;
            int c = (int) ((g / inner) % channels);
            long runEnd = (g / inner + 1) * inner - base;
            int to = runEnd >= len || runEnd < 0 ? len : (int) runEnd;
            span(x, xo + from, out, oo + from, to - from, g, p.scales()[c], p.inverses()[c], p, u);
            from = to;
        }
    }

    /** MX / NVFP4 over contiguous lines of {@code axisLen} (flat: the whole call). */
    private static void blocks(float[] x, int xo, float[] out, int oo, int len, long base, FpParams p, float[] u) {
        int bsz = p.block();
        int line = p.axisLen() == 0 ? len : p.axisLen();
        float ig = 1f / p.tensorScale();
        boolean mx = p.scaling() == FpQuantizer.Scaling.MX;
        boolean fast = bsz % N == 0 && u == null;
        FpFormat f = p.format();
        K c = new K(f, p.saturate());
        for (int l0 = 0; l0 < len; l0 += line) {
            int lineEnd = Math.min(len, l0 + line);
            for (int b = l0; b < lineEnd; b += bsz) {
                int n = Math.min(bsz, lineEnd - b);
                int amaxBits = 0;
                if (n == bsz && bsz % N == 0) {
                    IntVector m = IntVector.zero(I);
                    for (int i = 0; i < bsz; i += N) {
                        m = m.max(FloatVector.fromArray(F, x, xo + b + i).reinterpretAsInts().and(ABS));
                    }
                    amaxBits = m.reduceLanes(VectorOperators.MAX);
                } else {
                    for (int i = 0; i < n; i++) {
                        amaxBits = Math.max(amaxBits, Float.floatToRawIntBits(x[xo + b + i]) & ABS);
                    }
                }
                float s;
                float inv;
                if (mx) { // 2^k and its exact reciprocal 2^-k, without a division
                    int k = FpMath.mxExponent(amaxBits, f, p.mxRounding());
                    s = FpMath.pow2(k);
                    inv = k == FpMath.NAN_EXPONENT ? Float.NaN : FpMath.pow2(-k);
                } else {
                    s = FpMath.blockScale(amaxBits, p, ig);
                    inv = FpMath.inverse(s);
                }
                if (fast && n == bsz) {
                    for (int i = 0; i < bsz; i += N) {
                        rne(FloatVector.fromArray(F, x, xo + b + i).mul(inv), c).mul(s).intoArray(out, oo + b + i);
                    }
                } else {
                    span(x, xo + b, out, oo + b, n, base + b, s, inv, p, u);
                }
            }
        }
    }

    /**
     * Whether {@link #mxFlat} applies: flat MX blocks of 32 (whole vectors), HALF_EVEN, and a rule whose
     * bit formula in {@link FpMath#mxExponent} is exact for every amax after clamping (all but INT8's
     * CEIL and NEAREST, where a float32-subnormal amax can give k = −126).
     */
    private static boolean vectorScales(FpParams p) {
        return p.scaling() == FpQuantizer.Scaling.MX && p.axisLen() == 0 && !p.stochastic()
                && FpQuantizer.MX_BLOCK % N == 0
                && (p.format().emax() >= 1 || p.mxRounding() == dev.kure.MxScaleRounding.FLOOR);
    }

    /** Lane permutations i → i ^ d for d = N/2, ..., 1: a butterfly leaves the max in every lane. */
    private static final jdk.incubator.vector.VectorShuffle<Integer>[] BUTTERFLY = butterfly();

    @SuppressWarnings("unchecked")
    private static jdk.incubator.vector.VectorShuffle<Integer>[] butterfly() {
        int steps = Integer.numberOfTrailingZeros(N);
        jdk.incubator.vector.VectorShuffle<Integer>[] sh = new jdk.incubator.vector.VectorShuffle[steps];
        for (int k = 0; k < steps; k++) {
            int d = N >>> (k + 1);
            sh[k] = jdk.incubator.vector.VectorShuffle.fromOp(I, i -> i ^ d);
        }
        return sh;
    }

    /**
     * Flat MX with the block scale computed in vector registers: the block's amax bits reach every lane
     * by a butterfly of lane permutations and maxima, and k, 2^k and 2^-k are the integer formulas of
     * {@link FpMath#mxExponent} and {@link FpMath#pow2} lane-wise — no round trip through a scalar
     * register per block. Partial blocks at the end run {@link #span}.
     */
    private static void mxFlat(float[] x, int xo, float[] out, int oo, int len, FpParams p) {
        FpFormat f = p.format();
        K c = new K(f, p.saturate());
        int emax = f.emax();
        int rule = p.mxRounding().ordinal(); // FLOOR, CEIL, NEAREST
        int maxMant = Float.floatToRawIntBits(f.max()) & 0x7fffff;
        int half = 1 << (22 - f.mantissaBits());
        int bsz = FpQuantizer.MX_BLOCK;
        int full = len - len % bsz;
        for (int b = 0; b < full; b += bsz) {
            IntVector m = IntVector.zero(I);
            for (int i = 0; i < bsz; i += N) {
                m = m.max(FloatVector.fromArray(F, x, xo + b + i).reinterpretAsInts().and(ABS));
            }
            for (jdk.incubator.vector.VectorShuffle<Integer> sh : BUTTERFLY) {
                m = m.max(m.rearrange(sh));
            }
            IntVector field = rule == 2 ? m.add(half).lanewise(VectorOperators.LSHR, 23)
                    : m.lanewise(VectorOperators.LSHR, 23);
            IntVector k = field.sub(127 + emax);
            if (rule == 1) {
                k = k.add(1, m.and(0x7fffff).compare(VectorOperators.GT, maxMant));
            }
            k = k.max(-127).min(127);
            // 2^k and 2^-k by their bits; 2^-127 is the subnormal 0x00400000
            FloatVector s = k.add(127).lanewise(VectorOperators.LSHL, 23)
                    .blend(0x00400000, k.compare(VectorOperators.LT, -126)).reinterpretAsFloats();
            FloatVector inv = k.neg().add(127).lanewise(VectorOperators.LSHL, 23)
                    .blend(0x00400000, k.compare(VectorOperators.GT, 126)).reinterpretAsFloats();
            VectorMask<Float> bad = m.compare(VectorOperators.GE, 0x7f800000).cast(F); // NaN or Inf inside
            s = s.blend(Float.NaN, bad);
            inv = inv.blend(Float.NaN, bad);
            for (int i = 0; i < bsz; i += N) {
                rne(FloatVector.fromArray(F, x, xo + b + i).mul(inv), c).mul(s).intoArray(out, oo + b + i);
            }
        }
        if (full < len) {
            int amaxBits = 0;
            for (int i = full; i < len; i++) {
                amaxBits = Math.max(amaxBits, Float.floatToRawIntBits(x[xo + i]) & ABS);
            }
            int k = FpMath.mxExponent(amaxBits, f, p.mxRounding());
            float s = FpMath.pow2(k);
            span(x, xo + full, out, oo + full, len - full, full, s,
                    k == FpMath.NAN_EXPONENT ? Float.NaN : FpMath.pow2(-k), p, null);
        }
    }

    /** The per-format constants of {@link #rne}. */
    private record K(float limit, int eminField, int magicShift, float max, float over, boolean int8) {
        K(FpFormat f, boolean saturate) {
            this(2f * f.max(), FpMath.eminField(f), 23 - f.mantissaBits(), f.max(),
                    saturate ? f.max() : f.overflowValue(), f == FpFormat.INT8);
        }
    }

    /** y rounded to the format HALF_EVEN, saturated or overflowed, with y's sign (see the class docs). */
    private static FloatVector rne(FloatVector y, K c) {
        FloatVector a = y.abs().min(c.limit);
        IntVector field = a.reinterpretAsInts().lanewise(VectorOperators.LSHR, 23).max(c.eminField).min(200);
        FloatVector magic = field.add(c.magicShift).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector r = a.add(magic).sub(magic);
        r = r.blend(c.over, r.compare(VectorOperators.GT, c.max));
        FloatVector v = r.reinterpretAsInts().or(y.reinterpretAsInts().and(~ABS)).reinterpretAsFloats();
        return c.int8 ? v.add(0f) : v;
    }

    /**
     * {@code n} elements with one decode scale s (multiplier inv): vectors, then the scalar tail.
     * {@code g} is the global index of the first.
     */
    private static void span(float[] x, int xo, float[] out, int oo, int n, long g, float s, float inv, FpParams p,
                             float[] u) {
        FpFormat f = p.format();
        K c = new K(f, p.saturate());
        int m = f.mantissaBits();
        int bound = F.loopBound(n);
        int i = 0;
        if (u == null) {
            for (; i < bound; i += N) {
                rne(FloatVector.fromArray(F, x, xo + i).mul(inv), c).mul(s).intoArray(out, oo + i);
            }
        } else {
            for (; i < bound; i += N) {
                uniforms(p.seed(), p.streamOffset() + g + i, u);
                FloatVector y = FloatVector.fromArray(F, x, xo + i).mul(inv);
                FloatVector a = y.abs().min(c.limit);
                IntVector field = a.reinterpretAsInts().lanewise(VectorOperators.LSHR, 23).max(c.eminField).min(200);
                FloatVector q = field.sub(m).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector iq = field.neg().add(254 + m).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector t = a.mul(iq);
                FloatVector fl = t.convert(VectorOperators.F2I, 0).convert(VectorOperators.I2F, 0).reinterpretAsFloats();
                VectorMask<Float> up = t.sub(fl).compare(VectorOperators.GE,
                        FloatVector.broadcast(F, 1f).sub(FloatVector.fromArray(F, u, 0)));
                FloatVector r = fl.add(FloatVector.broadcast(F, 1f), up).mul(q);
                r = r.blend(Float.NaN, a.test(VectorOperators.IS_NAN));
                r = r.blend(c.over, r.compare(VectorOperators.GT, c.max));
                FloatVector v = r.reinterpretAsInts().or(y.reinterpretAsInts().and(~ABS)).reinterpretAsFloats();
                (c.int8 ? v.add(0f) : v).mul(s).intoArray(out, oo + i);
            }
        }
        for (; i < n; i++) {
            ScalarFp.element(x[xo + i], s, inv, f, p, g + i, out, oo + i, null, 0, null);
        }
    }

    /**
     * The uniforms of elements e0 .. e0 + N − 1 into u[0, N): Philox4x32-10 blocks from
     * {@link Philox#block} (one block serves four consecutive elements), the same numbers as
     * {@link Philox#uniform}.
     */
    private static void uniforms(long seed, long e0, float[] u) {
        int[] ctr = new int[4];
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        for (long e = e0; e < e0 + N; ) {
            long blk = e >>> 2;
            ctr[0] = (int) blk;
            ctr[1] = (int) (blk >>> 32);
            ctr[2] = 0;
            ctr[3] = 0;
            Philox.block(ctr, k0, k1);
            for (int w = (int) (e & 3); w < 4 && e < e0 + N; w++, e++) {
                u[(int) (e - e0)] = (float) ((ctr[w] >>> 8) * Philox.TWO_POW_M24);
            }
        }
    }

}
