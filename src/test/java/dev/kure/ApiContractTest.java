package dev.kure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Contracts of the public facade that once were bugs: thread pools shared per thread count, factories
 * that take a bit-width and factories that take a scale cannot be confused, bad device ordinals and
 * grad factors are argument errors, and the API names no internal type.
 */
class ApiContractTest {

    @Test
    void withThreadsDoesNotLeakThreads() {
        float[] x = Data.gaussian(2_100_003, 0, 1, 1); // more than two chunks at the default chunk size
        for (int t = 2; t <= 4; t++) {                 // create each pool once, and its threads
            Kernels.cpu().withThreads(t).moments(x);
        }
        int before = ManagementFactory.getThreadMXBean().getThreadCount();
        for (int i = 0; i < 1000; i++) {
            Kernels k = Kernels.cpu().withThreads(2 + i % 3);
            if (i % 10 == 0) {
                k.moments(x); // threads start on first use
            }
        }
        int after = ManagementFactory.getThreadMXBean().getThreadCount();
        assertTrue(after - before <= 2, "live threads grew from " + before + " to " + after + " over 1,000 calls");
    }

    @Test
    void poolThreadsAreDaemonsSoTheyNeverKeepTheJvmAlive() {
        Kernels.cpu().withThreads(3).moments(Data.gaussian(2_100_003, 0, 1, 2));
        long pool = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("kure-")).count();
        if (Kernels.cpu().name().equals("panama")) {
            assertTrue(pool >= 2, "the 3-thread pool started its helpers");
        }
        Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("kure-"))
                .forEach(t -> assertTrue(t.isDaemon(), t.getName() + " is a daemon thread"));
    }

    @Test
    void floatingPointKernelsNameTheirBackend() {
        assertEquals("scalar", FpKernels.scalar().name());
        boolean vector = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        assertEquals(vector ? "panama" : "scalar", Kernels.cpu().name());
        assertEquals(Kernels.cpu().name(), FpKernels.cpu().name());
    }

    @Test
    void bitWidthAndScaleFactoriesHaveDifferentNames() {
        // perTensor(8, 0, -128, 127) once compiled as scale 8.0 through a (float, int, int, int) overload
        for (String name : new String[] {"perTensor", "perChannel", "perGroup", "symmetric"}) {
            for (Method m : Quantizer.class.getMethods()) {
                if (m.getName().equals(name) && Modifier.isStatic(m.getModifiers())) {
                    assertEquals(int.class, m.getParameterTypes()[0], m + " must take the bit-width first");
                    assertEquals(Grid.class, m.getParameterTypes()[1], m + " must take the grid second");
                }
            }
        }
        Quantizer q = Quantizer.perTensorAffine(8, 0, -128, 127);
        assertEquals(8f, q.scale(0));
        assertEquals(Grid.CUSTOM, q.grid());
        assertEquals(0.5f, Quantizer.perTensor(8, Grid.SIGNED, 0.5f, 0).scale(0));
    }

    @Test
    void negativeDeviceIsAnArgumentError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kernels.cuda(-1));
        assertTrue(e.getMessage().contains("device") && e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Kernels.cudaStatus(-2));
        assertThrows(IllegalArgumentException.class, () -> Kernels.gpu(-1));
    }

    @Test
    void gradFactorMustBeFiniteAndNonNegative() {
        Quantizer q = Quantizer.perTensor(4, Grid.SIGNED, 0.1f, 0);
        float[] x = {0.1f, 2f, -3f}, dy = {1, 1, 1}, dx = new float[3];
        for (double bad : new double[] {-1e-3, -1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Kernels.scalar().fakeQuantizeLearnableBackward(x, dy, dx, q, bad));
            assertTrue(e.getMessage().contains("gradFactor") && e.getMessage().contains(String.valueOf(bad)),
                    e.getMessage());
        }
        assertEquals(0.0, Math.abs(Kernels.scalar().fakeQuantizeLearnableBackward(x, dy, dx, q, 0.0).dScale()[0]));
    }

    @Test
    void publicFacadeNamesNoInternalPackage() throws NoSuchMethodException {
        for (Method m : Kernels.class.getMethods()) {
            String sig = m.getReturnType().getName() + Arrays.toString(m.getParameterTypes());
            for (String internal : new String[] {"dev.kure.spi.", "dev.kure.scalar.", "dev.kure.simd."}) {
                assertFalse(sig.contains(internal), m + " exposes " + internal);
            }
        }
        assertEquals(CudaStatus.class, Kernels.class.getMethod("cudaStatus").getReturnType());
        assertFalse(Modifier.isPublic(Kernels.class.getDeclaredMethod("backend").getModifiers()), "backend()");
        assertFalse(Modifier.isPublic(Kernels.class.getDeclaredMethod("of", dev.kure.spi.Backend.class).getModifiers()),
                "of(Backend)");
    }

    @Test
    void theBackendInterfaceAndItsSharedCodeDoNotDependOnABackend() throws Exception {
        // every class file of dev.kure.spi: no constant names a class of dev.kure.scalar, simd or cuda
        java.nio.file.Path spi = java.nio.file.Path.of(dev.kure.spi.Backend.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI()).resolve("dev/kure/spi");
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(spi)) {
            List<java.nio.file.Path> classes = files.filter(f -> f.toString().endsWith(".class")).toList();
            assertTrue(classes.size() >= 10, "found the spi classes: " + classes);
            for (java.nio.file.Path f : classes) {
                String text = new String(java.nio.file.Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
                for (String backend : new String[] {"dev/kure/scalar/", "dev/kure/simd/", "dev/kure/cuda/"}) {
                    assertFalse(text.contains(backend), f.getFileName() + " refers to " + backend);
                }
            }
        }
    }
}
