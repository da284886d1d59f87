// Kure CUDA kernels: bandwidth baselines for the GPU benchmarks (bench/gpu/). Not part of the
// library's semantics; here so the benchmarks compare against a kernel built with the same flags.
#include "kure_common.cuh"

// Read-only reduction: partial[blockIdx.x] = float sum of this block's grid-stride share of x, read
// with 128-bit loads when x is 16-byte aligned. The value is only there so the loads are not
// optimized away (it depends on the launch shape; nothing compares it).
extern "C" __global__ void kure_bench_read_sum(const float* __restrict__ x, long long n, float* __restrict__ partial) {
    __shared__ float sh[KURE_VLANES];
    float s0 = 0.0f, s1 = 0.0f;
    const long long tid = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    const long long nthreads = (long long)gridDim.x * blockDim.x;
    long long tail = 0;
    if ((((uintptr_t)x) & 15) == 0) {
        const long long n4 = n >> 2;
        const float4* x4 = reinterpret_cast<const float4*>(x);
        for (long long i = tid; i < n4; i += nthreads) {
            const float4 a = __ldg(x4 + i);
            s0 += a.x + a.y;
            s1 += a.z + a.w;
        }
        tail = n4 << 2;
    }
    for (long long i = tail + tid; i < n; i += nthreads) s0 += __ldg(x + i);
    if (threadIdx.x < KURE_VLANES) sh[threadIdx.x] = 0.0f;
    __syncthreads();
    atomicAdd(&sh[threadIdx.x % KURE_VLANES], s0 + s1);
    __syncthreads();
    for (int s = KURE_VLANES / 2; s > 0; s >>= 1) {
        if ((int)threadIdx.x < s) sh[threadIdx.x] += sh[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) partial[blockIdx.x] = sh[0];
}
