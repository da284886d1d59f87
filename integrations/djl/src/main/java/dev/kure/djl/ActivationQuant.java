package dev.kure.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.kure.Grid;
import dev.kure.Kernels;
import dev.kure.Quantizer;
import dev.kure.StepPolicy;
import java.util.Arrays;
import java.util.Objects;

/**
 * Activation fake quantization with one step per tensor, calibrated on a few batches: in
 * {@link #calibrate() calibration} mode the block passes its input through and keeps a sample of it;
 * {@link #freeze(int, StepPolicy)} picks the step from the sample (UNSIGNED grid when no sampled
 * value is negative — inputs after ReLU or in [0, 1] — else SIGNED); in quantize mode the forward
 * returns Kure's fake-quantized input (the identity's gradient: meant for evaluation, A8 PTQ).
 */
public final class ActivationQuant extends AbstractBlock {
    private static final int MAX_SAMPLE = 1 << 22;

    private enum Mode { OFF, CALIBRATE, QUANTIZE }

    private Kernels kernels = Kernels.cpu();
    private Mode mode = Mode.OFF;
    private float[] sample = new float[0];
    private int filled;
    private Quantizer quantizer;

    /** A block in pass-through mode. */
    public ActivationQuant() {
        super((byte) 1);
    }

    /** The Kure backend (default {@link Kernels#cpu()}). */
    public ActivationQuant kernels(Kernels k) {
        this.kernels = Objects.requireNonNull(k, "kernels");
        return this;
    }

    /** Pass-through from now on. */
    public void off() {
        mode = Mode.OFF;
    }

    /** Starts collecting a sample of the inputs (at most 4 Mi values; later batches are ignored once full). */
    public void calibrate() {
        mode = Mode.CALIBRATE;
        sample = new float[0];
        filled = 0;
    }

    /**
     * Chooses the step at {@code bits} by {@code policy} from the collected sample and switches to
     * quantizing.
     *
     * @throws IllegalStateException if no input was seen since {@link #calibrate()}
     */
    public Quantizer freeze(int bits, StepPolicy policy) {
        if (mode != Mode.CALIBRATE || filled == 0) {
            throw new IllegalStateException("freeze() needs calibrate() and at least one forward pass first");
        }
        float[] x = Arrays.copyOf(sample, filled);
        float min = Float.POSITIVE_INFINITY;
        for (float v : x) {
            min = Math.min(min, v);
        }
        quantizer = kernels.calibrate(x, bits, min >= 0 ? Grid.UNSIGNED : Grid.SIGNED, policy);
        sample = new float[0];
        filled = 0;
        mode = Mode.QUANTIZE;
        return quantizer;
    }

    /** Quantizes with the step chosen earlier (after {@link #freeze}; for switching back from {@link #off()}). */
    public void quantize() {
        if (quantizer == null) {
            throw new IllegalStateException("no step yet: calibrate() and freeze() first");
        }
        mode = Mode.QUANTIZE;
    }

    /** The activation quantizer, or null before {@link #freeze}. */
    public Quantizer quantizer() {
        return quantizer;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        switch (mode) {
            case OFF -> {
                return inputs;
            }
            case CALIBRATE -> {
                collect(Params.read(x));
                return inputs;
            }
            default -> {
                float[] in = Params.read(x);
                float[] out = new float[in.length];
                kernels.fakeQuantize(in, out, quantizer);
                return new NDList(x.getManager().create(out, x.getShape()));
            }
        }
    }

    private void collect(float[] v) {
        int take = Math.min(v.length, MAX_SAMPLE - filled);
        if (take <= 0) {
            return;
        }
        if (sample.length < filled + take) {
            sample = Arrays.copyOf(sample, Math.min(MAX_SAMPLE, Math.max(filled + take, sample.length * 2)));
        }
        System.arraycopy(v, 0, sample, filled, take);
        filled += take;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return inputs;
    }
}
