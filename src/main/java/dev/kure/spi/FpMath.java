package dev.kure.spi;

import dev.kure.FpFormat;
import dev.kure.MxScaleRounding;

/**
 * The element arithmetic of the floating-point quantizers, exactly as {@link dev.kure.FpQuantizer}
 * defines it: rounding to a format, the MX / NVFP4 / per-tensor scales, and the bit codes. The scalar
 * reference; the SIMD kernels reproduce it bit for bit and call it for their tails.
 */
public final class FpMath {
    private FpMath() {}

    /** E8M0 code of a NaN scale. */
    public static final int E8M0_NAN = 0xFF;
    /** The MX exponent returned for a block holding NaN or ±Inf. */
    public static final int NAN_EXPONENT = 128;

    /** Biased float32 exponent field of the format's smallest normal binade. */
    public static int eminField(FpFormat f) {
        return 127 + f.emin();
    }

    /**
     * The magnitude of y rounded to the format without saturation: |y| is first clamped to 2·max
     * (which already overflows), so the result is ≤ the next binade above max, NaN for NaN.
     * STOCHASTIC when {@code stochastic} (u is the element's uniform), else HALF_EVEN.
     */
    public static float roundMagnitude(float y, FpFormat f, boolean stochastic, float u) {
        float a = Math.min(Math.abs(y), 2f * f.max());
        if (a != a) {
            return Float.NaN;
        }
        int m = f.mantissaBits();
        int field = Math.max(Float.floatToRawIntBits(a) >>> 23, eminField(f));
        float q = Float.intBitsToFloat((field - m) << 23);          // 2^(e − m)
        float inv = Float.intBitsToFloat((254 + m - field) << 23);  // 2^(m − e)
        float t = a * inv;                                          // exact, < 2^(m + 2)
        float r;
        if (stochastic) {
            float fl = (float) Math.floor(t);
            r = (t - fl) >= 1f - u ? fl + 1f : fl;
        } else {
            r = (float) Math.rint(t);
        }
        return r * q;                                               // exact
    }

    /**
     * Finishes a rounded magnitude {@code v} of {@code y}: saturate or overflow above max, apply y's
     * sign (INT8: zeros are +0).
     */
    public static float finish(float v, float y, FpFormat f, boolean saturate) {
        if (v > f.max()) {
            v = saturate ? f.max() : f.overflowValue();
        }
        float s = Math.copySign(v, y);
        return f == FpFormat.INT8 ? s + 0f : s;
    }

    /** y rounded to the format (see {@link dev.kure.FpQuantizer}). */
    public static float round(float y, FpFormat f, boolean saturate, boolean stochastic, float u) {
        return finish(roundMagnitude(y, f, stochastic, u), y, f, saturate);
    }

    /** The STE mask of an element: 1 iff its rounded magnitude is within max (not NaN, not clipped). */
    public static boolean inside(float roundedMagnitude, FpFormat f) {
        return roundedMagnitude <= f.max();
    }

    // ---- scales ------------------------------------------------------------------------------

    /** Data-derived TENSOR / CHANNEL decode scale: {@code max(amax / max, 2^-126)}, NaN if amax is not finite. */
    public static float tensorScale(float amax, FpFormat f) {
        if (!Float.isFinite(amax)) {
            return Float.NaN;
        }
        return Math.max(amax / f.max(), Float.MIN_NORMAL);
    }

    /** NVFP4 tensor scale {@code max(amax / 2688, 2^-118)}, NaN if amax is not finite. */
    public static float nvfp4TensorScale(float amax) {
        if (!Float.isFinite(amax)) {
            return Float.NaN;
        }
        return Math.max(amax / 2688f, 0x1p-118f);
    }

    /** NVFP4 block scale: {@code E4M3(amaxBlock / 6 * invTensorScale)}, HALF_EVEN, saturating. */
    public static float nvfp4BlockScale(float amaxBlock, float invTensorScale) {
        return round(amaxBlock / 6f * invTensorScale, FpFormat.E4M3, true, false, 0f);
    }

    /**
     * The decode scale of a block (MX: 2^k, NaN for a non-finite block; NVFP4: {@code sb * tensorScale})
     * whose largest magnitude has float bits {@code amaxBits}; {@code invTensorScale} is
     * {@code 1f / tensorScale} (NVFP4 only).
     */
    public static float blockScale(int amaxBits, FpParams p, float invTensorScale) {
        if (p.scaling() == dev.kure.FpQuantizer.Scaling.MX) {
            return pow2(mxExponent(amaxBits, p.format(), p.mxRounding()));
        }
        float sb = amaxBits >= 0x7f800000 ? Float.NaN : nvfp4BlockScale(Float.intBitsToFloat(amaxBits), invTensorScale);
        return sb * p.tensorScale();
    }

    /** The multiplier of a block's elements: {@code 1f / s}, and 0 for a zero scale (the block decodes to ±0). */
    public static float inverse(float s) {
        return s == 0f ? 0f : 1f / s;
    }

    /**
     * The MX shared exponent k of a block whose largest magnitude has float bits {@code amaxBits}
     * (sign cleared): in [−127, 127], or {@link #NAN_EXPONENT} when the block holds NaN or ±Inf.
     */
    public static int mxExponent(int amaxBits, FpFormat f, MxScaleRounding rule) {
        if (amaxBits >= 0x7f800000) {
            return NAN_EXPONENT;
        }
        int field = amaxBits >>> 23;
        if (field == 0) {
            return mxExponentSubnormal(amaxBits, f, rule);
        }
        // normal amax: the rules are operations on its bits (the SIMD kernels call this per block)
        int k = switch (rule) {
            case FLOOR -> field - 127 - f.emax();
            case CEIL -> field - 127 - f.emax()
                    + ((amaxBits & 0x7fffff) > (Float.floatToRawIntBits(f.max()) & 0x7fffff) ? 1 : 0);
            case NEAREST -> ((amaxBits + (1 << (22 - f.mantissaBits()))) >>> 23) - 127 - f.emax();
        };
        return Math.max(-127, Math.min(127, k));
    }

    /** {@link #mxExponent} of a zero or float32-subnormal amax, by the definitions in double. */
    private static int mxExponentSubnormal(int amaxBits, FpFormat f, MxScaleRounding rule) {
        if (amaxBits == 0) {
            return -127;
        }
        double a = Float.intBitsToFloat(amaxBits);   // a normal double
        int k;
        switch (rule) {
            case FLOOR -> k = Math.getExponent(a) - f.emax();
            case CEIL -> {
                int k0 = Math.getExponent(a) - f.emax();
                k = a > Math.scalb((double) f.max(), k0) ? k0 + 1 : k0;
            }
            default -> { // NEAREST: significand rounded to mantissaBits, ties up, then floor
                double q = Math.scalb(1.0, Math.getExponent(a) - f.mantissaBits());
                double r = Math.floor(a / q + 0.5) * q;
                k = Math.getExponent(r) - f.emax();
            }
        }
        return Math.max(-127, Math.min(127, k));
    }

    /** 2^k as a float (exact for k in [−149, 127]); NaN for {@link #NAN_EXPONENT}. */
    public static float pow2(int k) {
        if (k == NAN_EXPONENT) {
            return Float.NaN;
        }
        return k >= -126 ? Float.intBitsToFloat((k + 127) << 23) : Math.scalb(1f, k);
    }

    // ---- codes -------------------------------------------------------------------------------

    /**
     * The bit code of a value of the format (a result of {@link #round}): sign, exponent, mantissa;
     * INT8 two's complement of v·64. NaN encodes as 0x7F (E4M3, E5M2) and +Inf / −Inf as 0x7C / 0xFC
     * (E5M2). Formats without NaN encode NaN as 0 (Kure only writes such a code under a NaN scale).
     */
    public static int encode(float v, FpFormat f) {
        if (f == FpFormat.INT8) {
            return v != v ? 0 : ((int) (v * 64f)) & 0xFF;
        }
        int m = f.mantissaBits();
        int signBit = 1 << (f.bits() - 1);
        int s = Float.floatToRawIntBits(v) < 0 ? signBit : 0;
        float a = Math.abs(v);
        if (a != a) {
            return f.hasNaN() ? 0x7F : 0;
        }
        if (a == Float.POSITIVE_INFINITY) {
            return s | 0x7C;
        }
        if (a == 0f) {
            return s;
        }
        int e = Math.getExponent(a);
        if (e < f.emin()) {
            return s | (int) Math.scalb(a, m - f.emin());
        }
        int mant = (int) ((Math.scalb(a, -e) - 1f) * (1 << m));
        return s | ((e + f.bias()) << m) | mant;
    }

    /** The value of a code (the inverse of {@link #encode} on the format's values). */
    public static float decode(int code, FpFormat f) {
        if (f == FpFormat.INT8) {
            return (byte) code / 64f;
        }
        int m = f.mantissaBits();
        int bits = f.bits();
        code &= (1 << bits) - 1;
        boolean neg = (code >>> (bits - 1)) != 0;
        int field = (code >>> m) & ((1 << f.exponentBits()) - 1);
        int mant = code & ((1 << m) - 1);
        float a;
        if (f == FpFormat.E4M3 && field == 15 && mant == 7) {
            a = Float.NaN;
        } else if (f == FpFormat.E5M2 && field == 31) {
            a = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else if (field == 0) {
            a = Math.scalb((float) mant, f.emin() - m);
        } else {
            a = Math.scalb(1f + mant / (float) (1 << m), field - f.bias());
        }
        return neg ? -a : a;
    }

    /** E8M0 code of the exponent k (or {@link #NAN_EXPONENT}). */
    public static int e8m0(int k) {
        return k == NAN_EXPONENT ? E8M0_NAN : k + 127;
    }

    /** The exponent of an E8M0 code ({@link #NAN_EXPONENT} for 0xFF). */
    public static int e8m0Exponent(int code) {
        code &= 0xFF;
        return code == E8M0_NAN ? NAN_EXPONENT : code - 127;
    }
}
