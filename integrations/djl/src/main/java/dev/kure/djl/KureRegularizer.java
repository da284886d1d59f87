package dev.kure.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.kure.Kernels;
import dev.kure.KureConfig;
import dev.kure.KureResult;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * KURE for a DJL model: after {@code backward}, {@link #addGradients()} adds λ·∂KURE/∂W into the
 * gradients of the selected weight tensors, in place and without copying (Kure's kernel reads the
 * PyTorch weights and writes the PyTorch gradients through {@link ZeroCopy} segments), and returns the
 * loss and each tensor's kurtosis for logging.
 *
 * <pre>{@code
 * KureRegularizer kure = KureRegularizer.builder(model.getBlock()).build();   // conv/linear weights
 * try (GradientCollector gc = trainer.newGradientCollector()) {
 *     NDArray loss = trainer.getLoss().evaluate(labels, trainer.forward(data));
 *     gc.backward(loss);
 * }
 * KureResult r = kure.addGradients();        // task gradient + λ·∂R/∂W
 * trainer.step();
 * }</pre>
 *
 * <p>With {@code EasyTrain.fit}, add {@link #listener()} to the training config instead: DJL calls it
 * after each batch's backward and before the optimizer step. The selection is fixed when the
 * regularizer is built (the model must be initialized).
 */
public final class KureRegularizer {
    private final Kernels kernels;
    private final KureConfig config;
    private final List<String> names;
    private final List<Parameter> params;
    private long nanos;
    private KureResult last;

    private KureRegularizer(Builder b) {
        this.kernels = b.kernels;
        this.config = b.config;
        this.names = new ArrayList<>();
        this.params = new ArrayList<>();
        for (Pair<String, Parameter> e : Params.layerWeights(b.model, Params.nameFilter(b.filter))) {
            names.add(e.getKey());
            params.add(e.getValue());
        }
    }

    /** A builder over the conv/linear weights of an initialized {@code model}. */
    public static Builder builder(Block model) {
        return new Builder(model);
    }

    /** Options of a {@link KureRegularizer}. */
    public static final class Builder {
        private final Block model;
        private Kernels kernels = Kernels.cpu();
        private KureConfig config = KureConfig.defaults();
        private String filter;

        private Builder(Block model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /** The Kure backend (default {@link Kernels#cpu()}). */
        public Builder kernels(Kernels k) {
            this.kernels = Objects.requireNonNull(k, "kernels");
            return this;
        }

        /** Target, λ, reduction and std convention (default {@link KureConfig#defaults()}: 1.8, λ = 1, MEAN, unbiased). */
        public Builder config(KureConfig c) {
            this.config = Objects.requireNonNull(c, "config");
            return this;
        }

        /** Only weights whose full parameter name matches this regular expression (found anywhere in the name). */
        public Builder filter(String regex) {
            this.filter = Objects.requireNonNull(regex, "regex");
            return this;
        }

        /** The regularizer. */
        public KureRegularizer build() {
            return new KureRegularizer(this);
        }
    }

    /** Full names of the regularized parameters, in model order (the order of {@link KureResult#kurtosis()}). */
    public List<String> names() {
        return List.copyOf(names);
    }

    /** The configuration in use. */
    public KureConfig config() {
        return config;
    }

    /**
     * Adds λ·∂KURE/∂W into each selected weight's gradient (call after {@code backward}, before the
     * optimizer step) and returns the loss and per-tensor kurtosis. The gradients must exist: every
     * selected weight must have taken part in the forward pass.
     */
    public KureResult addGradients() {
        long t0 = System.nanoTime();
        List<MemorySegment> w = new ArrayList<>(params.size());
        List<MemorySegment> g = new ArrayList<>(params.size());
        List<NDArray> grads = new ArrayList<>(params.size());
        try {
            for (int i = 0; i < params.size(); i++) {
                NDArray a = params.get(i).getArray();
                NDArray grad = a.getGradient();
                grads.add(grad);
                w.add(ZeroCopy.of(a));
                g.add(ZeroCopy.of(grad));
            }
            last = kernels.kureSegments(w, g, config);
        } finally {
            grads.forEach(NDArray::close); // the Java handles only; the gradient tensors stay with the weights
        }
        nanos += System.nanoTime() - t0;
        return last;
    }

    /** The loss and kurtosis of the current weights, without touching any gradient. */
    public KureResult evaluate() {
        List<MemorySegment> w = new ArrayList<>(params.size());
        for (Parameter p : params) {
            w.add(ZeroCopy.of(p.getArray()));
        }
        return kernels.kureSegments(w, null, config);
    }

    /** The result of the last {@link #addGradients()}, or null before the first. */
    public KureResult last() {
        return last;
    }

    /** Wall time spent in {@link #addGradients()} so far, in nanoseconds (Kure's share of training). */
    public long nanos() {
        return nanos;
    }

    /** A DJL training listener that calls {@link #addGradients()} after every training batch. */
    public ai.djl.training.listener.TrainingListener listener() {
        return new ai.djl.training.listener.TrainingListenerAdapter() {
            @Override
            public void onTrainingBatch(ai.djl.training.Trainer trainer, BatchData batchData) {
                addGradients();
            }
        };
    }
}
