package dev.kure.spi;

import dev.kure.Quantizer;

/**
 * Parameter runs of a quantizer: within a call, element i uses parameter set
 * {@code p(i) = (i / inner) % C}, constant over runs of {@code inner} elements. Kernels loop over
 * runs with these two helpers and process each run with broadcast parameters.
 */
public final class Runs {
    private Runs() {}

    /** Parameter set of element {@code i}. */
    public static int param(long i, Quantizer q) {
        return (int) ((i / q.inner()) % q.paramCount());
    }

    /** End (exclusive) of the run that contains element {@code i}, capped at {@code len}. */
    public static int end(int i, int len, Quantizer q) {
        long inner = q.inner();
        long e = (i / inner + 1) * inner;
        return e >= len || e < 0 ? len : (int) e;
    }
}
