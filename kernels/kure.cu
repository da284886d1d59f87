// Kure CUDA kernels: KURE regularizer over many tensors, one launch per stage (docs/semantics.md §3,
// docs/semantics.md "KURE gradient").
//   stage 1: kure_moments_multi_chunks + kure_moments_merge (moments.cu) -> one KureMoments per tensor
//   stage 2: on the host (dev.kure.spi.KureMath.plan, shared by every backend): from the T moments
//            states the loss, K_i, skipped tensors, the MAX reduction's worst tensor, and per tensor
//            the gradient parameters {c, mean, m3, Kb*m2} (c = 0: no gradient); copied back as 4T
//            doubles. Doing it on the host makes loss, kurtoses and skips identical to the CPU
//            backends' by construction; it costs one small device-to-host copy per call.
//   stage 3: kure_kure_grad: one multi-tensor launch over the same chunk table that adds
//            g_j = (float)(g_j + c * (d^3 - m3 - Kb*m2*d)), d = w_j - mean, in double.
#include "kure_common.cuh"

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
