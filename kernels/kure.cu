// Kure CUDA kernels: KURE regularizer over many tensors, one launch per stage (SPEC §3,
// CONTRACT.md "KURE gradient").
//   stage 1: kure_moments_multi_chunks + kure_moments_merge (moments.cu) -> one KureMoments per tensor
//   stage 2: kure_kure_coef (one tiny block) -> loss, K_i, skip reasons, per-tensor gradient
//            parameters {c, mean, m3, Kb*m2}; the host may compute the same parameters instead
//   stage 3: kure_kure_grad: one multi-tensor launch over the same chunk table that adds
//            g_j = (float)(g_j + c * (d^3 - m3 - Kb*m2*d)), d = w_j - mean, in double.
#include "kure_common.cuh"

#define KURE_RED_MEAN 0
#define KURE_RED_SUM 1
#define KURE_RED_MAX 2

#define KURE_SKIP_NONE 0
#define KURE_SKIP_TOO_FEW 1
#define KURE_SKIP_ZERO_VAR 2
#define KURE_SKIP_NON_FINITE 3

// Stage 2, launched as ONE block (any blockDim); thread 0 does the work sequentially, in tensor
// order (T is a model's tensor count: small).
//   mom[T]            per-tensor moments (from stage 1)
//   unbiased          1: K_u = ((n-1)/n)^2 K_b (reference code), 0: K_b (paper)
//   reduction         0 MEAN (lambda/T, skipped tensors count in T), 1 SUM (lambda), 2 MAX (lambda to
//                     the first tensor with the largest (K-K_T)^2, 0 to the others)
//   grad_params[4T]   per tensor {c, mean, m3, Kb*m2}; c = 0 for skipped tensors and tensors that get
//                     no gradient; c = coef*2(K-K_T)*4/(n*m2^2)*((n-1)/n)^2 (factor 1 when biased)
//   K_out[T]          K_i in the chosen convention, NaN where skipped
//   loss_out[2]       {R, worst index as double (-1 unless MAX with a non-skipped tensor)}
//   skip_out[T]       0 none, 1 n < 2, 2 zero variance, 3 non-finite moments
extern "C" __global__ void kure_kure_coef(const KureMoments* __restrict__ mom, int T, int unbiased, int reduction,
                                          double lambda, double target, double* __restrict__ grad_params,
                                          double* __restrict__ K_out, double* __restrict__ loss_out,
                                          int* __restrict__ skip_out) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    double sum = 0.0, worst_val = -1.0;
    int worst = -1;
    for (int t = 0; t < T; ++t) {
        const KureMoments m = mom[t];
        int skip = KURE_SKIP_NONE;
        double K = NAN;
        if (m.n < 2) {
            skip = KURE_SKIP_TOO_FEW;
        } else if (!(isfinite(m.mean) && isfinite(m.s2) && isfinite(m.s3) && isfinite(m.s4))) {
            skip = KURE_SKIP_NON_FINITE;
        } else if (m.s2 == 0.0) {
            skip = KURE_SKIP_ZERO_VAR;
        } else {
            const double n = (double)m.n;
            const double m2 = kd_div(m.s2, n), m3 = kd_div(m.s3, n), m4 = kd_div(m.s4, n);
            const double kb = kd_div(m4, kd_mul(m2, m2));
            const double f = kd_div(kd_sub(n, 1.0), n);
            K = unbiased ? kd_mul(kd_mul(f, f), kb) : kb;
            if (!isfinite(K)) {
                skip = KURE_SKIP_NON_FINITE;
                K = NAN;
            } else {
                const double e = kd_sub(K, target), e2 = kd_mul(e, e);
                sum = kd_add(sum, e2);
                if (e2 > worst_val) { worst_val = e2; worst = t; }
                // c without coef: 2(K - K_T) * 4/(n*m2^2) * f^2; coef applied below
                double c = kd_mul(kd_mul(2.0, e), kd_div(4.0, kd_mul(kd_mul(n, m2), m2)));
                if (unbiased) c = kd_mul(c, kd_mul(f, f));
                grad_params[4 * t + 0] = c;
                grad_params[4 * t + 1] = m.mean;
                grad_params[4 * t + 2] = m3;
                grad_params[4 * t + 3] = kd_mul(kb, m2);
            }
        }
        K_out[t] = K;
        skip_out[t] = skip;
        if (skip != KURE_SKIP_NONE) {
            grad_params[4 * t + 0] = 0.0;
            grad_params[4 * t + 1] = 0.0;
            grad_params[4 * t + 2] = 0.0;
            grad_params[4 * t + 3] = 0.0;
        }
    }
    double R;
    if (reduction == KURE_RED_MAX) {
        R = (worst >= 0) ? kd_mul(lambda, worst_val) : 0.0;
        for (int t = 0; t < T; ++t)
            grad_params[4 * t] = (t == worst) ? kd_mul(lambda, grad_params[4 * t]) : 0.0;
    } else {
        const double coef = (reduction == KURE_RED_MEAN) ? kd_div(lambda, (double)T) : lambda;
        R = kd_mul(coef, sum);
        for (int t = 0; t < T; ++t) grad_params[4 * t] = kd_mul(coef, grad_params[4 * t]);
    }
    loss_out[0] = R;
    loss_out[1] = (reduction == KURE_RED_MAX) ? (double)worst : -1.0;
}

__device__ __forceinline__ int kure_find_tensor3(const long long* __restrict__ chunk_begin, int T, long long k) {
    int lo = 0, hi = T - 1;
    while (lo < hi) {
        const int mid = (lo + hi + 1) >> 1;
        if (chunk_begin[mid] <= k) lo = mid; else hi = mid - 1;
    }
    return lo;
}

// Stage 3: for every tensor t with grad_params[4t] != 0 and every element j:
//   d = (double)w_j - mean; g_j = (float)((double)g_j + c * ((d*d*d - m3) - kbm2*d)).
// Same chunk table as kure_moments_multi_chunks (chunk_begin[T+1], `chunk`); element-wise, so any
// launch shape gives the same bits.
extern "C" __global__ void kure_kure_grad(const float* const* __restrict__ w_ptrs, float* const* __restrict__ g_ptrs,
                                          const long long* __restrict__ lens,
                                          const long long* __restrict__ chunk_begin, int T, long long chunk,
                                          const double* __restrict__ grad_params) {
    const long long nchunks = chunk_begin[T];
    for (long long k = blockIdx.x; k < nchunks; k += gridDim.x) {
        const int t = kure_find_tensor3(chunk_begin, T, k);
        const double c = grad_params[4 * t];
        if (c == 0.0) continue;  // adding 0 changes nothing: skipped tensors stay bit-identical
        const double mean = grad_params[4 * t + 1], m3 = grad_params[4 * t + 2], kbm2 = grad_params[4 * t + 3];
        const long long m0 = (k - chunk_begin[t]) * chunk;
        const long long len = lens[t];
        const long long m1 = (m0 + chunk < len) ? m0 + chunk : len;
        const float* w = w_ptrs[t];
        float* g = g_ptrs[t];
        for (long long j = m0 + threadIdx.x; j < m1; j += blockDim.x) {
            const double d = kd_sub((double)__ldg(w + j), mean);
            const double term = kd_sub(kd_sub(kd_mul(kd_mul(d, d), d), m3), kd_mul(kbm2, d));
            g[j] = (float)kd_add((double)g[j], kd_mul(c, term));
        }
    }
}
