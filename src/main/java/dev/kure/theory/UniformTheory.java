package dev.kure.theory;

/**
 * Quantization of X ~ U[−a, a]: the paper's Lemma 2 (MSE with clipping on the PAPER grid), its
 * no-clipping counterpart, the exact MSE on any {@link TheoryGrid} by integration over the
 * quantizer's cells, Lemma 3 (the optimal step) and the SNR.
 */
public final class UniformTheory {
    private UniformTheory() {
    }

    /**
     * Lemma 2: MSE = (a − τ)³/(3a) + 2<sup>b</sup>Δ³/(24a) with τ = 2<sup>b−1</sup>Δ, exact for the
     * PAPER grid when Δ ≤ 2a/2<sup>b</sup> (the clip point τ inside the support).
     *
     * @param bits bit width in 1..16
     * @param a    half-width of the support, positive and finite
     * @param step Δ, positive, finite and at most 2a/2<sup>b</sup>
     * @return the mean squared error
     */
    public static double lemma2Mse(int bits, double a, double step) {
        check(bits, a, step);
        double limit = 2.0 * a / (1 << bits);
        if (step > limit) {
            throw new IllegalArgumentException("step must be <= 2a/2^bits = " + limit
                    + " for Lemma 2 (use noClipMse beyond), got " + step);
        }
        double tau = (1 << (bits - 1)) * step;
        double gap = a - tau;
        return gap * gap * gap / (3.0 * a) + (1 << bits) * step * step * step / (24.0 * a);
    }

    /**
     * The MSE of an unclipped round-to-nearest grid kΔ on U[−a, a]:
     * [m·Δ³/12 + h(r)]/a with m = ⌊a/Δ⌋, r = a − mΔ, h(r) = r³/3 for r ≤ Δ/2 and
     * Δ³/12 + (r − Δ)³/3 otherwise. This is the PAPER grid's MSE whenever no input reaches the
     * saturation region, i.e. for Δ ≥ 2a/(2<sup>b</sup>+1); on [2a/(2<sup>b</sup>+1), 2a/2<sup>b</sup>]
     * it agrees with Lemma 2.
     *
     * @param bits bit width in 1..16
     * @param a    half-width of the support, positive and finite
     * @param step Δ, positive, finite and at least 2a/(2<sup>b</sup>+1)
     * @return the mean squared error
     */
    public static double noClipMse(int bits, double a, double step) {
        check(bits, a, step);
        double limit = 2.0 * a / ((1 << bits) + 1);
        if (step < limit) {
            throw new IllegalArgumentException("step must be >= 2a/(2^bits+1) = " + limit
                    + " for the no-clipping formula (use lemma2Mse below), got " + step);
        }
        double m = Math.floor(a / step);
        double r = a - m * step;
        double cell = step * step * step / 12.0;
        double h = r <= 0.5 * step ? r * r * r / 3.0 : cell + cube(r - step) / 3.0;
        return (m * cell + h) / a;
    }

    /**
     * The PAPER grid's MSE in closed form for any step: {@link #lemma2Mse} for Δ ≤ 2a/2<sup>b</sup>,
     * {@link #noClipMse} beyond.
     *
     * @param bits bit width in 1..16
     * @param a    half-width of the support, positive and finite
     * @param step Δ, positive and finite
     * @return the mean squared error
     */
    public static double paperMse(int bits, double a, double step) {
        check(bits, a, step);
        return step <= 2.0 * a / (1 << bits) ? lemma2Mse(bits, a, step) : noClipMse(bits, a, step);
    }

    /**
     * The exact MSE of the nearest-level quantizer on a grid: Σ over cells [lo, hi] (clipped to the
     * support) of ∫(x − level)²dx/(2a) = [(hi − level)³ − (lo − level)³]/(6a).
     *
     * @param grid the level set
     * @param bits bit width in 1..16
     * @param a    half-width of the support, positive and finite
     * @param step Δ, positive and finite
     * @return the mean squared error
     */
    public static double exactMse(TheoryGrid grid, int bits, double a, double step) {
        Checks.notNull("grid", grid);
        check(bits, a, step);
        double[] levels = grid.levels(bits, step);
        int n = levels.length;
        double sum = 0.0;
        for (int i = 0; i < n; i++) {
            double level = levels[i];
            double lo = i == 0 ? -a : Math.max(-a, 0.5 * (levels[i - 1] + level));
            double hi = i == n - 1 ? a : Math.min(a, 0.5 * (level + levels[i + 1]));
            if (hi > lo) {
                sum += cube(hi - level) - cube(lo - level);
            }
        }
        return sum / (6.0 * a);
    }

    /**
     * Lemma 3: the MSE-optimal step, 2a/(2<sup>b</sup>+1) on PAPER, 2a/(2<sup>b</sup>−1) on
     * SIGNED_NARROW and 2a/2<sup>b</sup> on MIDRISE: the step whose outermost cell ends exactly at a.
     *
     * @param grid the level set
     * @param bits bit width in 1..16 (at least 2 for SIGNED_NARROW)
     * @param a    half-width of the support, positive and finite
     * @return the optimal step
     */
    public static double optimalStep(TheoryGrid grid, int bits, double a) {
        Checks.bitsForOptimum(grid, bits);
        Checks.positive("a", a);
        return a / (grid.lastIndex(bits) + 0.5);
    }

    /**
     * The MSE at the optimal step; on PAPER it equals a²/(3(2<sup>b</sup>+1)²), in general
     * Δ*²/12.
     *
     * @param grid the level set
     * @param bits bit width in 1..16 (at least 2 for SIGNED_NARROW)
     * @param a    half-width of the support, positive and finite
     * @return the optimal MSE
     */
    public static double optimalMse(TheoryGrid grid, int bits, double a) {
        return exactMse(grid, bits, a, optimalStep(grid, bits, a));
    }

    /**
     * E[x²] = a²/3.
     *
     * @param a half-width of the support, positive and finite
     * @return the second moment
     */
    public static double secondMoment(double a) {
        Checks.positive("a", a);
        return a * a / 3.0;
    }

    /**
     * SNR in dB of the exact MSE: 10·log10((a²/3)/MSE).
     *
     * @param grid the level set
     * @param bits bit width in 1..16
     * @param a    half-width of the support, positive and finite
     * @param step Δ, positive and finite
     * @return the SNR in dB
     */
    public static double snrDb(TheoryGrid grid, int bits, double a, double step) {
        return Snr.db(secondMoment(a), exactMse(grid, bits, a, step));
    }

    /**
     * d²MSE/dΔ² of the Lemma 2 formula: 2h²(a − hΔ)/a + hΔ/(2a), h = 2<sup>b−1</sup>. At the PAPER
     * optimum it equals h exactly; at Δ = 2a/2<sup>b</sup> (τ = a) it equals 1/2.
     *
     * @param bits bit width in 1..16
     * @param a    half-width of the support, positive and finite
     * @param step Δ, positive, finite and at most 2a/2<sup>b</sup>
     * @return the curvature in Δ
     */
    public static double lemma2SecondDerivative(int bits, double a, double step) {
        check(bits, a, step);
        double limit = 2.0 * a / (1 << bits);
        if (step > limit) {
            throw new IllegalArgumentException("step must be <= 2a/2^bits = " + limit
                    + " for Lemma 2, got " + step);
        }
        double h = 1 << (bits - 1);
        return 2.0 * h * h * (a - h * step) / a + h * step / (2.0 * a);
    }

    private static void check(int bits, double a, double step) {
        Checks.bits(bits);
        Checks.positive("a", a);
        Checks.positive("step", step);
    }

    private static double cube(double v) {
        return v * v * v;
    }
}
