package dev.kure;

import java.util.Arrays;
import java.util.List;

/**
 * The settings of a robustness sweep ({@link Kernels#sweep}): every combination of bit-width × grid ×
 * rounding policy × step ratio. For each (bits, grid) the base scale is chosen from the data by
 * {@link #basePolicy()} (per tensor); a setting's scale is {@code StepTransform.ratio(r).apply(base)}
 * (then rounded to a power of two when {@link #powerOfTwo()} is set), so each setting is exactly
 * the quantizer {@link SweepResult.Row#quantizer()} and the sweep equals fake-quantizing with it.
 *
 * <p>Immutable; build with {@link #of} and the {@code with…} methods:
 * <pre>{@code
 * SweepSpec spec = SweepSpec.of(new int[] {2, 3, 4, 5, 6, 7, 8}, SweepSpec.linspace(0.7, 1.3, 21), Rounding.HALF_EVEN)
 *         .withGrids(Grid.PAPER).withBasePolicy(StepPolicy.mse());
 * }</pre>
 * Defaults: grid SIGNED, base policy {@code StepPolicy.maxAbs()}, SATURATE, MULTIPLY, seed 0, no
 * power-of-two rounding. Stochastic settings draw from their generator's stream (seed, element index)
 * as {@link Kernels#fakeQuantize} with that seed.
 */
public final class SweepSpec {
    private final int[] bits;
    private final double[] ratios;
    private final Rounding[] roundings;
    private final Grid[] grids;
    private final StepPolicy basePolicy;
    private final Overflow overflow;
    private final QuantMode mode;
    private final long seed;
    private final PowerOfTwo powerOfTwo;

    private SweepSpec(int[] bits, double[] ratios, Rounding[] roundings, Grid[] grids, StepPolicy basePolicy,
                      Overflow overflow, QuantMode mode, long seed, PowerOfTwo powerOfTwo) {
        this.bits = bits;
        this.ratios = ratios;
        this.roundings = roundings;
        this.grids = grids;
        this.basePolicy = basePolicy;
        this.overflow = overflow;
        this.mode = mode;
        this.seed = seed;
        this.powerOfTwo = powerOfTwo;
    }

    /**
     * A sweep over {@code bits} × {@code ratios} × {@code roundings} on the SIGNED grid.
     *
     * @param bits      bit-widths, each in 1..16, not empty
     * @param ratios    step ratios, each &gt; 0 and finite, not empty
     * @param roundings rounding policies, not empty
     * @throws IllegalArgumentException naming the bad entry
     */
    public static SweepSpec of(int[] bits, double[] ratios, Rounding... roundings) {
        Check.notNull(bits, "bits");
        Check.notNull(ratios, "ratios");
        Check.notNull(roundings, "roundings");
        nonEmpty(bits.length, "bits");
        nonEmpty(ratios.length, "ratios");
        nonEmpty(roundings.length, "roundings");
        for (int b : bits) {
            Check.bits(b);
        }
        for (int i = 0; i < ratios.length; i++) {
            if (!(ratios[i] > 0.0) || Double.isInfinite(ratios[i])) {
                throw new IllegalArgumentException("ratios[" + i + "] must be > 0 and finite, was " + ratios[i]);
            }
        }
        for (int i = 0; i < roundings.length; i++) {
            Check.notNull(roundings[i], "roundings[" + i + "]");
        }
        return new SweepSpec(bits.clone(), ratios.clone(), roundings.clone(), new Grid[] {Grid.SIGNED},
                StepPolicy.maxAbs(), Overflow.SATURATE, QuantMode.MULTIPLY_BY_RECIPROCAL, 0L, null);
    }

    /**
     * {@code points} equally spaced values from {@code lo} to {@code hi} inclusive (the paper sweeps
     * r in [0.7, 1.3] with 21, 41 or 61 points): {@code lo + i·(hi − lo)/(points − 1)}.
     */
    public static double[] linspace(double lo, double hi, int points) {
        if (points < 1) {
            throw new IllegalArgumentException("points must be >= 1, was " + points);
        }
        double[] r = new double[points];
        for (int i = 0; i < points; i++) {
            r[i] = points == 1 ? lo : lo + i * (hi - lo) / (points - 1);
        }
        return r;
    }

    /** This sweep over the given named grids (not CUSTOM). */
    public SweepSpec withGrids(Grid... g) {
        Check.notNull(g, "grids");
        nonEmpty(g.length, "grids");
        for (int i = 0; i < g.length; i++) {
            Check.notNull(g[i], "grids[" + i + "]");
            if (g[i] == Grid.CUSTOM) {
                throw new IllegalArgumentException("grids[" + i + "] must be a named grid, was CUSTOM");
            }
        }
        return new SweepSpec(bits, ratios, roundings, g.clone(), basePolicy, overflow, mode, seed, powerOfTwo);
    }

    /** This sweep with the base step of each (bits, grid) chosen by {@code p}. */
    public SweepSpec withBasePolicy(StepPolicy p) {
        return new SweepSpec(bits, ratios, roundings, grids, Check.notNull(p, "basePolicy"), overflow, mode, seed,
                powerOfTwo);
    }

    /** This sweep with another overflow policy. */
    public SweepSpec withOverflow(Overflow o) {
        return new SweepSpec(bits, ratios, roundings, grids, basePolicy, Check.notNull(o, "overflow"), mode, seed,
                powerOfTwo);
    }

    /** This sweep with another scaling mode. */
    public SweepSpec withMode(QuantMode m) {
        return new SweepSpec(bits, ratios, roundings, grids, basePolicy, overflow, Check.notNull(m, "mode"), seed,
                powerOfTwo);
    }

    /** This sweep with another seed for STOCHASTIC settings. */
    public SweepSpec withSeed(long s) {
        return new SweepSpec(bits, ratios, roundings, grids, basePolicy, overflow, mode, s, powerOfTwo);
    }

    /** This sweep with every perturbed step rounded to a power of two by {@code p} (null: none). */
    public SweepSpec withPowerOfTwo(PowerOfTwo p) {
        return new SweepSpec(bits, ratios, roundings, grids, basePolicy, overflow, mode, seed, p);
    }

    /** Copy of the bit-widths. */
    public int[] bits() { return bits.clone(); }

    /** Copy of the step ratios. */
    public double[] ratios() { return ratios.clone(); }

    /** The rounding policies. */
    public List<Rounding> roundings() { return List.of(roundings); }

    /** The grids. */
    public List<Grid> grids() { return List.of(grids); }

    /** The base step policy. */
    public StepPolicy basePolicy() { return basePolicy; }

    /** The overflow policy of every setting. */
    public Overflow overflow() { return overflow; }

    /** The scaling mode of every setting. */
    public QuantMode mode() { return mode; }

    /** The stochastic seed of every setting. */
    public long seed() { return seed; }

    /** Power-of-two rounding after the ratio, or null. */
    public PowerOfTwo powerOfTwo() { return powerOfTwo; }

    /** Number of settings: bits × grids × roundings × ratios. */
    public int size() {
        return bits.length * grids.length * roundings.length * ratios.length;
    }

    private static void nonEmpty(int n, String name) {
        if (n == 0) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
    }

    @Override
    public String toString() {
        return "SweepSpec[bits=" + Arrays.toString(bits) + ", ratios=" + ratios.length + " in ["
                + Arrays.stream(ratios).min().orElse(0) + ", " + Arrays.stream(ratios).max().orElse(0) + "], roundings="
                + Arrays.toString(roundings) + ", grids=" + Arrays.toString(grids) + ", base=" + basePolicy
                + ", " + overflow + ", " + mode + (powerOfTwo == null ? "" : ", pow2=" + powerOfTwo) + "]";
    }
}
