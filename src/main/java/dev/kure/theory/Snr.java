package dev.kure.theory;

/** Signal-to-quantization-noise ratio in decibels. */
public final class Snr {
    private Snr() {
    }

    /**
     * SNR = 10·log10(E[x²]/MSE).
     *
     * @param signalPower E[x²], positive and finite
     * @param mse         the mean squared quantization error, positive and finite
     * @return the SNR in dB
     */
    public static double db(double signalPower, double mse) {
        Checks.positive("signalPower", signalPower);
        Checks.positive("mse", mse);
        return 10.0 * Math.log10(signalPower / mse);
    }
}
