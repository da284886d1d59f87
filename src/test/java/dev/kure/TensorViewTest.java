package dev.kure;

import static dev.kure.ValidationTest.rejects;
import static dev.kure.ValidationTest.rejectsNull;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kure.spi.Staging;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tensor views: argument checks name the bad value, and the narrowing to 16 bits is round to
 * nearest, ties to even, with NaN kept NaN (checked against the test's own rounding and by hand).
 */
class TensorViewTest {
    final Kernels k = Kernels.cpu();
    final Quantizer q8 = Quantizer.perTensorAffine(0.1f, 0, -128, 127);
    final Arena arena = Arena.ofAuto();

    TensorView native32(int n) {
        return TensorView.f32(arena.allocate(4L * n));
    }

    @Test
    void oddByteSizeForSixteenBitsAndBadSlices() {
        MemorySegment s = arena.allocate(7);
        rejects(() -> TensorView.bf16(s), "BF16", "multiple of 2", "7");
        rejects(() -> TensorView.f32(arena.allocate(6)), "F32", "multiple of 4", "6");
        rejectsNull(() -> new TensorView(null, ElementType.F16), "segment");
        rejectsNull(() -> new TensorView(s, null), "type");
        rejects(() -> native32(10).slice(8, 3), "slice", "offset=8", "count=3", "10");
        assertEquals(3, native32(10).slice(7, 3).count());
    }

    @Test
    void countsMustMatch() {
        rejects(() -> k.fakeQuantize(native32(10), native32(9), q8), "x and out", "10", "9");
        rejects(() -> k.fakeQuantize(native32(10), TensorView.bf16(arena.allocate(18)), q8), "x and out", "10", "9", "BF16");
        rejects(() -> k.fakeQuantizeBackward(native32(10), native32(11), native32(10), q8), "x and dy", "11");
        rejects(() -> k.steBackward(arena.allocate(8), native32(10), native32(12)), "dy and dx", "12");
        Quantizer perChannel = Quantizer.perChannelAffine(new float[] {1, 1}, new int[] {0, 0}, new int[] {2, 3}, 0, -8, 7);
        rejects(() -> k.fakeQuantize(native32(5), native32(5), perChannel), "length must be 6", "was 5");
    }

    @Test
    void outputsMustBeWritableAndNotPartlyOverlapping() {
        MemorySegment ro = arena.allocate(40).asReadOnly();
        rejects(() -> k.fakeQuantize(native32(10), TensorView.f32(ro), q8), "out", "read-only", "40");
        rejects(() -> k.quantize(native32(10), arena.allocate(10).asReadOnly(), q8), "codes", "read-only");
        rejects(() -> k.fakeQuantizeWithMask(native32(10), native32(10), arena.allocate(8).asReadOnly(), q8), "mask", "read-only");
        MemorySegment m = arena.allocate(48);
        rejects(() -> k.fakeQuantize(TensorView.f32(m.asSlice(0, 40)), TensorView.f32(m.asSlice(8, 40)), q8),
                "out overlaps x", "8 bytes after");
        rejects(() -> k.fakeQuantize(TensorView.f32(m.asSlice(0, 40)), TensorView.bf16(m.asSlice(0, 20)), q8), "overlaps");
        TensorView same = TensorView.f32(m.asSlice(0, 40));
        k.fakeQuantize(same, TensorView.f32(m.asSlice(0, 40)), q8); // in place is fine
    }

    @Test
    void maskAndCodeSizes() {
        rejects(() -> k.fakeQuantizeWithMask(native32(65), native32(65), arena.allocate(8), q8), "mask", "16 bytes", "65", "was 8");
        rejects(() -> k.quantize(native32(10), arena.allocate(9), q8), "codes", "10", "was 9");
        rejects(() -> k.quantizeInt4(native32(9), arena.allocate(4), Quantizer.perTensorAffine(0.1f, 0, -8, 7)), "packed", "5", "was 4");
        rejects(() -> k.quantize(native32(2), arena.allocate(2), Quantizer.perTensorAffine(0.1f, 0, -300, 300)), "does not fit");
        rejects(() -> k.kureViews(List.of(native32(4)), List.of(arena.allocate(12)), KureConfig.defaults()),
                "weights[0] and gradsToAccumulate[0]", "4", "3");
        rejects(() -> k.calibrate(native32(0), 8, Grid.SIGNED, StepPolicy.mse()), "empty");
        rejects(() -> k.calibratePerGroup(native32(10), 3, 8, Grid.SIGNED, StepPolicy.mse()), "groupSize", "10", "3");
    }

    @Test
    void bf16RoundsToNearestEvenAndKeepsNaN() {
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even (1); just above rounds up
        assertEquals(Float.floatToRawIntBits(1f) >>> 16, Staging.toBf16(1f + 0x1p-8f) & 0xffff);
        assertEquals(0x3f81, Staging.toBf16(Math.nextUp(1f + 0x1p-8f)) & 0xffff);
        assertEquals(0x3f82, Staging.toBf16(1f + 3 * 0x1p-8f) & 0xffff); // tie between 0x3f81 and 0x3f82: even
        assertEquals(0x7f80, Staging.toBf16(Float.MAX_VALUE) & 0xffff);   // beyond the largest BF16: +Inf
        assertEquals(0xff80, Staging.toBf16(Float.NEGATIVE_INFINITY) & 0xffff);
        assertTrue(Float.isNaN(Staging.fromBf16(Staging.toBf16(Float.NaN))));
        assertTrue(Float.isNaN(Staging.fromBf16(Staging.toBf16(Float.intBitsToFloat(0x7f800001)))), "NaN payload only in low bits");
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < 1_000_000; i++) {
            float f = Float.intBitsToFloat(r.nextInt());
            assertEquals(SegmentConformance.bf16(f), Staging.toBf16(f), Float.toString(f));
        }
    }

    @Test
    void bf16CodecOfThisRunMatchesTheScalarOne() {
        dev.kure.spi.Bf16Codec best = dev.kure.spi.Bf16Codec.best();
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        int n = 1 << 16;
        float[] f = new float[n + 3];
        short[] a = new short[n + 1], b = new short[n + 1];
        for (int rep = 0; rep < 16; rep++) {
            for (int i = 0; i < f.length; i++) {
                f[i] = Float.intBitsToFloat(i % 7 == 0 ? 0x7f800000 | r.nextInt(1 << 23) | (r.nextInt() & 0x80000000)
                        : r.nextInt());                     // NaN payloads, both signs, and any bits
            }
            best.narrow(f, 3, a, 1, n);
            dev.kure.spi.Bf16Codec.SCALAR.narrow(f, 3, b, 1, n);
            org.junit.jupiter.api.Assertions.assertArrayEquals(b, a, "narrow with " + best);
            float[] wa = new float[n + 2], wb = new float[n + 2];
            best.widen(a, 1, wa, 2, n);
            dev.kure.spi.Bf16Codec.SCALAR.widen(a, 1, wb, 2, n);
            for (int i = 0; i < wa.length; i++) {
                assertEquals(Float.floatToRawIntBits(wb[i]), Float.floatToRawIntBits(wa[i]), "widen " + i);
            }
        }
    }

    @Test
    void sixteenBitOutputsAreTheNarrowedFloatResult() {
        float[] x = {0.123f, -7.77f, 3.1f, Float.NaN, 1e6f, -0.0f};
        Quantizer q = Quantizer.perTensorAffine(0.0173f, 0, -128, 127);
        float[] want = new float[x.length];
        Kernels.scalar().fakeQuantize(x, want, q);
        for (ElementType t : List.of(ElementType.BF16, ElementType.F16)) {
            TensorView in = SegmentConformance.view(x, t, false, arena);
            float[] xw = SegmentConformance.values(in);
            Kernels.scalar().fakeQuantize(xw, want, q);
            TensorView out = new TensorView(arena.allocate(2L * x.length), t);
            k.fakeQuantize(in, out, q);
            float[] got = SegmentConformance.values(out);
            for (int i = 0; i < x.length; i++) {
                assertEquals(SegmentConformance.narrow(want[i], t), got[i], t + " element " + i);
            }
            assertTrue(Float.isNaN(got[3]), "NaN stays NaN in " + t);
        }
        // the 16-bit path reads little-endian bytes whatever the platform order
        MemorySegment le = arena.allocate(2);
        le.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, Float.floatToFloat16(1.5f));
        assertEquals(1.5, k.moments(TensorView.f16(le)).mean());
    }
}
