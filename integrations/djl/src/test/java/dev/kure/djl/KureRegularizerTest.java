package dev.kure.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.kure.Kernels;
import dev.kure.KureConfig;
import dev.kure.KureResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KureRegularizerTest {
    private static final Kernels K = Kernels.cpu();

    @Test
    void addsExactlyKuresGradientIntoThePyTorchGradients() {
        ai.djl.engine.Engine.getInstance().setRandomSeed(3);
        Cnn cnn = Cnn.create(K, false);
        try (Training t = new Training(cnn)) {
            KureConfig cfg = KureConfig.defaults().withLambda(0.7);
            KureRegularizer kure = KureRegularizer.builder(cnn.block).kernels(K).config(cfg).build();
            assertEquals(4, kure.names().size(), kure.names().toString());
            // a real backward pass first, so the gradients hold a task gradient
            t.phase(1e-3f);
            try (NDManager m = t.model().getNDManager().newSubManager();
                    var gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                var ps = new ai.djl.training.ParameterStore(m, false);
                NDArray y = cnn.block.forward(ps, new NDList(m.randomUniform(0, 1, Cnn.inputShape(8))), true).singletonOrThrow();
                gc.backward(y.square().sum());
            }
            List<float[]> w = new ArrayList<>();
            List<float[]> g = new ArrayList<>();
            for (QuantizedWeights l : cnn.layers) {
                w.add(l.weight().getArray().toFloatArray());
                try (NDArray grad = l.weight().getArray().getGradient()) {
                    g.add(grad.toFloatArray());
                }
            }
            KureResult want = K.kure(w, g, cfg);          // arrays: task gradient + λ·∂R/∂W
            KureResult got = kure.addGradients();          // in place in PyTorch's memory
            assertEquals(want.loss(), got.loss(), 1e-12 * Math.abs(want.loss()));
            assertArrayEquals(want.kurtosis(), got.kurtosis(), 1e-12);
            for (int i = 0; i < cnn.layers.size(); i++) {
                try (NDArray grad = cnn.layers.get(i).weight().getArray().getGradient()) {
                    assertArrayEquals(g.get(i), grad.toFloatArray(), 0f, "gradient of layer " + i);
                }
            }
            assertTrue(got.loss() > 0, "He-normal weights are not at kurtosis 1.8");
            assertEquals(got.loss(), kure.evaluate().loss(), 1e-12 * got.loss(), "evaluate() = the same loss, no gradient");
        }
    }

    @Test
    void filterSelectsByNameAndRefusesAnEmptySelection() {
        Cnn cnn = Cnn.create(K, false);
        try (Training t = new Training(cnn)) {
            assertEquals(2, KureRegularizer.builder(cnn.block).filter("Linear").build().names().size());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> KureRegularizer.builder(cnn.block).filter("nothing-matches").build());
            assertTrue(e.getMessage().contains("no initialized conv/linear weight"), e.getMessage());
        }
    }

    @Test
    void listenerRunsAfterEveryBatchOfEasyTrainFit() throws Exception {
        ai.djl.engine.Engine.getInstance().setRandomSeed(5);
        Cnn cnn = Cnn.create(K, false);
        try (Model model = Model.newInstance("easytrain")) {
            model.setBlock(cnn.block);
            NDManager m = model.getNDManager();
            int n = 64;
            ArrayDataset data = new ArrayDataset.Builder()
                    .setData(m.randomUniform(0, 1, new Shape(n, 1, 28, 28)))
                    .optLabels(m.randomInteger(0, 10, new Shape(n), ai.djl.ndarray.types.DataType.INT32))
                    .setSampling(16, false).build();
            cnn.block.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, Cnn.inputShape(16));
            KureRegularizer kure = KureRegularizer.builder(cnn.block).kernels(K).build();
            int[] calls = {0};
            DefaultTrainingConfig cfg = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build())
                    .addTrainingListeners(kure.listener(), new ai.djl.training.listener.TrainingListenerAdapter() {
                        @Override
                        public void onTrainingBatch(Trainer trainer, BatchData batchData) {
                            calls[0]++;
                        }
                    });
            double k0 = kure.evaluate().loss();
            try (Trainer trainer = model.newTrainer(cfg)) {
                EasyTrain.fit(trainer, 3, data, null);
            }
            assertEquals(12, calls[0]);
            assertNotNull(kure.last());
            assertTrue(kure.nanos() > 0);
            assertTrue(kure.evaluate().loss() < k0, "KURE loss must fall: " + k0 + " -> " + kure.evaluate().loss());
        }
    }
}
