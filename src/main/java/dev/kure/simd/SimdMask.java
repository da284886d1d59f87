package dev.kure.simd;

import static dev.kure.simd.Lanes.F;
import static dev.kure.simd.Lanes.N;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/** STE backward from a packed mask: dx = dy where the bit is set, else +0. */
final class SimdMask {
    private SimdMask() {}

    static void apply(long[] mask, float[] dy, int dyo, float[] dx, int dxo, int len) {
        int i = 0;
        FloatVector zero = FloatVector.zero(F);
        for (; i + N <= len; i += N) {
            long bits = (mask[i >>> 6] >>> (i & 63));
            if ((i & 63) + N > 64) {
                bits |= mask[(i >>> 6) + 1] << (64 - (i & 63));
            }
            VectorMask<Float> m = VectorMask.fromLong(F, bits);
            zero.blend(FloatVector.fromArray(F, dy, dyo + i), m).intoArray(dx, dxo + i);
        }
        for (; i < len; i++) {
            dx[dxo + i] = ((mask[i >>> 6] >>> (i & 63)) & 1L) != 0 ? dy[dyo + i] : 0f;
        }
    }
}
