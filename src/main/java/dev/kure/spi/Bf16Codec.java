package dev.kure.spi;

/**
 * bfloat16 blocks to and from float32, as {@link Staging} stages BF16 views: widening is exact,
 * narrowing rounds to nearest, ties to even, and keeps NaN a quiet NaN ({@link Staging#toBf16}).
 * C2 does not vectorize these loops written in plain Java (measured about 20× slower than its
 * float16 conversions), so the SIMD backend supplies a Vector API codec; {@link #best()} picks it when
 * the vector module is readable, like {@code Kernels.cpu()} picks its backend.
 */
public interface Bf16Codec {
    /** dst[off + i] = the float of bfloat16 bits h[ho + i], i in [0, n). */
    void widen(short[] h, int ho, float[] dst, int off, int n);

    /** h[ho + i] = src[off + i] rounded to bfloat16 bits, i in [0, n). */
    void narrow(float[] src, int off, short[] h, int ho, int n);

    /** The Vector API codec when the vector module is readable, else {@link #SCALAR}. Chosen once. */
    static Bf16Codec best() {
        return Holder.BEST;
    }

    /** The plain Java codec (the reference). */
    Bf16Codec SCALAR = new Bf16Codec() {
        @Override
        public void widen(short[] h, int ho, float[] dst, int off, int n) {
            for (int i = 0; i < n; i++) {
                dst[off + i] = Float.intBitsToFloat(h[ho + i] << 16);
            }
        }

        @Override
        public void narrow(float[] src, int off, short[] h, int ho, int n) {
            for (int i = 0; i < n; i++) {
                h[ho + i] = Staging.toBf16(src[off + i]);
            }
        }
    };

    /** Lazy holder: the SIMD class is loaded only once the vector module is known to be readable. */
    final class Holder {
        private Holder() {}

        static final Bf16Codec BEST = choose();

        private static Bf16Codec choose() {
            boolean readable = ModuleLayer.boot().findModule("jdk.incubator.vector")
                    .map(m -> Bf16Codec.class.getModule().canRead(m) || !Bf16Codec.class.getModule().isNamed())
                    .orElse(false);
            if (!readable) {
                return SCALAR;
            }
            try {
                return (Bf16Codec) Class.forName("dev.kure.simd.SimdBf16").getConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return SCALAR; // the backend choice already said why SIMD is unavailable
            }
        }
    }
}
