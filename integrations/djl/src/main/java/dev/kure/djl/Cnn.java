package dev.kure.djl;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.initializer.XavierInitializer;
import dev.kure.Kernels;
import java.util.ArrayList;
import java.util.List;

/**
 * The reproduction's network: a small CNN for 28×28 gray images — conv 5×5 (16) → ReLU → max-pool
 * 2 → conv 5×5 (32) → ReLU → max-pool 2 → linear 1568→128 → ReLU → linear 128→10 — with every conv
 * and linear layer wrapped in {@link QuantizedWeights} and an {@link ActivationQuant} before each of
 * them (the layer inputs are what an A8 model quantizes). Weights start from a Gaussian (He-normal:
 * σ² = 2/fan_in); biases from zero.
 */
public final class Cnn {
    /** The model's block, input shape (N, 1, 28, 28), output the 10 class logits. */
    public final SequentialBlock block;
    /** The four weight layers, in order (conv1, conv2, fc1, fc2). */
    public final List<QuantizedWeights> layers;
    /** The four layer-input quantizers, in the same order. */
    public final List<ActivationQuant> inputs;

    private Cnn(SequentialBlock block, List<QuantizedWeights> layers, List<ActivationQuant> inputs) {
        this.block = block;
        this.layers = List.copyOf(layers);
        this.inputs = List.copyOf(inputs);
    }

    /** Input shape for a batch of {@code n} images. */
    public static Shape inputShape(int n) {
        return new Shape(n, 1, 28, 28);
    }

    /**
     * A new, uninitialized network using {@code kernels} in its quantization blocks; with
     * {@code learnableSteps} the weight layers carry LSQ step parameters.
     */
    public static Cnn create(Kernels kernels, boolean learnableSteps) {
        List<QuantizedWeights> layers = new ArrayList<>();
        List<ActivationQuant> acts = new ArrayList<>();
        SequentialBlock net = new SequentialBlock();
        java.util.function.Function<ai.djl.nn.Block, QuantizedWeights> wrap = b -> {
            QuantizedWeights q = (learnableSteps ? QuantizedWeights.wrapLearnable(b) : QuantizedWeights.wrap(b)).kernels(kernels);
            layers.add(q);
            return q;
        };
        java.util.function.Supplier<ActivationQuant> act = () -> {
            ActivationQuant a = new ActivationQuant().kernels(kernels);
            acts.add(a);
            return a;
        };
        net.add(act.get())
                .add(wrap.apply(Conv2d.builder().setKernelShape(new Shape(5, 5)).optPadding(new Shape(2, 2)).setFilters(16).build()))
                .add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(act.get())
                .add(wrap.apply(Conv2d.builder().setKernelShape(new Shape(5, 5)).optPadding(new Shape(2, 2)).setFilters(32).build()))
                .add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(act.get())
                .add(wrap.apply(Linear.builder().setUnits(128).build()))
                .add(Activation::relu)
                .add(act.get())
                .add(wrap.apply(Linear.builder().setUnits(FashionMnist.CLASSES).build()));
        net.setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.IN, 2),
                Parameter.Type.WEIGHT);
        return new Cnn(net, layers, acts);
    }
}
