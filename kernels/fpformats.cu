// Floating-point formats (FP8 E4M3 / E5M2, FP6 E2M3 / E3M2, FP4 E2M1, the MXINT8 element): fake
// quantization with a per-tensor scale, OCP MX blocks of 32 (E8M0 scales) and NVFP4 blocks of 16
// (E4M3 scales, FP32 tensor scale). The arithmetic is dev.kure.spi.FpMath / dev.kure.scalar.ScalarFp
// (docs/fp-formats.md), bit for bit; the helpers are __host__ __device__ so native/test checks them
// on the host. Format codes (ABI): 0 E4M3, 1 E5M2, 2 E2M3, 3 E3M2, 4 E2M1, 5 INT8; MX rules: 0 FLOOR,
// 1 CEIL, 2 NEAREST. Flat tensors only (blocks over consecutive elements; n need not be a multiple of
// the block: the last block is shorter).
#include <string.h>
#include "kure_common.cuh"

struct KureFp {
    int mbits, emin_field, emax, int8, has_nan;
    float max, overflow;  // overflow: what a non-saturating overflow becomes (Inf for E5M2, NaN for E4M3)
};

KURE_HD KureFp kure_fp_format(int code) {
    KureFp f;
    const int mb[6] = {3, 2, 3, 2, 1, 6};
    const int bias[6] = {7, 15, 1, 3, 1, 1};
    const int emax[6] = {8, 15, 2, 4, 2, 0};
    const float mx[6] = {448.0f, 57344.0f, 7.5f, 28.0f, 6.0f, 127.0f / 64.0f};
    f.mbits = mb[code];
    f.emin_field = 127 + 1 - bias[code];
    f.emax = emax[code];
    f.max = mx[code];
    f.int8 = code == 5;
    f.has_nan = code <= 1;
    f.overflow = code == 1 ? INFINITY : NAN;
    return f;
}

KURE_HD float kure_bits_f(uint32_t b) {
    float f;
    memcpy(&f, &b, 4);
    return f;
}

KURE_HD uint32_t kure_f_bits(float f) {
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}

// |y| rounded to the format without saturation (|y| first clamped to 2·max), NaN for NaN.
KURE_HD float kure_fp_round_magnitude(float y, KureFp f, int stochastic, float u) {
    float a = fabsf(y);
    if (a != a) return NAN;
    if (a > 2.0f * f.max) a = 2.0f * f.max;
    uint32_t field = kure_f_bits(a) >> 23;
    if ((int)field < f.emin_field) field = f.emin_field;
    const float q = kure_bits_f((field - f.mbits) << 23);
    const float inv = kure_bits_f((254u + f.mbits - field) << 23);
    const float t = kf_mul(a, inv);
    float r;
    if (stochastic) {
        const float fl = floorf(t);
        r = kf_sub(t, fl) >= kf_sub(1.0f, u) ? kf_add(fl, 1.0f) : fl;
    } else {
        r = rintf(t);
    }
    return kf_mul(r, q);
}

// Saturate or overflow, then y's sign (INT8: +0 for zeros).
KURE_HD float kure_fp_finish(float v, float y, KureFp f, int saturate) {
    if (v > f.max) v = saturate ? f.max : f.overflow;
    const float s = copysignf(v, y);
    return f.int8 ? kf_add(s, 0.0f) : s;
}

KURE_HD float kure_fp_round(float y, KureFp f, int saturate, int stochastic, float u) {
    return kure_fp_finish(kure_fp_round_magnitude(y, f, stochastic, u), y, f, saturate);
}

#define KURE_FP_NAN_EXPONENT 128

// The MX shared exponent of a block whose largest magnitude has bits amax_bits (sign cleared).
KURE_HD int kure_fp_mx_exponent(uint32_t amax_bits, KureFp f, int rule) {
    if (amax_bits >= 0x7f800000u) return KURE_FP_NAN_EXPONENT;
    if (amax_bits == 0) return -127;
    const int field = (int)(amax_bits >> 23);
    int k;
    if (field == 0) {  // float32-subnormal amax: the definitions in double
        const double a = (double)kure_bits_f(amax_bits);
        int e;
        frexp(a, &e);
        e -= 1;  // a = m * 2^e with m in [1, 2)
        if (rule == 0) {
            k = e - f.emax;
        } else if (rule == 1) {
            const int k0 = e - f.emax;
            k = a > ldexp((double)f.max, k0) ? k0 + 1 : k0;
        } else {
            const double q = ldexp(1.0, e - f.mbits);
            const double r = floor(a / q + 0.5) * q;
            int er;
            frexp(r, &er);
            k = er - 1 - f.emax;
        }
    } else if (rule == 0) {
        k = field - 127 - f.emax;
    } else if (rule == 1) {
        k = field - 127 - f.emax + ((amax_bits & 0x7fffffu) > (kure_f_bits(f.max) & 0x7fffffu) ? 1 : 0);
    } else {
        k = (int)((amax_bits + (1u << (22 - f.mbits))) >> 23) - 127 - f.emax;
    }
    return k < -127 ? -127 : k > 127 ? 127 : k;
}

KURE_HD float kure_fp_pow2(int k) {
    if (k == KURE_FP_NAN_EXPONENT) return NAN;
    return k >= -126 ? kure_bits_f((uint32_t)(k + 127) << 23) : ldexpf(1.0f, k);
}

// NVFP4 block decode scale: E4M3(amax / 6 * inv_g) * g (NaN for a non-finite block).
KURE_HD float kure_fp_nvfp4_scale(uint32_t amax_bits, float g, float inv_g) {
    if (amax_bits >= 0x7f800000u) return NAN;
    const float sb = kure_fp_round(kf_mul(kf_div(kure_bits_f(amax_bits), 6.0f), inv_g), kure_fp_format(0), 1, 0, 0.0f);
    return kf_mul(sb, g);
}

KURE_HD float kure_fp_element(float x, float s, float inv, KureFp f, int saturate, int stochastic, uint64_t seed,
                              uint64_t e) {
    const float u = stochastic ? (float)kure_uniform(seed, e) : 0.0f;
    return kf_mul(kure_fp_round(kf_mul(x, inv), f, saturate, stochastic, u), s);
}

#ifdef __CUDACC__
// Per-tensor scale s (inv = 1/s computed on the host as in Java): one element per thread.
extern "C" __global__ void kure_fp_fake_quant_t(const float* __restrict__ x, float* __restrict__ out, long long n,
                                               int format, float s, float inv, int saturate, int stochastic,
                                               unsigned long long seed, unsigned long long stream) {
    const KureFp f = kure_fp_format(format);
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        out[i] = kure_fp_element(x[i], s, inv, f, saturate, stochastic, seed, stream + i);
    }
}

// MX (block 32) or NVFP4 (block 16, g = tensor scale): one warp-aligned group of `block` lanes per
// block; the group's amax is an integer max over the magnitude bits (shuffles), every lane computes
// the same scale. blockDim.x must be a multiple of 32.
extern "C" __global__ void kure_fp_fake_quant_blocks(const float* __restrict__ x, float* __restrict__ out,
                                                    long long n, int format, int nvfp4, int rule, float g,
                                                    int saturate, int stochastic, unsigned long long seed,
                                                    unsigned long long stream) {
    const KureFp f = kure_fp_format(format);
    const int block = nvfp4 ? 16 : 32;
    const float inv_g = 1.0f / g;
    const long long threads = (long long)gridDim.x * blockDim.x;
    const long long rounds = (n + threads - 1) / threads;
    for (long long r = 0; r < rounds; ++r) {  // every lane runs every round: the shuffles need the whole warp
        const long long i = r * threads + blockIdx.x * (long long)blockDim.x + threadIdx.x;
        const float xi = i < n ? x[i] : 0.0f;
        uint32_t m = kure_f_bits(xi) & 0x7fffffffu;
        for (int d = block / 2; d >= 1; d >>= 1) {
            const uint32_t o = __shfl_xor_sync(0xffffffffu, m, d);
            m = o > m ? o : m;
        }
        float s, inv;
        if (nvfp4) {
            s = kure_fp_nvfp4_scale(m, g, inv_g);
            inv = s == 0.0f ? 0.0f : 1.0f / s;
        } else {
            const int k = kure_fp_mx_exponent(m, f, rule);
            s = kure_fp_pow2(k);
            inv = k == KURE_FP_NAN_EXPONENT ? NAN : kure_fp_pow2(-k);
        }
        if (i < n) out[i] = kure_fp_element(xi, s, inv, f, saturate, stochastic, seed, stream + i);
    }
}
#endif
