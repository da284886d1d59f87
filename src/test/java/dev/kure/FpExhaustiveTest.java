package dev.kure;

import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.Test;

/**
 * Every float32 bit pattern (2^32 of them, NaNs and infinities included) through the CPU backend's
 * plain conversion to every format, saturating and (E4M3, E5M2) non-saturating, against
 * {@link FpReference}. Walking the patterns in increasing magnitude lets the reference advance one
 * pointer through its sorted table instead of searching. Opt-in (measured on the project's 2-core machine
 * at load average 15: E2M1 59 s, E4M3 saturating and not 186 s): {@code mvn -B test -Dtest=FpExhaustiveTest -Dkure.exhaustive=true}.
 * {@code -Dkure.exhaustive.formats=E2M1,E4M3} restricts it to some formats. The default build runs the
 * boundary-plus-random version, {@link FpFormatsTest}.
 */
@EnabledIfSystemProperty(named = "kure.exhaustive", matches = "true")
class FpExhaustiveTest {
    private static final int CHUNK = 1 << 20;

    @Test
    void everyFloatEveryFormat() throws Exception {
        String only = System.getProperty("kure.exhaustive.formats", "");
        for (FpFormat f : FpFormat.values()) {
            if (!only.isBlank() && !java.util.Arrays.asList(only.split(",")).contains(f.name())) {
                continue;
            }
            long t0 = System.nanoTime();
            run(f, true);
            if (f.hasNaN()) {
                run(f, false);
            }
            System.out.printf("FpExhaustiveTest: %s, all 2^32 floats%s, %.1f s%n", f,
                    f.hasNaN() ? " (saturating and not)" : "", (System.nanoTime() - t0) / 1e9);
        }
    }

    private static void run(FpFormat f, boolean saturate) throws Exception {
        // the two signs in parallel: two halves of the bit patterns
        Thread neg = new Thread(() -> half(f, saturate, 0x80000000));
        Throwable[] failure = new Throwable[1];
        neg.setUncaughtExceptionHandler((t, e) -> failure[0] = e);
        neg.start();
        half(f, saturate, 0);
        neg.join();
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
    }

    private static void half(FpFormat f, boolean saturate, int signBit) {
        FpReference ref = new FpReference(f);
        FpKernels k = FpKernels.cpu();
        FpQuantizer q = FpQuantizer.of(f).withSaturation(saturate);
        float[] in = new float[CHUNK];
        float[] out = new float[CHUNK];
        double[] v = ref.values;
        int idx = 0; // v[idx] <= a < v[idx + 1] while a is below the pseudo entry
        for (long base = 0; base < 1L << 31; base += CHUNK) {
            for (int i = 0; i < CHUNK; i++) {
                in[i] = Float.intBitsToFloat(signBit | (int) (base + i));
            }
            k.fakeQuantize(in, out, q);
            for (int i = 0; i < CHUNK; i++) {
                float x = in[i];
                float want;
                double a = Math.abs((double) x);
                if (Float.isNaN(x) || a >= v[v.length - 1]) {
                    want = ref.round(x, saturate);
                } else {
                    while (v[idx + 1] <= a) {
                        idx++;
                    }
                    double lo = v[idx], hi = v[idx + 1];
                    double dl = a - lo, dh = hi - a;
                    double r = dl < dh ? lo : dh < dl ? hi : ((ref.codes[idx] & 1) == 0 ? lo : hi);
                    if (r > ref.max()) {
                        r = saturate ? ref.max() : (f == FpFormat.E5M2 ? Double.POSITIVE_INFINITY : Double.NaN);
                    }
                    want = (float) r;
                    want = f == FpFormat.INT8 ? (x < 0 && want != 0 ? -want : want) : Math.copySign(want, x);
                }
                if (Float.floatToIntBits(want) != Float.floatToIntBits(out[i])) {
                    throw new AssertionError(f + (saturate ? "" : " non-saturating") + " of 0x"
                            + Integer.toHexString(Float.floatToRawIntBits(x)) + " (" + x + "): expected " + want
                            + " got " + out[i]);
                }
            }
        }
    }
}
