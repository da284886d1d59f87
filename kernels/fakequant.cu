// Kure CUDA kernels: fake quantization, STE and learnable backward, integer codes, DoReFa pieces.
// Per-element arithmetic: kure_common.cuh / docs/semantics.md. Kernel ABI: native/README.md.
//
// Launch shape: blockDim.x a multiple of 32 (256 recommended), any gridDim.x >= 1; every kernel
// is a grid-stride loop, and every reduction is written against KURE_VLANES virtual lanes and fixed
// chunks, so no result depends on the launch shape.
#include "kure_common.cuh"

// ---------------------------------------------------------------------------------------------
// Parameter providers: the (scale, 1/scale, zero point) of element i
// ---------------------------------------------------------------------------------------------
struct KureTensorParams {
    float s, inv;
    int z;
    __device__ __forceinline__ KureTensorParams(float scale, int zp) : s(scale), inv(kf_div(1.0f, scale)), z(zp) {}
    __device__ __forceinline__ void at(long long) {}
};

// p(i) = (i / inner) % C; the run [lo, hi) of the last looked-up element is cached.
struct KureChannelParams {
    const float* scale;
    const int* zp;
    long long C, inner, lo, hi;
    float s, inv;
    int z;
    __device__ __forceinline__ KureChannelParams(const float* sc, const int* zpp, long long c, long long in)
        : scale(sc), zp(zpp), C(c), inner(in), lo(0), hi(0), s(1.0f), inv(1.0f), z(0) {}
    __device__ __forceinline__ void at(long long i) {
        if (i >= lo && i < hi) return;
        const long long run = i / inner;
        lo = run * inner;
        hi = lo + inner;
        const long long p = run % C;
        s = __ldg(scale + p);
        inv = kf_div(1.0f, s);  // 1.0f / s in float32, as docs/semantics.md computes it per channel
        z = __ldg(zp + p);
    }
};

struct KureQ {
    int qmin, qmax;
    float h;
    int rounding, overflow, mode;
    unsigned long long seed;
    long long offset;
};

__device__ __forceinline__ long long kure_gtid() { return (long long)blockIdx.x * blockDim.x + threadIdx.x; }
__device__ __forceinline__ long long kure_gthreads() { return (long long)gridDim.x * blockDim.x; }
__device__ __forceinline__ bool kure_aligned16(const void* p) { return (((uintptr_t)p) & 15) == 0; }

// ---------------------------------------------------------------------------------------------
// Forward (x -> out, optional packed mask) and STE backward (x, dy -> dx).
// Work unit: a tile of 128 consecutive elements per warp, 4 consecutive elements per lane, so one
// warp owns exactly 4 mask words and assembles them with shuffles (no atomics, no races).
// ---------------------------------------------------------------------------------------------
template <class P, bool STE>
__device__ __forceinline__ void kure_fq_tiles(const float* __restrict__ x, const float* __restrict__ dy,
                                              float* __restrict__ out, unsigned* __restrict__ mask,
                                              long long n, P prm, const KureQ q) {
    const int lane = threadIdx.x & 31;
    const long long warp = kure_gtid() >> 5;
    const long long nwarps = kure_gthreads() >> 5;
    const long long ntiles = (n + 127) >> 7;
    const bool vec = kure_aligned16(x) && kure_aligned16(out) && (!STE || kure_aligned16(dy));
    KurePhiloxCache pc;
    kure_philox_cache_init(&pc);
    for (long long t = warp; t < ntiles; t += nwarps) {  // warp-uniform loop
        const long long i0 = (t << 7) + ((long long)lane << 2);
        const bool full = i0 + 4 <= n;
        float xv[4], gv[4] = {0.f, 0.f, 0.f, 0.f}, ov[4];
        if (vec && full) {
            const float4 a = __ldg(reinterpret_cast<const float4*>(x + i0));
            xv[0] = a.x; xv[1] = a.y; xv[2] = a.z; xv[3] = a.w;
            if (STE) {
                const float4 b = __ldg(reinterpret_cast<const float4*>(dy + i0));
                gv[0] = b.x; gv[1] = b.y; gv[2] = b.z; gv[3] = b.w;
            }
        } else {
#pragma unroll
            for (int k = 0; k < 4; ++k) {
                xv[k] = (i0 + k < n) ? x[i0 + k] : 0.0f;
                if (STE) gv[k] = (i0 + k < n) ? dy[i0 + k] : 0.0f;
            }
        }
        unsigned bits = 0;
#pragma unroll
        for (int k = 0; k < 4; ++k) {
            const long long i = i0 + k;
            ov[k] = 0.0f;
            if (i < n) {
                prm.at(i);
                const double u = kure_policy_uniform_cached(&pc, q.rounding, q.seed, (unsigned long long)(i + q.offset));
                bool m;
                const float o = kure_fake_quant_element(xv[k], prm.s, prm.inv, prm.z, q.qmin, q.qmax, q.h,
                                                        q.rounding, q.overflow, q.mode, u, &m);
                ov[k] = STE ? (m ? gv[k] : 0.0f) : o;  // dy where inside, else +0.0f (never -0.0 or NaN)
                bits |= (m ? 1u : 0u) << k;
            }
        }
        if (vec && full) {
            *reinterpret_cast<float4*>(out + i0) = make_float4(ov[0], ov[1], ov[2], ov[3]);
        } else {
#pragma unroll
            for (int k = 0; k < 4; ++k)
                if (i0 + k < n) out[i0 + k] = ov[k];
        }
        if (!STE && mask != nullptr) {
            // word w = elements 32w..32w+31 = lanes 8(w%4)..8(w%4)+7 of this tile, 4 bits each
            unsigned word = bits << (4 * (lane & 7));
            word |= __shfl_xor_sync(0xffffffffu, word, 1);
            word |= __shfl_xor_sync(0xffffffffu, word, 2);
            word |= __shfl_xor_sync(0xffffffffu, word, 4);
            if ((lane & 7) == 0 && i0 < n) mask[i0 >> 5] = word;
        }
    }
}

#define KURE_TAIL_T long long n, float scale, int zero_point, int qmin, int qmax, float h, int rounding, \
                    int overflow, int mode, unsigned long long seed, long long stream_offset
#define KURE_TAIL_C long long n, const float* __restrict__ scale, const int* __restrict__ zero_point, \
                    long long C, long long inner, int qmin, int qmax, float h, int rounding, int overflow,  \
                    int mode, unsigned long long seed, long long stream_offset
#define KURE_MAKE_Q KureQ q = {qmin, qmax, h, rounding, overflow, mode, seed, stream_offset}

extern "C" __global__ void kure_fq_forward_t(const float* __restrict__ x, float* __restrict__ out,
                                             unsigned* __restrict__ mask, KURE_TAIL_T) {
    KURE_MAKE_Q;
    kure_fq_tiles<KureTensorParams, false>(x, nullptr, out, mask, n, KureTensorParams(scale, zero_point), q);
}

extern "C" __global__ void kure_fq_forward_c(const float* __restrict__ x, float* __restrict__ out,
                                             unsigned* __restrict__ mask, KURE_TAIL_C) {
    KURE_MAKE_Q;
    kure_fq_tiles<KureChannelParams, false>(x, nullptr, out, mask, n,
                                            KureChannelParams(scale, zero_point, C, inner), q);
}

// STE backward: dx = mask ? dy : +0.0f with the mask recomputed from x (bit-exact with the Java
// oracle: no -0.0 for negative dy outside the grid, no NaN for infinite dy outside).
extern "C" __global__ void kure_fq_ste_backward_t(const float* __restrict__ x, const float* __restrict__ dy,
                                                  float* __restrict__ dx, KURE_TAIL_T) {
    KURE_MAKE_Q;
    kure_fq_tiles<KureTensorParams, true>(x, dy, dx, nullptr, n, KureTensorParams(scale, zero_point), q);
}

extern "C" __global__ void kure_fq_ste_backward_c(const float* __restrict__ x, const float* __restrict__ dy,
                                                  float* __restrict__ dx, KURE_TAIL_C) {
    KURE_MAKE_Q;
    kure_fq_tiles<KureChannelParams, true>(x, dy, dx, nullptr, n,
                                           KureChannelParams(scale, zero_point, C, inner), q);
}

// dx = mask ? dy : +0.0f, mask packed (bit i & 31 of word i >> 5).
extern "C" __global__ void kure_ste_backward_packed(const float* __restrict__ dy, const unsigned* __restrict__ mask,
                                                    float* __restrict__ dx, long long n) {
    const bool vec = kure_aligned16(dy) && kure_aligned16(dx);
    const long long ngroups = (n + 3) >> 2;
    for (long long g = kure_gtid(); g < ngroups; g += kure_gthreads()) {
        const long long i0 = g << 2;
        const unsigned bits = __ldg(mask + (i0 >> 5)) >> (i0 & 31);  // i0 % 4 == 0: 4 bits in one word
        if (vec && i0 + 4 <= n) {
            const float4 a = __ldg(reinterpret_cast<const float4*>(dy + i0));
            float4 r;
            r.x = (bits & 1u) ? a.x : 0.0f;
            r.y = (bits & 2u) ? a.y : 0.0f;
            r.z = (bits & 4u) ? a.z : 0.0f;
            r.w = (bits & 8u) ? a.w : 0.0f;
            *reinterpret_cast<float4*>(dx + i0) = r;
        } else {
            for (int k = 0; k < 4 && i0 + k < n; ++k)
                dx[i0 + k] = ((bits >> k) & 1u) ? dy[i0 + k] : 0.0f;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Learnable scale / zero point backward (fused): dx = mask ? dy : +0.0f, and per chunk the double sums
//   inside:    ds += dy * (fq(x) - x) * inv
//   below:     ds += dy * ((qmin - z) + h), dz += -dy * s
//   above:     ds += dy * ((qmax - z) + h), dz += -dy * s
// (NaN x falls in "inside" and makes ds NaN, dx 0: the scalar oracle does the same, so a bad input
// never vanishes silently). Each channel's
// elements (channel-major order, kure_chan_elem) are cut into chunks of `chunk` elements; chunk
// k = c * cpc + j (cpc = ceil(M / chunk), M = n / C) writes partials[2k] = ds, partials[2k+1] = dz.
// Within a chunk virtual lane v sums offsets v, v+256, ... in order; lanes combine by a fixed
// tree. kure_sum2_segments then reduces each channel's cpc partials and applies grad_factor.
// ---------------------------------------------------------------------------------------------
__device__ __forceinline__ void kure_tree_sum2(double* a, double* b) {
    __syncthreads();
    for (int s = KURE_VLANES / 2; s > 0; s >>= 1) {
        for (int v = threadIdx.x; v < s; v += blockDim.x) {
            a[v] = kd_add(a[v], a[v + s]);
            b[v] = kd_add(b[v], b[v + s]);
        }
        __syncthreads();
    }
}

__device__ __forceinline__ void kure_learnable_chunks(const float* __restrict__ x, const float* __restrict__ dy,
                                                      float* __restrict__ dx, long long n,
                                                      const float* scale_arr, const int* zp_arr,
                                                      float scale1, int zp1, long long C, long long inner,
                                                      const KureQ q, long long chunk, double* __restrict__ partials) {
    __shared__ double sh_ds[KURE_VLANES];
    __shared__ double sh_dz[KURE_VLANES];
    KureChanIndex ci;
    ci.C = C;
    ci.inner = inner;
    const long long M = n / C;
    ci.outer = M / inner;
    const long long cpc = (M + chunk - 1) / chunk;
    const long long nchunks = C * cpc;
    for (long long k = blockIdx.x; k < nchunks; k += gridDim.x) {  // block-uniform loop
        const long long c = k / cpc, j = k - c * cpc;
        const long long m0 = j * chunk;
        const long long m1 = (m0 + chunk < M) ? m0 + chunk : M;
        const float s = scale_arr ? __ldg(scale_arr + c) : scale1;
        const int z = zp_arr ? __ldg(zp_arr + c) : zp1;
        const float inv = kf_div(1.0f, s);
        // (qmin - z) + h and (qmax - z) + h: the distance of the clamp level from the zero point
        const double below = kd_add((double)(q.qmin - z), (double)q.h);
        const double above = kd_add((double)(q.qmax - z), (double)q.h);
        const float fqmin = (float)q.qmin, fqmax = (float)q.qmax;
        for (int v = threadIdx.x; v < KURE_VLANES; v += blockDim.x) {
            double ds = 0.0, dz = 0.0;
            for (long long m = m0 + v; m < m1; m += KURE_VLANES) {
                const long long i = kure_chan_elem(ci, c, m);
                const float xi = __ldg(x + i);
                const float g = __ldg(dy + i);
                const double u = kure_policy_uniform(q.rounding, q.seed, (unsigned long long)(i + q.offset));
                bool mk;
                float q_raw, q_fin;
                const float o = kure_fake_quant_element_q(xi, s, inv, z, q.qmin, q.qmax, q.h, q.rounding,
                                                          q.overflow, q.mode, u, &mk, &q_raw, &q_fin);
                dx[i] = mk ? g : 0.0f;
                const double gd = (double)g;
                if (q_raw < fqmin) {
                    ds = kd_add(ds, kd_mul(gd, below));
                    dz = kd_sub(dz, kd_mul(gd, (double)s));
                } else if (q_raw > fqmax) {
                    ds = kd_add(ds, kd_mul(gd, above));
                    dz = kd_sub(dz, kd_mul(gd, (double)s));
                } else {
                    ds = kd_add(ds, kd_mul(kd_mul(gd, kd_sub((double)o, (double)xi)), (double)inv));
                }
            }
            sh_ds[v] = ds;
            sh_dz[v] = dz;
        }
        kure_tree_sum2(sh_ds, sh_dz);
        if (threadIdx.x == 0) {
            partials[2 * k] = sh_ds[0];
            partials[2 * k + 1] = sh_dz[0];
        }
        __syncthreads();
    }
}

extern "C" __global__ void kure_fq_learnable_backward_t(const float* __restrict__ x, const float* __restrict__ dy,
                                                        float* __restrict__ dx, KURE_TAIL_T, long long chunk,
                                                        double* __restrict__ partials) {
    KURE_MAKE_Q;
    kure_learnable_chunks(x, dy, dx, n, nullptr, nullptr, scale, zero_point, 1, n > 0 ? n : 1, q, chunk, partials);
}

extern "C" __global__ void kure_fq_learnable_backward_c(const float* __restrict__ x, const float* __restrict__ dy,
                                                        float* __restrict__ dx, KURE_TAIL_C, long long chunk,
                                                        double* __restrict__ partials) {
    KURE_MAKE_Q;
    kure_learnable_chunks(x, dy, dx, n, scale, zero_point, 0.0f, 0, C, inner, q, chunk, partials);
}

// Second stage: segment s = partial pairs [s*per_segment, (s+1)*per_segment); virtual lane v sums
// pairs v, v+256, ... in order, lanes combine by a fixed tree; ds_out[s] = factor * sum(ds),
// dz_out[s] = factor * sum(dz). One block per segment (grid-stride over segments).
extern "C" __global__ void kure_sum2_segments(const double* __restrict__ partials, long long per_segment,
                                              int num_segments, double factor, double* __restrict__ ds_out,
                                              double* __restrict__ dz_out) {
    __shared__ double a[KURE_VLANES];
    __shared__ double b[KURE_VLANES];
    for (long long sg = blockIdx.x; sg < num_segments; sg += gridDim.x) {
        const double* p = partials + 2 * sg * per_segment;
        for (int v = threadIdx.x; v < KURE_VLANES; v += blockDim.x) {
            double sa = 0.0, sb = 0.0;
            for (long long k = v; k < per_segment; k += KURE_VLANES) {
                sa = kd_add(sa, p[2 * k]);
                sb = kd_add(sb, p[2 * k + 1]);
            }
            a[v] = sa;
            b[v] = sb;
        }
        kure_tree_sum2(a, b);
        if (threadIdx.x == 0) {
            ds_out[sg] = kd_mul(factor, a[0]);
            dz_out[sg] = kd_mul(factor, b[0]);
        }
        __syncthreads();
    }
}

// ---------------------------------------------------------------------------------------------
// Integer codes. The code is q after the overflow policy, stored as its low 8 (int8) or 4 (int4)
// bits; a NaN q (NaN input, or +-Inf under WRAP) has no code and is stored as the zero point.
// Dequantization reads a code as unsigned when qmin >= 0, else as two's-complement signed, and
// computes ((code - z) + h) * s, so dequantize(quantize(x)) == fake_quant(x) whenever fake_quant(x)
// is not NaN. int4: element 2k in the low nibble of byte k, element 2k+1 in the high nibble.
// ---------------------------------------------------------------------------------------------
template <class P>
__device__ __forceinline__ int kure_code_of(float xi, long long i, P& prm, const KureQ& q) {
    prm.at(i);
    const double u = kure_policy_uniform(q.rounding, q.seed, (unsigned long long)(i + q.offset));
    bool mk;
    float q_raw, q_fin;
    (void)kure_fake_quant_element_q(xi, prm.s, prm.inv, prm.z, q.qmin, q.qmax, q.h, q.rounding, q.overflow,
                                    q.mode, u, &mk, &q_raw, &q_fin);
    return (q_fin == q_fin) ? (int)q_fin : prm.z;
}

template <class P>
__device__ __forceinline__ void kure_quantize_i8(const float* __restrict__ x, signed char* __restrict__ codes,
                                                 long long n, P prm, const KureQ q) {
    for (long long i = kure_gtid(); i < n; i += kure_gthreads())
        codes[i] = (signed char)(kure_code_of(__ldg(x + i), i, prm, q) & 0xff);
}

template <class P>
__device__ __forceinline__ void kure_quantize_i4(const float* __restrict__ x, unsigned char* __restrict__ packed,
                                                 long long n, P prm, const KureQ q) {
    const long long nbytes = (n + 1) >> 1;
    for (long long b = kure_gtid(); b < nbytes; b += kure_gthreads()) {
        const long long i = b << 1;
        unsigned v = (unsigned)kure_code_of(__ldg(x + i), i, prm, q) & 0xfu;
        if (i + 1 < n) v |= ((unsigned)kure_code_of(__ldg(x + i + 1), i + 1, prm, q) & 0xfu) << 4;
        packed[b] = (unsigned char)v;
    }
}

extern "C" __global__ void kure_quantize_i8_t(const float* __restrict__ x, signed char* __restrict__ codes, KURE_TAIL_T) {
    KURE_MAKE_Q;
    kure_quantize_i8(x, codes, n, KureTensorParams(scale, zero_point), q);
}
extern "C" __global__ void kure_quantize_i8_c(const float* __restrict__ x, signed char* __restrict__ codes, KURE_TAIL_C) {
    KURE_MAKE_Q;
    kure_quantize_i8(x, codes, n, KureChannelParams(scale, zero_point, C, inner), q);
}
extern "C" __global__ void kure_quantize_i4_t(const float* __restrict__ x, unsigned char* __restrict__ packed, KURE_TAIL_T) {
    KURE_MAKE_Q;
    kure_quantize_i4(x, packed, n, KureTensorParams(scale, zero_point), q);
}
extern "C" __global__ void kure_quantize_i4_c(const float* __restrict__ x, unsigned char* __restrict__ packed, KURE_TAIL_C) {
    KURE_MAKE_Q;
    kure_quantize_i4(x, packed, n, KureChannelParams(scale, zero_point, C, inner), q);
}

__device__ __forceinline__ float kure_dequant_one(int code, float s, int z, float h) {
    return kf_mul(kf_add(kf_sub((float)code, (float)z), h), s);
}

template <class P>
__device__ __forceinline__ void kure_dequantize_i8(const signed char* __restrict__ codes, float* __restrict__ out,
                                                   long long n, P prm, int qmin, float h) {
    for (long long i = kure_gtid(); i < n; i += kure_gthreads()) {
        prm.at(i);
        const int sc = (int)codes[i];
        const int code = (qmin >= 0) ? (sc & 0xff) : sc;
        out[i] = kure_dequant_one(code, prm.s, prm.z, h);
    }
}

template <class P>
__device__ __forceinline__ void kure_dequantize_i4(const unsigned char* __restrict__ packed, float* __restrict__ out,
                                                   long long n, P prm, int qmin, float h) {
    for (long long i = kure_gtid(); i < n; i += kure_gthreads()) {
        prm.at(i);
        const unsigned nib = ((unsigned)packed[i >> 1] >> (4 * (int)(i & 1))) & 0xfu;
        const int code = (qmin >= 0) ? (int)nib : (int)nib - (int)((nib & 8u) << 1);  // sign-extend 4 bits
        out[i] = kure_dequant_one(code, prm.s, prm.z, h);
    }
}

#define KURE_DQ_TAIL_T long long n, float scale, int zero_point, int qmin, float h
#define KURE_DQ_TAIL_C long long n, const float* __restrict__ scale, const int* __restrict__ zero_point, \
                       long long C, long long inner, int qmin, float h

extern "C" __global__ void kure_dequantize_i8_t(const signed char* __restrict__ codes, float* __restrict__ out, KURE_DQ_TAIL_T) {
    kure_dequantize_i8(codes, out, n, KureTensorParams(scale, zero_point), qmin, h);
}
extern "C" __global__ void kure_dequantize_i8_c(const signed char* __restrict__ codes, float* __restrict__ out, KURE_DQ_TAIL_C) {
    kure_dequantize_i8(codes, out, n, KureChannelParams(scale, zero_point, C, inner), qmin, h);
}
extern "C" __global__ void kure_dequantize_i4_t(const unsigned char* __restrict__ packed, float* __restrict__ out, KURE_DQ_TAIL_T) {
    kure_dequantize_i4(packed, out, n, KureTensorParams(scale, zero_point), qmin, h);
}
extern "C" __global__ void kure_dequantize_i4_c(const unsigned char* __restrict__ packed, float* __restrict__ out, KURE_DQ_TAIL_C) {
    kure_dequantize_i4(packed, out, n, KureChannelParams(scale, zero_point, C, inner), qmin, h);
}

// ---------------------------------------------------------------------------------------------
// Max |x| (calibration) and DoReFa weights (docs/semantics.md §4.6), in double like the scalar oracle
// (dev.kure.scalar.ScalarDoReFa): t = tanh((double)w); M = max|t|; forward
// w' = t / (2M) + 0.5, q = rint((2^b - 1) w') / (2^b - 1), out = (float)(2q - 1), all in double;
// M == 0 (all-zero w) gives out = 0. Backward (round passed straight through, exact through tanh and
// the max): dx_i = dy_i (1 - t_i^2) / M - [i == k] sign(t_k)(1 - t_k^2) / M^2 * sum_j dy_j t_j, with k
// the FIRST index attaining M; M == 0 gives dx = dy. Device tanh is CUDA's double tanh (within 2 ulp
// of Java's StrictMath.tanh): DoReFa is tolerance-tested, not bit-exact.
// ---------------------------------------------------------------------------------------------
__device__ __forceinline__ float kure_tanhf_exact(float w) { return (float)tanh((double)w); }

// Stage 1 of max|x| (or max|tanh x| when apply_tanh != 0): one float per block to partial[blockIdx.x].
// NaN anywhere gives NaN. Max is exact, so the result does not depend on the launch shape.
extern "C" __global__ void kure_maxabs_partial(const float* __restrict__ x, long long n, int apply_tanh,
                                               float* __restrict__ partial) {
    __shared__ float sh[KURE_VLANES];
    float m = 0.0f;
    for (long long i = kure_gtid(); i < n; i += kure_gthreads()) {
        float v = __ldg(x + i);
        if (apply_tanh) v = kure_tanhf_exact(v);
        v = fabsf(v);
        m = (v != v || m != m) ? NAN : fmaxf(m, v);
    }
    for (int v = threadIdx.x; v < KURE_VLANES; v += blockDim.x) sh[v] = (v == (int)threadIdx.x) ? m : 0.0f;
    __syncthreads();
    // fold threads >= 256 (if any) into their lane
    for (int t = KURE_VLANES; t < (int)blockDim.x; t += KURE_VLANES) {
        if ((int)threadIdx.x >= t && (int)threadIdx.x < t + KURE_VLANES) {
            const float o = sh[threadIdx.x - t];
            sh[threadIdx.x - t] = (o != o || m != m) ? NAN : fmaxf(o, m);
        }
        __syncthreads();
    }
    for (int s = KURE_VLANES / 2; s > 0; s >>= 1) {
        for (int v = threadIdx.x; v < s; v += blockDim.x) {
            const float a = sh[v], b = sh[v + s];
            sh[v] = (a != a || b != b) ? NAN : fmaxf(a, b);
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) partial[blockIdx.x] = sh[0];
}

// Stage 2: out[0] = max of partial[0..count). Launch with one block.
extern "C" __global__ void kure_max_merge(const float* __restrict__ partial, long long count, float* __restrict__ out) {
    __shared__ float sh[KURE_VLANES];
    for (int v = threadIdx.x; v < KURE_VLANES; v += blockDim.x) {
        float m = 0.0f;
        for (long long k = v; k < count; k += KURE_VLANES) {
            const float b = partial[k];
            m = (m != m || b != b) ? NAN : fmaxf(m, b);
        }
        sh[v] = m;
    }
    __syncthreads();
    for (int s = KURE_VLANES / 2; s > 0; s >>= 1) {
        for (int v = threadIdx.x; v < s; v += blockDim.x) {
            const float a = sh[v], b = sh[v + s];
            sh[v] = (a != a || b != b) ? NAN : fmaxf(a, b);
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) out[0] = sh[0];
}

// DoReFa stage 1, per chunk of `chunk` elements (chunk k covers [k*chunk, min(n, (k+1)*chunk))):
//   pmax[k] = max |tanh(w_i)| over the chunk, NaN ignored (0 if none is > 0)
//   pidx[k] = the first index i attaining it (-1 if none is > 0): strict ">" in index order, as Java
//   pdot[k] = sum over the chunk of (double)dy_i * tanh(w_i) (0 when dy is NULL)
//   pnan[k] = 1 if the chunk has a NaN tanh (the forward's max is then NaN, as Math.max gives)
// Virtual lane v walks offsets v, v+256, ... in order; lanes combine by a fixed tree (ties on the
// max go to the smaller index), so nothing depends on the launch shape. The host merges the chunks
// in order. One block per chunk (grid-stride over chunks).
extern "C" __global__ void kure_dorefa_stats(const float* __restrict__ w, const float* __restrict__ dy, long long n,
                                             long long chunk, double* __restrict__ pmax, long long* __restrict__ pidx,
                                             double* __restrict__ pdot, int* __restrict__ pnan) {
    __shared__ double sm[KURE_VLANES], sd[KURE_VLANES];
    __shared__ long long si[KURE_VLANES];
    __shared__ int sn[KURE_VLANES];
    const long long nchunks = (n + chunk - 1) / chunk;
    for (long long k = blockIdx.x; k < nchunks; k += gridDim.x) {
        const long long i0 = k * chunk;
        const long long i1 = (i0 + chunk < n) ? i0 + chunk : n;
        for (int v = threadIdx.x; v < KURE_VLANES; v += blockDim.x) {
            double m = 0.0, dot = 0.0;
            long long idx = -1;
            int nan = 0;
            for (long long i = i0 + v; i < i1; i += KURE_VLANES) {
                const double t = tanh((double)__ldg(w + i));
                const double a = fabs(t);
                if (a > m) { m = a; idx = i; }
                if (t != t) nan = 1;
                if (dy != nullptr) dot = kd_add(dot, kd_mul((double)__ldg(dy + i), t));
            }
            sm[v] = m; si[v] = idx; sd[v] = dot; sn[v] = nan;
        }
        __syncthreads();
        for (int s = KURE_VLANES / 2; s > 0; s >>= 1) {
            for (int v = threadIdx.x; v < s; v += blockDim.x) {
                const double bm = sm[v + s];
                const long long bi = si[v + s];
                if (bm > sm[v] || (bm == sm[v] && bi >= 0 && (si[v] < 0 || bi < si[v]))) { sm[v] = bm; si[v] = bi; }
                sd[v] = kd_add(sd[v], sd[v + s]);
                sn[v] |= sn[v + s];
            }
            __syncthreads();
        }
        if (threadIdx.x == 0) {
            pmax[k] = sm[0]; pidx[k] = si[0]; pdot[k] = sd[0]; pnan[k] = sn[0];
        }
        __syncthreads();
    }
}

// out_i = (float)(2 q_i - 1), q_i = rint(L * (t_i / (2M) + 0.5)) / L, L = 2^bits - 1, in double;
// M == 0 gives 0 (M NaN gives NaN). M comes from kure_dorefa_stats merged on the host.
extern "C" __global__ void kure_dorefa_forward(const float* __restrict__ w, float* __restrict__ out, long long n,
                                               double M, int bits) {
    const double L = (double)((1 << bits) - 1);
    const double twoM = kd_mul(2.0, M);
    for (long long i = kure_gtid(); i < n; i += kure_gthreads()) {
        if (M == 0.0) { out[i] = 0.0f; continue; }
        const double t = tanh((double)__ldg(w + i));
        const double wp = kd_add(kd_div(t, twoM), 0.5);
        const double q = kd_div(rint(kd_mul(L, wp)), L);
        out[i] = (float)kd_sub(kd_mul(2.0, q), 1.0);
    }
}

// dx_i = (float)((dy_i (1 - t_i^2)) / M - [i == k] max_term), max_term = sign(t_k)(1 - t_k^2)/M^2 * dot
// computed on the host from the merged stats. M > 0 (the host copies dy to dx when M == 0).
extern "C" __global__ void kure_dorefa_backward(const float* __restrict__ w, const float* __restrict__ dy,
                                                float* __restrict__ dx, long long n, double M, long long k,
                                                double max_term) {
    for (long long i = kure_gtid(); i < n; i += kure_gthreads()) {
        const double t = tanh((double)__ldg(w + i));
        double g = kd_div(kd_mul((double)__ldg(dy + i), kd_sub(1.0, kd_mul(t, t))), M);
        if (i == k) g = kd_sub(g, max_term);
        dx[i] = (float)g;
    }
}
