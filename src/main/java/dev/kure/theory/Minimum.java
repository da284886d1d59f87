package dev.kure.theory;

/**
 * A located minimum of a function of one variable.
 *
 * @param x     the argument found
 * @param value the function's value at {@code x}
 */
public record Minimum(double x, double value) {
}
