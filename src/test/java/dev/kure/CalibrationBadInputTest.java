package dev.kure;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Issue 5: bad input is an IllegalArgumentException whose message names the parameter and value. */
class CalibrationBadInputTest {
    final Kernels k = Kernels.scalar();
    final float[] x = {1f, -2f, 3f, 0.5f};

    static void rejects(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void emptyTensors() {
        rejects(() -> k.calibrate(new float[0], 8, Grid.SIGNED, StepPolicy.maxAbs()), "x", "empty");
        rejects(() -> k.calibratePerGroup(new float[0], 4, 8, Grid.SIGNED, StepPolicy.mse()), "x", "empty");
        rejects(() -> k.calibratePerChannel(new float[0], new int[] {0, 3}, 1, 8, Grid.SIGNED, StepPolicy.mse()),
                "shape", "[0, 3]", "empty");
        rejects(() -> k.sweep(new float[0], SweepSpec.of(new int[] {8}, new double[] {1}, Rounding.HALF_EVEN)),
                "x", "empty");
        rejects(() -> k.absPercentile(new float[0], 50), "x", "empty");
        rejects(() -> SweepSpec.of(new int[0], new double[] {1}, Rounding.HALF_EVEN), "bits", "empty");
        rejects(() -> SweepSpec.of(new int[] {8}, new double[0], Rounding.HALF_EVEN), "ratios", "empty");
        rejects(() -> SweepSpec.of(new int[] {8}, new double[] {1}), "roundings", "empty");
    }

    @Test
    void nonFiniteData() {
        rejects(() -> k.calibrate(new float[] {1f, Float.NaN}, 8, Grid.SIGNED, StepPolicy.mse()), "x", "NaN");
        rejects(() -> k.calibrate(new float[] {Float.POSITIVE_INFINITY}, 8, Grid.SIGNED, StepPolicy.maxAbs()), "x",
                "Infinity");
        rejects(() -> k.calibratePerChannel(new float[] {1f, 2f, Float.NaN, 3f}, new int[] {2, 2}, 1, 8, Grid.SIGNED,
                StepPolicy.percentile(50)), "channel 0");
        rejects(() -> k.absPercentile(new float[] {Float.NaN}, 50), "x", "NaN");
    }

    @Test
    void percentileOutsideRange() {
        for (double p : new double[] {0.0, -1.0, 100.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            rejects(() -> StepPolicy.percentile(p), "percentile", "(0, 100]", String.valueOf(p));
            rejects(() -> k.absPercentile(x, p), "percentile", String.valueOf(p));
        }
    }

    @Test
    void lpExponent() {
        for (double p : new double[] {0.0, -2.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            rejects(() -> StepPolicy.lpNorm(p), "p", "> 0", String.valueOf(p));
        }
    }

    @Test
    void ratios() {
        for (double r : new double[] {0.0, -0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            rejects(() -> StepTransform.ratio(r), "ratio", String.valueOf(r));
            rejects(() -> SweepSpec.of(new int[] {8}, new double[] {1.0, r}, Rounding.HALF_EVEN), "ratios[1]",
                    String.valueOf(r));
        }
    }

    @Test
    void bitsGridsAndPolicies() {
        rejects(() -> k.calibrate(x, 0, Grid.SIGNED, StepPolicy.mse()), "bits", "0");
        rejects(() -> k.calibrate(x, 17, Grid.SIGNED, StepPolicy.mse()), "bits", "17");
        rejects(() -> SweepSpec.of(new int[] {4, 17}, new double[] {1}, Rounding.HALF_EVEN), "bits", "17");
        rejects(() -> k.calibrate(x, 8, Grid.CUSTOM, StepPolicy.mse()), "grid", "CUSTOM");
        rejects(() -> k.calibrate(x, Quantizer.perTensorAffine(1f, 0, -3, 3), StepPolicy.mse()), "CUSTOM", "min_max");
        rejects(() -> k.calibrate(x, 8, Grid.SIGNED, StepPolicy.maxAbs(MaxAbsConvention.TENSORRT)), "TENSORRT",
                "SIGNED_NARROW", "SIGNED");
        rejects(() -> k.calibrate(x, 1, Grid.SIGNED, StepPolicy.maxAbs()), "qmax", "0");
        rejects(() -> k.calibratePerGroup(x, 3, 8, Grid.SIGNED, StepPolicy.mse()), "groupSize", "3");
        rejects(() -> k.calibratePerGroup(x, 0, 8, Grid.SIGNED, StepPolicy.mse()), "groupSize", "0");
        rejects(() -> k.calibratePerChannel(x, new int[] {2, 3}, 0, 8, Grid.SIGNED, StepPolicy.mse()), "volume", "4");
        rejects(() -> k.calibratePerChannel(x, new int[] {2, 2}, 2, 8, Grid.SIGNED, StepPolicy.mse()), "axis", "2");
        rejects(() -> SweepSpec.of(new int[] {8}, new double[] {1}, Rounding.HALF_EVEN).withGrids(Grid.CUSTOM),
                "grids[0]", "CUSTOM");
        rejects(() -> StepPolicy.parse("percentile:abc"), "abc");
        rejects(() -> StepPolicy.parse("percentile:0"), "percentile", "0.0");
        rejects(() -> StepPolicy.parse("median"), "median");
        rejects(() -> StepPolicy.parse("mse:3"), "mse:3", "no argument");
        assertThrows(NullPointerException.class, () -> k.calibrate(x, 8, Grid.SIGNED, null));
        assertThrows(NullPointerException.class, () -> k.calibrate((float[]) null, 8, Grid.SIGNED, StepPolicy.mse()));
    }
}
