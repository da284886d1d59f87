package dev.kure.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kure.CudaStatus;
import dev.kure.Kernels;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What holds on every machine, GPU or not (these run in the normal build and CI): the fatbin is in the
 * build with the listed architectures when nvcc was there, the probe says cleanly why there is no GPU,
 * {@link Kernels#best()} falls back to the CPU, and the pure-Java helpers of the backend.
 */
class CudaAvailabilityTest {
    /** The SASS and PTX entries native/README.md promises (nvcc 13.0). */
    static final List<String> EXPECTED = List.of("sm_80", "sm_86", "sm_87", "sm_89", "sm_90", "sm_100", "sm_120",
            "compute_80");

    static boolean nvccOnPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (new File(dir, "nvcc").canExecute()) {
                return true;
            }
        }
        return System.getenv("NVCC") != null && new File(System.getenv("NVCC")).canExecute();
    }

    static byte[] fatbinResource() throws IOException {
        try (InputStream in = CudaDevice.class.getResourceAsStream(CudaDevice.FATBIN)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    @Test
    void fatbinShipsWithEveryListedArchitecture() throws IOException {
        byte[] fb = fatbinResource();
        if (fb == null) {
            assumeTrue(nvccOnPath() && !Boolean.getBoolean("kure.skipFatbin"),
                    "skipped: nvcc is not on the PATH, so this build has no fatbin (the GPU backend reports it)");
        }
        assertNotNull(fb, "nvcc is on the PATH but the build did not put " + CudaDevice.FATBIN + " on the class path");
        List<String> entries = Fatbin.entries(fb);
        for (String want : EXPECTED) {
            assertTrue(entries.contains(want), want + " missing from the fatbin: " + entries);
        }
        assertTrue(entries.stream().filter(e -> e.startsWith("compute_")).count() >= 2,
                "PTX for sm_80 and for the newest virtual architecture: " + entries);
        assertTrue(fb.length < 32 << 20, "fatbin size " + fb.length);
    }

    @Test
    void fatbinParserRejectsOtherFiles() {
        assertThrows(IllegalArgumentException.class, () -> Fatbin.entries(new byte[64]));
        assertThrows(IllegalArgumentException.class, () -> Fatbin.entries(new byte[3]));
    }

    @Test
    void probeSaysWhyAndNeverThrows() {
        CudaStatus st = Kernels.cudaStatus();
        assertSame(st.usable(), Kernels.cudaStatus().usable());
        assertEquals(st, Kernels.cudaStatus(), "cached");
        assertFalse(st.message().isBlank());
        if (st.usable()) {
            assertEquals("cuda", Kernels.cuda().name());
            return;
        }
        GpuUnavailableException e = assertThrows(GpuUnavailableException.class, Kernels::cuda);
        assertTrue(e.getMessage().contains(st.message()), e.getMessage());
        assertTrue(e instanceof UnsupportedOperationException);
        boolean jcuda;
        try {
            Class.forName("jcuda.Pointer");
            jcuda = true;
        } catch (ClassNotFoundException x) {
            jcuda = false;
        }
        if (!jcuda) {
            assertTrue(st.message().contains("JCuda is not on the class path"), st.message());
        } else if (!new File("/dev/nvidiactl").exists() && !libcudaPresent()) {
            assertTrue(st.message().contains("libcuda.so.1"), st.message());
        } else {
            assertTrue(st.message().matches("(?s).*(no CUDA device|driver too old|fatbin|compute capability|cuInit).*"),
                    st.message());
        }
        // other devices give the same driver-wide reason, negative ordinals a clear one
        assertFalse(Kernels.cudaStatus(3).usable());
        assertThrows(IllegalArgumentException.class, () -> Kernels.cudaStatus(-1));
        assertTrue(Cuda.status(-1).message().contains("device must be >= 0"));
        assertThrows(GpuUnavailableException.class, () -> Kernels.cuda(3));
    }

    static boolean libcudaPresent() {
        for (String d : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/local/nvidia/lib64", "/usr/lib"}) {
            if (new File(d, "libcuda.so.1").exists()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void bestFallsBackToTheCpuAndSaysWhy() {
        Kernels best = Kernels.best();
        assertSame(best, Kernels.best(), "chosen once");
        if (Kernels.cudaStatus().usable()) {
            assertEquals("cuda", best.name());
        } else {
            assertSame(Kernels.cpu(), best);
            // it works: a kernel runs on the fallback
            float[] out = new float[3];
            best.fakeQuantize(new float[] {0.1f, -2f, 9f}, out, dev.kure.Quantizer.perTensor(4, dev.kure.Grid.SIGNED, 0.5f, 0));
            assertArrayEquals(new float[] {0f, -2f, 3.5f}, out);
        }
    }

    @Test
    void maskWordsMergeIntoLongsKeepingBitsPastTheEnd() {
        int[] w = {0xffffffff, 0x1, 0x5};
        long[] m = {0, -1L};
        CudaBackend.mergeMask(w, m, 70);
        assertEquals(0x1ffffffffL, m[0]);
        // bits 64..69 from the device (0b000101), bits >= 70 kept from the caller (all ones)
        assertEquals((-1L << 6) | 0x5L, m[1]);
        long[] exact = new long[1];
        CudaBackend.mergeMask(new int[] {0x80000001, 0x7}, exact, 64);
        assertEquals(0x0000000780000001L, exact[0]);
    }

    @Test
    void linkFailureNamesTheMissingLibrary() {
        UnsatisfiedLinkError noDriver = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver\"");
        noDriver.initCause(new UnsatisfiedLinkError("libcuda.so.1: cannot open shared object file"));
        assertTrue(Cuda.linkFailure(noDriver).startsWith("no NVIDIA driver: libcuda.so.1"), Cuda.linkFailure(noDriver));
        String other = Cuda.linkFailure(new UnsatisfiedLinkError("no JCudaDriver-12.6.0-windows-aarch64 in java.library.path"));
        assertTrue(other.contains("JCuda's native library could not be loaded"), other);
    }
}
