package dev.kure.theory;

/** Argument validation shared by the theory classes; every message names the parameter and value. */
final class Checks {
    /** Smallest supported bit width. */
    static final int MIN_BITS = 1;
    /** Largest supported bit width. */
    static final int MAX_BITS = 16;

    private Checks() {
    }

    static int bits(int bits) {
        if (bits < MIN_BITS || bits > MAX_BITS) {
            throw new IllegalArgumentException(
                    "bits must be in " + MIN_BITS + ".." + MAX_BITS + ", got " + bits);
        }
        return bits;
    }

    static double positive(String name, double value) {
        if (!(value > 0.0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be positive and finite, got " + value);
        }
        return value;
    }

    static double nonNegative(String name, double value) {
        if (!(value >= 0.0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be non-negative and finite, got " + value);
        }
        return value;
    }

    static double finite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite, got " + value);
        }
        return value;
    }

    static <T> T notNull(String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return value;
    }

    /** Bits for an optimization on a grid: SIGNED_NARROW with one bit has a single level (zero). */
    static int bitsForOptimum(TheoryGrid grid, int bits) {
        notNull("grid", grid);
        bits(bits);
        if (grid == TheoryGrid.SIGNED_NARROW && bits < 2) {
            throw new IllegalArgumentException("bits must be >= 2 for SIGNED_NARROW (with 1 bit its only "
                    + "level is 0 and every step is optimal), got " + bits);
        }
        return bits;
    }
}
