package dev.kure.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import dev.kure.Kernels;
import dev.kure.LearnableGrads;
import dev.kure.Quantizer;
import java.util.Objects;

/**
 * Weight fake quantization for quantization-aware training (QAT): wraps a {@link Conv2d} or
 * {@link Linear} block (its parameters, names and initialization stay the layer's) and, in modes
 * {@link Mode#STE} and {@link Mode#LSQ}, runs the layer with Kure's fake-quantized weights.
 *
 * <p>Forward: the layer sees {@code fq(W) + (W − stopGradient(W))}, which equals {@code fq(W)} bit for
 * bit (the added term is an exact zero) while the gradient reaches W unchanged. Backward: call
 * {@link #afterBackward()} after {@code backward} (before KURE and the optimizer step): it applies
 * Kure's backward kernel to W's gradient in place — the STE mask ({@code fakeQuantizeBackward}: zero
 * where the weight was clipped), or for LSQ the learnable-scale backward
 * ({@code fakeQuantizeLearnableBackward}) whose per-channel step gradient, scaled by LSQ's
 * 1/√(n_c·qmax), goes into the gradient of this block's {@code step} parameter for the optimizer.
 *
 * <p>STE re-calibrates the steps from the current weights by the {@link WeightQuantSpec} at every
 * training forward; LSQ learns them, starting from that calibration ({@link #startLsq}).
 */
public final class QuantizedWeights extends AbstractBlock {
    /** What the forward pass does with the weights. */
    public enum Mode {
        /** The plain layer. */
        FP32,
        /** Fake-quantized weights with re-calibrated steps; straight-through estimator with clipping mask. */
        STE,
        /** Fake-quantized weights with learned per-channel steps (LSQ). */
        LSQ
    }

    private static final byte VERSION = 1;
    private static final float MIN_STEP = 1e-8f;

    private final Block layer;
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter step;
    private Kernels kernels = Kernels.cpu();
    private WeightQuantSpec spec = WeightQuantSpec.of(4);
    private Mode mode = Mode.FP32;
    private float[] lastW;
    private Quantizer lastQ;
    private long nanos;

    private QuantizedWeights(Block layer, boolean learnableStep) {
        super(VERSION);
        if (!(layer instanceof Conv2d) && !(layer instanceof Linear)) {
            throw new IllegalArgumentException("QuantizedWeights wraps Conv2d or Linear blocks, not "
                    + layer.getClass().getSimpleName());
        }
        this.layer = addChildBlock(layer.getClass().getSimpleName(), layer);
        this.weight = layer.getParameters().get("weight");
        this.bias = layer.getParameters().get("bias");
        this.step = learnableStep
                ? addParameter(Parameter.builder().setName("step").setType(Parameter.Type.OTHER)
                        .optInitializer(new ConstantInitializer(1f)).build())
                : null;
    }

    /** Wraps {@code layer} (a Conv2d or Linear) without a learnable step (modes FP32 and STE). */
    public static QuantizedWeights wrap(Block layer) {
        return new QuantizedWeights(Objects.requireNonNull(layer, "layer"), false);
    }

    /** Wraps {@code layer} with a per-output-channel learnable step parameter (all three modes). */
    public static QuantizedWeights wrapLearnable(Block layer) {
        return new QuantizedWeights(Objects.requireNonNull(layer, "layer"), true);
    }

    /** The wrapped layer's weight parameter. */
    public Parameter weight() {
        return weight;
    }

    /** The learnable step parameter (one per output channel), or null without one. */
    public Parameter step() {
        return step;
    }

    /** The current mode. */
    public Mode mode() {
        return mode;
    }

    /** The quantization in use for STE and for LSQ's grid, bits and rounding. */
    public WeightQuantSpec spec() {
        return spec;
    }

    /** The Kure backend (default {@link Kernels#cpu()}). */
    public QuantizedWeights kernels(Kernels k) {
        this.kernels = Objects.requireNonNull(k, "kernels");
        return this;
    }

    /** Back to the plain layer. */
    public void fp32() {
        mode = Mode.FP32;
        lastQ = null;
    }

    /** Fake-quantized training with the straight-through estimator, steps re-calibrated by {@code s}. */
    public void startSte(WeightQuantSpec s) {
        this.spec = Objects.requireNonNull(s, "spec");
        mode = Mode.STE;
    }

    /** LSQ training: steps initialized by calibrating the current weights with {@code s}, then learned. */
    public void startLsq(WeightQuantSpec s) {
        if (step == null) {
            throw new IllegalStateException("this block has no learnable step: create it with wrapLearnable");
        }
        this.spec = Objects.requireNonNull(s, "spec");
        NDArray w = weight.getArray();
        Quantizer q = s.quantizer(kernels, Params.read(w), Params.shape(w));
        Params.write(q.scales(), step.getArray());
        mode = Mode.LSQ;
    }

    /** The quantizer of the last training forward pass (null in FP32 mode or before the first pass). */
    public Quantizer lastQuantizer() {
        return lastQ;
    }

    /** Wall time spent in Kure's kernels (forward and backward), in nanoseconds. */
    public long nanos() {
        return nanos;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Device device = x.getDevice();
        NDArray w = ps.getValue(weight, device, training);
        NDArray b = ps.getValue(bias, device, training);
        NDArray wq = mode == Mode.FP32 ? w : quantized(x.getManager(), w, ps, device, training);
        if (layer instanceof Conv2d c) {
            return Conv2d.conv2d(x, wq, b, c.getStride(), c.getPadding(), c.getDilation(), c.getGroups());
        }
        return Linear.linear(x, wq, b);
    }

    private NDArray quantized(NDManager m, NDArray w, ParameterStore ps, Device device, boolean training) {
        long t0 = System.nanoTime();
        float[] wf = Params.read(w);
        int[] shape = Params.shape(w);
        NDArray stepArr = null;
        Quantizer q;
        if (mode == Mode.STE) {
            q = spec.quantizer(kernels, wf, shape);
        } else {
            stepArr = ps.getValue(step, device, training);
            float[] s = Params.read(stepArr);
            for (int c = 0; c < s.length; c++) {
                s[c] = Float.isFinite(s[c]) ? Math.max(s[c], MIN_STEP) : MIN_STEP; // an optimizer step may overshoot
            }
            q = Quantizer.perChannel(spec.bits(), spec.grid(), s, new int[s.length], shape, 0)
                    .withRounding(spec.rounding()).withSeed(spec.seed());
        }
        float[] fq = new float[wf.length];
        kernels.fakeQuantize(wf, fq, q);
        if (training) {
            lastW = wf;
            lastQ = q;
        }
        nanos += System.nanoTime() - t0;
        // Results of operations on a parameter belong to the parameter's (long-lived) manager: move
        // each temporary to the batch's manager so it is freed with the batch.
        NDArray detached = onto(m, w.stopGradient());
        NDArray out = m.create(fq, w.getShape()).add(onto(m, w.sub(detached)));
        if (stepArr != null) {
            // puts the step into the graph with an exact zero, so that it has a gradient buffer to add into
            NDArray sum = onto(m, stepArr.sum());
            out = out.add(onto(m, sum.mul(0f)));
        }
        return out;
    }

    private static NDArray onto(NDManager m, NDArray a) {
        a.attach(m);
        return a;
    }

    /**
     * Applies Kure's backward to the weight gradient (and, for LSQ, adds the step gradient); call it
     * after {@code backward} of a training pass. Does nothing in FP32 mode.
     *
     * @return LSQ's step gradients (already added), or null in other modes
     */
    public LearnableGrads afterBackward() {
        if (mode == Mode.FP32) {
            return null;
        }
        if (lastQ == null) {
            throw new IllegalStateException("afterBackward() before a training forward pass");
        }
        long t0 = System.nanoTime();
        LearnableGrads lg = null;
        try (NDArray grad = weight.getArray().getGradient()) {
            float[] dy = Params.read(grad);
            float[] dx = new float[dy.length];
            if (mode == Mode.STE) {
                kernels.fakeQuantizeBackward(lastW, dy, dx, lastQ);
            } else {
                long perChannel = lastW.length / lastQ.paramCount();
                double g = 1.0 / Math.sqrt((double) perChannel * lastQ.qmax());
                lg = kernels.fakeQuantizeLearnableBackward(lastW, dy, dx, lastQ, g);
                try (NDArray sg = step.getArray().getGradient()) {
                    float[] acc = Params.read(sg);
                    double[] ds = lg.dScale();
                    for (int c = 0; c < acc.length; c++) {
                        acc[c] += (float) ds[c];
                    }
                    Params.write(acc, sg);
                }
            }
            Params.write(dx, grad);
        }
        nanos += System.nanoTime() - t0;
        return lg;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return layer.getOutputShapes(inputs);
    }

    @Override
    protected void prepare(Shape[] inputs) {
        if (step != null) {
            Shape out = layer.getOutputShapes(inputs)[0];
            step.setShape(new Shape(layer instanceof Conv2d ? out.get(1) : out.get(out.dimension() - 1)));
        }
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        layer.initialize(manager, dataType, inputShapes);
    }

    @Override
    public String toString() {
        return "QuantizedWeights(" + layer.getClass().getSimpleName() + ", " + mode
                + (mode == Mode.FP32 ? "" : ", " + spec) + ")";
    }
}
