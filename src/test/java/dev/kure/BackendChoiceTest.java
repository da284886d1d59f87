package dev.kure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The CPU backend choice. The suite runs twice (see the pom): with the vector module, and without
 * it ({@code -Dkure.expectFallback=true}), where the scalar fallback must be chosen and say why.
 */
class BackendChoiceTest {
    @Test
    void cpuBackendIsChosenOnceAndExplained() {
        Kernels a = Kernels.cpu(), b = Kernels.cpu();
        assertTrue(a == b, "chosen once");
        assertTrue(!a.describe().isBlank());
        if (Boolean.getBoolean("kure.expectFallback")) {
            assertTrue(!BackendChoice.vectorModuleReadable());
            assertEquals("scalar", a.name());
            assertTrue(a.describe().contains("--add-modules jdk.incubator.vector"), a.describe());
        } else {
            assertTrue(BackendChoice.vectorModuleReadable(), "the default test run has the vector module");
        }
    }

    @Test
    void scalarIsTheReference() {
        assertEquals("scalar", Kernels.scalar().name());
        assertTrue(Kernels.scalar().describe().startsWith("scalar (reference"));
    }
}
