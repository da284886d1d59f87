package dev.kure.simd;

import dev.kure.spi.Bf16Codec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * bfloat16 conversion on int lanes (the staging of BF16 tensor views): widening is a shift of the
 * 16 bits into the high half; narrowing adds 0x7fff plus the lowest kept bit (ties to even) and
 * keeps NaN quiet, as {@link dev.kure.spi.Staging#toBf16} does element by element. Public only so
 * that {@link Bf16Codec#best()} can load it reflectively.
 */
public final class SimdBf16 implements Bf16Codec {
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, Lanes.F.vectorShape());
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class,
            VectorShape.forBitSize(Math.max(64, Lanes.F.vectorBitSize() / 2)));
    private static final int N = Lanes.N;

    /** For {@link Bf16Codec#best()}. */
    public SimdBf16() {}

    @Override
    public void widen(short[] h, int ho, float[] dst, int off, int n) {
        int i = 0;
        if (S.length() == N) {
            for (; i + N <= n; i += N) {
                ((IntVector) ShortVector.fromArray(S, h, ho + i).convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, off + i);
            }
        }
        Bf16Codec.SCALAR.widen(h, ho + i, dst, off + i, n - i);
    }

    @Override
    public void narrow(float[] src, int off, short[] h, int ho, int n) {
        int i = 0;
        if (S.length() == N) {
            for (; i + N <= n; i += N) {
                IntVector b = FloatVector.fromArray(Lanes.F, src, off + i).reinterpretAsInts();
                IntVector hi = b.lanewise(VectorOperators.LSHR, 16);
                IntVector rounded = b.add(0x7fff).add(hi.and(1)).lanewise(VectorOperators.LSHR, 16);
                IntVector nan = hi.or(0x40);
                ((ShortVector) rounded.blend(nan, b.and(0x7fffffff).compare(VectorOperators.GT, 0x7f800000))
                        .convertShape(VectorOperators.I2S, S, 0)).intoArray(h, ho + i);
            }
        }
        Bf16Codec.SCALAR.narrow(src, off + i, h, ho + i, n - i);
    }
}
