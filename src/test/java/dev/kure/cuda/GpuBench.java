package dev.kure.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;

import dev.kure.CudaStatus;
import dev.kure.Grid;
import dev.kure.KureConfig;
import dev.kure.KureResult;
import dev.kure.Moments;
import dev.kure.Quantizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import jcuda.driver.CUdeviceptr;

/**
 * GPU benchmarks of the CUDA backend on device-resident data (bench/gpu/run-gpu.sh runs it next to
 * bench/gpu/torch_bench.py): device-to-device copy and a read-only reduction as the bandwidth
 * baselines, then fake quantization per tensor, the learnable-scale backward and moments at 256 Mi
 * floats, and KURE loss + gradient over ResNet-50's 53 convolution weight shapes.
 *
 * <p>Timing: {@link System#nanoTime()} around {@code reps} calls after {@code warmup} calls, the
 * stream synchronized before and after (so asynchronous launches are fully counted); the median of
 * {@code rounds} rounds is reported. No JMH on the device (it has no JDK to build benchmarks with;
 * a plain main keeps the kit small).
 *
 * <p>Usage: {@code GpuBench OUT.json [floats]}. Exits 2 with the probe's reason when no GPU is usable.
 */
public final class GpuBench {
    private GpuBench() {}

    /** ResNet-50's 53 convolution weight shapes (torchvision; the fc layer is not included). */
    public static List<int[]> resnet50ConvShapes() {
        List<int[]> s = new ArrayList<>();
        s.add(new int[] {64, 3, 7, 7});
        int in = 64;
        int[][] layers = {{64, 3}, {128, 4}, {256, 6}, {512, 3}};
        for (int[] layer : layers) {
            int planes = layer[0], blocks = layer[1], out = planes * 4;
            for (int b = 0; b < blocks; b++) {
                s.add(new int[] {planes, in, 1, 1});
                s.add(new int[] {planes, planes, 3, 3});
                s.add(new int[] {out, planes, 1, 1});
                if (b == 0) {
                    s.add(new int[] {out, in, 1, 1}); // downsample
                }
                in = out;
            }
        }
        return s;
    }

    interface Body {
        void run();
    }

    /** Median seconds per call. */
    static double time(CudaBackend gpu, int warmup, int reps, int rounds, Body body) {
        for (int i = 0; i < warmup; i++) {
            body.run();
        }
        gpu.synchronize();
        double[] t = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                body.run();
            }
            gpu.synchronize();
            t[r] = (System.nanoTime() - t0) / 1e9 / reps;
        }
        java.util.Arrays.sort(t);
        return t[rounds / 2];
    }

    static float[] gaussian(int n, double std, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * std);
        }
        return x;
    }

    /**
     * Runs the benchmarks and writes JSON to args[0].
     *
     * @param args output path, then optionally the element count for the streaming kernels (default 2^28)
     * @throws IOException if the output cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: GpuBench OUT.json [floats]");
            System.exit(64);
        }
        CudaStatus st = Cuda.status();
        if (!st.usable()) {
            System.err.println("GpuBench: " + st);
            System.exit(2);
        }
        long n = args.length > 1 ? Long.parseLong(args[1]) : 1L << 28;
        CudaBackend gpu = Cuda.backend();
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("device", gpu.describe());
        res.put("floats", n);
        res.put("timing", "System.nanoTime around reps calls, stream synchronized; median of rounds");
        System.out.println("GpuBench on " + gpu.describe());

        float[] block = gaussian(1 << 24, 1, 1);
        try (DeviceTensor x = gpu.allocate(n); DeviceTensor y = gpu.allocate(n); DeviceTensor dy = gpu.allocate(n);
             DeviceTensor dx = gpu.allocate(n)) {
            // fill x and dy with Gaussian data, 16 Mi floats at a time (device-to-device repeats)
            try (DeviceTensor b = gpu.upload(block)) {
                for (long off = 0; off < n; off += block.length) {
                    long len = Math.min(block.length, n - off);
                    CudaDevice.check(cuMemcpyDtoDAsync(x.ptr().withByteOffset(4 * off), b.ptr(), 4 * len,
                            gpu.device().stream), "fill");
                    CudaDevice.check(cuMemcpyDtoDAsync(dy.ptr().withByteOffset(4 * off), b.ptr(), 4 * len,
                            gpu.device().stream), "fill");
                }
                gpu.synchronize();
            }
            double bytes = 4.0 * n;
            double copy = time(gpu, 3, 10, 5, () -> gpu.copy(x, y));
            put(res, "copy_dtod", copy, 2 * bytes);
            CUdeviceptr partial = gpu.device().alloc(4L * gpu.device().sms * 8);
            try {
                double read = time(gpu, 3, 10, 5, () -> gpu.device().launch("kure_bench_read_sum", gpu.device().stream, n,
                        CudaDevice.BLOCK, x.ptr(), n, partial));
                put(res, "read_reduce", read, bytes);
            } finally {
                gpu.device().free(partial);
            }
            Quantizer q = Quantizer.perTensor(8, Grid.SIGNED, 0.05f, 0);
            double fq = time(gpu, 3, 10, 5, () -> gpu.fakeQuantize(x, y, q));
            put(res, "fake_quant_per_tensor", fq, 2 * bytes);
            double lb = time(gpu, 2, 5, 5, () -> gpu.fakeQuantizeLearnableBackward(x, dy, dx, q, 1.0));
            put(res, "learnable_backward", lb, 3 * bytes);
            double mo = time(gpu, 2, 5, 5, () -> gpu.moments(x));
            put(res, "moments", mo, bytes);
            Moments m = gpu.moments(x);
            res.put("moments_check", Map.of("mean", m.mean(), "kurtosis", m.kurtosis()));
        }

        List<int[]> shapes = resnet50ConvShapes();
        List<DeviceTensor> ws = new ArrayList<>(), gs = new ArrayList<>();
        long params = 0;
        try {
            for (int i = 0; i < shapes.size(); i++) {
                int[] s = shapes.get(i);
                int fanIn = s[1] * s[2] * s[3];
                int len = s[0] * fanIn;
                params += len;
                ws.add(gpu.upload(gaussian(len, Math.sqrt(2.0 / fanIn), 100 + i)));
                gs.add(gpu.allocate(len));
            }
            try (KureBatch batch = gpu.kureBatch(ws, gs)) {
                KureConfig cfg = KureConfig.defaults();
                double k = time(gpu, 10, 50, 5, () -> batch.run(cfg));
                put(res, "kure_resnet50", k, 4.0 * params * 3);
                KureResult r = batch.run(cfg);
                res.put("kure_check", Map.of("tensors", shapes.size(), "params", params, "loss", r.loss()));
            }
            double once = time(gpu, 2, 10, 3, () -> gpu.kureDevice(ws, gs, KureConfig.defaults()));
            put(res, "kure_resnet50_unprepared", once, 4.0 * params * 3);
        } finally {
            ws.forEach(DeviceTensor::close);
            gs.forEach(DeviceTensor::close);
        }
        Files.writeString(Path.of(args[0]), json(res));
        System.out.println(json(res));
    }

    static void put(Map<String, Object> res, String name, double seconds, double bytes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ms", seconds * 1e3);
        m.put("GBps", bytes / seconds / 1e9);
        res.put(name, m);
        System.out.printf(Locale.ROOT, "%-28s %10.4f ms %9.1f GB/s%n", name, seconds * 1e3, bytes / seconds / 1e9);
    }

    static String json(Object o) {
        if (o instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (b.length() > 1) {
                    b.append(", ");
                }
                b.append('"').append(e.getKey()).append("\": ").append(json(e.getValue()));
            }
            return b.append('}').toString();
        }
        if (o instanceof String s) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
        if (o instanceof Double d) {
            return Double.isFinite(d) ? String.format(Locale.ROOT, "%.6g", d) : "null";
        }
        return String.valueOf(o);
    }
}
