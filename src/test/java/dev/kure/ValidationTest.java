package dev.kure;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every invalid argument is rejected before a kernel runs, with a message naming it and its value. */
class ValidationTest {
    final Kernels k = Kernels.scalar();
    final Quantizer q8 = Quantizer.perTensorAffine(0.1f, 0, -128, 127);

    static void rejects(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should contain '" + f + "'");
        }
    }

    static void rejectsNull(Executable call, String name) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertTrue(e.getMessage() != null && e.getMessage().contains(name), "message '" + e.getMessage() + "' names " + name);
    }

    @Test
    void bitsOutOfRange() {
        rejects(() -> Quantizer.perTensor(0, Grid.SIGNED, 1f, 0), "bits", "0");
        rejects(() -> Quantizer.perTensor(17, Grid.SIGNED, 1f, 0), "bits", "17");
        rejects(() -> k.dorefaForward(new float[2], new float[2], 33), "bits", "33");
    }

    @Test
    void badScales() {
        rejects(() -> Quantizer.perTensorAffine(0f, 0, -8, 7), "scale", "0.0");
        rejects(() -> Quantizer.perTensorAffine(-1f, 0, -8, 7), "scale", "-1.0");
        rejects(() -> Quantizer.perTensorAffine(Float.NaN, 0, -8, 7), "scale", "NaN");
        rejects(() -> Quantizer.perTensorAffine(Float.POSITIVE_INFINITY, 0, -8, 7), "scale", "Infinity");
        rejects(() -> Quantizer.perChannelAffine(new float[] {1f, -2f}, new int[2], new int[] {2, 3}, 0, -8, 7), "scales[1]", "-2.0");
    }

    @Test
    void zeroPointOutsideGridAndBadGrids() {
        rejects(() -> Quantizer.perTensorAffine(1f, 8, -8, 7), "zeroPoint", "8", "[-8, 7]");
        rejects(() -> Quantizer.perTensor(4, Grid.UNSIGNED, 1f, -1), "zeroPoint", "-1");
        rejects(() -> Quantizer.perGroupAffine(new float[] {1, 1}, new int[] {0, 99}, 4, -8, 7), "zeroPoints[1]", "99");
        rejects(() -> Quantizer.perTensorAffine(1f, 0, 5, 4), "qmin", "qmax", "5", "4");
        rejects(() -> Quantizer.perTensorAffine(1f, 0, -70000, 0), "-70000");
        rejects(() -> Quantizer.perTensor(4, Grid.CUSTOM, 1f, 0), "CUSTOM");
    }

    @Test
    void shapesAxesAndLayouts() {
        rejects(() -> Quantizer.perChannelAffine(new float[] {1, 1}, new int[2], new int[] {2, 3}, 2, -8, 7), "axis", "2");
        rejects(() -> Quantizer.perChannelAffine(new float[] {1, 1}, new int[2], new int[] {2, 3}, -1, -8, 7), "axis", "-1");
        rejects(() -> Quantizer.perChannelAffine(new float[] {1, 1, 1}, new int[3], new int[] {2, 3}, 0, -8, 7), "scales.length", "3");
        rejects(() -> Quantizer.perChannelAffine(new float[] {1, 1}, new int[3], new int[] {2, 3}, 0, -8, 7), "zeroPoints", "2", "3");
        rejects(() -> Quantizer.perChannelAffine(new float[] {1, 1}, new int[2], new int[] {2, -3}, 0, -8, 7), "shape[1]", "-3");
        rejects(() -> Quantizer.perGroupAffine(new float[] {1}, new int[1], 0, -8, 7), "groupSize", "0");
        Quantizer pc = Quantizer.perChannelAffine(new float[] {1, 1}, new int[2], new int[] {2, 3}, 0, -8, 7);
        rejects(() -> k.fakeQuantize(new float[5], new float[5], pc), "length", "6", "5");
        rejects(() -> k.momentsPerChannel(new float[5], new int[] {2, 3}, 1), "x.length", "6", "5");
        rejects(() -> k.momentsPerChannel(new float[6], new int[] {2, 3}, 2), "axis", "2");
        rejects(() -> k.momentsPerGroup(new float[10], 4), "groupSize", "4");
    }

    @Test
    void mismatchedLengthsAndRanges() {
        rejects(() -> k.fakeQuantize(new float[4], new float[5], q8), "x", "out", "4", "5");
        rejects(() -> k.fakeQuantize(new float[4], 2, new float[4], 0, 3, q8), "x", "offset=2", "length=3", "4");
        rejects(() -> k.fakeQuantize(new float[4], 0, new float[4], -1, 3, q8), "out", "offset=-1");
        rejects(() -> k.moments(new float[4], 3, 2), "offset=3", "length=2");
        rejects(() -> k.moments(MemorySegment.ofArray(new float[4]), 1, 4), "offset=1", "count=4");
        rejects(() -> k.moments(MemorySegment.ofArray(new byte[7])), "multiple of 4", "7");
        rejects(() -> k.fakeQuantizeBackward(new float[3], new float[3], new float[2], q8), "dx", "3", "2");
        rejects(() -> k.fakeQuantizeWithMask(new float[130], new float[130], new long[2], q8), "mask", "3", "2");
        rejects(() -> k.quantize(new float[3], new byte[4], q8), "codes", "3", "4");
        rejects(() -> k.quantizeInt4(new float[5], new byte[2], Quantizer.perTensorAffine(1f, 0, -8, 7)), "packed", "3", "2");
        rejects(() -> k.quantize(new float[3], new byte[3], Quantizer.perTensor(9, Grid.SIGNED, 1f, 0)), "does not fit", "8-bit");
        rejects(() -> k.quantizeInt4(new float[2], new byte[1], q8), "does not fit", "4-bit");
        rejects(() -> k.kure(List.of(new float[3]), List.of(new float[4]), KureConfig.defaults()),
                "weights[0]", "gradsToAccumulate[0]", "3", "4");
        rejects(() -> k.kure(List.of(new float[3]), List.of(), KureConfig.defaults()), "weights", "1", "0");
        rejects(() -> k.fakeQuantizeLearnableBackward(new float[1], new float[1], new float[1], q8, Double.NaN), "gradFactor", "NaN");
        rejects(() -> new KureConfig(1.8, -1, KureConfig.Reduction.MEAN, KureConfig.StdConvention.BIASED), "lambda", "-1");
        rejects(() -> KureConfig.defaults().withTarget(Double.POSITIVE_INFINITY), "target", "Infinity");
        rejects(() -> q8.withStreamOffset(-5), "streamOffset", "-5");
    }

    @Test
    void nulls() {
        rejectsNull(() -> k.moments((float[]) null), "x");
        rejectsNull(() -> k.fakeQuantize(new float[1], null, q8), "out");
        rejectsNull(() -> k.fakeQuantize(new float[1], new float[1], null), "q");
        rejectsNull(() -> q8.withRounding(null), "rounding");
        rejectsNull(() -> k.kure(Arrays.asList(new float[2], null), null, KureConfig.defaults()), "weights[1]");
        rejectsNull(() -> k.kure(List.of(new float[2]), null, null), "config");
        rejectsNull(() -> Quantizer.perChannelAffine(null, new int[1], new int[] {1}, 0, -8, 7), "scales");
    }

    @Test
    void nothingIsWrittenWhenValidationFails() {
        float[] out = {1, 2, 3};
        assertThrows(IllegalArgumentException.class, () -> k.fakeQuantize(new float[] {9, 9, 9}, 0, out, 1, 3, q8));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1, 2, 3}, out);
    }
}
