// Host-only checks of the __host__ __device__ helpers of kernels/kure_common.cuh (no GPU needed):
// Philox4x32-10 known answers, the rounding policies against hand tables and an independent
// reference, WRAP, fake-quant elements (non-finite inputs, MIDRISE), the moments merge.
// Build and run: native/test/run.sh
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <float.h>
#include "kure_common.cuh"

static int failures = 0;
#define CHECK(cond, ...)                                           \
    do {                                                           \
        if (!(cond)) {                                             \
            ++failures;                                            \
            if (failures < 40) {                                   \
                printf("FAIL %s:%d: ", __FILE__, __LINE__);        \
                printf(__VA_ARGS__);                               \
                printf("\n");                                      \
            }                                                      \
        }                                                          \
    } while (0)

static const char* POL[] = {"HALF_EVEN", "HALF_AWAY", "HALF_UP", "HALF_DOWN", "FLOOR", "CEIL", "TOWARD_ZERO", "STOCHASTIC"};

static void test_philox() {
    const uint32_t c0[4] = {0, 0, 0, 0};
    uint32_t o[4];
    kure_philox4x32_10(c0, 0u, 0u, o);
    const uint32_t e0[4] = {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u};
    for (int k = 0; k < 4; ++k) CHECK(o[k] == e0[k], "philox KAT 1 word %d: %08x != %08x", k, o[k], e0[k]);
    const uint32_t c1[4] = {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u};
    kure_philox4x32_10(c1, 0xa4093822u, 0x299f31d0u, o);
    const uint32_t e1[4] = {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u};
    for (int k = 0; k < 4; ++k) CHECK(o[k] == e1[k], "philox KAT 2 word %d: %08x != %08x", k, o[k], e1[k]);

    // key/counter layout: seed (k0 = low, k1 = high), counter (e >>> 2 low, e >>> 34 high, 0, 0)
    const uint64_t seed = 0x299f31d0a4093822ull;
    const uint64_t e = (0x05a308d3ull << 34) | (0x243f6a88ull << 2) | 3;  // c2, c3 = 0 here
    uint32_t w[4];
    kure_philox_block(seed, e, w);
    const uint32_t cc[4] = {0x243f6a88u, 0x05a308d3u, 0, 0};
    kure_philox4x32_10(cc, 0xa4093822u, 0x299f31d0u, o);
    for (int k = 0; k < 4; ++k) CHECK(w[k] == o[k], "philox layout word %d", k);
    CHECK(kure_uniform(seed, e) == (double)(o[3] >> 8) / 16777216.0, "u selects word e & 3");
    // u = (w >>> 8) * 2^-24 on counter 0, key 0: element 0 uses word 0, element 2 word 2
    CHECK(kure_uniform(0, 0) == (double)(0x6627e8d5u >> 8) * 0x1p-24, "u(0,0)");
    CHECK(kure_uniform(0, 2) == (double)(0xbc57ac4cu >> 8) * 0x1p-24, "u(0,2)");
    // the per-thread cache gives the same draws as the plain path
    KurePhiloxCache pc;
    kure_philox_cache_init(&pc);
    for (uint64_t i = 0; i < 4096; ++i) {
        const uint64_t ee = i * 3 + 7;
        CHECK(kure_uniform_cached(&pc, 42, ee) == kure_uniform(42, ee), "cache e=%llu", (unsigned long long)ee);
    }
}

// Hash32 (STOCHASTIC_HASH) known answers, computed independently in Python; the same values are
// asserted by the Java tests (HashTest)
static void test_hash32() {
    CHECK(kure_hash32_key(0, 0) == 0xe220a8397b1dcdafull, "hash32 key = SplitMix64's first output of seed 0");
    CHECK(kure_hash32(0, 0) == 0x2f69a059u, "hash32 (0, 0): %08x", kure_hash32(0, 0));
    CHECK(kure_hash32(0, 1) == 0x7a0f8f4eu, "hash32 (0, 1): %08x", kure_hash32(0, 1));
    CHECK(kure_hash32(42, 7) == 0xb0ada9e0u, "hash32 (42, 7): %08x", kure_hash32(42, 7));
    CHECK(kure_hash32(0x5eed, 0x100000005ull) == 0xe7d1657du, "hash32 high word: %08x", kure_hash32(0x5eed, 0x100000005ull));
    CHECK(kure_hash32(~0ull, 0xfffffffffull) == 0x1ca90295u, "hash32 all ones: %08x", kure_hash32(~0ull, 0xfffffffffull));
    CHECK(kure_policy_uniform(KURE_STOCHASTIC_HASH, 42, 7) == (double)(0xb0ada9e0u >> 8) * 0x1p-24, "hash32 u");
    CHECK(kure_policy_uniform(KURE_STOCHASTIC, 42, 7) == kure_uniform(42, 7), "philox u by policy");
    CHECK(kure_policy_uniform(KURE_HALF_EVEN, 42, 7) == 0.0, "no u for deterministic policies");
    KurePhiloxCache pc;
    kure_philox_cache_init(&pc);
    CHECK(kure_policy_uniform_cached(&pc, KURE_STOCHASTIC_HASH, 42, 7) == kure_policy_uniform(KURE_STOCHASTIC_HASH, 42, 7),
          "hash32 u through the cached path");
    // STOCHASTIC_HASH rounds like STOCHASTIC for the same u
    CHECK(kure_round(2.25f, false, KURE_STOCHASTIC_HASH, 0.75) == 3, "srh 2.25+0.75");
    CHECK(kure_round(2.25f, false, KURE_STOCHASTIC_HASH, 0.75 - 0x1p-24) == 2, "srh 2.25+0.75-eps");
    CHECK(kure_round(2.25f, true, KURE_STOCHASTIC_HASH, 0.25 - 0x1p-24) == 1, "srh h below");
}

// expected[p][j] for the values ys[j]; policies 0..6
static void table(const char* name, bool half, const float* ys, int n, const double exp[7][16]) {
    for (int p = 0; p < 7; ++p)
        for (int j = 0; j < n; ++j) {
            const double r = kure_round(ys[j], half, p, 0.0);
            CHECK(r == exp[p][j], "%s %s y=%.9g: got %.17g want %.17g", name, POL[p], ys[j], r, exp[p][j]);
        }
}

static void test_round_tables() {
    {
        const float ys[] = {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, -0.3f, 0.7f, 2.0f, 0.49999997f, -0.49999997f, 1e-40f, -1e-40f};
        const double exp[7][16] = {
            {-2, -2, -0., 0, 2, 2, -0., 1, 2, 0, 0, 0, 0},      // HALF_EVEN
            {-3, -2, -1, 1, 2, 3, 0, 1, 2, 0, 0, 0, 0},         // HALF_AWAY
            {-2, -1, 0, 1, 2, 3, 0, 1, 2, 0, 0, 0, 0},          // HALF_UP
            {-3, -2, -1, 0, 1, 2, 0, 1, 2, 0, 0, 0, 0},         // HALF_DOWN
            {-3, -2, -1, 0, 1, 2, -1, 0, 2, 0, -1, 0, -1},      // FLOOR
            {-2, -1, 0, 1, 2, 3, 0, 1, 2, 1, 0, 1, 0},          // CEIL
            {-2, -1, 0, 0, 1, 2, 0, 0, 2, 0, 0, 0, 0},          // TOWARD_ZERO
        };
        table("h=0", false, ys, 13, exp);
    }
    {
        // v = y - 0.5 = -2.5 -1.5 -0.5 0.5 1.5 2.5 -0.3 0.3 1.2, then tiny and 2^23 cases
        const float ys[] = {-2.0f, -1.0f, 0.0f, 1.0f, 2.0f, 3.0f, 0.2f, 0.8f, 1.7f, 1e-40f, -1e-40f, 8388609.0f, -8388609.0f, 16777216.0f};
        const double exp[7][16] = {
            {-2, -2, 0, 0, 2, 2, 0, 0, 1, 0, -1, 8388608, -8388610, 16777216},    // HALF_EVEN
            {-3, -2, -1, 1, 2, 3, 0, 0, 1, 0, -1, 8388609, -8388610, 16777216},   // HALF_AWAY
            {-2, -1, 0, 1, 2, 3, 0, 0, 1, 0, -1, 8388609, -8388609, 16777216},    // HALF_UP
            {-3, -2, -1, 0, 1, 2, 0, 0, 1, 0, -1, 8388608, -8388610, 16777215},   // HALF_DOWN
            {-3, -2, -1, 0, 1, 2, -1, 0, 1, -1, -1, 8388608, -8388610, 16777215}, // FLOOR
            {-2, -1, 0, 1, 2, 3, 0, 1, 2, 0, 0, 8388609, -8388609, 16777216},     // CEIL
            {-2, -1, 0, 0, 1, 2, 0, 0, 1, 0, 0, 8388608, -8388609, 16777215},     // TOWARD_ZERO
        };
        table("h=0.5", true, ys, 14, exp);
    }
    // huge and non-finite
    for (int p = 0; p < 8; ++p) {
        CHECK(kure_round(3e38f, false, p, 0.5) == (double)3e38f, "3e38 %s", POL[p]);
        CHECK(kure_round(INFINITY, false, p, 0.5) == INFINITY, "inf");
        CHECK(kure_round(-INFINITY, true, p, 0.5) == -INFINITY, "-inf");
        CHECK(kure_round(NAN, true, p, 0.5) != kure_round(NAN, true, p, 0.5), "nan");
    }
    // stochastic, hand cases: h = 0: floor(y + u); h = 0.5: floor(y - 0.5 + u)
    CHECK(kure_round(2.25f, false, KURE_STOCHASTIC, 0.75) == 3, "sr 2.25+0.75");
    CHECK(kure_round(2.25f, false, KURE_STOCHASTIC, 0.75 - 0x1p-24) == 2, "sr 2.25+0.75-eps");
    CHECK(kure_round(-2.25f, false, KURE_STOCHASTIC, 0.25) == -2, "sr -2.25+0.25");
    CHECK(kure_round(-2.25f, false, KURE_STOCHASTIC, 0.0) == -3, "sr -2.25+0");
    CHECK(kure_round(5.0f, false, KURE_STOCHASTIC, 0.9999) == 5, "sr int");
    CHECK(kure_round(2.25f, true, KURE_STOCHASTIC, 0.25) == 2, "sr h 2.25-0.5+0.25=2");
    CHECK(kure_round(2.25f, true, KURE_STOCHASTIC, 0.25 - 0x1p-24) == 1, "sr h below");
    CHECK(kure_round(2.75f, true, KURE_STOCHASTIC, 0.75) == 3, "sr h 3");
    CHECK(kure_round(3.0f, true, KURE_STOCHASTIC, 0.5) == 3, "sr h tie u=.5");
    CHECK(kure_round(3.0f, true, KURE_STOCHASTIC, 0.5 - 0x1p-24) == 2, "sr h tie u<.5");
}

// Independent reference on values where v = y - h is exact in double: y = k * 2^-20, |y| < 2^10.
static double ref_round(double v, int p, double u) {
    switch (p) {
        case 0: return nearbyint(v);  // default rounding mode: half even
        case 1: return round(v);
        case 2: return floor(v + 0.5);
        case 3: return ceil(v - 0.5);
        case 4: return floor(v);
        case 5: return ceil(v);
        case 6: return trunc(v);
        default: return floor(v + u);
    }
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next64() {
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return rng;
}

static void test_round_random() {
    for (int it = 0; it < 2000000; ++it) {
        const uint64_t r = next64();
        long long k = (long long)(r % (2ull << 30)) - (1ll << 30);
        if (it % 4 == 0) k &= ~0x7ffffll;  // many exact ties / integers
        const float y = (float)k * 0x1p-20f;  // exact: |k| < 2^31 but float has 24 bits...
        const double yd = (double)y;          // ...so use the float actually formed
        const bool half = (r >> 40) & 1;
        const int p = (int)((r >> 41) % 8);
        const double u = (double)((uint32_t)(r >> 8) >> 8) * 0x1p-24;
        const double v = yd - (half ? 0.5 : 0.0);  // exact: yd is a multiple of 2^-20 below 2^10
        const double want = ref_round(v, p, u);
        const double got = kure_round(y, half, p, u);
        CHECK(got == want, "random %s h=%d y=%.17g u=%.17g: got %.17g want %.17g", POL[p], (int)half, yd, u, got, want);
    }
}

static void test_wrap() {
    CHECK(kure_wrap(130.0f, -128, 127) == -126.0f, "wrap 130");
    CHECK(kure_wrap(-129.0f, -128, 127) == 127.0f, "wrap -129");
    CHECK(kure_wrap(1000.0f, 0, 15) == 8.0f, "wrap 1000 u4");
    CHECK(kure_wrap(-1.0f, 0, 15) == 15.0f, "wrap -1 u4");
    CHECK(kure_wrap(5.0f, -7, 7) == 5.0f, "wrap inside narrow");
    CHECK(kure_wrap(8.0f, -7, 7) == -7.0f, "wrap narrow 8");
    CHECK(kure_wrap(3e9f, -128, 127) == (float)(-128 + (((long long)3e9f + 128) % 256)), "wrap 3e9");
    CHECK(kure_wrap(-3e9f, -128, 127) == (float)(-128 + ((((long long)-3e9f + 128) % 256) + 256) % 256), "wrap -3e9");
    CHECK(isnan(kure_wrap(INFINITY, -8, 7)) && isnan(kure_wrap(-INFINITY, -8, 7)), "wrap inf -> NaN");
}

static float fq(float x, float s, int z, int qmin, int qmax, float h, int rnd, int ovf, int mode, bool* m) {
    return kure_fake_quant_element(x, s, 1.0f / s, z, qmin, qmax, h, rnd, ovf, mode, 0.0, m);
}

// PyTorch's fake_quantize_per_tensor_affine, written the way aten does it (float inv_scale,
// nearbyint, int64 arithmetic), for finite x.
static float torch_fq(float x, float s, int z, int qmin, int qmax) {
    const float inv = 1.0f / s;
    long long q = (long long)z + (long long)nearbyintf(x * inv);
    q = q < qmin ? qmin : (q > qmax ? qmax : q);
    return (float)(q - z) * s;
}

static void test_fake_quant() {
    bool m;
    CHECK(fq(0.25f, 0.1f, 0, -128, 127, 0.f, 0, 0, 0, &m) == 0.2f && m, "0.25 -> 0.2");
    float o = fq(NAN, 0.1f, 0, -128, 127, 0.f, 0, 0, 0, &m);
    CHECK(isnan(o) && !m, "NaN -> NaN, mask 0");
    o = fq(INFINITY, 0.1f, 3, -128, 127, 0.f, 0, 0, 0, &m);
    CHECK(o == (float)(127 - 3) * 0.1f && !m, "+Inf -> (qmax - z) s, got %g", o);
    o = fq(-INFINITY, 0.1f, 3, -128, 127, 0.f, 0, 0, 0, &m);
    CHECK(o == (float)(-128 - 3) * 0.1f && !m, "-Inf -> (qmin - z) s");
    o = fq(INFINITY, 0.1f, 0, -128, 127, 0.f, 0, KURE_WRAP, 0, &m);
    CHECK(isnan(o) && !m, "+Inf WRAP -> NaN");
    o = fq(1e30f, 0.1f, 0, -128, 127, 0.f, 0, 0, 0, &m);
    CHECK(o == 12.7f && !m, "saturate high");
    // MIDRISE b = 2: bounds [-2, 1], h = 0.5, s = 1: levels -1.5 -0.5 0.5 1.5
    CHECK(fq(0.3f, 1.0f, 0, -2, 1, 0.5f, 0, 0, 0, &m) == 0.5f && m, "midrise 0.3");
    CHECK(fq(-0.3f, 1.0f, 0, -2, 1, 0.5f, 0, 0, 0, &m) == -0.5f && m, "midrise -0.3");
    CHECK(fq(0.0f, 1.0f, 0, -2, 1, 0.5f, 0, 0, 0, &m) == 0.5f && m, "midrise 0 (tie -> even 0)");
    CHECK(fq(10.0f, 1.0f, 0, -2, 1, 0.5f, 0, 0, 0, &m) == 1.5f && !m, "midrise clip high");
    CHECK(fq(-10.0f, 1.0f, 0, -2, 1, 0.5f, 0, 0, 0, &m) == -1.5f && !m, "midrise clip low");
    CHECK(fq(INFINITY, 1.0f, 0, -2, 1, 0.5f, 0, 0, 0, &m) == 1.5f && !m, "midrise +Inf");
    // mask on the unclamped q, WRAP keeps the mask
    o = fq(13.0f, 1.0f, 0, -8, 7, 0.f, 0, KURE_WRAP, 0, &m);
    CHECK(o == -3.0f && !m, "wrap 13 in s4 -> -3, got %g", o);
    // DIVIDE vs MULTIPLY differ where 1/s is inexact: x = 3 * 0.1f
    const float s = 0.1f, x = 0.3f;
    CHECK(kure_fake_quant_element(x, s, 1.0f / s, 0, -128, 127, 0.f, 0, 0, KURE_DIVIDE, 0.0, &m) == (float)rint(x / s) * s, "divide");
    // PyTorch parity on random finite inputs
    for (int it = 0; it < 1000000; ++it) {
        const uint64_t r = next64();
        const float sc = (float)(1 + (r & 0xffff)) * 1e-4f;
        const int z = (int)((r >> 16) % 64) - 32;
        float xx;
        const uint32_t bits = (uint32_t)(r >> 24);
        memcpy(&xx, &bits, 4);
        if (!isfinite(xx) || it % 2) xx = ((float)(int32_t)(r >> 32) * 0x1p-31f) * 20.0f;
        if (!(fabsf(xx * (1.0f / sc)) < 1e18f)) continue;  // aten's int64 cast is undefined beyond
        const float want = torch_fq(xx, sc, z, -128, 127);
        const float got = fq(xx, sc, z, -128, 127, 0.f, KURE_HALF_EVEN, KURE_SATURATE, KURE_MULTIPLY, &m);
        CHECK(memcmp(&want, &got, 4) == 0 || (want == 0 && got == 0), "torch parity x=%a s=%a z=%d: %a vs %a", xx, sc, z, got, want);
    }
}

static KureMoments two_pass(const float* x, long long n) {
    double s = 0;
    double mn = INFINITY, mx = -INFINITY;
    for (long long i = 0; i < n; ++i) { s += x[i]; mn = kure_min(mn, x[i]); mx = kure_max(mx, x[i]); }
    KureMoments m = kure_moments_empty();
    m.n = n;
    m.mean = s / n;
    m.s2 = m.s3 = m.s4 = 0;
    for (long long i = 0; i < n; ++i) {
        const double d = x[i] - m.mean;
        m.s2 += d * d; m.s3 += d * d * d; m.s4 += d * d * d * d;
    }
    m.min = mn; m.max = mx;
    return m;
}

static bool close(double a, double b, double rel) { return fabs(a - b) <= rel * fmax(fabs(a), fabs(b)) + 1e-300; }

static void test_moments_merge() {
    const long long n = 100003;
    float* x = (float*)malloc(n * sizeof(float));
    for (long long i = 0; i < n; ++i) {
        const double u1 = ((next64() >> 11) + 0.5) * 0x1p-53, u2 = ((next64() >> 11) + 0.5) * 0x1p-53;
        x[i] = (float)(1e4 + 1e-2 * sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2));  // offset data
    }
    const KureMoments whole = two_pass(x, n);
    KureMoments acc = kure_moments_empty();
    for (long long lo = 0; lo < n; lo += 4096) {
        const long long cnt = (lo + 4096 < n) ? 4096 : n - lo;
        acc = kure_moments_merge(acc, two_pass(x + lo, cnt));
    }
    CHECK(acc.n == n, "merged n");
    CHECK(close(acc.mean, whole.mean, 1e-12), "mean %.17g %.17g", acc.mean, whole.mean);
    CHECK(close(acc.s2, whole.s2, 1e-9), "s2 %.17g %.17g", acc.s2, whole.s2);
    CHECK(fabs(acc.s3 - whole.s3) <= 1e-6 * whole.s2 * sqrt(whole.s2 / n), "s3 %.17g %.17g", acc.s3, whole.s3);
    CHECK(close(acc.s4, whole.s4, 1e-8), "s4 %.17g %.17g", acc.s4, whole.s4);
    CHECK(acc.min == whole.min && acc.max == whole.max, "min/max");
    CHECK(acc.tag == KURE_MOMENTS_TAG, "tag");
    // empty is the identity; constant data stays exact
    const KureMoments e = kure_moments_empty();
    const KureMoments a = kure_moments_merge(e, whole), b = kure_moments_merge(whole, e);
    CHECK(memcmp(&a, &whole, sizeof a) == 0 && memcmp(&b, &whole, sizeof b) == 0, "empty identity");
    for (long long i = 0; i < n; ++i) x[i] = 0.375f;
    acc = kure_moments_empty();
    for (long long lo = 0; lo < n; lo += 1000) acc = kure_moments_merge(acc, two_pass(x + lo, (lo + 1000 < n) ? 1000 : n - lo));
    CHECK(acc.mean == 0.375 && acc.s2 == 0 && acc.s3 == 0 && acc.s4 == 0 && acc.min == 0.375 && acc.max == 0.375, "constant");
    x[5] = NAN;
    acc = kure_moments_merge(two_pass(x, 10), two_pass(x + 10, 10));
    CHECK(isnan(acc.mean) && isnan(acc.min) && isnan(acc.max), "NaN propagates");
    free(x);
}

int main() {
    test_philox();
    test_hash32();
    test_round_tables();
    test_round_random();
    test_wrap();
    test_fake_quant();
    test_moments_merge();
    if (failures) {
        printf("%d check(s) FAILED\n", failures);
        return 1;
    }
    printf("all host checks passed (Philox KAT, rounding tables + 2e6 random, wrap, fake-quant + 1e6 torch-parity, moments merge)\n");
    return 0;
}
