package dev.kure.scalar;

import dev.kure.KureConfig;
import dev.kure.KureResult;
import dev.kure.Moments;
import dev.kure.Quantizer;
import dev.kure.TensorView;
import dev.kure.spi.Backend;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The scalar reference backend: plain Java written for clarity and exactness (double accumulation,
 * two-pass moments). Every other backend is tested against it.
 */
public final class ScalarBackend implements Backend {
    private final String why;

    /** A scalar backend; {@code why} says why it was chosen (shown by {@link #describe()}). */
    public ScalarBackend(String why) {
        this.why = why;
    }

    @Override public String name() { return "scalar"; }

    @Override public String describe() { return "scalar (reference, plain Java, double accumulation): " + why; }

    @Override public Moments moments(float[] x, int off, int len) { return ScalarMoments.of(x, off, len); }

    @Override public Moments moments(MemorySegment seg, long off, long count) { return ScalarMoments.of(seg, off, count); }

    @Override
    public Moments[] momentsPerChannel(float[] x, int off, int outer, int channels, int inner) {
        return ScalarMoments.perChannel(x, off, outer, channels, inner);
    }

    @Override
    public void fakeQuantize(float[] x, int xo, float[] out, int oo, int len, Quantizer q, long[] mask) {
        ScalarFakeQuant.forward(0, x, xo, out, oo, len, q, mask);
    }

    @Override
    public void fakeQuantize(long base, float[] x, int xo, float[] out, int oo, int len, Quantizer q, long[] mask) {
        ScalarFakeQuant.forward(base, x, xo, out, oo, len, q, mask);
    }

    @Override
    public void fakeQuantizeBackward(float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len, Quantizer q) {
        ScalarFakeQuant.backward(0, x, xo, dy, dyo, dx, dxo, len, q);
    }

    @Override
    public void fakeQuantizeBackward(long base, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len,
                                     Quantizer q) {
        ScalarFakeQuant.backward(base, x, xo, dy, dyo, dx, dxo, len, q);
    }

    @Override
    public void steBackward(long[] mask, float[] dy, int dyo, float[] dx, int dxo, int len) {
        ScalarFakeQuant.steFromMask(mask, dy, dyo, dx, dxo, len);
    }

    @Override
    public void learnableBackward(float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len, Quantizer q,
                                  double[] ds, double[] dz) {
        ScalarFakeQuant.learnable(0, x, xo, dy, dyo, dx, dxo, len, q, ds, dz);
    }

    @Override
    public void learnableBackward(long base, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len,
                                  Quantizer q, double[] ds, double[] dz) {
        ScalarFakeQuant.learnable(base, x, xo, dy, dyo, dx, dxo, len, q, ds, dz);
    }

    @Override
    public void quantizeInt8(float[] x, int xo, byte[] codes, int co, int len, Quantizer q) {
        ScalarCodes.quantizeInt8(0, x, xo, codes, co, len, q);
    }

    @Override
    public void quantizeInt8(long base, float[] x, int xo, byte[] codes, int co, int len, Quantizer q) {
        ScalarCodes.quantizeInt8(base, x, xo, codes, co, len, q);
    }

    @Override
    public void dequantizeInt8(byte[] codes, int co, float[] out, int oo, int len, Quantizer q) {
        ScalarCodes.dequantizeInt8(0, codes, co, out, oo, len, q);
    }

    @Override
    public void dequantizeInt8(long base, byte[] codes, int co, float[] out, int oo, int len, Quantizer q) {
        ScalarCodes.dequantizeInt8(base, codes, co, out, oo, len, q);
    }

    @Override
    public void quantizeInt4(float[] x, int xo, byte[] packed, int po, int len, Quantizer q) {
        ScalarCodes.quantizeInt4(0, x, xo, packed, po, len, q);
    }

    @Override
    public void quantizeInt4(long base, float[] x, int xo, byte[] packed, int po, int len, Quantizer q) {
        ScalarCodes.quantizeInt4(base, x, xo, packed, po, len, q);
    }

    @Override
    public void dequantizeInt4(byte[] packed, int po, float[] out, int oo, int len, Quantizer q) {
        ScalarCodes.dequantizeInt4(0, packed, po, out, oo, len, q);
    }

    @Override
    public void dequantizeInt4(long base, byte[] packed, int po, float[] out, int oo, int len, Quantizer q) {
        ScalarCodes.dequantizeInt4(base, packed, po, out, oo, len, q);
    }

    @Override
    public double dorefaForward(float[] w, int wo, float[] out, int oo, int len, int bits) {
        return ScalarDoReFa.forward(w, wo, out, oo, len, bits);
    }

    @Override
    public void dorefaBackward(float[] w, int wo, float[] dy, int dyo, float[] dx, int dxo, int len) {
        ScalarDoReFa.backward(w, wo, dy, dyo, dx, dxo, len);
    }

    @Override
    public KureResult kure(List<float[]> weights, List<float[]> grads, KureConfig config) {
        return ScalarKure.run(heap(weights), grads == null ? null : heap(grads), config);
    }

    @Override
    public KureResult kureSegments(List<MemorySegment> weights, List<MemorySegment> grads, KureConfig config) {
        return ScalarKure.run(weights, grads, config);
    }

    @Override
    public double errorSums(float[] x, int off, int len, long streamBase, long[] streamIndex, Quantizer[] settings,
                            double p, double[] sums) {
        return ScalarSweep.errorSums(x, off, len, streamBase, streamIndex, settings, p, sums);
    }

    @Override
    public double dorefaForward(TensorView w, TensorView out, int bits) {
        return ScalarDoReFa.forward(w, out, bits);
    }

    @Override
    public void dorefaBackward(TensorView w, TensorView dy, TensorView dx) {
        ScalarDoReFa.backward(w, dy, dx);
    }

    @Override
    public KureResult kureViews(List<TensorView> weights, List<MemorySegment> grads, KureConfig config) {
        return ScalarKure.runViews(weights, grads, config);
    }

    private static List<MemorySegment> heap(List<float[]> arrays) {
        List<MemorySegment> out = new ArrayList<>(arrays.size());
        for (float[] a : arrays) {
            out.add(MemorySegment.ofArray(a));
        }
        return out;
    }
}
