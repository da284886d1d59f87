package dev.kure.theory;

/**
 * Level sets of the symmetric quantizers the theory studies, for a step Δ and a bit width b
 * (h = 2<sup>b−1</sup>). Each quantizer maps x to its nearest level (round to nearest) and saturates
 * to the outermost level beyond it.
 */
public enum TheoryGrid {
    /** Levels kΔ for k in [−h, h]: 2<sup>b</sup>+1 levels, the model of the paper's Lemmas 2 and 3. */
    PAPER,
    /** Levels kΔ for k in [−(h−1), h−1]: 2<sup>b</sup>−1 levels (symmetric "narrow" integer range). */
    SIGNED_NARROW,
    /** Levels (k + ½)Δ for k in [−h, h−1]: 2<sup>b</sup> levels, zero is not a level. */
    MIDRISE;

    /**
     * Number of levels.
     *
     * @param bits bit width in 1..16
     * @return 2<sup>b</sup>+1, 2<sup>b</sup>−1 or 2<sup>b</sup>
     */
    public int levelCount(int bits) {
        Checks.bits(bits);
        int n = 1 << bits;
        return switch (this) {
            case PAPER -> n + 1;
            case SIGNED_NARROW -> n - 1;
            case MIDRISE -> n;
        };
    }

    /**
     * The levels in ascending order.
     *
     * @param bits bit width in 1..16
     * @param step the step Δ, positive and finite
     * @return a new array of {@link #levelCount(int)} levels
     */
    public double[] levels(int bits, double step) {
        Checks.positive("step", step);
        int count = levelCount(bits);
        double first = firstIndex(bits);
        double[] levels = new double[count];
        for (int i = 0; i < count; i++) {
            levels[i] = (first + i) * step;
        }
        return levels;
    }

    /**
     * The largest level: hΔ, (h−1)Δ or (h−½)Δ.
     *
     * @param bits bit width in 1..16
     * @param step the step Δ, positive and finite
     * @return the outermost positive level (0 for SIGNED_NARROW with one bit)
     */
    public double outermostLevel(int bits, double step) {
        Checks.positive("step", step);
        return lastIndex(bits) * step;
    }

    /**
     * The nearest level to x, saturating at the outermost levels. Ties (x exactly half-way) go to
     * the even multiple of Δ on PAPER and SIGNED_NARROW, and upward on MIDRISE.
     *
     * @param x    the value; NaN gives NaN, ±∞ the outermost level of that sign
     * @param bits bit width in 1..16
     * @param step the step Δ, positive and finite
     * @return the quantized value
     */
    public double quantize(double x, int bits, double step) {
        Checks.positive("step", step);
        Checks.bits(bits);
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        double hi = lastIndex(bits);
        double lo = firstIndex(bits);
        double y = x / step;
        double k = this == MIDRISE ? Math.floor(y) + 0.5 : Math.rint(y);
        return Math.min(Math.max(k, lo), hi) * step;
    }

    /** Index of the lowest level in units of Δ: −h, −(h−1) or −h+½. */
    double firstIndex(int bits) {
        return -lastIndex(bits);
    }

    /** Index of the highest level in units of Δ: h, h−1 or h−½. */
    double lastIndex(int bits) {
        Checks.bits(bits);
        double h = 1 << (bits - 1);
        return switch (this) {
            case PAPER -> h;
            case SIGNED_NARROW -> h - 1.0;
            case MIDRISE -> h - 0.5;
        };
    }
}
