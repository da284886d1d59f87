package dev.kure.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exhaustive checks of the F16 and BF16 conversions against independent decoders. */
class ConversionTest {
    @TempDir
    Path dir;

    /** binary16 decoded from its definition, in double arithmetic (exact for every half). */
    private static float half(int h) {
        int sign = (h >>> 15) & 1;
        int exp = (h >>> 10) & 0x1F;
        int frac = h & 0x3FF;
        double v;
        if (exp == 0x1F) {
            v = frac == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exp == 0) {
            v = frac * Math.pow(2, -24); // subnormal
        } else {
            v = (1024 + frac) * Math.pow(2, exp - 25);
        }
        return (float) (sign == 1 ? -v : v);
    }

    @Test
    void everyF16AndBf16BitPatternThroughAFile() {
        int n = 65536;
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        byte[] data = Bytes.concat(Bytes.shorts(ByteOrder.LITTLE_ENDIAN, all), Bytes.shorts(ByteOrder.LITTLE_ENDIAN, all));
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[256,256],\"data_offsets\":[0,131072]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[65536],\"data_offsets\":[131072,262144]}}";
        Path f = Bytes.write(dir.resolve("all.safetensors"), Bytes.safetensors(header, data));
        try (TensorFile tf = TensorFile.open(f)) {
            MemorySegment h = tf.floats("h");
            MemorySegment b = tf.floats("b");
            ValueLayout.OfFloat le = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                float expected = half(i);
                float got = h.getAtIndex(le, i);
                if (Float.isNaN(expected)) {
                    assertTrue(Float.isNaN(got), "F16 " + Integer.toHexString(i));
                } else {
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(got), "F16 " + Integer.toHexString(i));
                }
                float bf = b.getAtIndex(le, i);
                if ((i & 0x7F80) == 0x7F80 && (i & 0x7F) != 0) {
                    assertTrue(Float.isNaN(bf), "BF16 " + Integer.toHexString(i));
                } else {
                    assertEquals(i << 16, Float.floatToRawIntBits(bf), "BF16 " + Integer.toHexString(i));
                }
            }
        }
    }
}
