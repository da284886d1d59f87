package dev.kure;

/** Which elements share one scale and zero point (docs/semantics.md §1). */
public enum Granularity {
    /** One scale and zero point for the whole tensor. */
    PER_TENSOR,
    /** One per index along a channel axis of a row-major shape. */
    PER_CHANNEL,
    /** One per consecutive group of G elements of the flat tensor (block-wise quantization). */
    PER_GROUP
}
