package dev.kure.theory;

/**
 * The optimum search that {@link GaussianTheory} and {@link LaplaceTheory} share: for a density with a
 * scale parameter, the exact MSE at scale 1 is scanned over the clipping ratio τ/scale and refined by
 * Brent's method; the optimal step at any scale follows by scaling.
 */
final class ExactOptimum {
    private ExactOptimum() {}

    /** An exact MSE in closed form: {@code mse(grid, bits, scale, step)}. */
    @FunctionalInterface
    interface Mse {
        double of(TheoryGrid grid, int bits, double scale, double step);
    }

    /** The optimal τ/scale = 2<sup>b−1</sup>Δ<sup>*</sup>/scale, scanned over [lo, hi] with {@code points} points. */
    static double clipRatio(Mse mse, TheoryGrid grid, int bits, double lo, double hi, int points, double relTol) {
        Checks.bitsForOptimum(grid, bits);
        double h = 1 << (bits - 1);
        return Minimizer.scanThenBrent(t -> mse.of(grid, bits, 1.0, t / h), lo, hi, points, relTol).x();
    }

    /** The step Δ<sup>*</sup> = scale·(τ/scale)<sup>*</sup>/2<sup>b−1</sup>. */
    static double step(double scale, double clipRatio, int bits) {
        return scale * clipRatio / (1 << (bits - 1));
    }
}
