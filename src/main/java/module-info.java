/**
 * Kure: kernels for robust quantization (tensor moments, the KURE regularizer, fake quantization with
 * its backward passes, integer and floating-point codes, step-size calibration and robustness sweeps).
 *
 * <p>What a framework links against is exported: {@link dev.kure} (the entry point
 * {@link dev.kure.Kernels} and its value types), {@code dev.kure.cuda} (GPU-resident tensors, reached
 * with {@link dev.kure.Kernels#gpu()}), {@code dev.kure.io} (checkpoint readers and writers) and
 * {@code dev.kure.theory} (the paper's closed forms). The backends ({@code dev.kure.scalar},
 * {@code dev.kure.simd}), the interface they implement ({@code dev.kure.spi}) and the command-line tool
 * ({@code dev.kure.cli}) are internal and may change in any release.
 *
 * <p>The library works the same on the class path, where this descriptor is ignored. Its optional
 * parts are {@code requires static}: the SIMD backend needs {@code --add-modules jdk.incubator.vector}
 * (without it Kure runs its scalar backend), the GPU backend needs JCuda, the command-line tool needs
 * picocli.
 */
module dev.kure {
    requires static jdk.incubator.vector;
    requires static jcuda;
    requires static info.picocli;

    exports dev.kure;
    exports dev.kure.cuda;
    exports dev.kure.io;
    exports dev.kure.theory;

    // picocli reads the command classes' annotated fields and methods reflectively
    opens dev.kure.cli to info.picocli;
}
