package dev.kure;

/**
 * The tensor-view conformance suite for the CPU backend on its own, for runs that leave out the big
 * array cases of {@link CpuConformanceTest} (whose nested {@code Views} class is this same suite): the
 * small-chunk surefire run and mutation testing. Not named *Test, so the default run does not repeat it.
 */
class CpuViewsConformance extends SegmentConformance {
    @Override
    protected Kernels candidate() {
        return Kernels.cpu();
    }
}
