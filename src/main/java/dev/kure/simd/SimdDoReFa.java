package dev.kure.simd;

import static dev.kure.simd.Lanes.F;

import dev.kure.spi.DoReFaMath;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * DoReFa weight transform on double lanes (tanh in double, as the reference computes it with
 * StrictMath; the lane-wise tanh agrees to about an ulp, so outputs match except at rare rounding
 * ties). Floats are loaded at half width and widened once.
 */
final class SimdDoReFa {
    private SimdDoReFa() {}

    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());
    private static final VectorSpecies<Float> FH = VectorSpecies.of(float.class,
            VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final int M = D.length();

    private static DoubleVector tanh(float[] w, int at) {
        return ((DoubleVector) FloatVector.fromArray(FH, w, at).convertShape(VectorOperators.F2D, D, 0))
                .lanewise(VectorOperators.TANH);
    }

    static double maxAbsTanh(float[] w, int wo, int len) {
        DoubleVector m = DoubleVector.zero(D);
        int i = 0;
        for (; i + M <= len; i += M) {
            m = m.max(tanh(w, wo + i).abs());
        }
        double r = m.reduceLanes(VectorOperators.MAX);
        for (; i < len; i++) {
            r = Math.max(r, Math.abs(StrictMath.tanh(w[wo + i])));
        }
        return r;
    }

    static double forward(float[] w, int wo, float[] out, int oo, int len, int bits) {
        double m = maxAbsTanh(w, wo, len);
        if (m == 0) {
            java.util.Arrays.fill(out, oo, oo + len, 0f);
            return m;
        }
        double levels = (1 << bits) - 1;
        int i = 0;
        for (; i + M <= len; i += M) { // the reference's order: w' = t/(2M) + 0.5, rint(L·w')/L, 2q - 1
            DoubleVector wp = tanh(w, wo + i).div(2 * m).add(0.5).mul(levels);
            DoubleVector r = wp.add(0x1.8p52).sub(0x1.8p52);                         // rint, 0 ≤ wp ≤ 2^16
            DoubleVector o = r.div(levels).mul(2).sub(1);
            ((FloatVector) o.convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, oo + i);
        }
        for (; i < len; i++) {
            double wp = StrictMath.tanh(w[wo + i]) / (2 * m) + 0.5;
            out[oo + i] = (float) (2 * (Math.rint(levels * wp) / levels) - 1);
        }
        return m;
    }

    /** The backward: {@link DoReFaMath#backward} with the element loop on double lanes. */
    static void backward(float[] w, int wo, float[] dy, int dyo, float[] dx, int dxo, int len) {
        DoReFaMath.backward(w, wo, dy, dyo, dx, dxo, len, SimdDoReFa::scale);
    }

    private static void scale(float[] w, int wo, float[] dy, int dyo, float[] dx, int dxo, int len, double m) {
        double inv = 1 / m;
        int i = 0;
        for (; i + M <= len; i += M) {
            DoubleVector t = tanh(w, wo + i);
            DoubleVector g = ((DoubleVector) FloatVector.fromArray(FH, dy, dyo + i).convertShape(VectorOperators.F2D, D, 0))
                    .mul(t.mul(t).neg().add(1)).mul(inv);
            ((FloatVector) g.convertShape(VectorOperators.D2F, FH, 0)).intoArray(dx, dxo + i);
        }
        for (; i < len; i++) {
            double t = StrictMath.tanh(w[wo + i]);
            dx[dxo + i] = (float) (dy[dyo + i] * (1 - t * t) / m);
        }
    }
}
