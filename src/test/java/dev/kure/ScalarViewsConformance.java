package dev.kure;

/**
 * The tensor-view conformance suite for the scalar backend's own view path (the staged defaults of the
 * backend interface) against its array path, for mutation testing; the fallback surefire run covers the
 * same code through {@link CpuConformanceTest}. Not named *Test, so the default run does not repeat it.
 */
class ScalarViewsConformance extends SegmentConformance {
    @Override
    protected Kernels candidate() {
        return Kernels.scalar();
    }
}
