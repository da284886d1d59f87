package dev.kure;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * After warm-up the hot kernels allocate nothing per call that grows with the input (a sign that C2
 * compiled the vector code instead of boxing vectors): fake-quant and the backward passes allocate
 * nothing, moments and KURE only their small result objects.
 */
class AllocationTest {
    private static long allocatedPerCall(Runnable r, int calls) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        for (int i = 0; i < 20_000; i++) {
            r.run(); // warm up: C2 compiles the kernel
        }
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < calls; i++) {
            r.run();
        }
        return (mx.getThreadAllocatedBytes(tid) - before) / calls;
    }

    @Test
    void hotKernelsDoNotAllocatePerElement() {
        Kernels k = Kernels.cpu().withThreads(1);
        org.junit.jupiter.api.Assumptions.assumeTrue(k.name().equals("panama"),
                "allocation is asserted for the SIMD backend; this run has " + k.describe());
        int n = 16_384;
        float[] x = Data.gaussian(n, 0, 1, 1), out = new float[n], dy = Data.gaussian(n, 0, 1, 2), dx = new float[n];
        long[] mask = new long[n / 64];
        Quantizer q = Quantizer.perTensor(8, Grid.SIGNED, 0.02f, 0);
        Quantizer sr = q.withRounding(Rounding.STOCHASTIC).withSeed(1);
        List<float[]> ws = List.of(x);
        List<float[]> gs = List.of(dx);
        long fq = allocatedPerCall(() -> k.fakeQuantize(x, out, q), 2000);
        long fqs = allocatedPerCall(() -> k.fakeQuantize(x, out, sr), 2000);
        long fqm = allocatedPerCall(() -> k.fakeQuantizeWithMask(x, out, mask, q), 2000);
        long ste = allocatedPerCall(() -> k.fakeQuantizeBackward(x, dy, dx, q), 2000);
        long mom = allocatedPerCall(() -> k.moments(x), 2000);
        long kure = allocatedPerCall(() -> k.kure(ws, gs, KureConfig.defaults()), 2000);
        String report = k.describe() + ": fq " + fq + ", stochastic " + fqs + ", mask " + fqm + ", ste " + ste
                + ", moments " + mom + ", kure " + kure + " bytes per call";
        assertTrue(fq <= 64 && fqs <= 64 && fqm <= 64 && ste <= 64, report);
        assertTrue(mom <= 512, report);   // the Moments result, an accumulator, the heap segment view
        assertTrue(kure <= 4096, report); // the result record, its lists and per-tensor arrays
    }
}
