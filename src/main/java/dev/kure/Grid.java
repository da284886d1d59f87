package dev.kure;

/**
 * Named integer grids for a bit-width {@code b} (docs/semantics.md §4.1). An explicit [qmin, qmax] grid is
 * {@link #CUSTOM}.
 */
public enum Grid {
    /** q in [-2^(b-1), 2^(b-1) - 1] (int8: [-128, 127]). */
    SIGNED,
    /** q in [-(2^(b-1) - 1), 2^(b-1) - 1]: symmetric, as TensorRT weights (int8: [-127, 127]). */
    SIGNED_NARROW,
    /** q in [0, 2^b - 1] (uint8: [0, 255]). */
    UNSIGNED,
    /** q in [-2^(b-1), 2^(b-1)]: 2^b + 1 levels, the grid of the paper's Lemmas 2 and 3. */
    PAPER,
    /**
     * The reference code's weight quantizer: levels (k + 0.5)·s for k in [-2^(b-1), 2^(b-1) - 1],
     * i.e. {@code -alpha + k·delta} with {@code alpha = 2^(b-1)·s}; zero is not a level. Implemented
     * as the SIGNED grid with offset h = 0.5: {@code r = round(y - 0.5)}, {@code out = (r + 0.5)·s}.
     */
    MIDRISE,
    /** An explicit [qmin, qmax] given by the caller, as PyTorch's fake-quant takes them. */
    CUSTOM;

    /** Smallest code of this grid at {@code bits}; not defined for {@link #CUSTOM}. */
    int qmin(int bits) {
        return switch (this) {
            case SIGNED, PAPER, MIDRISE -> -(1 << (bits - 1));
            case SIGNED_NARROW -> -((1 << (bits - 1)) - 1);
            case UNSIGNED -> 0;
            case CUSTOM -> throw new IllegalStateException("CUSTOM grid has no implied qmin");
        };
    }

    /** Largest code of this grid at {@code bits}; not defined for {@link #CUSTOM}. */
    int qmax(int bits) {
        return switch (this) {
            case SIGNED, SIGNED_NARROW, MIDRISE -> (1 << (bits - 1)) - 1;
            case PAPER -> 1 << (bits - 1);
            case UNSIGNED -> (1 << bits) - 1;
            case CUSTOM -> throw new IllegalStateException("CUSTOM grid has no implied qmax");
        };
    }
}
