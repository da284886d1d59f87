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
        boolean vectorBlocks = bsz % N == 0;
        for (int l0 = 0; l0 < len; l0 += line) {
            int lineEnd = Math.min(len, l0 + line);
            for (int b = l0; b < lineEnd; b += bsz) {
                int n = Math.min(bsz, lineEnd - b);
                int amaxBits = 0;
                int i = 0;
                if (vectorBlocks && n == bsz) {
                    IntVector m = IntVector.zero(I);
                    for (; i < bsz; i += N) {
                        m = m.max(FloatVector.fromArray(F, x, xo + b + i).reinterpretAsInts().and(ABS));
                    }
                    amaxBits = m.reduceLanes(VectorOperators.MAX);
                } else {
                    for (; i < n; i++) {
                        amaxBits = Math.max(amaxBits, Float.floatToRawIntBits(x[xo + b + i]) & ABS);
                    }
                }
                float s = FpMath.blockScale(amaxBits, p, ig);
                span(x, xo + b, out, oo + b, n, base + b, s, FpMath.inverse(s), p, u);
            }
        }
    }

    /**
     * {@code n} elements with one decode scale s (multiplier inv): vectors, then the scalar tail.
     * {@code g} is the global index of the first.
     */
    private static void span(float[] x, int xo, float[] out, int oo, int n, long g, float s, float inv, FpParams p,
                             float[] u) {
        FpFormat f = p.format();
        int m = f.mantissaBits();
        float max = f.max();
        float limit = 2f * max;
        int eminField = FpMath.eminField(f);
        boolean sat = p.saturate();
        float over = sat ? max : f.overflowValue();
        boolean int8 = f == FpFormat.INT8;
        int bound = F.loopBound(n);
        int i = 0;
        if (u == null) {
            for (; i < bound; i += N) {
                FloatVector y = FloatVector.fromArray(F, x, xo + i).mul(inv);
                FloatVector a = y.abs().min(limit);
                IntVector field = a.reinterpretAsInts().lanewise(VectorOperators.LSHR, 23).max(eminField).min(200);
                FloatVector c = field.add(23 - m).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector r = a.add(c).sub(c);
                r = r.blend(over, r.compare(VectorOperators.GT, max));
                IntVector sign = y.reinterpretAsInts().and(~ABS);
                FloatVector v = r.reinterpretAsInts().or(sign).reinterpretAsFloats();
                if (int8) {
                    v = v.add(0f);
                }
                v.mul(s).intoArray(out, oo + i);
            }
        } else {
            for (; i < bound; i += N) {
                for (int j = 0; j < N; j++) {
                    u[j] = Philox.uniform(p.seed(), p.streamOffset() + g + i + j);
                }
                FloatVector y = FloatVector.fromArray(F, x, xo + i).mul(inv);
                FloatVector a = y.abs().min(limit);
                IntVector field = a.reinterpretAsInts().lanewise(VectorOperators.LSHR, 23).max(eminField).min(200);
                FloatVector q = field.sub(m).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector iq = field.neg().add(254 + m).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector t = a.mul(iq);
                FloatVector fl = t.convert(VectorOperators.F2I, 0).convert(VectorOperators.I2F, 0).reinterpretAsFloats();
                VectorMask<Float> up = t.sub(fl).compare(VectorOperators.GE,
                        FloatVector.broadcast(F, 1f).sub(FloatVector.fromArray(F, u, 0)));
                FloatVector r = fl.add(FloatVector.broadcast(F, 1f), up).mul(q);
                r = r.blend(Float.NaN, a.test(VectorOperators.IS_NAN));
                r = r.blend(over, r.compare(VectorOperators.GT, max));
                IntVector sign = y.reinterpretAsInts().and(~ABS);
                FloatVector v = r.reinterpretAsInts().or(sign).reinterpretAsFloats();
                if (int8) {
                    v = v.add(0f);
                }
                v.mul(s).intoArray(out, oo + i);
            }
        }
        FpParams pp = p;
        for (; i < n; i++) {
            ScalarFp.element(x[xo + i], s, inv, f, pp, g + i, out, oo + i, null, 0, null);
        }
    }

    static {
        // the F2I / I2F conversions above keep the lane count only when int and float lanes match
        if (I.length() != F.length()) {
            throw new AssertionError("int and float species differ in length");
        }
        assert FpQuantizer.MX_BLOCK % 1 == 0;
    }
}
