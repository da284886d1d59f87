package dev.kure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CodesTest {
    final Kernels k = Kernels.scalar();

    static Quantizer[] int8Quantizers() {
        int[] shape = {3, 7, 11};
        return new Quantizer[] {
            Quantizer.perTensorAffine(0.05f, 3, -128, 127),
            Quantizer.perTensor(8, Grid.UNSIGNED, 0.02f, 128),
            Quantizer.perTensor(8, Grid.SIGNED_NARROW, 0.07f, 0).withRounding(Rounding.STOCHASTIC).withSeed(5),
            Quantizer.perTensor(6, Grid.SIGNED, 0.1f, -4).withOverflow(Overflow.WRAP),
            Quantizer.symmetric(5, Grid.MIDRISE, 0.11f).withRounding(Rounding.FLOOR),
            Quantizer.perTensor(7, Grid.PAPER, 0.03f, 0).withMode(QuantMode.DIVIDE),
            Quantizer.perChannel(8, Grid.SIGNED, new float[] {0.01f, 0.1f, 0.03f}, new int[] {0, 5, -9}, shape, 0),
        };
    }

    @Test
    void dequantizeOfQuantizeEqualsFakeQuantizeBitForBit() {
        float[] x = Data.gaussian(231, 0, 2, 3);
        x[0] = Float.POSITIVE_INFINITY;
        x[1] = Float.NEGATIVE_INFINITY;
        x[2] = -0.0f;
        for (Quantizer q : int8Quantizers()) {
            float[] xin = q.overflow() == Overflow.WRAP ? java.util.Arrays.copyOfRange(x, 2, x.length) : x;
            if (q.granularity() == Granularity.PER_CHANNEL) {
                xin = x;
            }
            byte[] codes = new byte[xin.length];
            k.quantize(xin, codes, q);
            float[] back = new float[xin.length];
            k.dequantize(codes, back, q);
            FakeQuantTest.assertBits(FakeQuantTest.fq(k, xin, q), back, q.toString());
        }
    }

    @Test
    void int4PackingRoundTripLowNibbleFirst() {
        Quantizer signed = Quantizer.perTensor(4, Grid.SIGNED, 1f, 0);
        float[] x = {-8, 7, 3, -1, 5}; // odd length: the last high nibble stays 0
        byte[] packed = new byte[3];
        k.quantizeInt4(x, packed, signed);
        assertEquals((byte) 0x78, packed[0]); // -8 -> 0x8 low, 7 -> 0x7 high
        assertEquals((byte) 0xF3, packed[1]); // 3 low, -1 -> 0xF high
        assertEquals((byte) 0x05, packed[2]);
        float[] back = new float[5];
        k.dequantizeInt4(packed, back, signed);
        org.junit.jupiter.api.Assertions.assertArrayEquals(x, back);

        for (Quantizer q : new Quantizer[] {
            Quantizer.perTensor(4, Grid.UNSIGNED, 0.2f, 7),
            Quantizer.perTensorAffine(0.3f, -2, -8, 7).withRounding(Rounding.STOCHASTIC).withSeed(1),
            Quantizer.symmetric(3, Grid.MIDRISE, 0.4f),
            Quantizer.perGroup(4, Grid.SIGNED, new float[] {0.1f, 0.5f, 0.2f}, new int[] {0, 1, -1}, 11),
        }) {
            float[] v = Data.gaussian(33, 0, 1, 8);
            byte[] p = new byte[17];
            k.quantizeInt4(v, p, q);
            float[] d = new float[33];
            k.dequantizeInt4(p, d, q);
            FakeQuantTest.assertBits(FakeQuantTest.fq(k, v, q), d, q.toString());
        }
    }

    @Test
    void unsignedInt8CodesAreStoredAsUnsignedBytes() {
        Quantizer q = Quantizer.perTensor(8, Grid.UNSIGNED, 1f, 0);
        byte[] c = new byte[3];
        k.quantize(new float[] {0, 200, 255}, c, q);
        assertEquals(0, c[0] & 0xFF);
        assertEquals(200, c[1] & 0xFF);
        assertEquals(255, c[2] & 0xFF);
    }

    @Test
    void nanHasNoCodeAndBecomesTheZeroPoint() {
        Quantizer q = Quantizer.perTensorAffine(0.5f, 9, -128, 127);
        byte[] c = new byte[1];
        k.quantize(new float[] {Float.NaN}, c, q);
        assertEquals(9, c[0]);
    }
}
