package dev.kure;

/**
 * A change of a deployed step size (docs/semantics.md §5): a ratio perturbation {@code s' = r·s} or rounding to a
 * power of two. {@link #applyTo(Quantizer)} transforms every scale of a quantizer and keeps
 * everything else (zero points, grid, rounding, seed...).
 *
 * <pre>{@code
 * Quantizer shifted = StepTransform.ratio(1.1).andThen(StepTransform.powerOfTwo(PowerOfTwo.LOG)).applyTo(q);
 * }</pre>
 */
public sealed interface StepTransform {

    /**
     * The transformed step.
     *
     * @param step a positive finite float
     * @return the new step, positive and finite (results beyond the float range are clamped to the
     *         largest finite float, or power of two, and below to {@link Float#MIN_VALUE})
     */
    float apply(float step);

    /**
     * {@code s' = (float)(r · (double) s)}: the product rounded once to float.
     *
     * @param ratio r &gt; 0 and finite
     */
    record Ratio(double ratio) implements StepTransform {
        /** Validates r &gt; 0 and finite. */
        public Ratio {
            if (!(ratio > 0.0) || Double.isInfinite(ratio)) {
                throw new IllegalArgumentException("ratio must be > 0 and finite, was " + ratio);
            }
        }

        @Override
        public float apply(float step) {
            float s = (float) (ratio * step);
            if (s == Float.POSITIVE_INFINITY) {
                return Float.MAX_VALUE;
            }
            return s > 0f ? s : Float.MIN_VALUE;
        }
    }

    /**
     * Rounds to a power of two by {@code mode}, exactly: for {@code s = m·2^e} with m in [1, 2) the
     * decision looks only at m. A result above 2<sup>127</sup> is clamped to 2<sup>127</sup>.
     *
     * @param mode LOG, LINEAR, FLOOR or CEIL
     */
    record Pow2(PowerOfTwo mode) implements StepTransform {
        /** Validates the mode (not null). */
        public Pow2 {
            Check.notNull(mode, "mode");
        }

        @Override
        public float apply(float step) {
            return Steps.powerOfTwo(step, mode);
        }
    }

    /**
     * First {@code first}, then {@code second}.
     *
     * @param first  applied first
     * @param second applied to the result
     */
    record Chain(StepTransform first, StepTransform second) implements StepTransform {
        /** Validates both (not null). */
        public Chain {
            Check.notNull(first, "first");
            Check.notNull(second, "second");
        }

        @Override
        public float apply(float step) {
            return second.apply(first.apply(step));
        }
    }

    /** Ratio perturbation {@code s' = r·s}; r &gt; 0 and finite. */
    static StepTransform ratio(double r) {
        return new Ratio(r);
    }

    /** Power-of-two rounding. */
    static StepTransform powerOfTwo(PowerOfTwo mode) {
        return new Pow2(mode);
    }

    /** This transform, then {@code next}. */
    default StepTransform andThen(StepTransform next) {
        return new Chain(this, next);
    }

    /**
     * The quantizer with every scale transformed (same granularity, zero points, grid, policies, seed
     * and stream offset).
     *
     * @param q any quantizer
     * @return a new quantizer
     */
    default Quantizer applyTo(Quantizer q) {
        Check.notNull(q, "q");
        float[] s = q.scales();
        for (int i = 0; i < s.length; i++) {
            s[i] = apply(s[i]);
        }
        return Steps.withScales(q, s, q.zeroPoints());
    }
}
