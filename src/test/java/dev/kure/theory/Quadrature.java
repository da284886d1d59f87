package dev.kure.theory;

import java.util.function.DoubleUnaryOperator;

/** Test-only independent reference: composite Simpson integration of (x − Q(x))²·density over each cell. */
final class Quadrature {
    private Quadrature() {
    }

    static double simpson(DoubleUnaryOperator f, double lo, double hi, int intervals) {
        double h = (hi - lo) / intervals;
        double sum = f.applyAsDouble(lo) + f.applyAsDouble(hi);
        for (int i = 1; i < intervals; i++) {
            sum += (i % 2 == 1 ? 4.0 : 2.0) * f.applyAsDouble(lo + i * h);
        }
        return sum * h / 3.0;
    }

    /**
     * MSE of the grid's quantizer against a density, integrating cell by cell on [−limit, limit] with
     * Simpson steps no longer than maxH (and at least 16 per cell), split at 0 (the Laplace kink).
     */
    static double mse(TheoryGrid grid, int bits, double step, DoubleUnaryOperator density, double limit,
            double maxH) {
        double[] levels = grid.levels(bits, step);
        int n = levels.length;
        double total = 0.0;
        for (int i = 0; i < n; i++) {
            double level = levels[i];
            double lo = i == 0 ? -limit : 0.5 * (levels[i - 1] + level);
            double hi = i == n - 1 ? limit : 0.5 * (level + levels[i + 1]);
            DoubleUnaryOperator f = x -> (x - level) * (x - level) * density.applyAsDouble(x);
            if (lo < 0.0 && hi > 0.0) {
                total += simpson(f, lo, 0.0, intervals(lo, 0.0, maxH));
                total += simpson(f, 0.0, hi, intervals(0.0, hi, maxH));
            } else {
                total += simpson(f, lo, hi, intervals(lo, hi, maxH));
            }
        }
        return total;
    }

    private static int intervals(double lo, double hi, double maxH) {
        int k = (int) Math.ceil((hi - lo) / maxH);
        k = Math.max(k, 16);
        return k % 2 == 0 ? k : k + 1;
    }
}
