package dev.kure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bit-for-bit parity with PyTorch: the fixture in src/test/resources/dev/kure/torch holds inputs
 * (ties, bounds, values beyond the grid) and the outputs of PyTorch 1.13's own
 * {@code fake_quantize_per_tensor_affine} / {@code fake_quantize_per_channel_affine}, written by
 * bench/torch_fixture.py. Both CPU backends must reproduce every output bit.
 */
class TorchParityTest {
    static float[] floats(String name) throws IOException {
        try (InputStream in = TorchParityTest.class.getResourceAsStream("torch/" + name)) {
            byte[] b = in.readAllBytes();
            float[] f = new float[b.length / 4];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
            return f;
        }
    }

    static List<String[]> configs() throws IOException {
        try (InputStream in = TorchParityTest.class.getResourceAsStream("torch/configs.txt")) {
            List<String[]> rows = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    rows.add(line.trim().split(" "));
                }
            }
            return rows;
        }
    }

    @Test
    void perTensorAndPerChannelMatchPyTorchBitForBit() throws IOException {
        int checked = 0;
        for (String[] c : configs()) {
            float[] x = floats(c[0] + ".x.f32"), want = floats(c[0] + ".y.f32");
            Quantizer q;
            if (c[0].startsWith("t")) {
                q = Quantizer.perTensorAffine((float) Double.parseDouble(c[1]), Integer.parseInt(c[2]),
                        Integer.parseInt(c[3]), Integer.parseInt(c[4]));
            } else {
                String[] sc = c[3].substring("scales=".length()).split(",");
                String[] zp = c[4].substring("zero_points=".length()).split(",");
                float[] s = new float[sc.length];
                int[] z = new int[zp.length];
                for (int i = 0; i < s.length; i++) {
                    s[i] = (float) Double.parseDouble(sc[i]);
                    z[i] = Integer.parseInt(zp[i]);
                }
                q = Quantizer.perChannelAffine(s, z, new int[] {16, 4, 64}, 1, -128, 127);
            }
            for (Kernels k : new Kernels[] {Kernels.scalar(), Kernels.cpu()}) {
                FakeQuantTest.assertBits(want, FakeQuantTest.fq(k, x, q), c[0] + " on " + k.name());
            }
            checked += x.length;
        }
        assertEquals(5 * 4 * 8192 + 4096, checked, "every fixture value was compared");
    }
}
