// Kure CUDA kernels: shared header.
//
// Everything here follows docs/semantics.md (the per-element arithmetic every backend reproduces bit for
// bit) and docs/semantics.md. The element-wise helpers are __host__ __device__ so that native/test/ can check
// them on a machine without a GPU; float32 operations use the explicitly rounded intrinsics
// (__fmul_rn, __fadd_rn, __fsub_rn, __fdiv_rn) on the device, so parity never depends on the
// --fmad flag (the build still passes --fmad=false). Host compilation must not contract either
// (native/test passes -ffp-contract=off to the host compiler).
#ifndef KURE_COMMON_CUH
#define KURE_COMMON_CUH

#include <stdint.h>
#include <math.h>

#define KURE_HD __host__ __device__ __forceinline__

// ---------------------------------------------------------------------------------------------
// Policy enums (values are part of the kernel ABI; the Java side passes them as int)
// ---------------------------------------------------------------------------------------------
enum KureRounding {
    KURE_HALF_EVEN = 0,
    KURE_HALF_AWAY_FROM_ZERO = 1,
    KURE_HALF_UP = 2,
    KURE_HALF_DOWN = 3,
    KURE_FLOOR = 4,
    KURE_CEIL = 5,
    KURE_TOWARD_ZERO = 6,
    KURE_STOCHASTIC = 7,
    KURE_STOCHASTIC_HASH = 8  // floor(y + u) as STOCHASTIC, u from kure_hash32 instead of Philox
};
enum KureOverflow { KURE_SATURATE = 0, KURE_WRAP = 1 };
enum KureMode { KURE_MULTIPLY = 0, KURE_DIVIDE = 1 };

// Virtual lanes of every deterministic block reduction. Reductions are written against these 256
// virtual lanes, not against blockDim, so their result does not depend on the launch shape.
#define KURE_VLANES 256

// ---------------------------------------------------------------------------------------------
// Correctly rounded float32 / float64 operations (never contracted into FMA)
// ---------------------------------------------------------------------------------------------
KURE_HD float kf_add(float a, float b) {
#ifdef __CUDA_ARCH__
    return __fadd_rn(a, b);
#else
    return a + b;
#endif
}
KURE_HD float kf_sub(float a, float b) {
#ifdef __CUDA_ARCH__
    return __fsub_rn(a, b);
#else
    return a - b;
#endif
}
KURE_HD float kf_mul(float a, float b) {
#ifdef __CUDA_ARCH__
    return __fmul_rn(a, b);
#else
    return a * b;
#endif
}
KURE_HD float kf_div(float a, float b) {
#ifdef __CUDA_ARCH__
    return __fdiv_rn(a, b);
#else
    return a / b;
#endif
}
KURE_HD double kd_add(double a, double b) {
#ifdef __CUDA_ARCH__
    return __dadd_rn(a, b);
#else
    return a + b;
#endif
}
KURE_HD double kd_sub(double a, double b) {
#ifdef __CUDA_ARCH__
    return __dsub_rn(a, b);
#else
    return a - b;
#endif
}
KURE_HD double kd_mul(double a, double b) {
#ifdef __CUDA_ARCH__
    return __dmul_rn(a, b);
#else
    return a * b;
#endif
}
KURE_HD double kd_div(double a, double b) {
#ifdef __CUDA_ARCH__
    return __ddiv_rn(a, b);
#else
    return a / b;
#endif
}

// ---------------------------------------------------------------------------------------------
// Philox4x32-10 (Random123), docs/semantics.md "Stochastic rounding generator"
// ---------------------------------------------------------------------------------------------
#define KURE_PHILOX_M0 0xD2511F53u
#define KURE_PHILOX_M1 0xCD9E8D57u
#define KURE_PHILOX_W0 0x9E3779B9u
#define KURE_PHILOX_W1 0xBB67AE85u

// out = Philox4x32-10(counter c, key (k0, k1)).
KURE_HD void kure_philox4x32_10(const uint32_t c_in[4], uint32_t k0, uint32_t k1, uint32_t out[4]) {
    uint32_t c0 = c_in[0], c1 = c_in[1], c2 = c_in[2], c3 = c_in[3];
#ifdef __CUDA_ARCH__
#pragma unroll
#endif
    for (int round = 0; round < 10; ++round) {
        if (round > 0) {  // 9 key bumps, between rounds
            k0 += KURE_PHILOX_W0;
            k1 += KURE_PHILOX_W1;
        }
        const uint64_t p0 = (uint64_t)KURE_PHILOX_M0 * (uint64_t)c0;
        const uint64_t p1 = (uint64_t)KURE_PHILOX_M1 * (uint64_t)c2;
        const uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
        const uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

// The 4 words of the Philox block that holds element index e (the block number is e >>> 2).
KURE_HD void kure_philox_block(uint64_t seed, uint64_t e, uint32_t out[4]) {
    const uint32_t c[4] = {(uint32_t)(e >> 2), (uint32_t)(e >> 34), 0u, 0u};
    kure_philox4x32_10(c, (uint32_t)seed, (uint32_t)(seed >> 32), out);
}

// u in [0, 1) from a Philox word: (w >>> 8) * 2^-24 (exact in double and in float).
KURE_HD double kure_u_from_word(uint32_t w) { return (double)(w >> 8) * (1.0 / 16777216.0); }

// w[k & 3] by selects (no dynamically indexed local array on the device).
KURE_HD uint32_t kure_pick(const uint32_t w[4], uint64_t k) {
    const uint32_t j = (uint32_t)(k & 3);
    return j == 0 ? w[0] : (j == 1 ? w[1] : (j == 2 ? w[2] : w[3]));
}

// u of element index e (e = index within the call + the quantizer's streamOffset).
KURE_HD double kure_uniform(uint64_t seed, uint64_t e) {
    uint32_t w[4];
    kure_philox_block(seed, e, w);
    return kure_u_from_word(kure_pick(w, e));
}

// ---------------------------------------------------------------------------------------------
// Hash32: the fast generator of STOCHASTIC_HASH (dev.kure.spi.Hash32). key = SplitMix64's output
// number (e >> 32) + 1 from state seed; then Wellons' lowbias32 on the low word, keyed before and between the
// multiplies.
// ---------------------------------------------------------------------------------------------
KURE_HD uint64_t kure_hash32_key(uint64_t seed, uint64_t hi) {
    uint64_t z = seed + (hi + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
KURE_HD uint32_t kure_hash32_mix(uint32_t lo, uint32_t k1, uint32_t k2) {
    uint32_t x = lo + k1;
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= (x >> 15) ^ k2;
    x *= 0x846CA68Bu;
    return x ^ (x >> 16);
}
KURE_HD uint32_t kure_hash32(uint64_t seed, uint64_t e) {
    const uint64_t key = kure_hash32_key(seed, e >> 32);
    return kure_hash32_mix((uint32_t)e, (uint32_t)key, (uint32_t)(key >> 32));
}

// Per-thread cache of one Philox block, for threads that handle consecutive elements.
struct KurePhiloxCache {
    uint64_t block;  // e >> 2 of the cached block; ~0 when empty
    uint32_t w[4];
};
KURE_HD void kure_philox_cache_init(KurePhiloxCache* pc) {
    pc->block = ~(uint64_t)0;  // e >> 2 < 2^62, so never a real block
    pc->w[0] = pc->w[1] = pc->w[2] = pc->w[3] = 0u;
}
KURE_HD double kure_uniform_cached(KurePhiloxCache* pc, uint64_t seed, uint64_t e) {
    if ((e >> 2) != pc->block) {
        kure_philox_block(seed, e, pc->w);
        pc->block = e >> 2;
    }
    return kure_u_from_word(kure_pick(pc->w, e));
}

// The uniform of element e for a rounding policy: Philox for STOCHASTIC, Hash32 for STOCHASTIC_HASH,
// 0 for the deterministic policies. The cached form reuses a Philox block across consecutive e.
KURE_HD double kure_policy_uniform(int policy, uint64_t seed, uint64_t e) {
    return policy == KURE_STOCHASTIC ? kure_uniform(seed, e)
         : policy == KURE_STOCHASTIC_HASH ? kure_u_from_word(kure_hash32(seed, e)) : 0.0;
}
KURE_HD double kure_policy_uniform_cached(KurePhiloxCache* pc, int policy, uint64_t seed, uint64_t e) {
    return policy == KURE_STOCHASTIC ? kure_uniform_cached(pc, seed, e)
         : policy == KURE_STOCHASTIC_HASH ? kure_u_from_word(kure_hash32(seed, e)) : 0.0;
}

// ---------------------------------------------------------------------------------------------
// Rounding: r = ROUND_policy(y - h), exact, for float y and h in {0, 0.5}, returned as a double
// holding the exact integer (or +-Inf / NaN for non-finite y). docs/semantics.md "Rounding policies".
//
// Method: fl = floor(y) (exact). If y is an integer (always so for |y| >= 2^23) the answer follows
// from y alone with no further rounding error. Otherwise |y| < 2^23 and every threshold fl + c
// (c in {0.5, 1 - u, 0.5 - u, 1.5 - u}, u a multiple of 2^-24) is exact in double, so comparing y
// against it is exact. y - 0.5 is never formed.
// ---------------------------------------------------------------------------------------------
KURE_HD double kure_round(float y, bool half, int policy, double u) {
    const double yd = (double)y;
    if (!isfinite(yd)) return yd;  // NaN stays NaN, +-Inf stays +-Inf
    const double fl = floor(yd);
    if (!half) {
        // v = y
        if (yd == fl) return yd;  // integer already (every |y| >= 2^23): every policy returns y
        const double mid = fl + 0.5;  // exact
        switch (policy) {
            case KURE_HALF_EVEN:
                if (yd > mid) return fl + 1.0;
                if (yd < mid) return fl;
                return (fmod(fl, 2.0) == 0.0) ? fl : fl + 1.0;
            case KURE_HALF_AWAY_FROM_ZERO:
                if (yd > mid) return fl + 1.0;
                if (yd < mid) return fl;
                return (yd > 0.0) ? fl + 1.0 : fl;
            case KURE_HALF_UP:   return (yd >= mid) ? fl + 1.0 : fl;
            case KURE_HALF_DOWN: return (yd > mid) ? fl + 1.0 : fl;
            case KURE_FLOOR:     return fl;
            case KURE_CEIL:      return fl + 1.0;
            case KURE_TOWARD_ZERO: return (yd > 0.0) ? fl : fl + 1.0;
            default:  // KURE_STOCHASTIC, KURE_STOCHASTIC_HASH: floor(y + u)
                return (yd >= (fl + 1.0) - u) ? fl + 1.0 : fl;
        }
    } else {
        // v = y - 0.5
        if (yd == fl) {
            // y integer: v = y - 0.5 lies exactly halfway between y - 1 and y.
            switch (policy) {
                case KURE_HALF_EVEN: return (fmod(yd, 2.0) == 0.0) ? yd : yd - 1.0;
                case KURE_HALF_AWAY_FROM_ZERO: return (yd > 0.0) ? yd : yd - 1.0;  // v>0 iff y>=1
                case KURE_HALF_UP:   return yd;
                case KURE_HALF_DOWN: return yd - 1.0;
                case KURE_FLOOR:     return yd - 1.0;
                case KURE_CEIL:      return yd;
                case KURE_TOWARD_ZERO: return (yd > 0.0) ? yd - 1.0 : yd;
                default:  // floor(y - 0.5 + u)
                    return (u < 0.5) ? yd - 1.0 : yd;
            }
        }
        // y not an integer, so |y| < 2^23 and v in (fl - 0.5, fl + 0.5): never a tie.
        const double mid = fl + 0.5;  // v >= fl  <=>  y >= mid
        switch (policy) {
            case KURE_HALF_EVEN:
            case KURE_HALF_AWAY_FROM_ZERO:
            case KURE_HALF_UP:
            case KURE_HALF_DOWN: return fl;
            case KURE_FLOOR: return (yd >= mid) ? fl : fl - 1.0;
            case KURE_CEIL:  return (yd > mid) ? fl + 1.0 : fl;
            case KURE_TOWARD_ZERO:  // v >= 0 <=> y >= 0.5: floor(v), else ceil(v)
                if (yd >= 0.5) return (yd >= mid) ? fl : fl - 1.0;
                return (yd > mid) ? fl + 1.0 : fl;
            default:  // floor(v + u), v + u in [fl - 0.5, fl + 1.5)
                if (yd < mid - u) return fl - 1.0;
                if (yd >= (fl + 1.5) - u) return fl + 1.0;
                return fl;
        }
    }
}

// WRAP: q integer-valued float -> qmin + floorMod(q - qmin, L), L = qmax - qmin + 1. +-Inf -> NaN.
KURE_HD float kure_wrap(float q, int qmin, int qmax) {
    if (!isfinite(q)) return q - q;  // NaN for NaN and +-Inf
    const int L = qmax - qmin + 1;
    const int t = (int)fmodf(q, (float)L);  // exact: |t| < L
    int m = (t - qmin) % L;
    if (m < 0) m += L;
    return (float)(m + qmin);
}

// One element of fake quantization (docs/semantics.md "Fake quantization of one element").
// s: scale, inv: (float)(1.0f / s), z: zero point, h: 0.0f or 0.5f, u: the element's uniform
// (only read for STOCHASTIC). Returns out; *mask = STE mask on the unclamped q; *q_out = the
// integer code after the overflow policy (NaN for NaN input / Inf under WRAP); *q_raw = the code
// before it (the unclamped q that decides the mask and the learnable-gradient branch).
KURE_HD float kure_fake_quant_element_q(float x, float s, float inv, int z, int qmin, int qmax, float h,
                                        int rounding, int overflow, int mode, double u,
                                        bool* mask, float* q_raw, float* q_out) {
    const float y = (mode == KURE_DIVIDE) ? kf_div(x, s) : kf_mul(x, inv);
    const double r = kure_round(y, h != 0.0f, rounding, u);
    const float zf = (float)z;
    float q = kf_add((float)r, zf);
    const float fqmin = (float)qmin, fqmax = (float)qmax;
    *mask = (fqmin <= q) && (q <= fqmax);
    *q_raw = q;
    if (overflow == KURE_WRAP) {
        q = kure_wrap(q, qmin, qmax);
    } else {
        q = (q < fqmin) ? fqmin : ((q > fqmax) ? fqmax : q);  // NaN passes through
    }
    *q_out = q;
    return kf_mul(kf_add(kf_sub(q, zf), h), s);
}

KURE_HD float kure_fake_quant_element(float x, float s, float inv, int z, int qmin, int qmax, float h,
                                      int rounding, int overflow, int mode, double u, bool* mask) {
    float q_raw, q;
    return kure_fake_quant_element_q(x, s, inv, z, qmin, qmax, h, rounding, overflow, mode, u, mask,
                                     &q_raw, &q);
}

// ---------------------------------------------------------------------------------------------
// Moments state (same layout as dev.kure.Moments' 64-byte wire form, little-endian):
// { int64 n; double mean, s2, s3, s4, min, max; int64 tag = "KUREMOM1" }
// ---------------------------------------------------------------------------------------------
#define KURE_MOMENTS_TAG 0x4b5552454d4f4d31LL

struct __align__(16) KureMoments {
    long long n;
    double mean, s2, s3, s4, min, max;
    long long tag;
};

// Math.min / Math.max semantics: NaN if either is NaN; -0.0 < +0.0.
KURE_HD double kure_min(double a, double b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a < b) return a;
    if (b < a) return b;
    return signbit(a) ? a : b;
}
KURE_HD double kure_max(double a, double b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a > b) return a;
    if (b > a) return b;
    return signbit(a) ? b : a;
}

KURE_HD KureMoments kure_moments_empty() {
    KureMoments m;
    m.n = 0; m.mean = NAN; m.s2 = 0.0; m.s3 = 0.0; m.s4 = 0.0; m.min = NAN; m.max = NAN;
    m.tag = KURE_MOMENTS_TAG;
    return m;
}

// Chan/Pébay/Terriberry merge (docs/semantics.md §2), in double, in the same operation order as
// dev.kure.Moments.merge so that the same inputs give the same bits.
KURE_HD KureMoments kure_moments_merge(const KureMoments& a, const KureMoments& b) {
    if (b.n == 0) return a;
    if (a.n == 0) return b;
    const double na = (double)a.n, nb = (double)b.n;
    const double nn = kd_add(na, nb);
    const double d = kd_sub(b.mean, a.mean);
    const double d2 = kd_mul(d, d);
    const double nanb = kd_mul(na, nb);
    KureMoments r;
    r.n = a.n + b.n;
    r.mean = kd_add(a.mean, kd_mul(d, kd_div(nb, nn)));
    r.s2 = kd_add(kd_add(a.s2, b.s2), kd_div(kd_mul(d2, nanb), nn));
    {
        const double t1 = kd_div(kd_mul(kd_mul(kd_mul(d, d2), nanb), kd_sub(na, nb)), kd_mul(nn, nn));
        const double t2 = kd_div(kd_mul(kd_mul(3.0, d), kd_sub(kd_mul(na, b.s2), kd_mul(nb, a.s2))), nn);
        r.s3 = kd_add(kd_add(kd_add(a.s3, b.s3), t1), t2);
    }
    {
        const double poly = kd_add(kd_sub(kd_mul(na, na), nanb), kd_mul(nb, nb));
        const double t1 = kd_div(kd_mul(kd_mul(kd_mul(d2, d2), nanb), poly), kd_mul(kd_mul(nn, nn), nn));
        const double t2 = kd_div(kd_mul(kd_mul(6.0, d2),
                                        kd_add(kd_mul(kd_mul(na, na), b.s2), kd_mul(kd_mul(nb, nb), a.s2))),
                                 kd_mul(nn, nn));
        const double t3 = kd_div(kd_mul(kd_mul(4.0, d), kd_sub(kd_mul(na, b.s3), kd_mul(nb, a.s3))), nn);
        r.s4 = kd_add(kd_add(kd_add(kd_add(a.s4, b.s4), t1), t2), t3);
    }
    r.min = kure_min(a.min, b.min);
    r.max = kure_max(a.max, b.max);
    r.tag = KURE_MOMENTS_TAG;
    return r;
}

// ---------------------------------------------------------------------------------------------
// Channel-major element order (docs/semantics.md "Per-channel / per-group layout").
// The tensor has n = outer * C * inner elements and element i belongs to channel (i / inner) % C.
// Channel c's m-th element (m in [0, outer*inner)) is i = ((m / inner) * C + c) * inner + m % inner.
// Per tensor: C = 1, inner = n (outer = 1, i = m). Reductions that must not depend on the launch
// walk each channel's elements in this order, in fixed chunks.
// ---------------------------------------------------------------------------------------------
struct KureChanIndex {
    long long C, inner, outer;
};
KURE_HD long long kure_chan_elem(const KureChanIndex& ci, long long c, long long m) {
    if (ci.outer == 1) return c * ci.inner + m;
    const long long o = m / ci.inner;
    return (o * ci.C + c) * ci.inner + (m - o * ci.inner);
}

#endif  // KURE_COMMON_CUH
