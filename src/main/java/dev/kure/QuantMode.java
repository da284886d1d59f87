package dev.kure;

/** How the scaled value {@code y} is computed from {@code x} and the scale {@code s} (docs/semantics.md §4.2). */
public enum QuantMode {
    /** {@code y = x * (float)(1.0f / s)}: PyTorch's order, bit-exact with its fake-quant. The default. */
    MULTIPLY_BY_RECIPROCAL,
    /** {@code y = x / s}: ONNX QuantizeLinear and Brevitas. */
    DIVIDE
}
