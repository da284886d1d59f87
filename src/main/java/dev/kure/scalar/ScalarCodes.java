package dev.kure.scalar;

import dev.kure.Quantizer;
import dev.kure.QuantMode;
import dev.kure.spi.QuantMath;
import dev.kure.spi.Runs;

/**
 * Reference integer codes: int8 (one per byte) and packed int4 (two per byte, low nibble first).
 * Codes are the clamped or wrapped q of the fake-quant forward, so dequantize(quantize(x)) equals
 * fakeQuantize(x) bit for bit; a NaN input (or ±Inf under WRAP) has no code and is stored as the
 * zero point.
 */
final class ScalarCodes {
    private ScalarCodes() {}

    /** The stored code of element i (already overflow-handled), as an int. */
    private static int codeOf(float xv, float s, float inv, int z, Quantizer q, long i) {
        float c = QuantMath.code(xv, s, inv, z, q.offset(), q.rounding(), q.mode() == QuantMode.DIVIDE,
                q.seed(), q.streamOffset() + i);
        float w = QuantMath.overflow(c, q.qmin(), q.qmax(), q.overflow());
        return Float.isNaN(w) ? z : (int) w;
    }

    static void quantizeInt8(long base, float[] x, int xo, byte[] codes, int co, int len, Quantizer q) {
        for (Runs.Cursor r = Runs.over(q, base, len); r.next(); ) {
            float s = r.s, inv = r.inv;
            int z = r.z;
            for (int i = r.from; i < r.to; i++) {
                codes[co + i] = (byte) codeOf(x[xo + i], s, inv, z, q, base + i);
            }
        }
    }

    static void dequantizeInt8(long base, byte[] codes, int co, float[] out, int oo, int len, Quantizer q) {
        boolean unsigned = q.qmin() >= 0;
        float h = q.offset();
        for (Runs.Cursor r = Runs.over(q, base, len); r.next(); ) {
            float s = r.s;
            int z = r.z;
            for (int i = r.from; i < r.to; i++) {
                int c = unsigned ? codes[co + i] & 0xFF : codes[co + i];
                out[oo + i] = QuantMath.value(c, z, h, s);
            }
        }
    }

    static void quantizeInt4(long base, float[] x, int xo, byte[] packed, int po, int len, Quantizer q) {
        for (Runs.Cursor r = Runs.over(q, base, len); r.next(); ) {
            float s = r.s, inv = r.inv;
            int z = r.z;
            for (int i = r.from; i < r.to; i++) {
                int nib = codeOf(x[xo + i], s, inv, z, q, base + i) & 0xF;
                int b = po + (i >>> 1);
                packed[b] = (i & 1) == 0 ? (byte) nib : (byte) ((packed[b] & 0x0F) | (nib << 4));
            }
        }
    }

    static void dequantizeInt4(long base, byte[] packed, int po, float[] out, int oo, int len, Quantizer q) {
        boolean unsigned = q.qmin() >= 0;
        float h = q.offset();
        for (Runs.Cursor r = Runs.over(q, base, len); r.next(); ) {
            float s = r.s;
            int z = r.z;
            for (int i = r.from; i < r.to; i++) {
                int nib = (packed[po + (i >>> 1)] >>> ((i & 1) * 4)) & 0xF;
                int c = unsigned ? nib : (nib << 28) >> 28;
                out[oo + i] = QuantMath.value(c, z, h, s);
            }
        }
    }
}
