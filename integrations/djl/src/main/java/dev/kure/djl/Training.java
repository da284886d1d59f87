package dev.kure.djl;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Random;

/**
 * A plain training and evaluation loop over in-memory images (no DJL Dataset: batches are gathered
 * in Java and handed to PyTorch in one copy each), with the two Kure hooks between {@code backward}
 * and the optimizer step: the weight quantizers' backward ({@link QuantizedWeights#afterBackward()})
 * and then KURE ({@link KureRegularizer#addGradients()}). Kure's wall time is counted separately.
 */
public final class Training implements AutoCloseable {
    /** Mini-batch size of training. */
    public static final int BATCH = 128;
    private static final int EVAL_BATCH = 250;

    private final Cnn cnn;
    private final Model model;
    private Trainer trainer;
    private long stepNanos;
    private long steps;

    /** Wraps {@code cnn} in a DJL model on the CPU and initializes its parameters (seeded by the engine's seed). */
    public Training(Cnn cnn) {
        this.cnn = cnn;
        this.model = Model.newInstance("kure-cnn", Device.cpu());
        model.setBlock(cnn.block);
        cnn.block.initialize(model.getNDManager(), DataType.FLOAT32, Cnn.inputShape(BATCH));
    }

    /** The network. */
    public Cnn cnn() {
        return cnn;
    }

    /** The DJL model. */
    public Model model() {
        return model;
    }

    /** Starts a training phase: a fresh Adam optimizer at learning rate {@code lr}. */
    public void phase(float lr) {
        if (trainer != null) {
            trainer.close();
        }
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(lr)).build())
                .optDevices(new Device[] {Device.cpu()});
        trainer = model.newTrainer(config);
    }

    /**
     * One epoch over {@code images}/{@code labels} in an order drawn from {@code rng}; with
     * {@code kure} non-null, KURE's gradient is added at every step. Returns the mean training loss.
     */
    public double epoch(float[] images, int[] labels, Random rng, KureRegularizer kure, Progress progress) {
        if (trainer == null) {
            throw new IllegalStateException("phase(lr) first");
        }
        int n = labels.length;
        int[] order = permutation(n, rng);
        float[] xb = new float[BATCH * FashionMnist.PIXELS];
        int[] yb = new int[BATCH];
        double lossSum = 0;
        int batches = 0;
        NDManager root = model.getNDManager();
        for (int start = 0; start + BATCH <= n; start += BATCH) { // the last partial batch is dropped
            long t0 = System.nanoTime();
            for (int i = 0; i < BATCH; i++) {
                int j = order[start + i];
                System.arraycopy(images, j * FashionMnist.PIXELS, xb, i * FashionMnist.PIXELS, FashionMnist.PIXELS);
                yb[i] = labels[j];
            }
            try (NDManager m = root.newSubManager()) {
                NDArray x = m.create(xb, Cnn.inputShape(BATCH));
                NDArray y = m.create(yb);
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDList pred = trainer.forward(new NDList(x));
                    NDArray loss = trainer.getLoss().evaluate(new NDList(y), pred);
                    gc.backward(loss);
                    lossSum += loss.getFloat();
                }
                for (QuantizedWeights q : cnn.layers) {
                    q.afterBackward();
                }
                if (kure != null) {
                    kure.addGradients();
                }
                trainer.step();
            }
            batches++;
            stepNanos += System.nanoTime() - t0;
            steps++;
            if (progress != null) {
                progress.advance(BATCH);
            }
        }
        return lossSum / Math.max(1, batches);
    }

    /** Top-1 accuracy on {@code images}/{@code labels} (inference mode, batches of 1000). */
    public double accuracy(float[] images, int[] labels) {
        int n = labels.length;
        long correct = 0;
        ParameterStore ps = new ParameterStore(model.getNDManager(), false);
        for (int start = 0; start < n; start += EVAL_BATCH) {
            int b = Math.min(EVAL_BATCH, n - start);
            float[] xb = new float[b * FashionMnist.PIXELS];
            System.arraycopy(images, start * FashionMnist.PIXELS, xb, 0, xb.length);
            try (NDManager m = model.getNDManager().newSubManager()) {
                NDArray logits = cnn.block.forward(ps, new NDList(m.create(xb, Cnn.inputShape(b))), false).singletonOrThrow();
                long[] pred = logits.argMax(1).toLongArray();
                for (int i = 0; i < b; i++) {
                    if (pred[i] == labels[start + i]) {
                        correct++;
                    }
                }
            }
        }
        return (double) correct / n;
    }

    /** Mean wall time of a training step so far, in nanoseconds (Kure's hooks included). */
    public double meanStepNanos() {
        return steps == 0 ? Double.NaN : (double) stepNanos / steps;
    }

    /** Training steps taken so far. */
    public long steps() {
        return steps;
    }

    static int[] permutation(int n, Random rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    @Override
    public void close() {
        if (trainer != null) {
            trainer.close();
        }
        model.close();
    }
}
