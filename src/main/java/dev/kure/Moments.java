package dev.kure;

import java.io.Serial;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The moments of a set of float values: count, mean, central sums S2..S4, min and max (docs/semantics.md §2).
 *
 * <p>Immutable and mergeable: {@link #merge} combines the states of two disjoint parts exactly as
 * if the union had been measured (Chan/Pébay/Terriberry), so shards computed by threads, devices or
 * machines reduce cleanly. The state is {@link Serializable} and has a fixed 64-byte wire form
 * ({@link #toBytes}, {@link #fromBytes}).
 *
 * <p>Edge cases: with count 0 every statistic is NaN; with one value or constant data the variance
 * is 0 and skewness and kurtosis are NaN; NaN in the input gives NaN statistics.
 */
public final class Moments implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Size in bytes of {@link #toBytes()}. */
    public static final int WIRE_BYTES = 64;

    /** The state of no values: merging it changes nothing. */
    public static final Moments EMPTY = new Moments(0, Double.NaN, 0, 0, 0, Double.NaN, Double.NaN);

    private final long n;
    private final double mean;
    private final double s2;
    private final double s3;
    private final double s4;
    private final double min;
    private final double max;

    private Moments(long n, double mean, double s2, double s3, double s4, double min, double max) {
        this.n = n;
        this.mean = mean;
        this.s2 = s2;
        this.s3 = s3;
        this.s4 = s4;
        this.min = min;
        this.max = max;
    }

    /**
     * A state from its raw parts: count, mean, central sums S2 = Σ(x−μ)², S3, S4, min and max.
     * Backends build their results with it; frameworks use it to rebuild a state they stored.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public static Moments of(long n, double mean, double s2, double s3, double s4, double min, double max) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        return n == 0 ? EMPTY : new Moments(n, mean, s2, s3, s4, min, max);
    }

    /** Number of values. */
    public long count() { return n; }

    /** Arithmetic mean μ. */
    public double mean() { return n == 0 ? Double.NaN : mean; }

    /** Central sum S2 = Σ(x−μ)². */
    public double s2() { return n == 0 ? Double.NaN : s2; }

    /** Central sum S3 = Σ(x−μ)³. */
    public double s3() { return n == 0 ? Double.NaN : s3; }

    /** Central sum S4 = Σ(x−μ)⁴. */
    public double s4() { return n == 0 ? Double.NaN : s4; }

    /** Population variance m2 = S2/n. */
    public double variance() { return s2() / n; }

    /** Sample (unbiased) variance S2/(n−1), as {@code torch.var} computes it; NaN for n &lt; 2. */
    public double sampleVariance() { return n < 2 ? Double.NaN : s2 / (n - 1); }

    /** Population standard deviation sqrt(m2). */
    public double std() { return Math.sqrt(variance()); }

    /** Sample standard deviation sqrt(S2/(n−1)), as {@code torch.std} computes it. */
    public double sampleStd() { return Math.sqrt(sampleVariance()); }

    /** Skewness g1 = m3 / m2^1.5 (population). */
    public double skewness() {
        double m2 = variance();
        return (s3() / n) / (m2 * Math.sqrt(m2));
    }

    /** Pearson kurtosis K_b = m4 / m2² (population): uniform 1.8, Gaussian 3, Laplace 6. */
    public double kurtosis() {
        double m2 = variance();
        return (s4() / n) / (m2 * m2);
    }

    /**
     * Kurtosis with the sample standard deviation, K_u = m4 / s⁴ with s² = S2/(n−1), as the KURE
     * reference code computes it ({@code torch.std} is unbiased); equals ((n−1)/n)²·K_b.
     */
    public double kurtosisSampleStd() {
        double v = sampleVariance();
        return (s4() / n) / (v * v);
    }

    /** Excess kurtosis K_b − 3 (scipy's default). */
    public double excessKurtosis() { return kurtosis() - 3.0; }

    /** Smallest value (NaN if any value is NaN or there are none). */
    public double min() { return min; }

    /** Largest value (NaN if any value is NaN or there are none). */
    public double max() { return max; }

    /** Largest magnitude max(|min|, |max|). */
    public double absMax() { return Math.max(Math.abs(min), Math.abs(max)); }

    /**
     * The moments of the union of this part and a disjoint part {@code b}, by the docs/semantics.md §2 merge
     * formulas in double arithmetic.
     */
    public Moments merge(Moments b) {
        if (b.n == 0) {
            return this;
        }
        if (n == 0) {
            return b;
        }
        return new Accumulator().add(this).add(b).toMoments();
    }

    /**
     * A mutable moments state for streaming and for kernels that must not allocate per block: it
     * merges parts in place with exactly the arithmetic of {@link Moments#merge}. Not thread-safe.
     */
    public static final class Accumulator {
        private long n;
        private double mean = Double.NaN, s2, s3, s4, min = Double.NaN, max = Double.NaN;

        /** An empty accumulator. */
        public Accumulator() {}

        /** Clears to the empty state. */
        public Accumulator reset() {
            n = 0;
            mean = min = max = Double.NaN;
            s2 = s3 = s4 = 0;
            return this;
        }

        /** Number of values merged so far. */
        public long count() {
            return n;
        }

        /** Merges a finished state. */
        public Accumulator add(Moments m) {
            return add(m.n, m.mean, m.s2, m.s3, m.s4, m.min, m.max);
        }

        /** Merges a part given by its raw state (count, mean, central sums S2..S4, min, max). */
        public Accumulator add(long nb, double meanB, double s2b, double s3b, double s4b, double minB, double maxB) {
            if (nb == 0) {
                return this;
            }
            if (n == 0) {
                n = nb;
                mean = meanB;
                s2 = s2b;
                s3 = s3b;
                s4 = s4b;
                min = minB;
                max = maxB;
                return this;
            }
            double na = n;
            double nbd = nb;
            double nn = na + nbd;
            double lo = Math.min(min, minB), hi = Math.max(max, maxB);
            if (Double.isInfinite(mean) || Double.isInfinite(meanB)) {
                // An infinite value: the weighted mean is what IEEE arithmetic gives (±Inf, or NaN for
                // +Inf and -Inf together); central sums are undefined.
                mean = (na / nn) * mean + (nbd / nn) * meanB;
                s2 = s3 = s4 = Double.NaN;
            } else {
                double d = meanB - mean;
                double d2 = d * d;
                double nanb = na * nbd;
                double t2 = s2 + s2b + d2 * nanb / nn;
                double t3 = s3 + s3b + d * d2 * nanb * (na - nbd) / (nn * nn)
                        + 3.0 * d * (na * s2b - nbd * s2) / nn;
                double t4 = s4 + s4b + d2 * d2 * nanb * (na * na - nanb + nbd * nbd) / (nn * nn * nn)
                        + 6.0 * d2 * (na * na * s2b + nbd * nbd * s2) / (nn * nn)
                        + 4.0 * d * (na * s3b - nbd * s3) / nn;
                mean = mean + d * (nbd / nn);
                s2 = t2;
                s3 = t3;
                s4 = t4;
            }
            n += nb;
            min = lo;
            max = hi;
            return this;
        }

        /** The merged state. */
        public Moments toMoments() {
            return of(n, mean, s2, s3, s4, min, max);
        }
    }

    /** The 64-byte little-endian wire form: n, mean, S2, S3, S4, min, max, and a format tag. */
    public byte[] toBytes() {
        ByteBuffer bb = ByteBuffer.allocate(WIRE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(n).putDouble(mean).putDouble(s2).putDouble(s3).putDouble(s4)
                .putDouble(min).putDouble(max).putLong(WIRE_TAG);
        return bb.array();
    }

    /**
     * Rebuilds a state written by {@link #toBytes()}.
     *
     * @throws IllegalArgumentException if the bytes are not a Kure moments state
     */
    public static Moments fromBytes(byte[] bytes) {
        if (bytes.length != WIRE_BYTES) {
            throw new IllegalArgumentException("bytes.length must be " + WIRE_BYTES + ", was " + bytes.length);
        }
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long count = bb.getLong();
        double mu = bb.getDouble(), a2 = bb.getDouble(), a3 = bb.getDouble(), a4 = bb.getDouble();
        double lo = bb.getDouble(), hi = bb.getDouble();
        long tag = bb.getLong();
        if (tag != WIRE_TAG) {
            throw new IllegalArgumentException("bytes are not a Kure moments state (tag 0x" + Long.toHexString(tag) + ")");
        }
        return of(count, mu, a2, a3, a4, lo, hi);
    }

    private static final long WIRE_TAG = 0x4b5552454d4f4d31L; // "KUREMOM1"

    @Override
    public boolean equals(Object o) {
        return o instanceof Moments m && n == m.n
                && Double.compare(mean, m.mean) == 0 && Double.compare(s2, m.s2) == 0
                && Double.compare(s3, m.s3) == 0 && Double.compare(s4, m.s4) == 0
                && Double.compare(min, m.min) == 0 && Double.compare(max, m.max) == 0;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(n) * 31 + Double.hashCode(mean) * 17 + Double.hashCode(s2);
    }

    @Override
    public String toString() {
        return String.format("Moments[n=%d, mean=%.6g, var=%.6g, skew=%.6g, kurtosis=%.6g, min=%.6g, max=%.6g]",
                n, mean(), variance(), skewness(), kurtosis(), min, max);
    }
}
