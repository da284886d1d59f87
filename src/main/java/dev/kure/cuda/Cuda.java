package dev.kure.cuda;

import dev.kure.CudaStatus;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the GPU backend: probes a CUDA device once per JVM and caches the answer with its reason.
 * Never throws {@link LinkageError} or crashes the JVM: JCuda missing from the class path, no
 * {@code libcuda.so.1} (no NVIDIA driver), no device, a driver older than the fatbin needs (CUDA 13.0,
 * driver 580), no fatbin in the jar, or a module that does not load all become a status that says why.
 *
 * <p>This class references no JCuda type, so it loads (and answers) on a class path without JCuda.
 * Most code uses {@link dev.kure.Kernels#cuda()} and {@link dev.kure.Kernels#best()} instead.
 */
public final class Cuda {
    private Cuda() {}

    /** The CUDA driver API version the fatbin needs: nvcc 13.0 output, i.e. an NVIDIA driver >= 580. */
    public static final int MIN_DRIVER_VERSION = 13000;

    private static final ConcurrentHashMap<Integer, Probe> PROBES = new ConcurrentHashMap<>();
    /** Set once when JCuda or the driver cannot be loaded at all: every device then gives this reason. */
    private static volatile String driverFailure;

    /** The status of device 0. */
    public static CudaStatus status() {
        return status(0);
    }

    /** The status of device {@code device} (probed on the first call, cached). */
    public static CudaStatus status(int device) {
        Probe p = probe(device);
        return new CudaStatus(device, p.backend != null, p.message);
    }

    /** The GPU backend on device 0, or {@link GpuUnavailableException} saying why there is none. */
    public static CudaBackend backend() {
        return backend(0);
    }

    /** The GPU backend on device {@code device}, or {@link GpuUnavailableException} saying why there is none. */
    public static CudaBackend backend(int device) {
        Probe p = probe(device);
        if (p.backend == null) {
            throw new GpuUnavailableException(p.message);
        }
        return (CudaBackend) p.backend;
    }

    /**
     * A probe's answer. The backend is held as the SPI type so that this class never names a type
     * that needs JCuda to load.
     */
    private record Probe(dev.kure.spi.Backend backend, String message) {}

    private static Probe probe(int device) {
        if (device < 0) {
            return new Probe(null, "device must be >= 0, was " + device);
        }
        return PROBES.computeIfAbsent(device, d -> {
            Object r = open(d);
            return r instanceof String why ? new Probe(null, why) : new Probe((dev.kure.spi.Backend) r,
                    ((dev.kure.spi.Backend) r).describe());
        });
    }

    private static Object open(int device) {
        String failed = driverFailure;
        if (failed != null) {
            return failed;
        }
        try {
            return CudaDevice.open(device);
        } catch (CudaDevice.Unavailable e) {
            if (e.driverWide()) {
                driverFailure = e.getMessage();
            }
            return e.getMessage();
        } catch (NoClassDefFoundError e) {
            String m = String.valueOf(e.getMessage());
            String why = m.contains("jcuda")
                    ? "JCuda is not on the class path (add org.jcuda:jcuda:12.6.0 and"
                            + " org.jcuda:jcuda-natives:12.6.0:linux-x86_64): " + e
                    : "the CUDA backend could not be loaded: " + e;
            driverFailure = why;
            return why;
        } catch (UnsatisfiedLinkError e) {
            String why = linkFailure(e);
            driverFailure = why;
            return why;
        } catch (LinkageError e) {
            String why = "the CUDA backend failed to start: " + e;
            driverFailure = why;
            return why;
        } catch (RuntimeException e) {
            // a CUDA call failed while opening this device (e.g. KureCudaException): other devices may work
            return "CUDA device " + device + " failed to open: " + e.getMessage();
        }
    }

    /** Says which native library is missing: the NVIDIA driver's libcuda.so.1, or JCuda's own. */
    static String linkFailure(UnsatisfiedLinkError e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(' ');
        }
        String m = all.toString();
        String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        if (m.contains("libcuda.so")) {
            return "no NVIDIA driver: libcuda.so.1 could not be loaded (JCuda: " + first + ")";
        }
        return "JCuda's native library could not be loaded on " + System.getProperty("os.name") + "/"
                + System.getProperty("os.arch") + " (is org.jcuda:jcuda-natives for this platform on the class"
                + " path?): " + first;
    }
}
