/* The plain C baseline the benchmarks compare against: the straightforward loops a C programmer
 * would write, compiled with gcc -O3 -march=native (native/build-baseline.sh). Plain C functions
 * for Java's FFM API (java.lang.foreign): every pointer is a native address, n is an int64 count.
 * No threads, no intrinsics: this is the "what does a simple loop give" reference point. */
#include <math.h>
#include <stdint.h>

#define KURE_EXPORT __attribute__((visibility("default")))

/* Moments in double, two passes: sum -> mean, then centered powers. out[0..6] =
 * {n, mean, S2, S3, S4, min, max} (n as a double). n == 0 gives {0, NaN, 0, 0, 0, NaN, NaN}. */
KURE_EXPORT void kure_baseline_moments(const float* x, long n, double* out) {
    if (n <= 0) {
        out[0] = 0; out[1] = NAN; out[2] = 0; out[3] = 0; out[4] = 0; out[5] = NAN; out[6] = NAN;
        return;
    }
    double sum = 0.0;
    float mn = x[0], mx = x[0];
    for (long i = 0; i < n; ++i) {
        sum += x[i];
        if (x[i] < mn) mn = x[i];
        if (x[i] > mx) mx = x[i];
    }
    const double mean = sum / (double)n;
    double s2 = 0.0, s3 = 0.0, s4 = 0.0;
    for (long i = 0; i < n; ++i) {
        const double d = (double)x[i] - mean;
        const double d2 = d * d;
        s2 += d2;
        s3 += d2 * d;
        s4 += d2 * d2;
    }
    out[0] = (double)n; out[1] = mean; out[2] = s2; out[3] = s3; out[4] = s4; out[5] = mn; out[6] = mx;
}

/* Fake quantization per tensor, HALF_EVEN, SATURATE, as PyTorch's CPU kernel does it:
 * inv = 1.0f / scale; q = clamp(z + nearbyint(x * inv), qmin, qmax); out = (q - z) * scale.
 * (Like aten it converts through int64, so NaN / huge inputs follow C's undefined conversion.) */
KURE_EXPORT void kure_baseline_fake_quant(const float* x, long n, float scale, int zero_point, int qmin, int qmax,
                                          float* out) {
    const float inv = 1.0f / scale;
    for (long i = 0; i < n; ++i) {
        long long q = (long long)zero_point + (long long)nearbyintf(x[i] * inv);
        q = q < qmin ? qmin : (q > qmax ? qmax : q);
        out[i] = (float)(q - zero_point) * scale;
    }
}

/* Same, also writing the STE mask as one byte per element (PyTorch's cachemask variant). */
KURE_EXPORT void kure_baseline_fake_quant_mask(const float* x, long n, float scale, int zero_point, int qmin,
                                               int qmax, float* out, uint8_t* mask) {
    const float inv = 1.0f / scale;
    for (long i = 0; i < n; ++i) {
        long long q = (long long)zero_point + (long long)nearbyintf(x[i] * inv);
        mask[i] = (uint8_t)(q >= qmin && q <= qmax);
        q = q < qmin ? qmin : (q > qmax ? qmax : q);
        out[i] = (float)(q - zero_point) * scale;
    }
}

/* Kurtosis K_b = m4 / m2^2 of one tensor from the two-pass moments (NaN when m2 == 0). */
KURE_EXPORT double kure_baseline_kurtosis(const float* x, long n) {
    double m[7];
    kure_baseline_moments(x, n, m);
    const double m2 = m[2] / (double)n, m4 = m[4] / (double)n;
    return m4 / (m2 * m2);
}

/* Memory baselines: read-only sum and copy. */
KURE_EXPORT double kure_baseline_sum(const float* x, long n) {
    double s = 0.0;
    for (long i = 0; i < n; ++i) s += x[i];
    return s;
}
KURE_EXPORT void kure_baseline_copy(const float* x, long n, float* out) {
    for (long i = 0; i < n; ++i) out[i] = x[i];
}
