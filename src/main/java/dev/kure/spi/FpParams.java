package dev.kure.spi;

import dev.kure.FpFormat;
import dev.kure.FpQuantizer;
import dev.kure.MxScaleRounding;

/**
 * A floating-point quantizer with every data-dependent tensor or channel scale resolved, as the
 * {@link FpBackend} kernels take it. Built by {@code dev.kure.FpKernels}, which validates it.
 *
 * <p>TENSOR / CHANNEL: element with global index g uses scale {@code scales[(g / inner) % scales.length]}
 * and its reciprocal {@code inverses[...]} ({@code (float)(1.0f / s)}, NaN for a NaN scale).
 * MX / NVFP4: the tensor is [outer, axisLen, inner] (axisLen 0: the flat tensor is one line, inner 1),
 * blocks of {@link #block()} consecutive indices along the axis; NVFP4's FP32 tensor scale is
 * {@code tensorScale}.
 *
 * @param format       element format
 * @param scaling      the scaling
 * @param scales       TENSOR / CHANNEL decode scales (null for MX / NVFP4)
 * @param inverses     their reciprocals
 * @param inner        elements per scale run (TENSOR: Long.MAX_VALUE) or the block axis's stride
 * @param axisLen      the block axis's length, 0 for flat blocks
 * @param block        elements per block (MX 32, NVFP4 16, else 0)
 * @param mxRounding   MX scale rule
 * @param tensorScale  NVFP4's FP32 tensor scale g (NaN when the tensor is not finite)
 * @param stochastic   STOCHASTIC rounding (else HALF_EVEN)
 * @param seed         Philox seed
 * @param streamOffset stream index of global element 0
 * @param saturate     saturating conversion
 */
public record FpParams(FpFormat format, FpQuantizer.Scaling scaling, float[] scales, float[] inverses, long inner,
                       int axisLen, int block, MxScaleRounding mxRounding, float tensorScale, boolean stochastic,
                       long seed, long streamOffset, boolean saturate) {

    /** Whether blocks run over strided elements (a block axis that is not the last). */
    public boolean strided() {
        return block > 0 && inner > 1;
    }

    /**
     * Elements in one line of blocks ({@code axisLen * inner}); chunks handed to a kernel by one
     * call must start at a multiple of it. For flat blocks, the block size.
     */
    public long unit() {
        return block == 0 ? 1 : axisLen == 0 ? block : (long) axisLen * inner;
    }
}
