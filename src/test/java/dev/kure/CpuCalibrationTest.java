package dev.kure;

/** {@link CalibrationTest} on the backend {@link Kernels#cpu()} picks (Panama SIMD when the vector module is readable). */
class CpuCalibrationTest extends CalibrationTest {
    @Override
    Kernels kernels() {
        return Kernels.cpu();
    }

    @Override
    double tol() {
        return 1e-6;
    }
}
