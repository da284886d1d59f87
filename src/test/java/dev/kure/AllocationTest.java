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
        // warm up until C2 has compiled the kernel, including its once-per-call parts (the moments pilot
        // runs 64 vector iterations per call: a few hundred calls leave it in C1, which boxes vectors)
        for (int i = 0; i < Math.max(2 * calls + 200, 20_000); i++) {
            r.run();
        }
        // the steady state is what counts: on a loaded machine C2 may still be compiling after the warm-up
        // (interpreted vector code boxes every vector), so the least of a few measured rounds is taken
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 5 && best > 0; round++) {
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < calls; i++) {
                r.run();
            }
            best = Math.min(best, (mx.getThreadAllocatedBytes(tid) - before) / calls);
        }
        return best;
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

    @Test
    void tensorViewKernelsDoNotAllocate() {
        Kernels k = Kernels.cpu().withThreads(1);
        org.junit.jupiter.api.Assumptions.assumeTrue(k.name().equals("panama"),
                "allocation is asserted for the SIMD backend; this run has " + k.describe());
        long[] small = measureViews(k, 16_384), large = measureViews(k, 262_144);
        String report = k.describe() + ": bytes per call at 16K / 256K elements (native F32 fq, BF16 fq, F16 fq+mask, "
                + "BF16 ste, F32 int8, BF16 moments): " + java.util.Arrays.toString(small) + " / " + java.util.Arrays.toString(large);
        for (int i = 0; i < small.length; i++) {
            assertTrue(large[i] <= small[i] + 256, report);
            assertTrue(large[i] <= 512, report);
        }
    }

    private static long[] measureViews(Kernels k, int n) {
        java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofAuto();
        TensorView x32 = TensorView.f32(arena.allocate(4L * n + 1).asSlice(1));
        TensorView o32 = TensorView.f32(arena.allocate(4L * n));
        TensorView x16 = TensorView.bf16(arena.allocate(2L * n + 1).asSlice(1));
        TensorView o16 = TensorView.bf16(arena.allocate(2L * n));
        TensorView h16 = TensorView.f16(arena.allocate(2L * n));
        java.lang.foreign.MemorySegment mask = arena.allocate(n / 8), codes = arena.allocate(n);
        float[] g = Data.gaussian(n, 0, 1, 1);
        for (int i = 0; i < n; i++) {
            x32.segment().set(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * i, g[i]);
        }
        k.fakeQuantize(x32, x16, Quantizer.perTensorAffine(1f, 0, -128, 127)); // BF16 data: rounded copies
        k.fakeQuantize(x32, h16, Quantizer.perTensorAffine(1f, 0, -128, 127));
        Quantizer q = Quantizer.perTensor(8, Grid.SIGNED, 0.02f, 0);
        int calls = 4_000_000 / n;
        return new long[] {
            allocatedPerCall(() -> k.fakeQuantize(x32, o32, q), calls),
            allocatedPerCall(() -> k.fakeQuantize(x16, o16, q), calls),
            allocatedPerCall(() -> k.fakeQuantizeWithMask(h16, h16, mask, q), calls),
            allocatedPerCall(() -> k.fakeQuantizeBackward(x16, o16, o16, q), calls),
            allocatedPerCall(() -> k.quantize(x32, codes, q), calls),
            allocatedPerCall(() -> k.moments(x16), calls),
        };
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
