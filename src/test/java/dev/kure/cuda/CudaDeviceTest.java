package dev.kure.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kure.CudaStatus;
import dev.kure.Grid;
import dev.kure.Kernels;
import dev.kure.KureConfig;
import dev.kure.KureResult;
import dev.kure.LearnableGrads;
import dev.kure.Moments;
import dev.kure.Quantizer;
import dev.kure.Rounding;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Device-resident buffers and the properties only a GPU can show: data stays on the device between
 * calls and matches the host-array forms bit for bit, results do not depend on the launch shape,
 * segments larger than a staging piece, out of memory is an exception that leaves the backend usable.
 * Tagged {@code gpu}; skipped with the probe's reason where no GPU is usable.
 */
@Tag("gpu")
class CudaDeviceTest {
    static CudaBackend gpu;
    static final Kernels ORACLE = Kernels.scalar();

    @BeforeEach
    void gpuPresent() { // per test, so every skipped test is reported with the reason
        CudaStatus st = Cuda.status();
        assumeTrue(st.usable(), () -> "skipped: " + st);
        gpu = Cuda.backend();
    }

    @AfterEach
    void defaultLaunchShape() {
        if (gpu != null) { // without JCuda on the class path CudaDevice cannot even load
            CudaDevice.maxBlocks = 0;
        }
    }

    static float[] gaussian(int n, double std, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * std);
        }
        return x;
    }

    static void assertBits(float[] a, float[] b, String what) {
        assertEquals(a.length, b.length, what);
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                throw new AssertionError(what + ": element " + i + " expected " + a[i] + " got " + b[i]);
            }
        }
    }

    @Test
    void roundTripAndResidentCallsMatchHostCalls() {
        float[] x = gaussian(1_000_003, 1, 1);
        float[] dy = gaussian(x.length, 1, 2);
        Quantizer q = Quantizer.perTensor(4, Grid.SIGNED, 0.2f, 1).withRounding(Rounding.STOCHASTIC).withSeed(9);
        try (DeviceTensor dx = gpu.upload(x); DeviceTensor out = gpu.allocate(x.length);
             DeviceTensor ddy = gpu.upload(dy); DeviceTensor grad = gpu.allocate(x.length)) {
            assertBits(x, dx.toArray(), "round trip");
            gpu.fakeQuantize(dx, out, q);
            float[] want = new float[x.length];
            ORACLE.fakeQuantize(x, want, q);
            assertBits(want, out.toArray(), "resident fake quant");
            gpu.fakeQuantizeBackward(dx, ddy, grad, q);
            float[] wantDx = new float[x.length];
            ORACLE.fakeQuantizeBackward(x, dy, wantDx, q);
            assertBits(wantDx, grad.toArray(), "resident STE");
            LearnableGrads a = ORACLE.fakeQuantizeLearnableBackward(x, dy, wantDx, q, 0.25);
            LearnableGrads b = gpu.fakeQuantizeLearnableBackward(dx, ddy, grad, q, 0.25);
            assertBits(wantDx, grad.toArray(), "resident learnable dx");
            assertEquals(a.dScale()[0], b.dScale()[0], 1e-6 * Math.abs(a.dScale()[0]) + 1e-6);
            assertEquals(a.dZeroPoint()[0], b.dZeroPoint()[0], 1e-6 * Math.abs(a.dZeroPoint()[0]) + 1e-6);
            Moments m = gpu.moments(dx);
            assertEquals(gpu.moments(x, 0, x.length), m, "resident moments = host-array moments, bit for bit");
            gpu.fakeQuantize(dx, dx, q); // in place
            assertBits(want, dx.toArray(), "in place");
            // segments in and out
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = arena.allocate(4L * x.length, 16);
                out.download(s);
                assertBits(want, s.toArray(ValueLayout.JAVA_FLOAT), "download to a segment");
                MemorySegment.copy(x, 0, s, ValueLayout.JAVA_FLOAT, 0, x.length);
                dx.upload(s);
                assertBits(x, dx.toArray(), "upload from a segment");
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheLaunchShape() {
        float[] x = gaussian(300_007, 1, 3);
        float[] dy = gaussian(x.length, 1, 4);
        Quantizer q = Quantizer.perChannel(8, Grid.SIGNED, new float[] {0.01f, 0.02f, 0.03f}, new int[] {0, 1, -1},
                new int[] {3, 100_000 + 2}, 0).withRounding(Rounding.STOCHASTIC).withSeed(5);
        float[] xc = java.util.Arrays.copyOf(x, 300_006);
        float[] dyc = java.util.Arrays.copyOf(dy, 300_006);
        List<float[]> ws = List.of(gaussian(17, 1, 5), gaussian(4608, 0.05, 6), gaussian(100_003, 0.1, 7));
        Object[] first = null;
        for (int blocks : new int[] {0, 1, 7, 1000}) {
            CudaDevice.maxBlocks = blocks;
            Kernels k = Kernels.cuda();
            float[] o = new float[xc.length], d = new float[xc.length];
            k.fakeQuantize(xc, o, q);
            LearnableGrads lg = k.fakeQuantizeLearnableBackward(xc, dyc, d, q, 1.0);
            Moments m = k.moments(x);
            Moments[] pc = k.momentsPerChannel(xc, new int[] {3, 100_002}, 0);
            List<float[]> gs = new ArrayList<>();
            for (float[] w : ws) {
                gs.add(new float[w.length]);
            }
            KureResult r = k.kure(ws, gs, KureConfig.defaults());
            Object[] now = {o, d, lg.dScale(), lg.dZeroPoint(), m, pc, r.loss(), r.kurtosis(), gs};
            if (first == null) {
                first = now;
                continue;
            }
            assertBits((float[]) first[0], o, "forward, blocks " + blocks);
            assertBits((float[]) first[1], d, "learnable dx, blocks " + blocks);
            assertArrayEquals((double[]) first[2], lg.dScale(), "dScale, blocks " + blocks);
            assertArrayEquals((double[]) first[3], lg.dZeroPoint(), "dZeroPoint, blocks " + blocks);
            assertEquals(first[4], m, "moments, blocks " + blocks);
            assertArrayEquals((Moments[]) first[5], pc, "per channel, blocks " + blocks);
            assertEquals((double) first[6], r.loss(), "kure loss, blocks " + blocks);
            assertArrayEquals((double[]) first[7], r.kurtosis(), "kurtoses, blocks " + blocks);
            @SuppressWarnings("unchecked") List<float[]> g0 = (List<float[]>) first[8];
            for (int t = 0; t < ws.size(); t++) {
                assertBits(g0.get(t), gs.get(t), "kure grad " + t + ", blocks " + blocks);
            }
        }
    }

    @Test
    void segmentMomentsInPiecesEqualTheResidentResult() {
        int n = 40_000_017; // three 16 Mi-float staging pieces, the last one partial
        float[] x = gaussian(n, 2, 8);
        try (Arena arena = Arena.ofConfined(); DeviceTensor d = gpu.upload(x)) {
            MemorySegment s = arena.allocate(4L * n, 64);
            MemorySegment.copy(x, 0, s, ValueLayout.JAVA_FLOAT, 0, n);
            Moments piecewise = gpu.moments(s, 0, n);
            assertEquals(gpu.moments(d), piecewise, "pieces are whole chunks: same bits as one upload");
            Moments want = ORACLE.moments(x);
            assertEquals(want.count(), piecewise.count());
            assertEquals(want.mean(), piecewise.mean(), 1e-6 * Math.abs(want.mean()) + 1e-9);
            assertEquals(want.variance(), piecewise.variance(), 1e-6 * want.variance());
            assertEquals(want.kurtosis(), piecewise.kurtosis(), 1e-5 * want.kurtosis());
        }
    }

    @Test
    void kureBatchMatchesTheHostForm() {
        List<float[]> ws = List.of(gaussian(2, 1, 1), gaussian(9408, 0.05, 2), new float[100], gaussian(65_537, 0.02, 3));
        KureConfig cfg = KureConfig.defaults().withReduction(KureConfig.Reduction.MAX);
        List<DeviceTensor> dw = new ArrayList<>(), dg = new ArrayList<>();
        List<float[]> hg = new ArrayList<>();
        try {
            for (float[] w : ws) {
                dw.add(gpu.upload(w));
                dg.add(gpu.allocate(w.length));
                hg.add(new float[w.length]);
            }
            KureResult want = ORACLE.kure(ws, hg, cfg);
            KureResult got;
            try (KureBatch b = gpu.kureBatch(dw, dg)) {
                assertEquals(ws.size(), b.size());
                got = b.run(cfg);
            }
            assertEquals(want.skipped(), got.skipped());
            assertEquals(want.worst(), got.worst());
            assertEquals(want.loss(), got.loss(), 1e-6 * want.loss());
            for (int t = 0; t < ws.size(); t++) {
                float[] g = dg.get(t).toArray();
                float[] h = hg.get(t);
                double max = 1e-30;
                for (float v : h) {
                    max = Math.max(max, Math.abs(v));
                }
                for (int i = 0; i < h.length; i++) {
                    assertEquals(h[i], g[i], 1e-5 * max, "grad " + t + "[" + i + "]");
                }
            }
        } finally {
            dw.forEach(DeviceTensor::close);
            dg.forEach(DeviceTensor::close);
        }
    }

    @Test
    void outOfMemoryIsAnExceptionAndTheBackendStaysUsable() {
        long tooMany = gpu.deviceMemory() / 4 + (1L << 28);
        KureCudaException e = assertThrows(KureCudaException.class, () -> gpu.allocate(tooMany));
        assertTrue(e.isOutOfMemory(), e.getMessage());
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", e.errorName());
        assertTrue(e.getMessage().contains("CUDA_ERROR_OUT_OF_MEMORY"), e.getMessage());
        // a call that allocates several buffers and fails on a later one frees the earlier ones
        List<DeviceTensor> hog = new ArrayList<>();
        try {
            for (long chunk : new long[] {1L << 30, 1L << 24}) { // 4 GiB, then 64 MiB of floats per tensor
                while (true) {
                    try {
                        hog.add(gpu.allocate(chunk));
                    } catch (KureCudaException full) {
                        assertTrue(full.isOutOfMemory());
                        break;
                    }
                }
            }
            float[] x = new float[1 << 24];
            float[] out = new float[x.length];
            long before = gpu.device().freeMemory();
            KureCudaException full = assertThrows(KureCudaException.class,
                    () -> Kernels.cuda().fakeQuantize(x, out, Quantizer.perTensor(8, Grid.SIGNED, 0.1f, 0)));
            assertTrue(full.isOutOfMemory(), full.getMessage());
            assertEquals(before, gpu.device().freeMemory(), "the failed call freed what it had allocated");
        } finally {
            hog.forEach(DeviceTensor::close);
        }
        float[] x = gaussian(1 << 20, 1, 2), a = new float[x.length], b = new float[x.length];
        Quantizer q = Quantizer.perTensor(8, Grid.SIGNED, 0.1f, 0);
        Kernels.cuda().fakeQuantize(x, a, q);
        ORACLE.fakeQuantize(x, b, q);
        assertBits(b, a, "after out of memory");
    }

    @Test
    void closedTensorsAndForeignArgumentsAreRejected() {
        DeviceTensor t = gpu.upload(new float[] {1, 2, 3});
        assertTrue(t.isOpen());
        t.close();
        t.close(); // harmless
        assertFalse(t.isOpen());
        assertThrows(IllegalStateException.class, t::toArray);
        try (DeviceTensor a = gpu.allocate(4); DeviceTensor b = gpu.allocate(5)) {
            assertThrows(IllegalArgumentException.class,
                    () -> gpu.fakeQuantize(a, b, Quantizer.perTensor(8, Grid.SIGNED, 0.1f, 0)));
            assertThrows(IllegalArgumentException.class, () -> a.upload(new float[5]));
        }
    }

    @Test
    void describesTheDevice() {
        String d = gpu.describe();
        assertTrue(d.startsWith("cuda (JCuda driver API"), d);
        assertTrue(d.contains("sm_90") || d.contains("sm_"), d);
        assertEquals("cuda", Kernels.best().name());
    }
}
