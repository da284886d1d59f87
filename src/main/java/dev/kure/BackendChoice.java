package dev.kure;

import dev.kure.scalar.ScalarBackend;
import dev.kure.spi.Backend;

/**
 * Picks the best CPU backend once (Lucene's pattern): the Panama SIMD backend when the
 * {@code jdk.incubator.vector} module is readable and the SIMD classes are present, else the scalar
 * reference with one warning line that names the missing flag.
 */
final class BackendChoice {
    private BackendChoice() {}

    static final String SIMD_CLASS = "dev.kure.simd.PanamaBackend";

    /** Lazily initialized holder: the choice runs once, on first use. */
    static final class Cpu {
        static final Backend INSTANCE = chooseCpu();
    }

    /**
     * The GPU backend (dev.kure.cuda), probed once per device by {@link dev.kure.cuda.Cuda}, which
     * never throws a LinkageError: on a class path without JCuda or a machine without a driver the
     * status says why.
     */
    static final class Gpu {
        private static final java.util.concurrent.ConcurrentHashMap<Integer, Kernels> KERNELS =
                new java.util.concurrent.ConcurrentHashMap<>();

        static dev.kure.CudaStatus status(int device) {
            return dev.kure.cuda.Cuda.status(device);
        }

        static Kernels kernels(int device) {
            Kernels k = KERNELS.get(device);
            if (k == null) {
                k = KERNELS.computeIfAbsent(device, d -> Kernels.of(dev.kure.cuda.Cuda.backend(d)));
            }
            return k;
        }
    }

    /** {@link Kernels#best()}: the GPU when usable, else the CPU choice, with one line saying why. */
    static final class Best {
        static final Kernels INSTANCE = chooseBest();

        private static Kernels chooseBest() {
            dev.kure.CudaStatus st = Gpu.status(0);
            if (st.usable()) {
                return Gpu.kernels(0);
            }
            Kernels cpu = Kernels.cpu();
            System.err.println("INFO: Kure is using its CPU backend (" + cpu.name() + "): " + st);
            return cpu;
        }
    }

    static boolean vectorModuleReadable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector")
                .map(m -> BackendChoice.class.getModule().canRead(m) || !BackendChoice.class.getModule().isNamed())
                .orElse(false);
    }

    private static Backend chooseCpu() {
        if (!vectorModuleReadable()) {
            System.err.println("WARNING: Kure is using its scalar backend because the Vector API is not"
                    + " available; run java with --add-modules jdk.incubator.vector for the SIMD backend.");
            return new ScalarBackend("jdk.incubator.vector is not readable (add --add-modules jdk.incubator.vector)");
        }
        try {
            Class<?> c = Class.forName(SIMD_CLASS);
            return (Backend) c.getMethod("create").invoke(null);
        } catch (ClassNotFoundException e) {
            return new ScalarBackend("this build has no SIMD backend yet");
        } catch (ReflectiveOperationException | LinkageError e) {
            System.err.println("WARNING: Kure could not start its SIMD backend (" + e + "); using the scalar backend.");
            return new ScalarBackend("the SIMD backend failed to start: " + e);
        }
    }
}
