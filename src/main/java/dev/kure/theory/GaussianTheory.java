package dev.kure.theory;

/**
 * Quantization of X ~ N(0, σ²): the ACIQ approximation of the MSE (clipping noise plus the
 * uniform-noise term of the 2<sup>b</sup> bins), the exact MSE of the nearest-level quantizer on any
 * {@link TheoryGrid} by closed-form integration over its cells (tails included), the optimal clipping
 * ratio τ/σ for both, and the SNR. τ = 2<sup>b−1</sup>Δ throughout.
 */
public final class GaussianTheory {
    private static final double SQRT_2_OVER_PI = 0.7978845608028654; // √(2/π)
    private static final double ONE_OVER_SQRT_2 = 0.7071067811865476;
    private static final double SCAN_LO = 0.05;
    private static final double SCAN_HI = 12.0;
    private static final int SCAN_POINTS = 240;
    private static final double REL_TOL = 1e-10;
    /** Largest ω(|λ| + 1) for which a cell is integrated by its series expansion. */
    private static final double NARROW_CELL = 0.25;

    private GaussianTheory() {
    }

    /**
     * The ACIQ approximation MSE ≈ (τ² + σ²)(1 − erf(τ/(√2σ))) + τ²/(3·4<sup>b</sup>)
     * − √(2/π)·τσ·e<sup>−τ²/(2σ²)</sup> (1 − erf is evaluated as erfc, without cancellation).
     *
     * @param bits  bit width in 1..16
     * @param sigma standard deviation, positive and finite
     * @param tau   clipping value τ, non-negative and finite
     * @return the approximate MSE
     */
    public static double aciqMse(int bits, double sigma, double tau) {
        check(bits, sigma);
        Checks.nonNegative("tau", tau);
        double z = tau / sigma;
        double clip = (tau * tau + sigma * sigma) * SpecialFunctions.erfc(z * ONE_OVER_SQRT_2)
                - SQRT_2_OVER_PI * tau * sigma * SpecialFunctions.expMinusHalfSquare(z);
        return clip + noiseTerm(bits, tau);
    }

    /**
     * dMSE/dτ of the ACIQ approximation: 2τ·erfc(τ/(√2σ)) − 2√(2/π)σe<sup>−τ²/(2σ²)</sup>
     * + 2τ/(3·4<sup>b</sup>).
     *
     * @param bits  bit width in 1..16
     * @param sigma standard deviation, positive and finite
     * @param tau   clipping value τ, non-negative and finite
     * @return the derivative in τ
     */
    public static double aciqFirstDerivative(int bits, double sigma, double tau) {
        check(bits, sigma);
        Checks.nonNegative("tau", tau);
        double z = tau / sigma;
        return 2.0 * tau * SpecialFunctions.erfc(z * ONE_OVER_SQRT_2)
                - 2.0 * SQRT_2_OVER_PI * sigma * SpecialFunctions.expMinusHalfSquare(z)
                + 2.0 * tau / (3.0 * Math.pow(4.0, bits));
    }

    /**
     * d²MSE/dτ² of the ACIQ approximation, which simplifies to 2·erfc(τ/(√2σ)) + 2/(3·4<sup>b</sup>).
     * Multiply by 4<sup>b−1</sup> for the curvature in Δ.
     *
     * @param bits  bit width in 1..16
     * @param sigma standard deviation, positive and finite
     * @param tau   clipping value τ, non-negative and finite
     * @return the second derivative in τ
     */
    public static double aciqSecondDerivative(int bits, double sigma, double tau) {
        check(bits, sigma);
        Checks.nonNegative("tau", tau);
        return 2.0 * SpecialFunctions.erfc(tau / sigma * ONE_OVER_SQRT_2) + 2.0 / (3.0 * Math.pow(4.0, bits));
    }

    /**
     * The τ/σ minimizing the ACIQ approximation: Brent's method, then Newton steps on the analytic
     * derivative (converged to about 1e-14).
     *
     * @param bits bit width in 1..16
     * @return the optimal clipping ratio τ<sup>*</sup>/σ
     */
    public static double optimalClipRatioAciq(int bits) {
        Checks.bits(bits);
        double t = Minimizer.brent(z -> aciqMse(bits, 1.0, z), SCAN_LO, SCAN_HI, REL_TOL).x();
        for (int i = 0; i < 4; i++) {
            t -= aciqFirstDerivative(bits, 1.0, t) / aciqSecondDerivative(bits, 1.0, t);
        }
        return t;
    }

    /**
     * The exact MSE of the nearest-level quantizer: Σ over cells [lo, hi] with level l of
     * ∫(x − l)²φ<sub>σ</sub>(x)dx = (σ² + l²)·P − σ²[(x − 2l)φ<sub>σ</sub>(x)]<sub>lo</sub><sup>hi</sup>,
     * P the cell's probability, the outer cells reaching ±∞.
     *
     * <p>That closed form loses about 12(l² + σ²)/Δ² to cancellation in a narrow cell, so a narrow
     * interior cell (half-width ω = Δ/(2σ) with ω(|l|/σ + 1) ≤ 1/4) is integrated instead with the
     * exact expansion of φ around its level (Hermite generating function):
     * σ²φ(λ)·Σ<sub>n even</sub> He<sub>n</sub>(λ)/n!·2ω<sup>n+3</sup>/(n+3), λ = l/σ. The result keeps
     * a relative error of about 1e-12 or better at every bit width.
     *
     * @param grid  the level set
     * @param bits  bit width in 1..16
     * @param sigma standard deviation, positive and finite
     * @param step  Δ, positive and finite
     * @return the mean squared error
     */
    public static double exactMse(TheoryGrid grid, int bits, double sigma, double step) {
        Checks.notNull("grid", grid);
        check(bits, sigma);
        Checks.positive("step", step);
        double[] levels = grid.levels(bits, step);
        int n = levels.length;
        // edge j (0..n) is the lower end of cell j; edges 0 and n are −∞ and +∞
        double[] z = new double[n + 1];
        double[] pdf = new double[n + 1];
        z[0] = Double.NEGATIVE_INFINITY;
        z[n] = Double.POSITIVE_INFINITY;
        for (int j = 1; j < n; j++) {
            z[j] = 0.5 * (levels[j - 1] + levels[j]) / sigma;
            pdf[j] = SpecialFunctions.normalPdf(z[j]);
        }
        double halfWidth = 0.5 * step / sigma;
        double sum = 0.0;
        for (int i = 0; i < n; i++) {
            double l = levels[i];
            double lambda = l / sigma;
            boolean interior = i > 0 && i + 1 < n;
            if (interior && halfWidth * (Math.abs(lambda) + 1.0) <= NARROW_CELL) {
                sum += sigma * sigma * narrowCell(lambda, halfWidth);
                continue;
            }
            double p = mass(z[i], z[i + 1]);
            double upper = i + 1 == n ? 0.0 : sigma * (z[i + 1] * sigma - 2.0 * l) * pdf[i + 1];
            double lower = i == 0 ? 0.0 : sigma * (z[i] * sigma - 2.0 * l) * pdf[i];
            sum += (sigma * sigma + l * l) * p - (upper - lower);
        }
        return sum;
    }

    /**
     * The step minimizing {@link #exactMse} (scan of τ/σ over [0.05, 12], then Brent's method).
     *
     * @param grid  the level set
     * @param bits  bit width in 1..16 (at least 2 for SIGNED_NARROW)
     * @param sigma standard deviation, positive and finite
     * @return the optimal step Δ*
     */
    public static double optimalStepExact(TheoryGrid grid, int bits, double sigma) {
        Checks.positive("sigma", sigma);
        return ExactOptimum.step(sigma, optimalClipRatioExact(grid, bits), bits);
    }

    /**
     * The optimal τ/σ = 2<sup>b−1</sup>Δ<sup>*</sup>/σ of the exact MSE on a grid (about 8 significant digits).
     *
     * @param grid the level set
     * @param bits bit width in 1..16 (at least 2 for SIGNED_NARROW)
     * @return the optimal clipping ratio
     */
    public static double optimalClipRatioExact(TheoryGrid grid, int bits) {
        return ExactOptimum.clipRatio(GaussianTheory::exactMse, grid, bits, SCAN_LO, SCAN_HI, SCAN_POINTS, REL_TOL);
    }

    /**
     * SNR in dB of the exact MSE: 10·log10(σ²/MSE).
     *
     * @param grid  the level set
     * @param bits  bit width in 1..16
     * @param sigma standard deviation, positive and finite
     * @param step  Δ, positive and finite
     * @return the SNR in dB
     */
    public static double snrDb(TheoryGrid grid, int bits, double sigma, double step) {
        return Snr.db(sigma * sigma, exactMse(grid, bits, sigma, step));
    }

    /**
     * ∫_{−ω}^{ω} v²φ(λ + v)dv for a narrow cell: φ(λ + v) = φ(λ)·Σ He_n(λ)(−v)^n/n!, of which only
     * even n survive the symmetric integral: φ(λ)·Σ_{n even} He_n(λ)/n!·2ω^(n+3)/(n+3).
     */
    static double narrowCell(double lambda, double omega) {
        double hePrev = 1.0;           // He_0
        double he = lambda;            // He_1
        double omega2 = omega * omega;
        double power = 2.0 * omega * omega2;   // 2ω^(n+3) for n = 0
        double factorial = 1.0;        // n!
        double sum = power / 3.0;      // n = 0 term
        int small = 0;
        for (int n = 2; n < 80; n += 2) {
            // advance He_(n-1) -> He_n -> He_(n+1): He_(k+1) = λHe_k − kHe_(k−1)
            double heN = lambda * he - (n - 1) * hePrev;
            double heNext = lambda * heN - n * he;
            hePrev = heN;
            he = heNext;
            factorial *= (n - 1) * n;
            power *= omega2;
            double term = heN / factorial * power / (n + 3);
            sum += term;
            small = Math.abs(term) <= 1e-18 * Math.abs(sum) ? small + 1 : 0;
            if (small == 2) {          // two in a row: not a chance zero of He_n
                break;
            }
        }
        return SpecialFunctions.normalPdf(lambda) * sum;
    }

    /** τ²/(3·4^b): the bins' uniform-noise term. */
    private static double noiseTerm(int bits, double tau) {
        return tau * tau / (3.0 * Math.pow(4.0, bits));
    }

    /** P(zlo &lt; Z &lt; zhi), from the tail on the cell's side so small masses keep their accuracy. */
    private static double mass(double zlo, double zhi) {
        if (zlo >= 0.0) {
            return SpecialFunctions.normalSf(zlo) - SpecialFunctions.normalSf(zhi);
        }
        if (zhi <= 0.0) {
            return SpecialFunctions.normalCdf(zhi) - SpecialFunctions.normalCdf(zlo);
        }
        return 1.0 - SpecialFunctions.normalCdf(zlo) - SpecialFunctions.normalSf(zhi);
    }

    private static void check(int bits, double sigma) {
        Checks.bits(bits);
        Checks.positive("sigma", sigma);
    }
}
