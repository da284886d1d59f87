package dev.kure;

/**
 * How {@link StepTransform#powerOfTwo} rounds a step {@code s = m·2^e} (m in [1, 2)) to a power of two,
 * for accelerators that only shift (docs/semantics.md §5). Every mode is exact (decided on the bits of s, never
 * on a floating-point log2).
 */
public enum PowerOfTwo {
    /** 2<sup>round(log2 s)</sup>: up exactly when m ≥ √2 (decided as m² ≥ 2, exact in double); ratio s'/s in [0.707, 1.414]. */
    LOG,
    /** The nearer of 2<sup>e</sup> and 2<sup>e+1</sup> in linear distance: up when m ≥ 1.5 (a tie, 1.5·2<sup>e</sup>, goes up). */
    LINEAR,
    /** 2<sup>e</sup> = 2<sup>floor(log2 s)</sup>: never larger than s. */
    FLOOR,
    /** 2<sup>ceil(log2 s)</sup>: never smaller than s (s itself when it is a power of two). */
    CEIL
}
