package dev.kure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** docs/semantics.md §6, Lemma 2: MSE of the PAPER-grid quantizer on uniform data, measured against the closed form. */
class Lemma2Test {
    static double closedForm(int b, double delta) {
        double a = 1;
        double tau = Math.pow(2, b - 1) * delta;
        return Math.pow(a - tau, 3) / (3 * a) + Math.pow(2, b) * Math.pow(delta, 3) / (24 * a);
    }

    @ParameterizedTest
    @CsvSource({"4, 0.125, 1.302083e-3", "4, 0.11875, 1.158040e-3", "4, 0.1, 3.333333e-3",
                "2, 0.25, 4.427083e-2", "8, 0.0078125, 5.086263e-6"})
    void measuredMseMatchesClosedForm(int bits, double delta, double specValue) {
        assertEquals(specValue, closedForm(bits, delta), 1e-6 * specValue, "closed form reproduces docs/semantics.md §6");
        float step = (float) delta;
        float[] x = Data.uniform(1_000_000, 1.0, 1234 + bits);
        float[] out = new float[x.length];
        Kernels.scalar().fakeQuantize(x, out, Quantizer.symmetric(bits, Grid.PAPER, step));
        double se = 0;
        for (int i = 0; i < x.length; i++) {
            double e = out[i] - x[i];
            se += e * e;
        }
        double mse = se / x.length;
        assertEquals(closedForm(bits, step), mse, 0.01 * closedForm(bits, step));
    }
}
