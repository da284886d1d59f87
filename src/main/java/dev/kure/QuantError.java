package dev.kure;

/**
 * The measured error of fake-quantizing a tensor: Σ(fq(x) − x)² and Σx² over {@code count} values,
 * each difference and square formed in double from the float values.
 *
 * @param count             number of values
 * @param sumSquaredError   Σ(fq(x) − x)²
 * @param sumSquaredSignal  Σx²
 */
public record QuantError(long count, double sumSquaredError, double sumSquaredSignal) {

    /** Mean squared error Σ(fq(x) − x)²/n (NaN for n = 0). */
    public double mse() {
        return count == 0 ? Double.NaN : sumSquaredError / count;
    }

    /**
     * Signal-to-quantization-noise ratio 10·log10(Σx²/Σ(fq(x) − x)²) in dB (docs/semantics.md §5): +∞ when the
     * error is 0 (an all-zero tensor included), −∞ when the signal is 0 and the error is not, NaN
     * when either sum is NaN.
     */
    public double snrDb() {
        if (Double.isNaN(sumSquaredError) || Double.isNaN(sumSquaredSignal)) {
            return Double.NaN;
        }
        if (sumSquaredError == 0.0) {
            return Double.POSITIVE_INFINITY;
        }
        return 10.0 * Math.log10(sumSquaredSignal / sumSquaredError);
    }
}
