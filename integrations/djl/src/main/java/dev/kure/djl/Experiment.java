package dev.kure.djl;

import ai.djl.engine.Engine;
import dev.kure.FpFormat;
import dev.kure.FpKernels;
import dev.kure.FpQuantizer;
import dev.kure.Kernels;
import dev.kure.KureConfig;
import dev.kure.MaxAbsConvention;
import dev.kure.Moments;
import dev.kure.PowerOfTwo;
import dev.kure.QuantError;
import dev.kure.Rounding;
import dev.kure.StepPolicy;
import dev.kure.StepTransform;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The reproduction's protocol, per seed:
 * <ol>
 * <li>FP32 training from a Gaussian (He-normal) initialization, Adam at 1e-3 — the "pretrained"
 *     model. (A uniform initialization would start every tensor at kurtosis 1.8, leaving KURE nothing
 *     to do; the paper applies KURE to trained models.)</li>
 * <li>Two fine-tuning variants from that checkpoint, same epochs, data order and Adam at 3e-4:
 *     <b>baseline</b> (task loss only) and <b>KURE</b> (task loss + λ·KURE over the four weight
 *     tensors, target 1.8, unbiased std as in the reference code, MEAN reduction, λ = 1 as in every
 *     experiment of the paper).</li>
 * <li>Post-training quantization of both, weights per output channel on the symmetric
 *     SIGNED_NARROW grid (HALF_EVEN unless stated), activations FP32 or A8 (per tensor, MSE step from
 *     2,048 training images): T1 accuracy vs bits 8..2 with MSE and MAX_ABS steps; T2 accuracy vs
 *     r·(MSE step) at W4 and W3; T3 rounding (HALF_EVEN, FLOOR, TOWARD_ZERO, STOCHASTIC) and power-of-two
 *     steps (LOG, FLOOR, CEIL of the MSE step) at W4.</li>
 * <li>T4: W4 QAT (STE, steps re-calibrated by MSE each step) from the checkpoint, without and with
 *     KURE, each then quantized at W8..W2.</li>
 * </ol>
 * Also recorded: each layer's kurtosis (K_b, the population convention; see {@code Moments}) and
 * weight SNR at W4 (MSE step, and ×0.7, ×1.3), and Kure's share of the training step time.
 */
final class Experiment {
    static final float PRETRAIN_LR = 1e-3f;
    static final float FINETUNE_LR = 3e-4f;
    static final int CALIBRATION_IMAGES = 2048;
    static final int[] BITS = {8, 6, 5, 4, 3, 2};
    static final String BASE = "baseline";
    static final String KURE = "KURE";

    /** Run sizes. */
    record Settings(int seeds, int pretrainEpochs, int finetuneEpochs, int qatEpochs, double lambda,
                    double[] ratios, boolean quick) {}

    private final Settings s;
    private final FashionMnist d;
    private final Kernels kernels = Kernels.cpu();
    private final FpKernels fpKernels = FpKernels.of(kernels);
    private final Progress progress;
    private final Results r = new Results();
    private String layerNames = "";

    Experiment(Settings s, FashionMnist d, PrintStream err, boolean tty) {
        this.s = s;
        this.d = d;
        long evalsPerModel = 1 + BITS.length * 4 + 2L * s.ratios().length + 7 + 8;
        long perSeed = (long) d.trainSize() * (s.pretrainEpochs() + 2L * s.finetuneEpochs() + 2L * s.qatEpochs())
                + (long) d.testSize() * (2 * evalsPerModel + 2L * (BITS.length + 1) + 1)
                + (long) CALIBRATION_IMAGES * BITS.length * 2 * 2;
        this.progress = err == null ? null : new Progress(err, tty, perSeed * s.seeds());
    }

    Settings settings() {
        return s;
    }

    String backend() {
        return kernels.describe();
    }

    int trainImages() {
        return d.trainSize();
    }

    int testImages() {
        return d.testSize();
    }

    /** The results so far. */
    Results results() {
        return r;
    }

    String layerNames() {
        return layerNames;
    }

    /** Runs every seed; {@code afterSeed} sees the results so far after each one (for partial reports). */
    Results run(java.util.function.IntConsumer afterSeed) {
        for (int seed = 1; seed <= s.seeds(); seed++) {
            runSeed(seed);
            afterSeed.accept(seed);
        }
        if (progress != null) {
            progress.finish();
        }
        return r;
    }

    private void label(int seed, String what) {
        if (progress != null) {
            progress.label(String.format(Locale.ROOT, "seed %d/%d: %s", seed, s.seeds(), what));
        }
    }

    private void runSeed(int seed) {
        Engine.getInstance().setRandomSeed(seed);
        Cnn cnn = Cnn.create(kernels, false);
        try (Training t = new Training(cnn)) {
            t.phase(PRETRAIN_LR);
            for (int e = 0; e < s.pretrainEpochs(); e++) {
                label(seed, "FP32 training, epoch " + (e + 1) + "/" + s.pretrainEpochs());
                t.epoch(d.trainImages(), d.trainLabels(), new Random(seed * 1000L + e), null, progress);
            }
            Snapshot pre = new Snapshot(cnn.block);
            recordWeights(cnn, "pretrained");
            fp32Accuracy(t, "pretrained");

            for (String variant : List.of(BASE, KURE)) {
                pre.restore();
                KureRegularizer kure = variant.equals(KURE) ? regularizer(cnn) : null;
                t.phase(FINETUNE_LR);
                long steps0 = t.steps();
                double stepNs0 = t.meanStepNanos() * steps0;
                for (int e = 0; e < s.finetuneEpochs(); e++) {
                    label(seed, variant + " fine-tuning, epoch " + (e + 1) + "/" + s.finetuneEpochs());
                    t.epoch(d.trainImages(), d.trainLabels(), new Random(seed * 1000L + 100 + e), kure, progress);
                }
                double stepMs = (t.meanStepNanos() * t.steps() - stepNs0) / (t.steps() - steps0) / 1e6;
                timing().add(variant + " fine-tuning", "step", stepMs);
                timing().add(variant + " fine-tuning", "Kure: KURE", kure == null ? 0 : kure.nanos() / 1e6 / (t.steps() - steps0));
                timing().add(variant + " fine-tuning", "Kure: fake-quant + STE", 0);
                recordWeights(cnn, variant);
                fp32Accuracy(t, variant);
                label(seed, variant + ": post-training quantization");
                ptqTables(t, cnn, variant);
            }

            for (String variant : List.of("QAT W4", "QAT W4 + KURE")) {
                pre.restore();
                KureRegularizer kure = variant.endsWith("KURE") ? regularizer(cnn) : null;
                cnn.layers.forEach(l -> l.startSte(WeightQuantSpec.of(4)));
                t.phase(FINETUNE_LR);
                long q0 = cnn.layers.stream().mapToLong(QuantizedWeights::nanos).sum();
                long steps0 = t.steps();
                double stepNs0 = t.meanStepNanos() * steps0;
                for (int e = 0; e < s.qatEpochs(); e++) {
                    label(seed, variant + ", epoch " + (e + 1) + "/" + s.qatEpochs());
                    t.epoch(d.trainImages(), d.trainLabels(), new Random(seed * 1000L + 200 + e), kure, progress);
                }
                long dq = cnn.layers.stream().mapToLong(QuantizedWeights::nanos).sum() - q0;
                long n = t.steps() - steps0;
                timing().add(variant, "step", (t.meanStepNanos() * t.steps() - stepNs0) / n / 1e6);
                timing().add(variant, "Kure: KURE", kure == null ? 0 : kure.nanos() / 1e6 / n);
                timing().add(variant, "Kure: fake-quant + STE", dq / 1e6 / n);
                cnn.layers.forEach(QuantizedWeights::fp32);
                recordWeights(cnn, variant);
                label(seed, variant + ": quantized at W8..W2");
                Results.Table t4 = r.table("T4", "T4: W4 QAT (STE), then quantized at other bit widths",
                        "Test accuracy; weights per channel, MSE steps, activations FP32. FP32 = the QAT model's latent weights unquantized.",
                        "%.4f");
                t4.add("FP32", variant, tick(t.accuracy(d.testImages(), d.testLabels())));
                try (Ptq ptq = Ptq.of(cnn.block)) {
                    for (int b : BITS) {
                        ptq.apply(kernels, WeightQuantSpec.of(b));
                        t4.add("W" + b, variant, tick(t.accuracy(d.testImages(), d.testLabels())));
                    }
                }
            }
        }
    }

    private Results.Table timing() {
        return r.table("timing", "Milliseconds per training step (batch of 128) and Kure's part of it",
                "Wall time on the machine below. KURE: loss and gradient added in place into the PyTorch gradients (zero-copy); "
                        + "fake-quant + STE: the QAT weight quantizers' forward (per-channel MSE calibration and fake-quant) and backward.",
                "%.2f");
    }

    private KureRegularizer regularizer(Cnn cnn) {
        KureRegularizer k = KureRegularizer.builder(cnn.block).kernels(kernels)
                .config(KureConfig.defaults().withLambda(s.lambda())).build();
        layerNames = String.join(", ", LAYERS) + " weights";
        return k;
    }

    private double tick(double acc) {
        if (progress != null) {
            progress.advance(d.testSize());
        }
        return acc;
    }

    private void fp32Accuracy(Training t, String model) {
        r.table("FP32", "FP32 accuracy", "Test accuracy of the unquantized models.", "%.4f")
                .add(model, "accuracy", tick(t.accuracy(d.testImages(), d.testLabels())));
    }

    private static final String[] LAYERS = {"conv1", "conv2", "fc1", "fc2"};

    /** T5's formats: label → quantizer for a weight of a given shape. */
    private static final java.util.Map<String, java.util.function.Function<int[], FpQuantizer>> FORMATS = formats();

    private static java.util.Map<String, java.util.function.Function<int[], FpQuantizer>> formats() {
        java.util.Map<String, java.util.function.Function<int[], FpQuantizer>> m = new java.util.LinkedHashMap<>();
        m.put("FP8 E4M3, per channel", shape -> FpQuantizer.perChannel(FpFormat.E4M3, shape, 0));
        m.put("FP8 E5M2, per channel", shape -> FpQuantizer.perChannel(FpFormat.E5M2, shape, 0));
        m.put("MXFP8 (E4M3)", shape -> FpQuantizer.mxfp8());
        m.put("MXFP6 (E2M3)", shape -> FpQuantizer.mxfp6());
        m.put("MXFP6 (E3M2)", shape -> FpQuantizer.mx(FpFormat.E3M2));
        m.put("MXFP4 (E2M1)", shape -> FpQuantizer.mxfp4());
        m.put("NVFP4", shape -> FpQuantizer.nvfp4());
        m.put("MXINT8", shape -> FpQuantizer.mxint8());
        return m;
    }

    private void recordWeights(Cnn cnn, String model) {
        Results.Table k = r.table("kurtosis", "Kurtosis of each weight tensor (K_b, population; uniform 1.8, Gaussian 3)", "", "%.3f");
        Results.Table snr = r.table("snr", "Weight SNR at W4 in dB (per-channel MSE step × r)",
                "The weight-SNR profile beside the accuracies: r = 0.7 shrinks the calibrated step (clipping more), r = 1.3 widens it.",
                "%.2f");
        for (int i = 0; i < cnn.layers.size(); i++) {
            var a = cnn.layers.get(i).weight().getArray();
            float[] w = Params.read(a);
            int[] shape = Params.shape(a);
            Moments m = kernels.moments(w);
            k.add(LAYERS[i], model, m.kurtosis());
            if (model.equals(BASE) || model.equals(KURE)) {
                for (double ratio : new double[] {0.7, 1.0, 1.3}) {
                    var spec = WeightQuantSpec.of(4).withTransform(StepTransform.ratio(ratio));
                    QuantError qe = kernels.quantError(w, spec.quantizer(kernels, w, shape));
                    snr.add(LAYERS[i] + " r=" + ratio, model, qe.snrDb());
                }
            }
        }
    }

    private void ptqTables(Training t, Cnn cnn, String model) {
        Results.Table t1 = r.table("T1", "T1: post-training quantization, accuracy vs weight bits",
                "Test accuracy; weights per output channel on the symmetric grid, HALF_EVEN; activations FP32 (A32) or 8-bit per tensor (A8).",
                "%.4f");
        Results.Table t2 = r.table("T2", "T2: step-size robustness, accuracy vs r × (MSE step)",
                "Test accuracy with every channel's calibrated step multiplied by r (the paper's step-perturbation figure); activations FP32.",
                "%.4f");
        Results.Table t3 = r.table("T3", "T3: rounding and power-of-two steps at W4",
                "Test accuracy at W4, per-channel MSE steps; rounding changes only the quantization (the step stays the HALF_EVEN one); "
                        + "power-of-two rules round each MSE step to 2^N.", "%.4f");
        StepPolicy mse = new StepPolicy.Mse();
        StepPolicy maxAbs = new StepPolicy.MaxAbs(MaxAbsConvention.AMAX_OVER_QMAX);
        try (Ptq ptq = Ptq.of(cnn.block)) {
            for (int b : BITS) {
                for (boolean a8 : new boolean[] {false, true}) {
                    for (StepPolicy p : new StepPolicy[] {mse, maxAbs}) {
                        ptq.apply(kernels, WeightQuantSpec.of(b).withPolicy(p));
                        String col = model + ", " + (p == mse ? "MSE" : "MAX_ABS") + ", " + (a8 ? "A8" : "A32");
                        t1.add("W" + b, col, tick(a8 ? a8Accuracy(t, cnn) : t.accuracy(d.testImages(), d.testLabels())));
                    }
                }
            }
            for (int b : new int[] {4, 3}) {
                for (double ratio : s.ratios()) {
                    ptq.apply(kernels, WeightQuantSpec.of(b).withTransform(StepTransform.ratio(ratio)));
                    t2.add(String.format(Locale.ROOT, "%.2f", ratio), "W" + b + " " + model, tick(t.accuracy(d.testImages(), d.testLabels())));
                }
            }
            for (Rounding rd : new Rounding[] {Rounding.HALF_EVEN, Rounding.FLOOR, Rounding.TOWARD_ZERO, Rounding.STOCHASTIC}) {
                ptq.apply(kernels, WeightQuantSpec.of(4).withRounding(rd).withSeed(17));
                t3.add(rd.name(), model, tick(t.accuracy(d.testImages(), d.testLabels())));
            }
            for (PowerOfTwo p2 : new PowerOfTwo[] {PowerOfTwo.LOG, PowerOfTwo.FLOOR, PowerOfTwo.CEIL}) {
                ptq.apply(kernels, WeightQuantSpec.of(4).withTransform(StepTransform.powerOfTwo(p2)));
                t3.add("pow2 " + p2.name(), model, tick(t.accuracy(d.testImages(), d.testLabels())));
            }
            Results.Table t5 = r.table("T5", "T5: floating-point formats (weights only)",
                    "Test accuracy with the weights in today's low-precision float formats, round-to-nearest-even, saturating; "
                            + "FP8 with one scale per output channel (amax / max normal); MX (OCP v1.0: E8M0 shared scale, FLOOR rule) "
                            + "and NVFP4 (E4M3 block scales, FP32 tensor scale) over blocks of 32 / 16 consecutive weights in row-major "
                            + "order, the tensor's last block possibly partial; activations FP32.", "%.4f");
            for (var f : FORMATS.entrySet()) {
                ptq.apply(fpKernels, f.getValue());
                t5.add(f.getKey(), model, tick(t.accuracy(d.testImages(), d.testLabels())));
            }
        }
    }

    /** Accuracy with 8-bit activations calibrated (MSE, per tensor) on training images, on the current weights. */
    private double a8Accuracy(Training t, Cnn cnn) {
        cnn.inputs.forEach(ActivationQuant::calibrate);
        int n = Math.min(CALIBRATION_IMAGES, d.trainSize());
        t.accuracy(java.util.Arrays.copyOf(d.trainImages(), n * FashionMnist.PIXELS), java.util.Arrays.copyOf(d.trainLabels(), n));
        if (progress != null) {
            progress.advance(n);
        }
        cnn.inputs.forEach(a -> a.freeze(8, new StepPolicy.Mse()));
        double acc = t.accuracy(d.testImages(), d.testLabels());
        cnn.inputs.forEach(ActivationQuant::off);
        return acc;
    }
}
