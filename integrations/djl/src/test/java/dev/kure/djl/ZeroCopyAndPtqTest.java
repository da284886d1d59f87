package dev.kure.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.kure.Kernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class ZeroCopyAndPtqTest {
    @Test
    void writesThroughTheSegmentLandInTheTensor() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.arange(0f, 12f).reshape(3, 4);
            MemorySegment s = ZeroCopy.of(a);
            assertEquals(48, s.byteSize());
            s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 5, -2.5f);
            assertEquals(-2.5f, a.getFloat(1, 1));
            a.muli(2); // and PyTorch's in-place writes show through the same view
            assertEquals(-5f, s.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 5));
        }
    }

    @Test
    void refusesCopiesAndOtherTypes() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray t = m.arange(0f, 12f).reshape(3, 4).transpose();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ZeroCopy.of(t));
            assertTrue(e.getMessage().contains("not contiguous"), e.getMessage());
            NDArray i = m.arange(0, 4, 1, DataType.INT32);
            e = assertThrows(IllegalArgumentException.class, () -> ZeroCopy.of(i));
            assertTrue(e.getMessage().contains("INT32") || e.getMessage().contains("int32"), e.getMessage());
        }
    }

    @Test
    void ptqQuantizesEveryLayerAndRestoresBitForBit() {
        Kernels k = Kernels.cpu();
        Cnn cnn = Cnn.create(k, false);
        try (Training t = new Training(cnn)) {
            float[][] before = new float[cnn.layers.size()][];
            for (int i = 0; i < before.length; i++) {
                before[i] = cnn.layers.get(i).weight().getArray().toFloatArray();
            }
            try (Ptq ptq = Ptq.of(cnn.block)) {
                assertEquals(4, ptq.names().size());
                ptq.apply(k, WeightQuantSpec.of(2));
                assertFalse(ptq.isRestored());
                for (int i = 0; i < before.length; i++) {
                    float[] now = cnn.layers.get(i).weight().getArray().toFloatArray();
                    int[] shape = Params.shape(cnn.layers.get(i).weight().getArray());
                    assertArrayEquals(WeightQuantSpec.of(2).apply(k, before[i], shape), now, 0f, "layer " + i + " = fakeQuantize");
                    long levels = java.util.stream.IntStream.range(0, now.length / shape[0]) // channel 0
                            .mapToObj(j -> now[j]).distinct().count();
                    assertTrue(levels <= 3, "2 bits, narrow grid: at most 3 levels in a channel, saw " + levels);
                }
            }
            for (int i = 0; i < before.length; i++) {
                float[] now = cnn.layers.get(i).weight().getArray().toFloatArray();
                for (int j = 0; j < now.length; j++) {
                    assertEquals(Float.floatToRawIntBits(before[i][j]), Float.floatToRawIntBits(now[j]), "layer " + i + " element " + j);
                }
            }
        }
    }

    @Test
    void weightSpecValidates() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightQuantSpec.of(1));
        assertTrue(e.getMessage().contains("1"), e.getMessage());
    }
}
