package dev.kure.bench;

import dev.kure.Kernels;

/** The backends a kernel benchmark compares, by name. */
final class Backends {
    private Backends() {}

    /** "scalar": the reference; "panama": the SIMD backend with {@code threads} threads. */
    static Kernels of(String name, int threads) {
        return switch (name) {
            case "scalar" -> Kernels.scalar();
            case "panama" -> {
                Kernels k = Kernels.cpu().withThreads(threads);
                if (!k.name().equals("panama")) {
                    throw new IllegalStateException("the SIMD backend is not available: " + k.describe());
                }
                yield k;
            }
            default -> throw new IllegalArgumentException("backend must be scalar or panama, was " + name);
        };
    }
}
