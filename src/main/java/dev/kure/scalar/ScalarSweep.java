package dev.kure.scalar;

import dev.kure.Quantizer;

/**
 * Reference multi-setting error kernel: the quantization error of many per-tensor settings in one
 * read of the data, blocked so each block stays in L1 while every setting is evaluated. Serves the
 * robustness sweep and the MSE / LP_NORM calibration. Public so that {@link dev.kure.spi.Backend}'s
 * default methods can call it.
 */
public final class ScalarSweep {
    private ScalarSweep() {}

    /** See {@link dev.kure.spi.Backend#errorSums}. */
    public static double errorSums(float[] x, int off, int len, long streamBase, long[] streamIndex,
                                   Quantizer[] settings, double p, double[] sums) {
        throw new UnsupportedOperationException("not yet");
    }
}
