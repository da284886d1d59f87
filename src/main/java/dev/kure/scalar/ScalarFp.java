package dev.kure.scalar;

import dev.kure.FpFormat;
import dev.kure.FpQuantizer;
import dev.kure.spi.FpBackend;
import dev.kure.spi.FpMath;
import dev.kure.spi.FpParams;
import dev.kure.spi.Philox;

/**
 * The reference floating-point quantizer kernels: one element at a time with {@link FpMath}, blocks
 * scaled as {@link FpQuantizer} defines. The oracle of the other backends; it also writes the codes
 * ({@link #quantize}) that every backend shares.
 */
public final class ScalarFp implements FpBackend {
    /** The single instance (stateless). */
    public static final ScalarFp INSTANCE = new ScalarFp();

    private ScalarFp() {}

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void fakeQuantize(float[] x, int xo, float[] out, int oo, int len, long base, FpParams p, long[] mask) {
        run(x, xo, out, oo, len, base, p, mask, null, null);
    }

    /**
     * Element codes and block-scale codes of the whole tensor {@code x[xo, xo + len)}: element j's
     * code into {@code codes[j]} (one per int, the caller packs them), block b's scale code into
     * {@code blockScales[b]} (E8M0 for MX, E4M3 for NVFP4; blocks numbered line by line, then along
     * the axis, then inner index: b = (o·blocksPerLine + a/B)·inner + t). Returns nothing else: the
     * fake-quant values written to {@code out} are exactly those the codes decode to.
     */
    public static void quantize(float[] x, int xo, float[] out, int len, FpParams p, int[] codes, int[] blockScales) {
        INSTANCE.run(x, xo, out, 0, len, 0, p, null, codes, blockScales);
    }

    /** The block (numbered as in {@link #quantize}) that holds element j of a blocked tensor. */
    public static int blockOf(long j, FpParams p) {
        int bsz = p.block();
        if (p.axisLen() == 0) {
            return (int) (j / bsz);
        }
        long inner = p.inner();
        long line = j / (p.axisLen() * inner);
        long r = j % (p.axisLen() * inner);
        long bpl = (p.axisLen() + bsz - 1) / bsz;
        return (int) ((line * bpl + (r / inner) / bsz) * inner + r % inner);
    }

    /**
     * Values from codes: element j decodes to {@code decode(codes[j]) * s} with s its tensor or
     * channel scale, its block's 2^k (MX) or {@code sb * tensorScale} (NVFP4), bit for bit the
     * value {@link #quantize} wrote.
     */
    public static void dequantize(int[] codes, int[] blockScales, FpParams p, float[] out, int len) {
        FpFormat f = p.format();
        for (int j = 0; j < len; j++) {
            float v = FpMath.decode(codes[j], f);
            float s;
            if (p.block() == 0) {
                s = p.scales()[(int) ((j / p.inner()) % p.scales().length)];
            } else if (p.scaling() == FpQuantizer.Scaling.MX) {
                s = FpMath.pow2(FpMath.e8m0Exponent(blockScales[blockOf(j, p)]));
            } else {
                s = FpMath.decode(blockScales[blockOf(j, p)], FpFormat.E4M3) * p.tensorScale();
            }
            out[j] = v * s;
        }
    }

    private void run(float[] x, int xo, float[] out, int oo, int len, long base, FpParams p, long[] mask, int[] codes,
                     int[] blockScales) {
        FpFormat f = p.format();
        if (p.block() == 0) {
            int channels = p.scales().length;
            for (int j = 0; j < len; j++) {
                int c = (int) (((base + j) / p.inner()) % channels);
                element(x[xo + j], p.scales()[c], p.inverses()[c], f, p, base + j, out, oo + j, mask, j, codes);
            }
            return;
        }
        int bsz = p.block();
        long inner = p.axisLen() == 0 ? 1 : p.inner();
        long axisLen = p.axisLen() == 0 ? len : p.axisLen();
        long lineElems = axisLen * inner;
        long blocksPerLine = (axisLen + bsz - 1) / bsz;
        float ig = 1f / p.tensorScale();
        for (long line = 0; line * lineElems < len; line++) {
            for (long a0 = 0; a0 < axisLen; a0 += bsz) {
                int n = (int) Math.min(bsz, axisLen - a0);
                for (long t = 0; t < inner; t++) {
                    long first = line * lineElems + a0 * inner + t;
                    int amaxBits = 0;
                    for (int i = 0; i < n; i++) {
                        amaxBits = Math.max(amaxBits, Float.floatToRawIntBits(x[xo + (int) (first + i * inner)]) & 0x7fffffff);
                    }
                    float s = FpMath.blockScale(amaxBits, p, ig);
                    float inv = FpMath.inverse(s);
                    if (blockScales != null) {
                        int scaleCode = p.scaling() == FpQuantizer.Scaling.MX
                                ? FpMath.e8m0(FpMath.mxExponent(amaxBits, f, p.mxRounding()))
                                : FpMath.encode(amaxBits >= 0x7f800000 ? Float.NaN
                                        : FpMath.nvfp4BlockScale(Float.intBitsToFloat(amaxBits), ig), FpFormat.E4M3);
                        blockScales[(int) ((line * blocksPerLine + a0 / bsz) * inner + t)] = scaleCode;
                    }
                    for (int i = 0; i < n; i++) {
                        int j = (int) (first + i * inner);
                        element(x[xo + j], s, inv, f, p, base + j, out, oo + j, mask, j, codes);
                    }
                }
            }
        }
    }

    /**
     * One element with decode scale s and multiplier inv: y = x·inv rounded to the format, times s,
     * into {@code out[at]}; g is its global index (stochastic stream), j its index in the call (mask
     * bit and code slot; mask and codes may be null). The SIMD kernels' tails call it.
     */
    public static void element(float x, float s, float inv, FpFormat f, FpParams p, long g, float[] out, int at,
                                long[] mask, int j, int[] codes) {
        float y = x * inv;
        float u = p.stochastic() ? Philox.uniform(p.seed(), p.streamOffset() + g) : 0f;
        float mag = FpMath.roundMagnitude(y, f, p.stochastic(), u);
        float v = FpMath.finish(mag, y, f, p.saturate());
        out[at] = v * s;
        if (mask != null && FpMath.inside(mag, f)) {
            mask[j >>> 6] |= 1L << j;
        }
        if (codes != null) {
            codes[j] = FpMath.encode(v, f);
        }
    }
}
