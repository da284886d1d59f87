package dev.kure.simd;

import static dev.kure.simd.Lanes.F;
import static dev.kure.simd.Lanes.N;

import dev.kure.Granularity;
import dev.kure.Overflow;
import dev.kure.QuantMode;
import dev.kure.Quantizer;
import dev.kure.Rounding;
import dev.kure.TensorView;
import dev.kure.spi.QuantMath;
import dev.kure.spi.Staging;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * Float32 segments read and written by the Vector API directly, where staging through the array
 * kernel cost measurable speed: the PyTorch-default forward (per tensor, HALF_EVEN, SATURATE, integer
 * grid, no mask) runs near the copy rate, so two extra block copies in L1 showed (JMH,
 * bench/results/segments.md). Other policies spend long enough per element that staging is within
 * noise, and keep the one shared path.
 */
final class SimdSegments {
    private SimdSegments() {}

    private static final ValueLayout.OfFloat LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final float MAGIC = 0x1.8p23f;

    /** Whether {@link #fakeQuantize} handles this call. */
    static boolean direct(TensorView x, TensorView out, Quantizer q, MemorySegment mask) {
        return mask == null && Staging.isF32(x) && Staging.isF32(out) && q.granularity() == Granularity.PER_TENSOR
                && q.rounding() == Rounding.HALF_EVEN && q.overflow() == Overflow.SATURATE && q.offset() == 0f;
    }

    /**
     * out = clamp(rint(x·inv), lo, hi)·s on elements [from, from + count) (count ≤ Parallel.CHUNK), as
     * SimdFakeQuant's fused loop computes it; the tail is the scalar reference.
     */
    static void fakeQuantize(MemorySegment x, MemorySegment out, Quantizer q, long from, int count) {
        float s = q.scale(0), inv = QuantMath.reciprocal(s);
        int z = q.zeroPoint(0);
        float lo = q.qmin() - z, hi = q.qmax() - z;
        boolean divide = q.mode() == QuantMode.DIVIDE;
        long base = from * Float.BYTES;
        long end = base + (long) (count - count % N) * Float.BYTES;
        long step = (long) N * Float.BYTES;
        for (long off = base; off < end; off += step) { // a long-counted loop over byte offsets: C2 hoists the checks
            FloatVector y = FloatVector.fromMemorySegment(F, x, off, ByteOrder.LITTLE_ENDIAN);
            y = divide ? y.div(s) : y.mul(inv);
            // NaN stays NaN; rint of a clamped value is never -0.0, so ((r + z) - z)·s = r·s bit for bit
            y.max(lo).min(hi).add(MAGIC).sub(MAGIC).mul(s).intoMemorySegment(out, off, ByteOrder.LITTLE_ENDIAN);
        }
        int i = count - count % N;
        for (; i < count; i++) {
            long off = base + (long) i * Float.BYTES;
            float c = QuantMath.code(x.get(LE, off), s, inv, z, 0f, Rounding.HALF_EVEN, divide, q.seed(),
                    q.streamOffset() + from + i);
            out.set(LE, off, QuantMath.value(QuantMath.overflow(c, q.qmin(), q.qmax(), Overflow.SATURATE), z, 0f, s));
        }
    }
}
