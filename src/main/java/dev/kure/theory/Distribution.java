package dev.kure.theory;

/**
 * The input distributions the theory covers, each described by one scale parameter: the half-width
 * a of U[−a, a], the standard deviation σ of N(0, σ²), the scale s of Laplace(0, s) (E|x| = s).
 */
public enum Distribution {
    /** U[−a, a]; parameter a. */
    UNIFORM,
    /** N(0, σ²); parameter σ. */
    GAUSSIAN,
    /** Laplace(0, s); parameter s. */
    LAPLACE
}
