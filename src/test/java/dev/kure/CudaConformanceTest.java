package dev.kure;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/**
 * The conformance suite against the GPU backend (bit-exact fake quantization, masks, STE, codes and
 * stochastic rounding; moments, KURE, learnable sums and DoReFa within the tolerances of docs/semantics.md). Tagged
 * {@code gpu} ({@code mvn -Pgpu test} or bench/gpu/run-gpu.sh runs only these); in the default build
 * it runs too and, where no GPU is usable, the whole class is skipped with the probe's reason.
 */
@Tag("gpu")
class CudaConformanceTest extends BackendConformance {
    @BeforeEach
    void gpuPresent() {
        CudaStatus st = Kernels.cudaStatus();
        assumeTrue(st.usable(), () -> "skipped: " + st);
    }

    @Override
    protected Kernels candidate() {
        return Kernels.cuda();
    }

    /** The GPU suite runs the big cases at a size where the GPU's chunking and piecing matter. */
    @Override
    protected int bigSize() {
        return 20_000_000;
    }
}
