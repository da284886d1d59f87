package dev.kure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The conformance suite against the backend {@link Kernels#cpu()} picks: the Panama SIMD backend in
 * the default test run (once per forced vector width, see the pom), and the scalar fallback in the
 * run without the vector module. Also: results do not depend on the thread count.
 */
class CpuConformanceTest extends BackendConformance {
    @Override
    protected Kernels candidate() {
        return Kernels.cpu();
    }

    @Test
    void simdIsChosenWhenTheVectorModuleIsReadable() {
        if (!Boolean.getBoolean("kure.expectFallback")) {
            assertEquals("panama", Kernels.cpu().name(), Kernels.cpu().describe());
            String bits = System.getProperty("kure.simd.bits");
            if (bits != null) {
                org.junit.jupiter.api.Assertions.assertTrue(Kernels.cpu().describe().contains(bits + "-bit"),
                        Kernels.cpu().describe());
            }
        }
    }

    @Test
    void resultsIdenticalForOneTwoAndFourThreads() {
        float[] x = Data.studentT3(5_000_003, 12);
        Kernels one = Kernels.cpu().withThreads(1);
        Moments m1 = one.moments(x);
        Quantizer q = Quantizer.perTensor(8, Grid.SIGNED, 0.02f, 0).withRounding(Rounding.STOCHASTIC).withSeed(5);
        float[] f1 = FakeQuantTest.fq(one, x, q);
        for (int t : new int[] {2, 4}) {
            Kernels k = Kernels.cpu().withThreads(t);
            assertEquals(m1, k.moments(x), "moments with " + t + " threads");
            FakeQuantTest.assertBits(f1, FakeQuantTest.fq(k, x, q), "fake quant with " + t + " threads");
            java.util.List<float[]> ws = java.util.List.of(x, Data.gaussian(1000, 0, 1, 3));
            assertEquals(one.kure(ws, null, KureConfig.defaults()).loss(), k.kure(ws, null, KureConfig.defaults()).loss());
        }
    }
}
