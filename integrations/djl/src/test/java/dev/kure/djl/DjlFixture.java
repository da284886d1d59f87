package dev.kure.djl;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.nn.Parameter;

/** A one-layer model (a wrapped Linear, no bias) whose loss Σ G ⊙ (X·Wqᵀ) has the known gradient Gᵀ·X. */
final class DjlFixture implements AutoCloseable {
    static final int IN = 24, OUT = 6, BATCH = 5;
    final Model model = Model.newInstance("fixture");
    final NDManager m = model.getNDManager();
    final QuantizedWeights layer;
    final SequentialBlock block = new SequentialBlock();

    DjlFixture(boolean learnable) {
        Linear lin = Linear.builder().setUnits(OUT).optBias(false).build();
        layer = learnable ? QuantizedWeights.wrapLearnable(lin) : QuantizedWeights.wrap(lin);
        block.add(layer);
        block.setInitializer(new NormalInitializer(0.1f), Parameter.Type.WEIGHT);
        model.setBlock(block);
        ai.djl.engine.Engine.getInstance().setRandomSeed(7);
        block.initialize(m, DataType.FLOAT32, new Shape(BATCH, IN));
    }

    NDArray weight() {
        return layer.weight().getArray();
    }

    /** Forward (training mode) on x, loss Σ g ⊙ y, backward; returns y. */
    float[] trainStep(float[] x, float[] g) {
        ParameterStore ps = new ParameterStore(m, false);
        try (NDManager sub = m.newSubManager(); GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            NDArray y = block.forward(ps, new NDList(sub.create(x, new Shape(BATCH, IN))), true).singletonOrThrow();
            NDArray loss = y.mul(sub.create(g, new Shape(BATCH, OUT))).sum();
            gc.backward(loss);
            return y.toFloatArray();
        }
    }

    /** Gᵀ·X: the gradient of the loss with respect to the (effective) weight, OUT × IN. */
    static float[] expectedWeightGrad(float[] x, float[] g) {
        float[] out = new float[OUT * IN];
        for (int o = 0; o < OUT; o++) {
            for (int i = 0; i < IN; i++) {
                double s = 0;
                for (int b = 0; b < BATCH; b++) {
                    s += (double) g[b * OUT + o] * x[b * IN + i];
                }
                out[o * IN + i] = (float) s;
            }
        }
        return out;
    }

    static float[] random(int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @Override
    public void close() {
        model.close();
    }
}
