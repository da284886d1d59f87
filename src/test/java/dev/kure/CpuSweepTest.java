package dev.kure;

/** {@link SweepTest} on the backend {@link Kernels#cpu()} picks (Panama SIMD when the vector module is readable). */
class CpuSweepTest extends SweepTest {
    @Override
    Kernels kernels() {
        return Kernels.cpu();
    }

    @Override
    double tol() {
        return 1e-6;
    }
}
