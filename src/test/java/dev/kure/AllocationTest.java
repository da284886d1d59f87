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
        for (int i = 0; i < 2 * calls + 200; i++) {
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
        long[] small = measure(k, 16_384), large = measure(k, 262_144);
        String report = k.describe() + ": bytes per call at 16K / 256K elements: fq " + small[0] + "/" + large[0]
                + ", stochastic " + small[1] + "/" + large[1] + ", mask " + small[2] + "/" + large[2]
                + ", ste " + small[3] + "/" + large[3] + ", moments " + small[4] + "/" + large[4]
                + ", kure " + small[5] + "/" + large[5];
        for (int i = 0; i < small.length; i++) {
            // constant per call (result objects, at most a few small wrappers), never per element
            // 16x the elements and 16x the blocks: even 16 bytes per block would add more than 1.5 KiB
            assertTrue(large[i] <= small[i] + 256, report);
            assertTrue(large[i] <= (i == 5 ? 4096 : 512), report);
        }
    }

    private static long[] measure(Kernels k, int n) {
        float[] x = Data.gaussian(n, 0, 1, 1), out = new float[n], dy = Data.gaussian(n, 0, 1, 2), dx = new float[n];
        long[] mask = new long[n / 64];
        Quantizer q = Quantizer.perTensor(8, Grid.SIGNED, 0.02f, 0);
        Quantizer sr = q.withRounding(Rounding.STOCHASTIC).withSeed(1);
        List<float[]> ws = List.of(x);
        List<float[]> gs = List.of(dx);
        int calls = 4_000_000 / n;
        return new long[] {
            allocatedPerCall(() -> k.fakeQuantize(x, out, q), calls),
            allocatedPerCall(() -> k.fakeQuantize(x, out, sr), calls),
            allocatedPerCall(() -> k.fakeQuantizeWithMask(x, out, mask, q), calls),
            allocatedPerCall(() -> k.fakeQuantizeBackward(x, dy, dx, q), calls),
            allocatedPerCall(() -> k.moments(x), calls),
            allocatedPerCall(() -> k.kure(ws, gs, KureConfig.defaults()), calls),
        };
    }
}
