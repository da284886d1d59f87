package dev.kure.theory;

import java.util.function.DoubleUnaryOperator;

/**
 * One-dimensional minimization without derivatives: Brent's method (golden-section search
 * accelerated by successive parabolic interpolation) and a coarse scan that brackets the best
 * of several local minima before refining it.
 *
 * <p>A smooth minimum can be located only to about √ε relative (ε the error of the function's
 * values): near the minimum the function is flat to second order.
 */
public final class Minimizer {
    /** (3 − √5)/2: the golden-section fraction. */
    private static final double GOLDEN = 0.3819660112501051;
    private static final int MAX_ITERATIONS = 500;

    private Minimizer() {
    }

    /**
     * Brent's method on [lo, hi], assuming one minimum inside (unimodal function).
     *
     * @param f      the function
     * @param lo     left end of the bracket
     * @param hi     right end of the bracket, greater than lo
     * @param relTol relative tolerance on x, in (0, 1); values below about 1e-8 are not meaningful
     * @return the minimum found
     */
    public static Minimum brent(DoubleUnaryOperator f, double lo, double hi, double relTol) {
        Checks.notNull("f", f);
        checkBracket(lo, hi);
        checkTolerance(relTol);
        final double absTol = 1e-15 * (hi - lo) + Double.MIN_NORMAL;
        double a = lo;
        double b = hi;
        double x = a + GOLDEN * (b - a);
        double w = x;
        double v = x;
        double fx = f.applyAsDouble(x);
        double fw = fx;
        double fv = fx;
        double d = 0.0;
        double e = 0.0;
        for (int iter = 0; iter < MAX_ITERATIONS; iter++) {
            double m = 0.5 * (a + b);
            double tol1 = relTol * Math.abs(x) + absTol;
            double tol2 = 2.0 * tol1;
            if (Math.abs(x - m) <= tol2 - 0.5 * (b - a)) {
                break;
            }
            boolean golden = true;
            if (Math.abs(e) > tol1) {
                double r = (x - w) * (fx - fv);
                double q = (x - v) * (fx - fw);
                double p = (x - v) * q - (x - w) * r;
                q = 2.0 * (q - r);
                if (q > 0.0) {
                    p = -p;
                } else {
                    q = -q;
                }
                double previous = e;
                e = d;
                if (Math.abs(p) < Math.abs(0.5 * q * previous) && p > q * (a - x) && p < q * (b - x)) {
                    d = p / q;
                    double u = x + d;
                    if (u - a < tol2 || b - u < tol2) {
                        d = Math.copySign(tol1, m - x);
                    }
                    golden = false;
                }
            }
            if (golden) {
                e = (x >= m) ? a - x : b - x;
                d = GOLDEN * e;
            }
            double u = Math.abs(d) >= tol1 ? x + d : x + Math.copySign(tol1, d);
            double fu = f.applyAsDouble(u);
            if (fu <= fx) {
                if (u >= x) {
                    a = x;
                } else {
                    b = x;
                }
                v = w;
                fv = fw;
                w = x;
                fw = fx;
                x = u;
                fx = fu;
            } else {
                if (u < x) {
                    a = u;
                } else {
                    b = u;
                }
                if (fu <= fw || w == x) {
                    v = w;
                    fv = fw;
                    w = u;
                    fw = fu;
                } else if (fu <= fv || v == x || v == w) {
                    v = u;
                    fv = fu;
                }
            }
        }
        return new Minimum(x, fx);
    }

    /**
     * Evaluates f at {@code points} equally spaced points of [lo, hi], then refines the best one with
     * {@link #brent} inside its two neighbouring points: the global minimum as long as the scan is
     * fine enough to separate it from the other local minima.
     *
     * @param f      the function
     * @param lo     left end of the range
     * @param hi     right end of the range, greater than lo
     * @param points number of scan points, at least 3
     * @param relTol relative tolerance on x for the refinement, in (0, 1)
     * @return the minimum found
     */
    public static Minimum scanThenBrent(DoubleUnaryOperator f, double lo, double hi, int points,
            double relTol) {
        Checks.notNull("f", f);
        checkBracket(lo, hi);
        checkTolerance(relTol);
        if (points < 3) {
            throw new IllegalArgumentException("points must be >= 3, got " + points);
        }
        double h = (hi - lo) / (points - 1);
        int best = 0;
        double bestValue = Double.POSITIVE_INFINITY;
        for (int i = 0; i < points; i++) {
            double value = f.applyAsDouble(lo + i * h);
            if (value < bestValue) {
                bestValue = value;
                best = i;
            }
        }
        double left = lo + Math.max(best - 1, 0) * h;
        double right = lo + Math.min(best + 1, points - 1) * h;
        Minimum refined = brent(f, left, right, relTol);
        double bestX = lo + best * h;
        return refined.value() <= bestValue ? refined : new Minimum(bestX, bestValue);
    }

    private static void checkBracket(double lo, double hi) {
        Checks.finite("lo", lo);
        Checks.finite("hi", hi);
        if (!(hi > lo)) {
            throw new IllegalArgumentException("hi must be greater than lo, got lo = " + lo + ", hi = " + hi);
        }
    }

    private static void checkTolerance(double relTol) {
        if (!(relTol > 0.0 && relTol < 1.0)) {
            throw new IllegalArgumentException("relTol must be in (0, 1), got " + relTol);
        }
    }
}
