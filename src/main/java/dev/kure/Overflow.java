package dev.kure;

/** What happens to an integer code outside the grid [qmin, qmax] (docs/semantics.md §4.4). */
public enum Overflow {
    /** Clamp to [qmin, qmax]: what every PTQ/QAT toolkit does. The default. */
    SATURATE,
    /**
     * Wrap modulo the grid's level count {@code L = qmax - qmin + 1}:
     * {@code q' = qmin + floorMod(q - qmin, L)}. For the SIGNED and UNSIGNED grids {@code L = 2^b},
     * which is two's-complement overflow, what integer hardware does without saturation.
     * Infinite inputs have no code and produce NaN.
     */
    WRAP
}
