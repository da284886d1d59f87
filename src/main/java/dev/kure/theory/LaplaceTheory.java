package dev.kure.theory;

/**
 * Quantization of X ~ Laplace(0, s) (density e<sup>−|x|/s</sup>/(2s), variance 2s²): the ACIQ
 * approximation 2s²e<sup>−τ/s</sup> + τ²/(3·4<sup>b</sup>), the exact MSE of the nearest-level
 * quantizer on any {@link TheoryGrid} by closed-form integration over its cells, and the optimal
 * clipping ratio τ/s for both. τ = 2<sup>b−1</sup>Δ throughout. (docs/semantics.md §6 calls the scale β; here it is
 * {@code scale} so as not to clash with the bit width.)
 *
 * <p>The cell integrals are arranged to avoid cancellation (series for narrow cells), so the exact
 * MSE keeps close to full double accuracy at every bit width.
 */
public final class LaplaceTheory {
    private static final double SCAN_LO = 0.05;
    private static final double SCAN_HI = 30.0;
    private static final int SCAN_POINTS = 300;
    private static final double REL_TOL = 1e-10;
    private static final double SERIES_LIMIT = 1.0;

    private LaplaceTheory() {
    }

    /**
     * The approximation MSE ≈ 2s²e<sup>−τ/s</sup> + τ²/(3·4<sup>b</sup>).
     *
     * @param bits  bit width in 1..16
     * @param scale the Laplace scale s, positive and finite
     * @param tau   clipping value τ, non-negative and finite
     * @return the approximate MSE
     */
    public static double approxMse(int bits, double scale, double tau) {
        check(bits, scale);
        Checks.nonNegative("tau", tau);
        return 2.0 * scale * scale * Math.exp(-tau / scale) + tau * tau / (3.0 * Math.pow(4.0, bits));
    }

    /**
     * d²MSE/dτ² of the approximation: 2e<sup>−τ/s</sup> + 2/(3·4<sup>b</sup>).
     *
     * @param bits  bit width in 1..16
     * @param scale the Laplace scale s, positive and finite
     * @param tau   clipping value τ, non-negative and finite
     * @return the second derivative in τ
     */
    public static double approxSecondDerivative(int bits, double scale, double tau) {
        check(bits, scale);
        Checks.nonNegative("tau", tau);
        return 2.0 * Math.exp(-tau / scale) + 2.0 / (3.0 * Math.pow(4.0, bits));
    }

    /**
     * The τ/s minimizing the approximation: Brent's method, then Newton steps on the analytic
     * derivative −2s·e<sup>−τ/s</sup> + 2τ/(3·4<sup>b</sup>).
     *
     * @param bits bit width in 1..16
     * @return the optimal clipping ratio τ<sup>*</sup>/s
     */
    public static double optimalClipRatioApprox(int bits) {
        Checks.bits(bits);
        double t = Minimizer.brent(z -> approxMse(bits, 1.0, z), SCAN_LO, SCAN_HI, REL_TOL).x();
        double noise = 2.0 / (3.0 * Math.pow(4.0, bits));
        for (int i = 0; i < 4; i++) {
            double first = -2.0 * Math.exp(-t) + noise * t;
            double second = 2.0 * Math.exp(-t) + noise;
            t -= first / second;
        }
        return t;
    }

    /**
     * The exact MSE of the nearest-level quantizer, by symmetry twice the positive half:
     * interior cells [l − Δ/2, l + Δ/2] contribute ½s²e<sup>−l/s</sup>g(Δ/(2s)) with
     * g(t) = e<sup>t</sup>(t² − 2t + 2) − e<sup>−t</sup>(t² + 2t + 2); the cell [0, Δ/2] around the level
     * 0 contributes ½s²γ(3, Δ/(2s)); the outer cell [c, ∞) with level L contributes
     * ½e<sup>−c/s</sup>((c − L + s)² + s²).
     *
     * @param grid  the level set
     * @param bits  bit width in 1..16
     * @param scale the Laplace scale s, positive and finite
     * @param step  Δ, positive and finite
     * @return the mean squared error
     */
    public static double exactMse(TheoryGrid grid, int bits, double scale, double step) {
        Checks.notNull("grid", grid);
        check(bits, scale);
        Checks.positive("step", step);
        double s = scale;
        double t = 0.5 * step / s;
        double last = grid.lastIndex(bits);          // outermost level in units of Δ
        double lastLevel = last * step;
        double tailStart = lastLevel - 0.5 * step;   // lower end of the outermost cell
        double half;
        if (last == 0.0) {                           // SIGNED_NARROW, 1 bit: one level at 0
            half = s * s;
        } else {
            half = tail(s, Math.max(tailStart, 0.0), lastLevel);
            double interior = 0.0;
            double g = g(t);
            // interior levels from the outermost inward (small terms first)
            for (double k = last - 1.0; k > 0.0; k -= 1.0) {
                interior += Math.exp(-k * step / s);
            }
            half += 0.5 * s * s * g * interior;
            if (grid != TheoryGrid.MIDRISE) {
                half += 0.5 * s * s * lowerGamma3(t);
            }
        }
        return 2.0 * half;
    }

    /**
     * The step minimizing {@link #exactMse} (scan of τ/s over [0.05, 30], then Brent's method).
     *
     * @param grid  the level set
     * @param bits  bit width in 1..16 (at least 2 for SIGNED_NARROW)
     * @param scale the Laplace scale s, positive and finite
     * @return the optimal step Δ*
     */
    public static double optimalStepExact(TheoryGrid grid, int bits, double scale) {
        Checks.positive("scale", scale);
        return ExactOptimum.step(scale, optimalClipRatioExact(grid, bits), bits);
    }

    /**
     * The optimal τ/s = 2<sup>b−1</sup>Δ<sup>*</sup>/s of the exact MSE on a grid.
     *
     * @param grid the level set
     * @param bits bit width in 1..16 (at least 2 for SIGNED_NARROW)
     * @return the optimal clipping ratio
     */
    public static double optimalClipRatioExact(TheoryGrid grid, int bits) {
        return ExactOptimum.clipRatio(LaplaceTheory::exactMse, grid, bits, SCAN_LO, SCAN_HI, SCAN_POINTS, REL_TOL);
    }

    /**
     * SNR in dB of the exact MSE: 10·log10(2s²/MSE).
     *
     * @param grid  the level set
     * @param bits  bit width in 1..16
     * @param scale the Laplace scale s, positive and finite
     * @param step  Δ, positive and finite
     * @return the SNR in dB
     */
    public static double snrDb(TheoryGrid grid, int bits, double scale, double step) {
        return Snr.db(2.0 * scale * scale, exactMse(grid, bits, scale, step));
    }

    /** ∫_c^∞ (x − L)² e^(−x/s)/(2s) dx = ½e^(−c/s)((c − L + s)² + s²). */
    private static double tail(double s, double c, double level) {
        double u = c - level + s;
        return 0.5 * Math.exp(-c / s) * (u * u + s * s);
    }

    /** g(t) = e^t(t² − 2t + 2) − e^(−t)(t² + 2t + 2) = Σ_{k≥1} 4k(2k−1)t^(2k+1)/(2k+1)!. */
    static double g(double t) {
        if (t >= SERIES_LIMIT) {
            double t2 = t * t;
            return Math.exp(t) * (t2 - 2.0 * t + 2.0) - Math.exp(-t) * (t2 + 2.0 * t + 2.0);
        }
        double t2 = t * t;
        double u = t * t2 / 6.0;   // t^(2k+1)/(2k+1)! for k = 1
        double sum = 0.0;
        for (int k = 1; k < 60; k++) {
            double term = 4.0 * k * (2.0 * k - 1.0) * u;
            sum += term;
            if (term <= 1e-17 * sum) {
                break;
            }
            u *= t2 / ((2.0 * k + 2.0) * (2.0 * k + 3.0));
        }
        return sum;
    }

    /** γ(3, t) = ∫_0^t v²e^(−v)dv = 2 − e^(−t)(t² + 2t + 2) = t³e^(−t)Σ_{n≥0} t^n/(3·4·…·(n+3)). */
    static double lowerGamma3(double t) {
        if (t >= 2.0 * SERIES_LIMIT) {
            return 2.0 - Math.exp(-t) * (t * t + 2.0 * t + 2.0);
        }
        double term = 1.0 / 3.0;
        double sum = term;
        for (int n = 1; n < 200; n++) {
            term *= t / (n + 3);
            sum += term;
            if (term <= 1e-17 * sum) {
                break;
            }
        }
        return t * t * t * Math.exp(-t) * sum;
    }

    private static void check(int bits, double scale) {
        Checks.bits(bits);
        Checks.positive("scale", scale);
    }
}
