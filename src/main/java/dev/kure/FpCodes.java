package dev.kure;

/**
 * A tensor quantized to a floating-point format's bit codes, from {@link FpKernels#quantize}.
 * {@link FpKernels#dequantize} turns it back into exactly the floats {@link FpKernels#fakeQuantize}
 * gives (bit for bit).
 *
 * <ul>
 * <li>{@code elements}: one code per element — 8-bit formats one per byte; 6-bit formats one per byte
 *     in the low 6 bits; E2M1 two per byte, element j in byte j/2, low nibble first (an odd length
 *     leaves the last high nibble 0). Codes are sign, exponent, mantissa (INT8: two's complement of
 *     value·64).</li>
 * <li>{@code blockScales}: MX: one E8M0 byte per block (2^(code − 127); 0xFF is NaN); NVFP4: one E4M3
 *     byte per block; empty otherwise. Blocks are numbered line by line, then along the block axis,
 *     then by the index after the axis.</li>
 * <li>{@code scales}: the FP32 decode scales: TENSOR one, CHANNEL one per channel, NVFP4 the tensor
 *     scale; empty for MX.</li>
 * </ul>
 *
 * @param quantizer   the quantizer that wrote the codes
 * @param length      number of elements
 * @param elements    element codes (see above)
 * @param blockScales block scale codes (see above)
 * @param scales      FP32 scales (see above)
 */
public record FpCodes(FpQuantizer quantizer, int length, byte[] elements, byte[] blockScales, float[] scales) {

    /** The code of element j (unpacked; for E2M1 the nibble). */
    public int code(int j) {
        if (quantizer.format() == FpFormat.E2M1) {
            return (elements[j >>> 1] >>> ((j & 1) << 2)) & 0xF;
        }
        return elements[j] & 0xFF;
    }

    /** Bytes of storage: element codes plus block scales plus 4 per FP32 scale. */
    public long storageBytes() {
        return elements.length + blockScales.length + 4L * scales.length;
    }
}
