package dev.kure;

/**
 * The conformance suite against the backend {@link Kernels#cpu()} picked: SIMD in the default test
 * run, the scalar fallback in the run without the vector module (where it checks the oracle against
 * itself through a second instance, which still exercises every entry point).
 */
class ScalarConformanceTest extends BackendConformance {
    @Override
    protected Kernels candidate() {
        return Kernels.cpu();
    }
}
