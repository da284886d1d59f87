package dev.kure;

import dev.kure.spi.Backend;

/**
 * The calibration and sweep drivers behind {@link Kernels}: backend-independent orchestration
 * (statistics, coarse grid, golden-section search, per-channel loops) over the backend's kernels
 * ({@link Backend#moments}, {@link Backend#absOrderStatistic}, {@link Backend#meanAbsDeviation},
 * {@link Backend#errorSums}), so a faster backend speeds every policy up by overriding those.
 */
final class Calibrator {
    private Calibrator() {}

    static Quantizer template(int bits, Grid grid) {
        throw new UnsupportedOperationException("not yet");
    }

    static void check(Quantizer template, StepPolicy policy) {
        throw new UnsupportedOperationException("not yet");
    }

    static Quantizer perTensor(Backend b, float[] x, Quantizer t, StepPolicy p) {
        throw new UnsupportedOperationException("not yet");
    }

    static Quantizer perChannel(Backend b, float[] x, int[] shape, int axis, Quantizer t, StepPolicy p) {
        throw new UnsupportedOperationException("not yet");
    }

    static Quantizer perGroup(Backend b, float[] x, int groupSize, Quantizer t, StepPolicy p) {
        throw new UnsupportedOperationException("not yet");
    }

    static void finite(Moments m, String name) {
        throw new UnsupportedOperationException("not yet");
    }

    static long rank(double percent, long n) {
        throw new UnsupportedOperationException("not yet");
    }

    static QuantError quantError(Backend b, float[] x, Quantizer q) {
        throw new UnsupportedOperationException("not yet");
    }

    static SweepResult sweep(Backend b, float[] x, SweepSpec spec) {
        throw new UnsupportedOperationException("not yet");
    }
}
