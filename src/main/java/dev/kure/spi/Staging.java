package dev.kure.spi;

import dev.kure.ElementType;
import dev.kure.Moments;
import dev.kure.Quantizer;
import dev.kure.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Segment kernels of any element type, run as the array kernels on staged blocks: each block of
 * {@link #BLOCK} elements is widened into a per-thread float scratch, the backend's array kernel runs
 * on it with the block's element index as {@code base} (parameter set and stochastic stream of every
 * element are those of the whole tensor), and float results are narrowed back (round to nearest
 * even). So a segment call equals the array call on the widened values, bit for bit for the
 * elementwise kernels, and no float32 copy of the tensor exists; reductions merge the blocks'
 * partial results left to right. Every method works on elements {@code [from, from + count)} of the
 * call so that a backend can run chunks on several threads; {@code from} must be a multiple of 64
 * (mask words, int4 bytes).
 *
 * <p>One block of scratch per thread (about 30 KiB, L1-resident), reused by every call: a call
 * allocates nothing.
 */
public final class Staging {
    private Staging() {}

    /** Elements per staged block: a multiple of 64 (whole mask words, whole int4 bytes). */
    public static final int BLOCK = 2048;

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort H16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** One thread's staging buffers. */
    public static final class Scratch {
        /** Input block (x, w or codes widened). */
        public final float[] a = new float[BLOCK];
        /** Second input block (dy). */
        public final float[] b = new float[BLOCK];
        /** Output block. */
        public final float[] c = new float[BLOCK];
        /** 16-bit elements between the segment and a float block. */
        final short[] h = new short[BLOCK];
        /** The block's mask words. */
        final long[] mask = new long[BLOCK / 64];
        /** The block's int8 codes or packed int4 bytes. */
        final byte[] codes = new byte[BLOCK];

        private Scratch() {}
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** This thread's staging buffers. */
    public static Scratch scratch() {
        return SCRATCH.get();
    }

    // ---- element conversion ---------------------------------------------------------------------
    // float16 uses Float.float16ToFloat / floatToFloat16, which C2 vectorizes; bfloat16 goes through
    // Bf16Codec (Vector API lanes when the SIMD backend is available: plain loops stay scalar).

    private static final Bf16Codec BF16 = Bf16Codec.best();


    /** Widens elements {@code [index, index + n)} of t into {@code dst[off, off + n)} (n ≤ BLOCK). */
    public static void load(TensorView t, long index, float[] dst, int off, int n, Scratch s) {
        MemorySegment seg = t.segment();
        switch (t.type()) {
            case F32 -> MemorySegment.copy(seg, F32, index * 4, dst, off, n);
            case BF16 -> {
                MemorySegment.copy(seg, H16, index * 2, s.h, 0, n);
                BF16.widen(s.h, 0, dst, off, n);
            }
            case F16 -> {
                short[] h = s.h;
                MemorySegment.copy(seg, H16, index * 2, h, 0, n);
                for (int i = 0; i < n; i++) {
                    dst[off + i] = Float.float16ToFloat(h[i]);
                }
            }
        }
    }

    /** Narrows {@code src[off, off + n)} into elements {@code [index, index + n)} of t, ties to even. */
    public static void store(float[] src, int off, int n, TensorView t, long index, Scratch s) {
        MemorySegment seg = t.segment();
        switch (t.type()) {
            case F32 -> MemorySegment.copy(src, off, seg, F32, index * 4, n);
            case BF16 -> {
                BF16.narrow(src, off, s.h, 0, n);
                MemorySegment.copy(s.h, 0, seg, H16, index * 2, n);
            }
            case F16 -> {
                short[] h = s.h;
                for (int i = 0; i < n; i++) {
                    h[i] = Float.floatToFloat16(src[off + i]);
                }
                MemorySegment.copy(h, 0, seg, H16, index * 2, n);
            }
        }
    }

    /**
     * float32 to bfloat16, round to nearest, ties to even; NaN stays a quiet NaN with its sign and top
     * payload bits (rounding its bits could carry it into an infinity).
     */
    public static short toBf16(float f) {
        int b = Float.floatToRawIntBits(f);
        int rounded = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
        return (short) ((b & 0x7fffffff) > 0x7f800000 ? (b >>> 16) | 0x40 : rounded);
    }

    /** bfloat16 to float32 (exact). */
    public static float fromBf16(short h) {
        return Float.intBitsToFloat(h << 16);
    }

    /** The value of element {@code index} of t as float32 (one element; for tails and scalar paths). */
    public static float get(TensorView t, long index) {
        MemorySegment seg = t.segment();
        return switch (t.type()) {
            case F32 -> seg.get(F32, index * 4);
            case BF16 -> fromBf16(seg.get(H16, index * 2));
            case F16 -> Float.float16ToFloat(seg.get(H16, index * 2));
        };
    }

    private static void storeMask(long[] words, int n, MemorySegment mask, long at) {
        long w0 = at >>> 6;
        int full = n >>> 6;
        MemorySegment.copy(words, 0, mask, WORD, w0 * 8, full);
        int rest = n & 63;
        if (rest != 0) { // keep the caller's bits past the end
            long own = (1L << rest) - 1;
            long old = mask.get(WORD, (w0 + full) * 8);
            mask.set(WORD, (w0 + full) * 8, (old & ~own) | (words[full] & own));
        }
    }

    // ---- elementwise kernels --------------------------------------------------------------------

    /** Fake quantization (and the packed STE mask, when non-null) of elements [from, from + count). */
    public static void fakeQuantize(Backend be, TensorView x, TensorView out, Quantizer q, MemorySegment mask,
                                    long from, long count) {
        Scratch s = scratch();
        for (long k = 0; k < count; k += BLOCK) {
            int n = (int) Math.min(BLOCK, count - k);
            long at = from + k;
            load(x, at, s.a, 0, n, s);
            be.fakeQuantize(at, s.a, 0, s.c, 0, n, q, mask == null ? null : s.mask);
            store(s.c, 0, n, out, at, s);
            if (mask != null) {
                storeMask(s.mask, n, mask, at);
            }
        }
    }

    /** STE backward recomputing the mask from x, elements [from, from + count). */
    public static void fakeQuantizeBackward(Backend be, TensorView x, TensorView dy, TensorView dx, Quantizer q,
                                            long from, long count) {
        Scratch s = scratch();
        for (long k = 0; k < count; k += BLOCK) {
            int n = (int) Math.min(BLOCK, count - k);
            long at = from + k;
            load(x, at, s.a, 0, n, s);
            load(dy, at, s.b, 0, n, s);
            be.fakeQuantizeBackward(at, s.a, 0, s.b, 0, s.c, 0, n, q);
            store(s.c, 0, n, dx, at, s);
        }
    }

    /** STE backward from a packed mask, elements [from, from + count). */
    public static void steBackward(Backend be, MemorySegment mask, TensorView dy, TensorView dx, long from, long count) {
        Scratch s = scratch();
        for (long k = 0; k < count; k += BLOCK) {
            int n = (int) Math.min(BLOCK, count - k);
            long at = from + k;
            MemorySegment.copy(mask, WORD, (at >>> 6) * 8, s.mask, 0, (n + 63) >>> 6);
            load(dy, at, s.b, 0, n, s);
            be.steBackward(s.mask, s.b, 0, s.c, 0, n);
            store(s.c, 0, n, dx, at, s);
        }
    }

    /** Learnable backward of elements [from, from + count): writes dx, adds into ds and dz. */
    public static void learnableBackward(Backend be, TensorView x, TensorView dy, TensorView dx, Quantizer q,
                                         double[] ds, double[] dz, long from, long count) {
        Scratch s = scratch();
        for (long k = 0; k < count; k += BLOCK) {
            int n = (int) Math.min(BLOCK, count - k);
            long at = from + k;
            load(x, at, s.a, 0, n, s);
            load(dy, at, s.b, 0, n, s);
            be.learnableBackward(at, s.a, 0, s.b, 0, s.c, 0, n, q, ds, dz);
            store(s.c, 0, n, dx, at, s);
        }
    }

    /** int8 codes (one byte each) or packed int4 codes (bytes from/2 on) of elements [from, from + count). */
    public static void quantize(Backend be, TensorView x, MemorySegment codes, Quantizer q, boolean int4,
                                long from, long count) {
        Scratch s = scratch();
        for (long k = 0; k < count; k += BLOCK) {
            int n = (int) Math.min(BLOCK, count - k);
            long at = from + k;
            load(x, at, s.a, 0, n, s);
            if (int4) {
                be.quantizeInt4(at, s.a, 0, s.codes, 0, n, q);
                MemorySegment.copy(s.codes, 0, codes, ValueLayout.JAVA_BYTE, at >>> 1, (n + 1) >>> 1);
            } else {
                be.quantizeInt8(at, s.a, 0, s.codes, 0, n, q);
                MemorySegment.copy(s.codes, 0, codes, ValueLayout.JAVA_BYTE, at, n);
            }
        }
    }

    /** Floats from int8 or packed int4 codes, elements [from, from + count). */
    public static void dequantize(Backend be, MemorySegment codes, TensorView out, Quantizer q, boolean int4,
                                  long from, long count) {
        Scratch s = scratch();
        for (long k = 0; k < count; k += BLOCK) {
            int n = (int) Math.min(BLOCK, count - k);
            long at = from + k;
            if (int4) {
                MemorySegment.copy(codes, ValueLayout.JAVA_BYTE, at >>> 1, s.codes, 0, (n + 1) >>> 1);
                be.dequantizeInt4(at, s.codes, 0, s.c, 0, n, q);
            } else {
                MemorySegment.copy(codes, ValueLayout.JAVA_BYTE, at, s.codes, 0, n);
                be.dequantizeInt8(at, s.codes, 0, s.c, 0, n, q);
            }
            store(s.c, 0, n, out, at, s);
        }
    }

    // ---- reductions (blocks merged left to right) --------------------------------------------------

    /** Moments of elements [from, from + count), the blocks' moments merged in order. */
    public static Moments moments(Backend be, TensorView x, long from, long count) {
        Scratch s = scratch();
        Moments acc = Moments.EMPTY;
        for (long k = 0; k < count; k += BLOCK) {
            int n = (int) Math.min(BLOCK, count - k);
            load(x, from + k, s.a, 0, n, s);
            acc = acc.merge(be.moments(s.a, 0, n));
        }
        return acc;
    }

    /** max |x| over [from, from + count) as {@link Backend#absMax} defines it (decided on the bits). */
    public static float absMax(Backend be, TensorView x, long from, long count) {
        Scratch s = scratch();
        int m = 0;
        for (long k = 0; k < count; k += BLOCK) {
            int n = (int) Math.min(BLOCK, count - k);
            load(x, from + k, s.a, 0, n, s);
            m = Math.max(m, Float.floatToRawIntBits(be.absMax(s.a, 0, n)) & 0x7fffffff);
        }
        return Float.intBitsToFloat(m);
    }

    /** Σ|x − center| over [from, from + count) (a sum, not yet divided by the count). */
    public static double absDeviationSum(Backend be, TensorView x, long from, long count, double center) {
        Scratch s = scratch();
        double sum = 0;
        for (long k = 0; k < count; k += BLOCK) {
            int n = (int) Math.min(BLOCK, count - k);
            load(x, from + k, s.a, 0, n, s);
            sum += be.meanAbsDeviation(s.a, 0, n, center) * n;
        }
        return sum;
    }

    /**
     * {@link Backend#errorSums} over [from, from + count), element i's stochastic stream index
     * {@code streamBase + i} (i counted from the start of the view); adds into sums, returns Σx².
     */
    public static double errorSums(Backend be, TensorView x, long from, long count, long streamBase,
                                   Quantizer[] settings, double p, double[] sums) {
        Scratch s = scratch();
        double signal = 0;
        for (long k = 0; k < count; k += BLOCK) {
            int n = (int) Math.min(BLOCK, count - k);
            load(x, from + k, s.a, 0, n, s);
            signal += be.errorSums(s.a, 0, n, streamBase + from + k, null, settings, p, sums);
        }
        return signal;
    }

    /** Whether the type is float32 (a view the SIMD kernels may read directly). */
    public static boolean isF32(TensorView t) {
        return t.type() == ElementType.F32;
    }
}
