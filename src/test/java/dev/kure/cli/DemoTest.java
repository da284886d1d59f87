package dev.kure.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kure.Kernels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo's reproduced numbers against docs/semantics.md §6 (quick sizes: 2^18 samples, ResNet-18 shapes cut to 16
 * output channels). The closed forms are computed for real; measured values get sampling tolerances.
 */
class DemoTest {
    private static Demo.Numbers n;

    @BeforeAll
    static void compute() {
        n = Demo.compute(Kernels.cpu(), Demo.Sizes.QUICK, Progress.of(System.err, false, false, "demo", 1));
    }

    @Test
    void lemma2ClosedFormAndMeasured() {
        double[] expected = {1.302083e-3, 1.158040e-3, 3.333333e-3, 4.427083e-2, 5.086263e-6, 1.927083e-3};
        assertEquals(expected.length, n.lemma2().size());
        for (int i = 0; i < expected.length; i++) {
            Demo.Lemma2Row r = n.lemma2().get(i);
            assertEquals(expected[i], r.closedForm(), 1e-6 * expected[i], "closed form " + i);
            assertEquals(r.closedForm(), r.exact(), 1e-9 * expected[i], "exact integral " + i);
            assertEquals(expected[i], r.measured(), 0.02 * expected[i], "measured " + i);
        }
        assertEquals(1.0 / 768, n.lemma2().get(0).closedForm(), 1e-15);
    }

    @Test
    void lemma3OptimalSteps() {
        for (int i = 0; i < Demo.BITS.length; i++) {
            int b = Demo.BITS[i];
            assertEquals(2.0 / ((1 << b) + 1), n.lemma3Paper()[i], 1e-15);
            assertEquals(2.0 / ((1 << b) - 1), n.lemma3Narrow()[i], 1e-15);
            assertEquals(2.0 / (1 << b), n.lemma3Midrise()[i], 1e-15);
            assertEquals(n.lemma3Paper()[i], n.lemma3Measured()[i], 0.01 * n.lemma3Paper()[i], "measured at " + b);
        }
    }

    @Test
    void optimalClippingRatios() {
        double[] aciq = {1.7106, 2.1516, 2.5591, 2.9362, 3.2869, 3.6151, 3.9240};
        double[] exact = {1.6860, 2.1353, 2.5512, 2.9330, 3.2857, 3.6147, 3.9239};
        double[] laplace = {2.83, 3.89, 5.03, 6.20, 7.41, 8.64, 9.89};
        for (int i = 0; i < aciq.length; i++) {
            assertEquals(aciq[i], n.gaussTauAciq()[i], 6e-5);
            assertEquals(exact[i], n.gaussTauExact()[i], 6e-5);
            assertEquals(laplace[i], n.laplaceTauApprox()[i], 0.01);
        }
    }

    @Test
    void snrAtTheOptimum() {
        double[] gauss = {10.85, 15.13, 19.83, 24.80, 29.95, 35.23, 40.60};
        for (int i = 0; i < gauss.length; i++) {
            int b = Demo.BITS[i];
            assertEquals(20 * b * Math.log10(2), n.snrUniform()[i], 1e-9, "uniform 6.02 b");
            assertEquals(gauss[i], n.snrGauss()[i], 0.006);
            assertEquals(gauss[i], n.snrGaussMeasured()[i], 0.25, "measured on samples at " + b);
            assertTrue(n.snrLaplace()[i] < n.snrGauss()[i] && n.snrGauss()[i] < n.snrUniform()[i]);
        }
    }

    @Test
    void stepSensitivity() {
        assertEquals(11.8, n.gammaExact()[0], 1e-9);
        assertEquals(1.71, n.gammaExact()[1], 0.005);
        assertEquals(2.416, n.gammaExact()[2], 5e-4);
        assertEquals(1.39, n.gammaExact()[3], 0.005);
        // second order: symmetric in r - 1, and the Gaussian is the less sensitive by that measure at b = 4
        assertEquals(n.gammaSecondOrder()[0], n.gammaSecondOrder()[1], 1e-9);
        assertEquals(1 + 0.5 * 6 * 16 * 0.09, n.gammaSecondOrder()[0], 1e-6, "uniform curvature 6·2^b");
        assertEquals(1.73, n.curvatureRatio()[0], 0.005);
        assertEquals(6.04, n.curvatureRatio()[6], 0.005);
    }

    @Test
    void sampleKurtosis() {
        double sd = Math.sqrt(1.0 / (1 << 18));
        assertEquals(1.8, n.sampleKurtosis()[0], 5 * 1.2 * sd);
        assertEquals(3.0, n.sampleKurtosis()[1], 5 * 5 * sd);
        assertEquals(6.0, n.sampleKurtosis()[2], 5 * 30 * sd);
    }

    @Test
    void kureReachesUniformKurtosisAndRaisesSnrAtTheOptimum() {
        assertEquals(21, n.tensors());
        for (int t = 0; t < n.tensors(); t++) {
            assertEquals(3.0, n.kurtosisBefore()[t], 0.6, "before, tensor " + t);
            assertEquals(1.8, n.kurtosisAfter()[t], 0.01, "after, tensor " + t);
        }
        int nr = Demo.RATIOS.length, nround = Demo.ROUNDINGS.length;
        for (int b = 0; b < Demo.BITS.length; b++) {
            int i = (b * nround) * nr + 3; // HALF_EVEN, r = 1
            assertTrue(n.after()[i].snrDb() > n.before()[i].snrDb() + 1, "bits " + Demo.BITS[b]);
        }
    }

    @Test
    void cliRunsTheQuickDemo() {
        Cli.Result r = Cli.run("--quick");
        assertEquals(0, r.code(), r::toString);
        for (String s : new String[] {"backend: ", "1.302083e-03", "5.086263e-06", "11.800", "2.416", "1.7106", "1.6860",
            "40.60", "layer4.1.conv2", "first 16 output channels", "pow2 step (LOG)", "STOCHASTIC"}) {
            assertTrue(r.out().contains(s), () -> "'" + s + "' missing:\n" + r);
        }
    }
}
