package dev.kure.spi;

import dev.kure.Overflow;
import dev.kure.Rounding;

/**
 * The element-wise arithmetic of fake quantization, exactly as docs/semantics.md §4 and the Quantizer docs
 * define it. This is the scalar reference; SIMD tails call it and the CUDA header mirrors it.
 */
public final class QuantMath {
    private QuantMath() {}

    /**
     * Rounds the exact real {@code y - h} (h is 0 or 0.5) to an integer by {@code policy}; {@code u}
     * is the element's uniform for the stochastic policies (ignored otherwise). Exact for every float {@code y}:
     * decisions compare {@code y} against {@code floor(y) + c} without forming {@code y - h} in
     * float. Returns the integer as a double (NaN and ±Inf pass through).
     */
    public static double round(float yf, float h, Rounding policy, float u) {
        double y = yf;
        if (h == 0f) {
            return switch (policy) {
                case HALF_EVEN -> Math.rint(y);
                case HALF_AWAY_FROM_ZERO -> Math.copySign(Math.floor(Math.abs(y) + 0.5), y);
                case HALF_UP -> Math.floor(y + 0.5);
                case HALF_DOWN -> Math.ceil(y - 0.5);
                case FLOOR -> Math.floor(y);
                case CEIL -> Math.ceil(y);
                case TOWARD_ZERO -> y < 0 ? Math.ceil(y) : Math.floor(y);
                case STOCHASTIC, STOCHASTIC_HASH -> {
                    double fl = Math.floor(y);
                    yield atLeast(y, fl, 1.0 - u) ? fl + 1 : fl;
                }
            };
        }
        // h = 0.5: v = y - 0.5 lies in [fl - 0.5, fl + 0.5) with fl = floor(y).
        double fl = Math.floor(y);
        if (!Double.isFinite(fl)) {
            return fl;
        }
        return switch (policy) {
            case FLOOR -> atLeast(y, fl, 0.5) ? fl : fl - 1;
            case CEIL -> greater(y, fl, 0.5) ? fl + 1 : fl;
            case TOWARD_ZERO -> y >= 0.5 ? (atLeast(y, fl, 0.5) ? fl : fl - 1)
                                         : (greater(y, fl, 0.5) ? fl + 1 : fl);
            case STOCHASTIC, STOCHASTIC_HASH -> fl - 1 + (atLeast(y, fl, 0.5 - u) ? 1 : 0) + (atLeast(y, fl, 1.5 - u) ? 1 : 0);
            default -> {
                if (y != fl) {
                    yield fl; // strictly inside (fl - 0.5, fl + 0.5): no tie
                }
                // y integer: v = fl - 0.5 is a tie between fl - 1 and fl
                yield switch (policy) {
                    case HALF_EVEN -> (fl % 2 == 0) ? fl : fl - 1;
                    case HALF_AWAY_FROM_ZERO -> fl >= 1 ? fl : fl - 1;
                    case HALF_UP -> fl;
                    default -> fl - 1; // HALF_DOWN
                };
            }
        };
    }

    /** Exactly {@code y >= fl + c} for {@code fl = floor(y)} and a small exact {@code c}. */
    private static boolean atLeast(double y, double fl, double c) {
        // y - fl is exact for |y| >= 1; fl + c is exact for |y| < 1 (fl in {-1, 0}).
        return Math.abs(y) >= 1 ? (y - fl) >= c : y >= fl + c;
    }

    /** Exactly {@code y > fl + c}. */
    private static boolean greater(double y, double fl, double c) {
        return Math.abs(y) >= 1 ? (y - fl) > c : y > fl + c;
    }

    /** The scaled value y: {@code x * inv} or {@code x / s}. */
    public static float scaled(float x, float s, float inv, boolean divide) {
        return divide ? x / s : x * inv;
    }

    /**
     * Applies the overflow policy to the integer-valued code {@code q} against [qmin, qmax]. WRAP of
     * a non-finite code gives NaN.
     */
    public static float overflow(float q, int qmin, int qmax, Overflow policy) {
        if (policy == Overflow.SATURATE) {
            return Math.min(Math.max(q, qmin), qmax);
        }
        if (!Float.isFinite(q)) {
            return Float.NaN;
        }
        if (q >= qmin && q <= qmax) {
            return q;
        }
        int levels = qmax - qmin + 1;
        int t = (int) ((double) q % levels); // fmod is exact; |t| < levels
        return qmin + Math.floorMod(t - qmin, levels);
    }

    /** The unclamped code {@code r + z} of one element (float add, PyTorch's order). */
    public static float code(float x, float s, float inv, int z, float h, Rounding rounding, boolean divide,
                             long seed, long e) {
        float y = scaled(x, s, inv, divide);
        float u = uniform(rounding, seed, e);
        return (float) round(y, h, rounding, u) + (float) z;
    }

    /** Element {@code e}'s 32 random bits from the generator of a stochastic policy. */
    public static int bits(Rounding rounding, long seed, long e) {
        return rounding == Rounding.STOCHASTIC_HASH ? Hash32.bits(seed, e) : Philox.bits(seed, e);
    }

    /** Element {@code e}'s uniform for a stochastic policy from its generator; 0 for the others. */
    public static float uniform(Rounding rounding, long seed, long e) {
        return switch (rounding) {
            case STOCHASTIC -> Philox.uniform(seed, e);
            case STOCHASTIC_HASH -> Hash32.uniform(seed, e);
            default -> 0f;
        };
    }

    /** The float value of a (clamped or wrapped) code: {@code ((q - z) + h) * s}. */
    public static float value(float q, int z, float h, float s) {
        return ((q - (float) z) + h) * s;
    }

    /** STE mask of an unclamped code: 1 inside [qmin, qmax], 0 outside or NaN. */
    public static boolean inside(float q, int qmin, int qmax) {
        return q >= qmin && q <= qmax;
    }

    /** The reciprocal {@code (float)(1.0f / s)} computed once per parameter set. */
    public static float reciprocal(float s) {
        return 1.0f / s;
    }
}
