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
