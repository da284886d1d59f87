package dev.kure;

import java.util.Arrays;

/**
 * An independent reference for the floating-point formats, written from the format definitions and
 * not from the code under test: every code of a format is enumerated and decoded with the textbook
 * formula (in double, with Math.pow), the finite non-negative values are sorted, and a value is
 * rounded by finding its two neighbours in that table (nearest; at a tie the neighbour whose code is
 * even, i.e. whose mantissa's last bit is 0). Above max the next value of the top binade,
 * max + 2^(emax − m), stands in for the first value that does not exist.
 */
final class FpReference {
    final FpFormat f;
    /** Sorted finite non-negative values, their codes, and a pseudo entry above max. */
    final double[] values;
    final int[] codes;

    FpReference(FpFormat f) {
        this.f = f;
        int n = 1 << f.bits();
        double[] v = new double[n];
        int[] c = new int[n];
        int k = 0;
        for (int code = 0; code < n; code++) {
            double d = decodeTextbook(code, f);
            if (!Double.isNaN(d) && !Double.isInfinite(d) && d >= 0 && !(d == 0 && code != 0)) {
                v[k] = d;
                c[k++] = code;
            }
        }
        double[] vs = Arrays.copyOf(v, k);
        Integer[] order = new Integer[k];
        for (int i = 0; i < k; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(vs[a], vs[b]));
        values = new double[k + 1];
        codes = new int[k + 1];
        for (int i = 0; i < k; i++) {
            values[i] = vs[order[i]];
            codes[i] = c[order[i]];
        }
        int m = f == FpFormat.INT8 ? 6 : f.mantissaBits();
        values[k] = values[k - 1] + Math.pow(2, Math.floor(Math.log(values[k - 1]) / Math.log(2)) - m);
        codes[k] = codes[k - 1] + 1;
    }

    /** The value of a code by the formula of the format's definition (INT8: two's complement / 64). */
    static double decodeTextbook(int code, FpFormat f) {
        if (f == FpFormat.INT8) {
            int k = code >= 128 ? code - 256 : code;
            return k / 64.0;
        }
        int e = f.exponentBits(), m = f.mantissaBits(), bias = f.bias();
        int sign = (code >> (e + m)) & 1;
        int ef = (code >> m) & ((1 << e) - 1);
        int mf = code & ((1 << m) - 1);
        if (f == FpFormat.E5M2 && ef == 31) {
            return mf == 0 ? (sign == 1 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY) : Double.NaN;
        }
        if (f == FpFormat.E4M3 && ef == 15 && mf == 7) {
            return Double.NaN;
        }
        double mag = ef == 0 ? Math.pow(2, 1 - bias) * (mf / Math.pow(2, m))
                : Math.pow(2, ef - bias) * (1 + mf / Math.pow(2, m));
        return sign == 1 ? -mag : mag;
    }

    double max() {
        return values[values.length - 2];
    }

    /** Index i with values[i] ≤ a < values[i + 1] (a finite, ≥ 0, below the pseudo entry). */
    int floorIndex(double a) {
        int lo = 0, hi = values.length - 1;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (values[mid] <= a) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** x rounded to nearest (ties to the even code), then saturated or overflowed. */
    float round(float x, boolean saturate) {
        if (Float.isNaN(x)) {
            return Float.NaN;
        }
        double a = Math.abs((double) x);
        double r;
        if (a >= values[values.length - 1]) {
            r = Double.POSITIVE_INFINITY;
        } else {
            int i = floorIndex(a);
            double lo = values[i], hi = values[i + 1];
            double dl = a - lo, dh = hi - a;
            r = dl < dh ? lo : dh < dl ? hi : ((codes[i] & 1) == 0 ? lo : hi);
        }
        if (r > max()) {
            r = saturate ? max() : (f == FpFormat.E5M2 ? Double.POSITIVE_INFINITY : Double.NaN);
        }
        float out = (float) r;
        if (f == FpFormat.INT8) {
            return x < 0 && out != 0 ? -out : out;
        }
        return Math.copySign(out, x);
    }

    /** The two neighbours [down, up] of a in the table (equal when a is a value). */
    double[] neighbours(double a) {
        int i = floorIndex(a);
        return values[i] == a ? new double[] {a, a} : new double[] {values[i], values[i + 1]};
    }

    /** Interesting inputs: every value, every midpoint, their float neighbours, both signs, specials. */
    float[] boundaryInputs() {
        java.util.ArrayList<Float> l = new java.util.ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            addAround(l, (float) values[i]);
            if (i + 1 < values.length) {
                addAround(l, (float) ((values[i] + values[i + 1]) / 2));
            }
        }
        addAround(l, (float) (2 * max()));
        for (float s : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.MAX_VALUE, Float.MIN_VALUE,
                Float.MIN_NORMAL, 0x1p-20f, 1e30f, 0f}) {
            l.add(s);
        }
        float[] out = new float[2 * l.size()];
        for (int i = 0; i < l.size(); i++) {
            out[2 * i] = l.get(i);
            out[2 * i + 1] = -l.get(i);
        }
        return out;
    }

    private static void addAround(java.util.List<Float> l, float v) {
        float d = v, u = v;
        l.add(v);
        for (int k = 0; k < 3; k++) {
            d = Math.nextDown(d);
            u = Math.nextUp(u);
            if (d >= 0) {
                l.add(d);
            }
            l.add(u);
        }
    }
}
