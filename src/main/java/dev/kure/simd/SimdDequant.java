package dev.kure.simd;

import static dev.kure.simd.Lanes.F;
import static dev.kure.simd.Lanes.I;
import static dev.kure.simd.Lanes.N;

import dev.kure.Quantizer;
import dev.kure.spi.QuantMath;
import dev.kure.spi.Runs;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** int8 codes back to floats: widen bytes to int lanes, then {@code ((c - z) + h)·s} as the reference. */
final class SimdDequant {
    private SimdDequant() {}

    private static final VectorSpecies<Byte> B = N * 8 >= 64 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(N * 8)) : null;

    static void int8(byte[] codes, int co, float[] out, int oo, int len, Quantizer q) {
        boolean unsigned = q.qmin() >= 0;
        float h = q.offset();
        for (int i = 0; i < len; ) {
            int p = Runs.param(i, q);
            int end = Runs.end(i, len, q);
            float s = q.scale(p);
            int z = q.zeroPoint(p);
            float zf = z;
            if (B != null) {
                for (; i + N <= end; i += N) {
                    IntVector c = (IntVector) ByteVector.fromArray(B, codes, co + i).convertShape(VectorOperators.B2I, I, 0);
                    if (unsigned) {
                        c = c.and(0xFF);
                    }
                    ((FloatVector) c.convert(VectorOperators.I2F, 0)).sub(zf).add(h).mul(s).intoArray(out, oo + i);
                }
            }
            for (; i < end; i++) {
                int c = unsigned ? codes[co + i] & 0xFF : codes[co + i];
                out[oo + i] = QuantMath.value(c, z, h, s);
            }
        }
    }

    static {
        assert F.length() == I.length();
    }
}
