package dev.kure;

import java.util.Locale;

/**
 * How a step size (scale) and zero point are chosen from data (docs/semantics.md §5). Used by
 * {@link Kernels#calibrate}, {@link Kernels#calibratePerChannel}, {@link Kernels#calibratePerGroup}
 * and as the base step of a {@link SweepSpec}.
 *
 * <h2>Clip and step</h2>
 * Every policy except {@link MaxAbs} and {@link MinMax} picks a clipping value α and turns it into a
 * step by the theory's convention τ = 2<sup>b−1</sup>·Δ (docs/semantics.md §6): {@code s = α / 2^(b−1)} on the
 * symmetric grids (SIGNED, SIGNED_NARROW, PAPER, MIDRISE) and {@code s = α / 2^b} on UNSIGNED (one
 * sided: 2<sup>b</sup> cells over [0, α]). On PAPER α is the outermost level; on MIDRISE it is the outer
 * edge of the outermost cell (α = 2<sup>b−1</sup>·s, docs/semantics.md §5), so {@link UniformPrior} gives the
 * Lemma 3 optimum there. Zero point 0. The {@link Grid#CUSTOM} grid is accepted by {@link MinMax}
 * only.
 *
 * <h2>Degenerate data</h2>
 * An empty tensor (or channel, or group) is an {@link IllegalArgumentException} naming it. A tensor with
 * NaN or infinite values is an {@link IllegalArgumentException}. A computed scale below
 * {@link Float#MIN_NORMAL} (an all-zero tensor gives 0) becomes {@link #MIN_SCALE} =
 * {@code Float.MIN_NORMAL}: never 0, never NaN, and {@code 1/s} stays finite; every value of an
 * all-zero tensor then quantizes to exactly 0 (to ±MIN_NORMAL/2 on MIDRISE, whose levels exclude 0).
 * The PyTorch-named conventions ({@link MaxAbsConvention#PYTORCH_OBSERVER}, {@link MinMax}) floor the
 * scale at 2<sup>−23</sup> instead, as PyTorch's observers do.
 *
 * <p>Create policies with the static factories; {@link #parse(String)} reads the text form that
 * {@code toString()} writes (e.g. {@code "percentile:99.99"}, {@code "lp:2.4"}, {@code "max_abs:pytorch_observer"}).
 */
public sealed interface StepPolicy {
    /** The smallest scale a calibration returns (for all-zero data): {@link Float#MIN_NORMAL}. */
    float MIN_SCALE = Float.MIN_NORMAL;

    /** The scale floor of PyTorch's observers: {@code torch.finfo(torch.float32).eps} = 2<sup>−23</sup>. */
    float TORCH_EPS = 0x1p-23f;

    /**
     * Symmetric, from the largest magnitude amax = max|x|, by a named convention.
     *
     * @param convention how amax becomes the scale
     */
    record MaxAbs(MaxAbsConvention convention) implements StepPolicy {
        /** Validates the convention (not null). */
        public MaxAbs {
            Check.notNull(convention, "convention");
        }

        @Override
        public String toString() {
            return "max_abs:" + convention.name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Asymmetric, PyTorch's affine {@code MinMaxObserver}: with lo = min(min x, 0) and hi = max(max x, 0),
     * {@code s = max((hi − lo) / (qmax − qmin), 2^-23)} and {@code z = qmin − rint(lo / s)} clamped to
     * [qmin, qmax], in float32 (rint: half to even). On a symmetric grid this still gives an affine
     * quantizer with z ≠ 0 in general.
     */
    record MinMax() implements StepPolicy {
        @Override
        public String toString() {
            return "min_max";
        }
    }

    /**
     * α = the exact order statistic of |x| at percentile p, nearest-rank convention: with n values,
     * α is the k-th smallest |x| for k = max(1, ⌈p·n/100⌉), p read as the decimal it prints as
     * ({@code Double.toString}), so 99.9 % of 1000 values is the 999-th. p = 100 is max|x|.
     * Computed by a radix select on the float bits (three read passes, no sort, no histogram
     * approximation).
     *
     * @param percent the percentile p in (0, 100]
     */
    record Percentile(double percent) implements StepPolicy {
        /** Validates p in (0, 100]. */
        public Percentile {
            if (!(percent > 0.0 && percent <= 100.0)) {
                throw new IllegalArgumentException("percentile must be in (0, 100], was " + percent);
            }
        }

        @Override
        public String toString() {
            return "percentile:" + percent;
        }
    }

    /**
     * α = the argmin of the measured mean squared error of fake quantization (with the template's
     * rounding, overflow, mode and seed): a coarse geometric grid of {@code 32} clips over
     * [2<sup>−10</sup>, 1] × the clip that clips nothing, evaluated in one pass over the data, then
     * golden-section refinement between the best candidate's neighbours; the best step measured is
     * returned. Equivalent to {@code LpNorm(2)}.
     */
    record Mse() implements StepPolicy {
        @Override
        public String toString() {
            return "mse";
        }
    }

    /**
     * α = the argmin of the measured mean |fq(x) − x|<sup>p</sup> (LAPQ), searched as {@link Mse}.
     *
     * @param p the norm's exponent, &gt; 0 and finite
     */
    record LpNorm(double p) implements StepPolicy {
        /** Validates p &gt; 0 and finite. */
        public LpNorm {
            if (!(p > 0.0) || Double.isInfinite(p)) {
                throw new IllegalArgumentException("p must be > 0 and finite, was " + p);
            }
        }

        @Override
        public String toString() {
            return "lp:" + p;
        }
    }

    /**
     * α = c<sub>G</sub>(b)·σ with σ the population standard deviation and c<sub>G</sub>(2..8) = 1.71,
     * 2.15, 2.55, 2.93, 3.28, 3.61, 3.92 (the ACIQ table, docs/semantics.md §5); outside 2..8 the optimum of the
     * ACIQ Gaussian approximation ({@link dev.kure.theory.GaussianTheory#optimalClipRatioAciq}).
     */
    record AciqGauss() implements StepPolicy {
        @Override
        public String toString() {
            return "aciq_gauss";
        }
    }

    /**
     * α = c<sub>L</sub>(b)·E|x − μ| with c<sub>L</sub>(2..8) = 2.83, 3.89, 5.03, 6.20, 7.41, 8.64, 9.89
     * (the ACIQ table, docs/semantics.md §5; E|x − μ| is the Laplace scale's estimate, a second pass after the mean);
     * outside 2..8 the optimum of the Laplace approximation
     * ({@link dev.kure.theory.LaplaceTheory#optimalClipRatioApprox}).
     */
    record AciqLaplace() implements StepPolicy {
        @Override
        public String toString() {
            return "aciq_laplace";
        }
    }

    /**
     * α = √3·σ: the half-width of a zero-mean uniform with the data's standard deviation. On MIDRISE
     * this is the Lemma 3 optimum for uniform data (s = 2a/2<sup>b</sup>).
     */
    record UniformPrior() implements StepPolicy {
        @Override
        public String toString() {
            return "uniform_prior";
        }
    }

    /** MAX_ABS with the default convention {@link MaxAbsConvention#AMAX_OVER_QMAX}. */
    static StepPolicy maxAbs() {
        return new MaxAbs(MaxAbsConvention.AMAX_OVER_QMAX);
    }

    /** MAX_ABS with a named convention. */
    static StepPolicy maxAbs(MaxAbsConvention convention) {
        return new MaxAbs(convention);
    }

    /** MIN_MAX (asymmetric). */
    static StepPolicy minMax() {
        return new MinMax();
    }

    /** PERCENTILE of |x|, p in (0, 100]. */
    static StepPolicy percentile(double percent) {
        return new Percentile(percent);
    }

    /** MSE-optimal clip (measured). */
    static StepPolicy mse() {
        return new Mse();
    }

    /** LP_NORM (LAPQ) with exponent p &gt; 0. */
    static StepPolicy lpNorm(double p) {
        return new LpNorm(p);
    }

    /** ACIQ for Gaussian data. */
    static StepPolicy aciqGauss() {
        return new AciqGauss();
    }

    /** ACIQ for Laplace data. */
    static StepPolicy aciqLaplace() {
        return new AciqLaplace();
    }

    /** UNIFORM_PRIOR (α = √3·σ). */
    static StepPolicy uniformPrior() {
        return new UniformPrior();
    }

    /**
     * Reads the text form: {@code max_abs}, {@code max_abs:amax_over_qmax|pytorch_observer|tensorrt},
     * {@code min_max}, {@code percentile:P}, {@code mse}, {@code lp:P}, {@code aciq_gauss},
     * {@code aciq_laplace}, {@code uniform_prior} (case-insensitive; '-' may replace '_').
     *
     * @throws IllegalArgumentException naming the text when it is not a policy
     */
    static StepPolicy parse(String text) {
        Check.notNull(text, "text");
        String t = text.trim().toLowerCase(Locale.ROOT);
        int colon = t.indexOf(':');
        // '-' stands for '_' in names only: in the argument it is a minus sign ("lp:-1").
        String name = (colon < 0 ? t : t.substring(0, colon)).replace('-', '_');
        String arg = colon < 0 ? null : t.substring(colon + 1).trim();
        try {
            StepPolicy p = switch (name) {
                case "max_abs", "maxabs" -> arg == null ? maxAbs()
                        : maxAbs(MaxAbsConvention.valueOf(arg.toUpperCase(Locale.ROOT).replace('-', '_')));
                case "min_max", "minmax" -> noArg(arg, minMax());
                case "percentile" -> percentile(number(arg));
                case "mse" -> noArg(arg, mse());
                case "lp", "lp_norm" -> lpNorm(number(arg));
                case "aciq_gauss" -> noArg(arg, aciqGauss());
                case "aciq_laplace" -> noArg(arg, aciqLaplace());
                case "uniform_prior" -> noArg(arg, uniformPrior());
                default -> null;
            };
            if (p != null) {
                return p;
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("step policy '" + text + "': " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("step policy must be one of max_abs[:convention], min_max, "
                + "percentile:P, mse, lp:P, aciq_gauss, aciq_laplace, uniform_prior; was '" + text + "'");
    }

    private static StepPolicy noArg(String arg, StepPolicy p) {
        if (arg != null) {
            throw new IllegalArgumentException("takes no argument, was given '" + arg + "'");
        }
        return p;
    }

    private static double number(String arg) {
        if (arg == null || arg.isEmpty()) {
            throw new IllegalArgumentException("needs a number after ':'");
        }
        try {
            return Double.parseDouble(arg);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + arg + "' is not a number");
        }
    }
}
