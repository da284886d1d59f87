package dev.kure.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemHostAlloc;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD8;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;

/**
 * One CUDA device as the GPU backend uses it, through the JCuda driver API only: the device's
 * primary context (made current on every calling thread by {@link #enter()}), the fatbin module
 * loaded once with {@code cuModuleLoadData}, every kernel looked up once by name, two streams, and
 * pinned staging buffers for asynchronous host-to-device copies.
 *
 * <p>Streams are created blocking with respect to the legacy default stream, so the synchronous
 * copies of Java arrays ({@code cuMemcpyHtoD/DtoH}, which run on the legacy stream) are ordered with
 * the kernels without extra events.
 */
final class CudaDevice {
    /** Resource path of the fatbin inside the jar. */
    static final String FATBIN = "/dev/kure/cuda/kure.fatbin";
    /** The oldest compute capability the fatbin has code for (PTX compute_80, SASS sm_80 and newer). */
    static final int MIN_CC = 80;
    /** Threads per block for every launch (a multiple of 32, as the tile kernels need). */
    static final int BLOCK = 256;
    /** Elements per chunk for the chunked reductions (moments, learnable sums, DoReFa stats). */
    static final long CHUNK = 16384;
    /** Bytes of each of the two pinned staging buffers (a multiple of CHUNK floats). */
    static final long STAGING_BYTES = 64L << 20;

    static final Cleaner CLEANER = Cleaner.create();

    /**
     * Test hook: when > 0, the most blocks any launch uses (results must not depend on it; the GPU
     * tests run with 1, a prime and the default).
     */
    static volatile int maxBlocks;

    /** Every kernel of the fatbin the backend launches (native/README.md lists their signatures). */
    static final String[] KERNELS = {
        "kure_fq_forward_t", "kure_fq_forward_c", "kure_fq_ste_backward_t", "kure_fq_ste_backward_c",
        "kure_ste_backward_packed", "kure_fq_learnable_backward_t", "kure_fq_learnable_backward_c",
        "kure_sum2_segments", "kure_quantize_i8_t", "kure_quantize_i8_c", "kure_quantize_i4_t",
        "kure_quantize_i4_c", "kure_dequantize_i8_t", "kure_dequantize_i8_c", "kure_dequantize_i4_t",
        "kure_dequantize_i4_c", "kure_maxabs_partial", "kure_max_merge", "kure_dorefa_stats",
        "kure_dorefa_forward", "kure_dorefa_backward", "kure_moments_chunks", "kure_moments_multi_chunks",
        "kure_moments_merge", "kure_kure_grad", "kure_bench_read_sum",
    };

    /** Why there is no backend; {@code driverWide} when no other device can do better. */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean driverWide;

        Unavailable(String why, boolean driverWide) {
            super(why, null, false, false);
            this.driverWide = driverWide;
        }

        boolean driverWide() {
            return driverWide;
        }
    }

    final int ordinal;
    final String name;
    final int cc;
    final int sms;
    final long totalMem;
    final int driverVersion;
    final CUcontext ctx;
    final CUstream stream;
    final CUstream stream2;
    private final Map<String, CUfunction> functions;

    /** The fatbin's entries ("sm_80 ... compute_121"), for describe(). */
    String fatbinTargets = "";
    private Pointer[] staging;          // two pinned buffers, allocated on first use
    private MemorySegment[] stagingSeg; // their views
    private final Object stagingLock = new Object();

    private CudaDevice(int ordinal, String name, int cc, int sms, long totalMem, int driverVersion, CUcontext ctx,
                       CUstream stream, CUstream stream2, Map<String, CUfunction> functions) {
        this.ordinal = ordinal;
        this.name = name;
        this.cc = cc;
        this.sms = sms;
        this.totalMem = totalMem;
        this.driverVersion = driverVersion;
        this.ctx = ctx;
        this.stream = stream;
        this.stream2 = stream2;
        this.functions = functions;
    }

    // ---- probe -----------------------------------------------------------------------------------

    /**
     * Opens device {@code ordinal}: driver, device, primary context, module, kernels, streams.
     * Throws {@link Unavailable} with the reason; {@link LinkageError}s (no JCuda, no libcuda.so.1)
     * propagate to {@link Cuda}, which turns them into a reason.
     */
    static CudaBackend open(int ordinal) throws Unavailable {
        int rc = cuInit(0);
        if (rc != CUresult.CUDA_SUCCESS) {
            String n = CUresult.stringFor(rc);
            String why = switch (n) {
                case "CUDA_ERROR_NO_DEVICE" -> "no CUDA device: cuInit returned CUDA_ERROR_NO_DEVICE"
                        + " (the NVIDIA driver is installed but sees no GPU)";
                case "CUDA_ERROR_INSUFFICIENT_DRIVER", "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE" ->
                        "driver too old: cuInit returned " + n + "; Kure needs an NVIDIA driver >= 580 (CUDA 13.0)";
                default -> "cuInit failed: " + n + " (" + rc + ")";
            };
            throw new Unavailable(why, true);
        }
        int[] v = new int[1];
        check(cuDriverGetVersion(v), "cuDriverGetVersion");
        int driver = v[0];
        if (driver < Cuda.MIN_DRIVER_VERSION) {
            throw new Unavailable("driver too old: the NVIDIA driver supports CUDA " + (driver / 1000) + "."
                    + (driver % 1000) / 10 + " (driver API version " + driver + "); Kure's fatbin is built by nvcc 13"
                    + " and needs CUDA 13.0 (driver API version " + Cuda.MIN_DRIVER_VERSION + "), i.e. an NVIDIA"
                    + " driver >= 580", true);
        }
        int[] count = new int[1];
        check(cuDeviceGetCount(count), "cuDeviceGetCount");
        if (count[0] == 0) {
            throw new Unavailable("no CUDA device: cuDeviceGetCount returned 0", true);
        }
        if (ordinal >= count[0]) {
            throw new Unavailable("no CUDA device " + ordinal + ": this machine has " + count[0]
                    + (count[0] == 1 ? " device (0)" : " devices (0.." + (count[0] - 1) + ")"), false);
        }
        byte[] fatbin = readFatbin();
        CUdevice dev = new CUdevice();
        check(cuDeviceGet(dev, ordinal), "cuDeviceGet");
        byte[] nameBytes = new byte[256];
        check(cuDeviceGetName(nameBytes, nameBytes.length, dev), "cuDeviceGetName");
        int len = 0;
        while (len < nameBytes.length && nameBytes[len] != 0) {
            len++;
        }
        String name = new String(nameBytes, 0, len, StandardCharsets.UTF_8);
        int major = attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        int minor = attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        int cc = major * 10 + minor;
        if (cc < MIN_CC) {
            throw new Unavailable("CUDA device " + ordinal + " (" + name + ") has compute capability " + major + "."
                    + minor + "; Kure's fatbin needs 8.0 or newer (Ampere)", false);
        }
        int sms = attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        long[] mem = new long[1];
        check(cuDeviceTotalMem(mem, dev), "cuDeviceTotalMem");
        CUcontext ctx = new CUcontext();
        check(cuDevicePrimaryCtxRetain(ctx, dev), "cuDevicePrimaryCtxRetain");
        check(cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
        CUmodule module = new CUmodule();
        rc = cuModuleLoadData(module, fatbin);
        if (rc != CUresult.CUDA_SUCCESS) {
            String n = CUresult.stringFor(rc);
            String hint = switch (n) {
                case "CUDA_ERROR_UNSUPPORTED_PTX_VERSION", "CUDA_ERROR_NO_BINARY_FOR_GPU" -> "driver too old for the"
                        + " fatbin (nvcc 13 output needs an NVIDIA driver >= 580) or no code for sm_" + cc;
                default -> "the fatbin " + FATBIN + " did not load";
            };
            throw new Unavailable(hint + ": cuModuleLoadData returned " + n + " on device " + ordinal + " (" + name
                    + ", sm_" + cc + ", driver API " + driver + ")", false);
        }
        Map<String, CUfunction> fns = new HashMap<>();
        for (String k : KERNELS) {
            CUfunction f = new CUfunction();
            rc = cuModuleGetFunction(f, module, k);
            if (rc != CUresult.CUDA_SUCCESS) {
                throw new Unavailable("the fatbin has no kernel " + k + " (" + CUresult.stringFor(rc)
                        + "): a stale build? rebuild with native/build-fatbin.sh", false);
            }
            fns.put(k, f);
        }
        CUstream s1 = new CUstream(), s2 = new CUstream();
        check(cuStreamCreate(s1, 0), "cuStreamCreate");
        check(cuStreamCreate(s2, 0), "cuStreamCreate");
        CudaDevice d = new CudaDevice(ordinal, name, cc, sms, mem[0], driver, ctx, s1, s2, fns);
        try {
            d.fatbinTargets = String.join(" ", Fatbin.entries(fatbin));
        } catch (IllegalArgumentException e) {
            d.fatbinTargets = "?";
        }
        return new CudaBackend(d);
    }

    private static byte[] readFatbin() throws Unavailable {
        try (InputStream in = CudaDevice.class.getResourceAsStream(FATBIN)) {
            if (in == null) {
                throw new Unavailable("this Kure build has no CUDA fatbin (resource " + FATBIN + "): it was built"
                        + " without nvcc; rebuild with the CUDA 13 toolkit on the PATH", true);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new Unavailable("could not read the CUDA fatbin " + FATBIN + ": " + e, true);
        }
    }

    private static int attribute(CUdevice dev, int attr) {
        int[] v = new int[1];
        check(cuDeviceGetAttribute(v, attr, dev), "cuDeviceGetAttribute");
        return v[0];
    }

    /** What this device is, in one line. */
    String describe() {
        return "cuda:" + ordinal + " " + name + " (sm_" + cc + ", " + sms + " SMs, " + (totalMem >> 20) + " MiB), driver"
                + " API " + driverVersion + "; fatbin " + fatbinTargets;
    }

    // ---- errors ------------------------------------------------------------------------------------

    /** Throws {@link KureCudaException} naming the call and the CUDA error unless rc is CUDA_SUCCESS. */
    static void check(int rc, String what) {
        if (rc != CUresult.CUDA_SUCCESS) {
            throw new KureCudaException(what, rc, CUresult.stringFor(rc));
        }
    }

    // ---- context, memory, launches --------------------------------------------------------------

    /** Makes the primary context current on the calling thread (every public entry point calls it). */
    void enter() {
        check(cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
    }

    CUfunction fn(String kernel) {
        return functions.get(kernel);
    }

    /** Free device memory in bytes (cuMemGetInfo). */
    long freeMemory() {
        enter();
        long[] free = new long[1], total = new long[1];
        check(jcuda.driver.JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
        return free[0];
    }

    /** cuMemAlloc, at least 1 byte. */
    CUdeviceptr alloc(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        check(cuMemAlloc(p, Math.max(1, bytes)), "cuMemAlloc(" + bytes + " bytes)");
        return p;
    }

    void free(CUdeviceptr p) {
        if (p != null) {
            cuMemFree(p);
        }
    }

    /**
     * Device allocations of one call: freed together when the call ends, also when it ends with an
     * exception (out of memory included).
     */
    final class Scope implements AutoCloseable {
        private final List<CUdeviceptr> owned = new ArrayList<>();

        CUdeviceptr alloc(long bytes) {
            CUdeviceptr p = CudaDevice.this.alloc(bytes);
            owned.add(p);
            return p;
        }

        /** Hands {@code p} over to the caller: it is no longer freed with the scope. */
        void release(CUdeviceptr p) {
            owned.remove(p);
        }

        /** Whether the scope holds allocations. */
        boolean owns() {
            return !owned.isEmpty();
        }

        /** Allocates and zeroes. */
        CUdeviceptr zeros(long bytes) {
            CUdeviceptr p = alloc(bytes);
            check(cuMemsetD8(p, (byte) 0, Math.max(1, bytes)), "cuMemsetD8");
            return p;
        }

        CUdeviceptr upload(float[] a, int off, int len) {
            CUdeviceptr p = alloc(4L * len);
            if (len > 0) {
                check(cuMemcpyHtoD(p, Pointer.to(a).withByteOffset(4L * off), 4L * len), "cuMemcpyHtoD");
            }
            return p;
        }

        CUdeviceptr upload(float[] a) {
            return upload(a, 0, a.length);
        }

        CUdeviceptr upload(byte[] a, int off, int len) {
            CUdeviceptr p = alloc(len);
            if (len > 0) {
                check(cuMemcpyHtoD(p, Pointer.to(a).withByteOffset(off), len), "cuMemcpyHtoD");
            }
            return p;
        }

        CUdeviceptr upload(long[] a) {
            CUdeviceptr p = alloc(8L * a.length);
            if (a.length > 0) {
                check(cuMemcpyHtoD(p, Pointer.to(a), 8L * a.length), "cuMemcpyHtoD");
            }
            return p;
        }

        CUdeviceptr upload(int[] a) {
            CUdeviceptr p = alloc(4L * a.length);
            if (a.length > 0) {
                check(cuMemcpyHtoD(p, Pointer.to(a), 4L * a.length), "cuMemcpyHtoD");
            }
            return p;
        }

        CUdeviceptr upload(double[] a) {
            CUdeviceptr p = alloc(8L * a.length);
            if (a.length > 0) {
                check(cuMemcpyHtoD(p, Pointer.to(a), 8L * a.length), "cuMemcpyHtoD");
            }
            return p;
        }

        /** A device array of the given device pointers (for the multi-tensor kernels). */
        CUdeviceptr pointerTable(CUdeviceptr[] ptrs) {
            CUdeviceptr p = alloc(8L * ptrs.length);
            if (ptrs.length > 0) {
                check(cuMemcpyHtoD(p, Pointer.to(ptrs), 8L * ptrs.length), "cuMemcpyHtoD(pointer table)");
            }
            return p;
        }

        @Override
        public void close() {
            if (!owned.isEmpty()) {
                cuCtxSetCurrent(ctx); // also from a Cleaner thread
            }
            for (int i = owned.size() - 1; i >= 0; i--) {
                cuMemFree(owned.get(i));
            }
            owned.clear();
        }
    }

    Scope scope() {
        return new Scope();
    }

    /** Waits for the main stream and turns an asynchronous kernel error into an exception. */
    void sync() {
        check(cuStreamSynchronize(stream), "kernel execution (cuStreamSynchronize)");
    }

    static void download(float[] a, int off, int len, CUdeviceptr src) {
        if (len > 0) {
            check(cuMemcpyDtoH(Pointer.to(a).withByteOffset(4L * off), src, 4L * len), "cuMemcpyDtoH");
        }
    }

    static void download(byte[] a, int off, int len, CUdeviceptr src) {
        if (len > 0) {
            check(cuMemcpyDtoH(Pointer.to(a).withByteOffset(off), src, len), "cuMemcpyDtoH");
        }
    }

    static void download(int[] a, CUdeviceptr src) {
        if (a.length > 0) {
            check(cuMemcpyDtoH(Pointer.to(a), src, 4L * a.length), "cuMemcpyDtoH");
        }
    }

    static void download(long[] a, CUdeviceptr src) {
        if (a.length > 0) {
            check(cuMemcpyDtoH(Pointer.to(a), src, 8L * a.length), "cuMemcpyDtoH");
        }
    }

    static void download(double[] a, CUdeviceptr src) {
        if (a.length > 0) {
            check(cuMemcpyDtoH(Pointer.to(a), src, 8L * a.length), "cuMemcpyDtoH");
        }
    }

    /**
     * Launches {@code kernel} on {@code s} with {@link #BLOCK} threads per block and
     * {@code min(ceil(units / unitsPerBlock), SMs * 8)} blocks (at least 1). Arguments: device
     * pointers ({@link NativePointerObject}), {@link Long} (long long), {@link Integer} (int),
     * {@link Float}, {@link Double}, in the kernel's parameter order.
     */
    void launch(String kernel, CUstream s, long units, long unitsPerBlock, Object... args) {
        long cap = maxBlocks > 0 ? maxBlocks : (long) sms * 8;
        long blocks = Math.max(1, Math.min((units + unitsPerBlock - 1) / unitsPerBlock, cap));
        Pointer[] ps = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            ps[i] = switch (a) {
                case NativePointerObject p -> Pointer.to(p);
                case Long l -> Pointer.to(new long[] {l});
                case Integer n -> Pointer.to(new int[] {n});
                case Float f -> Pointer.to(new float[] {f});
                case Double d -> Pointer.to(new double[] {d});
                default -> throw new IllegalArgumentException("kernel argument " + i + " of " + kernel + ": " + a);
            };
        }
        check(cuLaunchKernel(fn(kernel), (int) blocks, 1, 1, BLOCK, 1, 1, 0, s, Pointer.to(ps), null),
                "cuLaunchKernel(" + kernel + ")");
    }

    /** A null device pointer (the kernels' "none"). */
    static CUdeviceptr nullPtr() {
        return new CUdeviceptr();
    }

    // ---- pinned staging for segments -------------------------------------------------------------

    /** Runs {@code body} with the two pinned staging buffers (allocated on first use, kept). */
    <T> T withStaging(StagingBody<T> body) {
        synchronized (stagingLock) {
            if (staging == null) {
                Pointer a = new Pointer(), b = new Pointer();
                check(cuMemHostAlloc(a, STAGING_BYTES, 0), "cuMemHostAlloc");
                int rc = cuMemHostAlloc(b, STAGING_BYTES, 0);
                if (rc != CUresult.CUDA_SUCCESS) {
                    cuMemFreeHost(a);
                    check(rc, "cuMemHostAlloc");
                }
                staging = new Pointer[] {a, b};
                stagingSeg = new MemorySegment[] {
                    MemorySegment.ofBuffer(a.getByteBuffer(0, STAGING_BYTES)),
                    MemorySegment.ofBuffer(b.getByteBuffer(0, STAGING_BYTES)),
                };
            }
            return body.run(staging, stagingSeg);
        }
    }

    /** Code that uses the staging buffers. */
    interface StagingBody<T> {
        /** Runs with pinned buffers {@code host[i]} and their segment views {@code seg[i]}. */
        T run(Pointer[] host, MemorySegment[] seg);
    }

    /**
     * Copies {@code bytes} bytes of {@code src} from byte {@code srcOff} to {@code dst} through the
     * pinned staging buffers: the host copy of piece k+1 overlaps the DMA of piece k.
     */
    void uploadSegment(MemorySegment src, long srcOff, long bytes, CUdeviceptr dst) {
        if (bytes == 0) {
            return;
        }
        withStaging((host, seg) -> {
            CUstream[] ss = {stream, stream2};
            int k = 0;
            for (long done = 0; done < bytes; done += STAGING_BYTES, k ^= 1) {
                long n = Math.min(STAGING_BYTES, bytes - done);
                check(cuStreamSynchronize(ss[k]), "cuStreamSynchronize");
                MemorySegment.copy(src, srcOff + done, seg[k], 0, n);
                check(cuMemcpyHtoDAsync(dst.withByteOffset(done), host[k], n, ss[k]), "cuMemcpyHtoDAsync");
            }
            check(cuStreamSynchronize(stream), "cuStreamSynchronize");
            check(cuStreamSynchronize(stream2), "cuStreamSynchronize");
            return null;
        });
    }

    /** Copies {@code bytes} bytes from {@code src} to {@code dst} at byte {@code dstOff} through the staging buffers. */
    void downloadSegment(CUdeviceptr src, MemorySegment dst, long dstOff, long bytes) {
        if (bytes == 0) {
            return;
        }
        withStaging((host, seg) -> {
            for (long done = 0; done < bytes; done += STAGING_BYTES) {
                long n = Math.min(STAGING_BYTES, bytes - done);
                check(cuMemcpyDtoH(host[0], src.withByteOffset(done), n), "cuMemcpyDtoH");
                MemorySegment.copy(seg[0], 0, dst, dstOff + done, n);
            }
            return null;
        });
    }
}
