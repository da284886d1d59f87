package dev.kure.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kure.ElementType;
import dev.kure.Kernels;
import dev.kure.Moments;
import dev.kure.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TensorFile#view}: 16-bit tensors reach the kernels in their own type, without a widened copy. */
class TensorFileViewTest {
    private static final ValueLayout.OfShort H = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    @Test
    void sixteenBitTensorsAreZeroCopyViewsAndF64IsConverted() {
        int n = 1001; // odd: the second tensor starts at an address that is not 4-byte aligned
        float[] x = new float[n];
        MemorySegment bf = MemorySegment.ofArray(new byte[2 * n]), h = MemorySegment.ofArray(new byte[2 * n]);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.sin(i * 0.37) * (1 + i % 7);
            bf.setAtIndex(H, i, (short) (Float.floatToRawIntBits(x[i]) >>> 16)); // truncated: any bf16 will do
            h.setAtIndex(H, i, Float.floatToFloat16(x[i]));
            d[i] = x[i];
        }
        MemorySegment f64 = MemorySegment.ofArray(d);
        Path p = dir.resolve("m.safetensors");
        new SafetensorsWriter().addRaw("bf", "BF16", new long[] {7, 143}, bf).addRaw("h", "F16", new long[] {n}, h)
                .addRaw("d", "F64", new long[] {n}, f64).addFloats("f", new long[] {n}, x).write(p);
        Kernels k = Kernels.cpu();
        try (TensorFile tf = TensorFile.open(p)) {
            for (String name : new String[] {"bf", "h", "f"}) {
                TensorView v = tf.view(name);
                assertEquals(name.equals("bf") ? ElementType.BF16 : name.equals("h") ? ElementType.F16 : ElementType.F32,
                        v.type(), name);
                assertTrue(v.segment().isReadOnly() && v.segment().isNative(), name + ": a read-only slice of the mapping");
                assertEquals(n, v.count(), name);
                // the kernels see the same values as the widened copy floats() would give
                float[] widened = tf.toFloatArray(name);
                assertSame(k.moments(TensorView.of(widened)), k.moments(v), name);
            }
            assertEquals(0, tf.convertedBytes(), "no widened copy made for F32, F16 or BF16 views");
            TensorView dv = tf.view("d");
            assertEquals(ElementType.F32, dv.type());
            assertEquals(4L * n, tf.convertedBytes(), "F64 is narrowed into a float32 copy");
            assertSame(k.moments(TensorView.of(tf.toFloatArray("d"))), k.moments(dv), "d");
        }
    }

    private static void assertSame(Moments want, Moments got, String what) {
        assertEquals(want.count(), got.count(), what);
        assertEquals(want.mean(), got.mean(), what);
        assertEquals(want.variance(), got.variance(), what);
        assertEquals(want.kurtosis(), got.kurtosis(), what);
        assertEquals(want.min(), got.min(), what);
        assertEquals(want.max(), got.max(), what);
    }
}
