// Host-only checks of kernels/fpformats.cu (no GPU needed): the element rounding of every format,
// saturating and (E4M3, E5M2) not, against an independent table (every code decoded with the
// textbook formula, values rounded by neighbour search, ties to the even code), over a stride of all
// 2^32 float bit patterns plus every value and midpoint with their float neighbours; and the MX
// scale rules against their definitions. Build and run: native/test/run.sh
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include "fpformats.cu"

static int failures = 0;
#define CHECK(cond, ...)                                                                              \
    do {                                                                                              \
        if (!(cond)) {                                                                                \
            if (++failures < 40) { printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } \
        }                                                                                             \
    } while (0)

static const int EB[6] = {4, 5, 2, 3, 2, 1}, MB[6] = {3, 2, 3, 2, 1, 6}, BIAS[6] = {7, 15, 1, 3, 1, 1},
                 BITS[6] = {8, 8, 6, 6, 4, 8};
static double vals[300];
static int codes[300], nv;

static double textbook(int code, int fmt) {
    if (fmt == 5) return (code >= 128 ? code - 256 : code) / 64.0;
    int e = EB[fmt], m = MB[fmt];
    int s = (code >> (e + m)) & 1, ef = (code >> m) & ((1 << e) - 1), mf = code & ((1 << m) - 1);
    if (fmt == 1 && ef == 31) return mf == 0 ? (s ? -INFINITY : INFINITY) : NAN;
    if (fmt == 0 && ef == 15 && mf == 7) return NAN;
    double mag = ef == 0 ? pow(2, 1 - BIAS[fmt]) * mf / pow(2, m) : pow(2, ef - BIAS[fmt]) * (1 + mf / pow(2, m));
    return s ? -mag : mag;
}

static void table(int fmt) {
    nv = 0;
    for (int c = 0; c < (1 << BITS[fmt]); ++c) {
        double d = textbook(c, fmt);
        if (isfinite(d) && d >= 0 && !(d == 0 && c != 0)) { vals[nv] = d; codes[nv++] = c; }
    }
    for (int i = 1; i < nv; ++i)  // insertion sort by value
        for (int j = i; j > 0 && vals[j] < vals[j - 1]; --j) {
            double t = vals[j]; vals[j] = vals[j - 1]; vals[j - 1] = t;
            int u = codes[j]; codes[j] = codes[j - 1]; codes[j - 1] = u;
        }
    vals[nv] = vals[nv - 1] + pow(2, floor(log2(vals[nv - 1])) - MB[fmt]);
    codes[nv] = codes[nv - 1] + 1;
}

static float reference(float x, int fmt, int sat) {
    if (isnan(x)) return NAN;
    double a = fabs((double)x), r;
    if (a >= vals[nv]) r = INFINITY;
    else {
        int lo = 0, hi = nv;
        while (hi - lo > 1) { int mid = (lo + hi) / 2; if (vals[mid] <= a) lo = mid; else hi = mid; }
        double dl = a - vals[lo], dh = vals[lo + 1] - a;
        r = dl < dh ? vals[lo] : dh < dl ? vals[lo + 1] : ((codes[lo] & 1) == 0 ? vals[lo] : vals[lo + 1]);
    }
    if (r > vals[nv - 1]) r = sat ? vals[nv - 1] : (fmt == 1 ? INFINITY : NAN);
    float out = (float)r;
    if (fmt == 5) return x < 0 && out != 0 ? -out : out;
    return copysignf(out, x);
}

static void check_value(float x, int fmt, int sat) {
    float want = reference(x, fmt, sat), got = kure_fp_round(x, kure_fp_format(fmt), sat, 0, 0.0f);
    bool same = (isnan(want) && isnan(got)) || (want == got && signbit(want) == signbit(got));
    CHECK(same, "format %d sat %d x=%a: want %a got %a", fmt, sat, x, want, got);
}

static void test_rounding() {
    for (int fmt = 0; fmt < 6; ++fmt) {
        table(fmt);
        for (int sat = 1; sat >= (fmt <= 1 ? 0 : 1); --sat) {
            for (uint64_t b = 0; b < (1ull << 32); b += 251) check_value(kure_bits_f((uint32_t)b), fmt, sat);
            for (int i = 0; i <= nv; ++i) {
                float pts[2] = {(float)vals[i], i < nv ? (float)((vals[i] + vals[i + 1]) / 2) : (float)(2 * vals[nv - 1])};
                for (int p = 0; p < 2; ++p) {
                    float d = pts[p], u = pts[p];
                    for (int k = 0; k < 4; ++k) {
                        check_value(d, fmt, sat); check_value(-d, fmt, sat);
                        check_value(u, fmt, sat); check_value(-u, fmt, sat);
                        d = nextafterf(d, 0.0f); u = nextafterf(u, INFINITY);
                    }
                }
            }
        }
    }
}

static int rule_by_definition(float amax, int fmt, int rule) {
    KureFp f = kure_fp_format(fmt);
    if (amax == 0) return -127;
    double a = amax;
    int e = (int)floor(log2(a)), k;
    if (rule == 0) k = e - f.emax;
    else if (rule == 1) { k = e - f.emax - 2; while (a > f.max * pow(2, k)) ++k; }
    else { double q = pow(2, e - f.mbits); k = (int)floor(log2(floor(a / q + 0.5) * q)) - f.emax; }
    return k < -127 ? -127 : k > 127 ? 127 : k;
}

static void test_mx_rules() {
    uint32_t state = 12345;
    for (int t = 0; t < 200000; ++t) {
        state = state * 1664525u + 1013904223u;
        float amax = t < 64 ? ldexpf(1.0f + t / 64.0f, t % 3 == 0 ? -130 : t % 3 == 1 ? 3 : 127)
                            : kure_bits_f(state % 0x7f800000u);
        for (int fmt = 0; fmt < 6; ++fmt)
            for (int rule = 0; rule < 3; ++rule)
                CHECK(kure_fp_mx_exponent(kure_f_bits(amax), kure_fp_format(fmt), rule) == rule_by_definition(amax, fmt, rule),
                      "mx fmt %d rule %d amax %a", fmt, rule, amax);
    }
    CHECK(kure_fp_mx_exponent(0x7fc00000u, kure_fp_format(4), 0) == KURE_FP_NAN_EXPONENT, "NaN block");
    CHECK(kure_fp_mx_exponent(0x7f800000u, kure_fp_format(4), 0) == KURE_FP_NAN_EXPONENT, "Inf block");
    CHECK(kure_fp_pow2(-127) == ldexpf(1.0f, -127) && kure_fp_pow2(127) == ldexpf(1.0f, 127), "pow2 ends");
}

int main() {
    test_rounding();
    test_mx_rules();
    if (failures) { printf("test_fp_host: %d failures\n", failures); return 1; }
    printf("test_fp_host: all checks passed\n");
    return 0;
}
