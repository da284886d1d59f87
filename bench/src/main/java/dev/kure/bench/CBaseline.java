package dev.kure.bench;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The C baseline (native/baseline.c, gcc -O3 -march=native) called through the FFM API with heap
 * arrays passed directly ({@code Linker.Option.critical(true)}: no copies). The library path comes
 * from {@code KURE_BASELINE_LIB}, default {@code native-build/libkurebaseline.so} next to the jar
 * (bench/build.sh builds it).
 */
final class CBaseline {
    private CBaseline() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIB = SymbolLookup.libraryLookup(path(), java.lang.foreign.Arena.global());

    static Path path() {
        String env = System.getenv("KURE_BASELINE_LIB");
        Path p = env != null ? Path.of(env) : Path.of("bench/target/native/libkurebaseline.so");
        if (!Files.isReadable(p)) {
            throw new IllegalStateException("C baseline library not found at " + p.toAbsolutePath()
                    + ": run bench/build.sh (it builds native/baseline.c) or set KURE_BASELINE_LIB");
        }
        return p;
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIB.find(name).orElseThrow(), fd, Linker.Option.critical(true));
    }

    static final MethodHandle MOMENTS = handle("kure_baseline_moments",
            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    static final MethodHandle FAKE_QUANT = handle("kure_baseline_fake_quant",
            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_FLOAT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    /** {n, mean, S2, S3, S4, min, max} of x, by the C two-pass loop. */
    static void moments(float[] x, double[] out) {
        try {
            MOMENTS.invokeExact(MemorySegment.ofArray(x), (long) x.length, MemorySegment.ofArray(out));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** PyTorch-order per-tensor fake quantization (HALF_EVEN, SATURATE) by the C loop. */
    static void fakeQuant(float[] x, float scale, int zp, int qmin, int qmax, float[] out) {
        try {
            FAKE_QUANT.invokeExact(MemorySegment.ofArray(x), (long) x.length, scale, zp, qmin, qmax,
                    MemorySegment.ofArray(out));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
