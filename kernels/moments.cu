// Kure CUDA kernels: two-stage deterministic moments (docs/semantics.md §2, docs/semantics.md "Moments").
//
// Stage 1: the data is cut into fixed chunks (boundaries depend only on the sizes and the `chunk`
// argument, never on the grid); each block takes chunks in a grid-stride loop and writes one
// KureMoments state per chunk, computed two-pass in double: virtual lane v (of 256) sums offsets
// v, v+256, ... of the chunk in order, lanes combine by a fixed tree; mean = sum / count; then the
// centered sums S2, S3, S4 the same way. Stage 2 (kure_moments_merge) merges each segment's chunk
// states in a fixed order with the Chan/Pébay formulas. The result depends only on the data, the
// sizes and `chunk`: not on gridDim or blockDim.
#include "kure_common.cuh"

// Fixed-tree reduction over the 256 virtual lanes (a[0] holds the result after the call).
__device__ __forceinline__ void kure_tree_sum1(double* a) {
    __syncthreads();
    for (int s = KURE_VLANES / 2; s > 0; s >>= 1) {
        for (int v = threadIdx.x; v < s; v += blockDim.x) a[v] = kd_add(a[v], a[v + s]);
        __syncthreads();
    }
}

// One chunk of `cnt` elements; LOAD(m) returns element m (0 <= m < cnt) of the chunk.
template <class Load>
__device__ __forceinline__ KureMoments kure_chunk_moments(const Load& load, long long cnt) {
    __shared__ double sa[KURE_VLANES], sb[KURE_VLANES], sc[KURE_VLANES];
    // pass 1: sum, min, max
    for (int v = threadIdx.x; v < KURE_VLANES; v += blockDim.x) {
        double s = 0.0, mn = INFINITY, mx = -INFINITY;
        for (long long m = v; m < cnt; m += KURE_VLANES) {
            const double x = (double)load(m);
            s = kd_add(s, x);
            mn = kure_min(mn, x);
            mx = kure_max(mx, x);
        }
        sa[v] = s; sb[v] = mn; sc[v] = mx;
    }
    __syncthreads();
    for (int s = KURE_VLANES / 2; s > 0; s >>= 1) {
        for (int v = threadIdx.x; v < s; v += blockDim.x) {
            sa[v] = kd_add(sa[v], sa[v + s]);
            sb[v] = kure_min(sb[v], sb[v + s]);
            sc[v] = kure_max(sc[v], sc[v + s]);
        }
        __syncthreads();
    }
    KureMoments r;
    r.n = cnt;
    r.mean = kd_div(sa[0], (double)cnt);
    r.min = sb[0];
    r.max = sc[0];
    r.tag = KURE_MOMENTS_TAG;
    __syncthreads();  // everyone has read sa/sb/sc[0]
    // pass 2: centered sums
    const double mean = r.mean;
    for (int v = threadIdx.x; v < KURE_VLANES; v += blockDim.x) {
        double s2 = 0.0, s3 = 0.0, s4 = 0.0;
        for (long long m = v; m < cnt; m += KURE_VLANES) {
            const double d = kd_sub((double)load(m), mean);
            const double d2 = kd_mul(d, d);
            s2 = kd_add(s2, d2);
            s3 = kd_add(s3, kd_mul(d2, d));
            s4 = kd_add(s4, kd_mul(d2, d2));
        }
        sa[v] = s2; sb[v] = s3; sc[v] = s4;
    }
    __syncthreads();
    for (int s = KURE_VLANES / 2; s > 0; s >>= 1) {
        for (int v = threadIdx.x; v < s; v += blockDim.x) {
            sa[v] = kd_add(sa[v], sa[v + s]);
            sb[v] = kd_add(sb[v], sb[v + s]);
            sc[v] = kd_add(sc[v], sc[v + s]);
        }
        __syncthreads();
    }
    r.s2 = sa[0]; r.s3 = sb[0]; r.s4 = sc[0];
    __syncthreads();  // shared arrays are reused by the next chunk
    return r;
}

struct KureLoadContig {
    const float* p;
    __device__ __forceinline__ float operator()(long long m) const { return __ldg(p + m); }
};
struct KureLoadChan {
    const float* x;
    KureChanIndex ci;
    long long c, m0;
    __device__ __forceinline__ float operator()(long long m) const { return __ldg(x + kure_chan_elem(ci, c, m0 + m)); }
};

// Per-tensor (C = 1, inner = n) or per-channel / per-group moments of one tensor of n elements
// (n = outer * C * inner). Channel c's M = n / C elements (channel-major order) are cut into
// cpc = ceil(M / chunk) chunks; chunk k = c * cpc + j goes to states[k]. Launch with
// C * cpc > 0 chunks only; then kure_moments_merge(states, NULL, cpc, C, out).
extern "C" __global__ void kure_moments_chunks(const float* __restrict__ x, long long n, long long C,
                                               long long inner, long long chunk, KureMoments* __restrict__ states) {
    KureChanIndex ci;
    ci.C = C;
    ci.inner = inner;
    const long long M = n / C;
    ci.outer = M / inner;
    const long long cpc = (M + chunk - 1) / chunk;
    const long long nchunks = C * cpc;
    for (long long k = blockIdx.x; k < nchunks; k += gridDim.x) {
        const long long c = k / cpc, j = k - c * cpc;
        const long long m0 = j * chunk;
        const long long cnt = (m0 + chunk < M) ? chunk : M - m0;
        KureMoments r;
        if (ci.outer == 1) {
            KureLoadContig ld = {x + c * inner + m0};
            r = kure_chunk_moments(ld, cnt);
        } else {
            KureLoadChan ld = {x, ci, c, m0};
            r = kure_chunk_moments(ld, cnt);
        }
        if (threadIdx.x == 0) states[k] = r;
    }
}

// Tensor t owning chunk k: the largest t with chunk_begin[t] <= k.
__device__ __forceinline__ int kure_find_tensor(const long long* __restrict__ chunk_begin, int T, long long k) {
    int lo = 0, hi = T - 1;
    while (lo < hi) {
        const int mid = (lo + hi + 1) >> 1;
        if (chunk_begin[mid] <= k) lo = mid; else hi = mid - 1;
    }
    return lo;
}

// Multi-tensor stage 1: T tensors ptrs[t] of lens[t] elements; chunk_begin[0..T] is the prefix sum
// of ceil(lens[t] / chunk) (chunk_begin[0] = 0, chunk_begin[T] = total chunks). Chunk k of tensor t
// (local j = k - chunk_begin[t]) covers elements [j*chunk, min(lens[t], (j+1)*chunk)) and goes to
// states[k]. Then kure_moments_merge(states, chunk_begin, 0, T, out) gives one state per tensor.
extern "C" __global__ void kure_moments_multi_chunks(const float* const* __restrict__ ptrs,
                                                     const long long* __restrict__ lens,
                                                     const long long* __restrict__ chunk_begin, int T,
                                                     long long chunk, KureMoments* __restrict__ states) {
    const long long nchunks = chunk_begin[T];
    for (long long k = blockIdx.x; k < nchunks; k += gridDim.x) {
        const int t = kure_find_tensor(chunk_begin, T, k);
        const long long m0 = (k - chunk_begin[t]) * chunk;
        const long long len = lens[t];
        const long long cnt = (m0 + chunk < len) ? chunk : len - m0;
        KureLoadContig ld = {ptrs[t] + m0};
        const KureMoments r = kure_chunk_moments(ld, cnt);
        if (threadIdx.x == 0) states[k] = r;
    }
}

// Stage 2: out[s] = merge of segment s of `in`: [seg_begin[s], seg_begin[s+1]) when seg_begin is
// not NULL, else [s*per_segment, (s+1)*per_segment). Fixed order: virtual lane v merges the
// segment's states v, v+256, ... left to right; then lanes merge by a fixed tree (v with v+s for
// s = 128, 64, ..., 1). An empty segment gives the empty state (n = 0, mean/min/max NaN).
// One block per segment, grid-stride over segments.
extern "C" __global__ void kure_moments_merge(const KureMoments* __restrict__ in,
                                              const long long* __restrict__ seg_begin, long long per_segment,
                                              int num_segments, KureMoments* __restrict__ out) {
    __shared__ KureMoments sh[KURE_VLANES];
    for (long long sg = blockIdx.x; sg < num_segments; sg += gridDim.x) {
        const long long lo = seg_begin ? seg_begin[sg] : sg * per_segment;
        const long long hi = seg_begin ? seg_begin[sg + 1] : lo + per_segment;
        for (int v = threadIdx.x; v < KURE_VLANES; v += blockDim.x) {
            KureMoments acc = kure_moments_empty();
            for (long long k = lo + v; k < hi; k += KURE_VLANES) acc = kure_moments_merge(acc, in[k]);
            sh[v] = acc;
        }
        __syncthreads();
        for (int s = KURE_VLANES / 2; s > 0; s >>= 1) {
            for (int v = threadIdx.x; v < s; v += blockDim.x) sh[v] = kure_moments_merge(sh[v], sh[v + s]);
            __syncthreads();
        }
        if (threadIdx.x == 0) out[sg] = sh[0];
        __syncthreads();
    }
}
