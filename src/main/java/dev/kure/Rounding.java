package dev.kure;

/**
 * How a scaled value {@code y = x / s} becomes an integer (docs/semantics.md §4.3).
 *
 * <p>Every policy is applied to the exact real value {@code y - h}, where {@code h} is the grid's
 * offset (0 for every grid except {@link Grid#MIDRISE}, where it is 0.5). All backends round
 * identically, bit for bit.
 */
public enum Rounding {
    /** Round half to even: {@link Math#rint}, {@code torch.round}, C {@code nearbyint}. The default. */
    HALF_EVEN,
    /** Round half away from zero: C {@code round}. */
    HALF_AWAY_FROM_ZERO,
    /** Round half up, {@code floor(y + 0.5)}: Java's {@link Math#round}, TensorFlow. */
    HALF_UP,
    /** Round half down, {@code ceil(y - 0.5)}. */
    HALF_DOWN,
    /** Toward negative infinity: two's-complement truncation of the low bits. */
    FLOOR,
    /** Toward positive infinity. */
    CEIL,
    /** Toward zero: sign-magnitude truncation. */
    TOWARD_ZERO,
    /**
     * {@code floor(y + u)} with {@code u} uniform in [0, 1): rounds up with probability equal to the
     * fractional part, so the rounding error has mean zero. {@code u} comes from Philox4x32-10 keyed
     * by the quantizer's seed and the element's index, so results are identical on every backend,
     * thread count and split of the input. The reference generator (Random123's, also cuRAND's and
     * PyTorch's): ten rounds, statistically crush-resistant, and on CPUs without a 32-bit
     * multiply-high the cost that bounds the kernel (about 7 GB/s on one AVX-512 core).
     */
    STOCHASTIC,
    /**
     * {@code floor(y + u)} exactly as {@link #STOCHASTIC}, with {@code u} from a fast counter-based
     * hash of (seed, element index) instead of Philox ({@link dev.kure.spi.Hash32}: a 64-bit key from
     * the seed and the index's high word, then Wellons' two-multiply "lowbias32" mixer on the low
     * word, keyed before and between the multiplies). Eleven 32-bit lane operations per element, so
     * the rounding runs at memory speed. Identical on every backend, thread count and split of the
     * input, reproducible by seed; unbiased, uniform decisions and no correlation between neighbours
     * (tested), but not a cryptographic or crush-tested generator: use {@link #STOCHASTIC} where the
     * random stream itself must be beyond reproach.
     */
    STOCHASTIC_HASH;

    /** Whether this policy draws a uniform per element ({@link #STOCHASTIC} or {@link #STOCHASTIC_HASH}). */
    public boolean isStochastic() {
        return this == STOCHASTIC || this == STOCHASTIC_HASH;
    }
}
