package dev.kure.cli;

import dev.kure.Grid;
import dev.kure.Kernels;
import dev.kure.KureResult;
import dev.kure.Moments;
import dev.kure.PowerOfTwo;
import dev.kure.QuantError;
import dev.kure.Quantizer;
import dev.kure.Rounding;
import dev.kure.StepPolicy;
import dev.kure.SweepResult;
import dev.kure.SweepSpec;
import dev.kure.theory.GaussianTheory;
import dev.kure.theory.LaplaceTheory;
import dev.kure.theory.Sensitivity;
import dev.kure.theory.TheoryGrid;
import dev.kure.theory.UniformTheory;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The demo that {@code kure} runs without arguments, on generated data: the paper's closed forms
 * (docs/semantics.md §6) next to measurements by the kernels, then KURE driving ResNet-18-shaped Gaussian weights to
 * kurtosis 1.8 with a before/after robustness table. {@link #compute} returns every number printed, so
 * that tests can check them against docs/semantics.md §6.
 */
public final class Demo {
    /** Bit-widths of the tables: 2..8. */
    static final int[] BITS = {2, 3, 4, 5, 6, 7, 8};

    /** Lemma 2 points of docs/semantics.md §6: (bits, Δ) with a = 1; the last is beyond Lemma 2's domain. */
    static final double[][] LEMMA2_POINTS = {{4, 0.125}, {4, 0.11875}, {4, 0.1}, {2, 0.25}, {8, 2.0 / 256}, {4, 0.15}};

    /** ResNet-18's 21 conv and fc weight shapes (torchvision), 11,166,912 parameters. */
    static final String[] RESNET18_NAMES = {"conv1", "layer1.0.conv1", "layer1.0.conv2", "layer1.1.conv1",
        "layer1.1.conv2", "layer2.0.conv1", "layer2.0.conv2", "layer2.0.downsample.0", "layer2.1.conv1",
        "layer2.1.conv2", "layer3.0.conv1", "layer3.0.conv2", "layer3.0.downsample.0", "layer3.1.conv1",
        "layer3.1.conv2", "layer4.0.conv1", "layer4.0.conv2", "layer4.0.downsample.0", "layer4.1.conv1",
        "layer4.1.conv2", "fc"};

    /** The shapes of {@link #RESNET18_NAMES}, [out, in, kh, kw] or [out, in]. */
    static final int[][] RESNET18_SHAPES = {{64, 3, 7, 7}, {64, 64, 3, 3}, {64, 64, 3, 3}, {64, 64, 3, 3},
        {64, 64, 3, 3}, {128, 64, 3, 3}, {128, 128, 3, 3}, {128, 64, 1, 1}, {128, 128, 3, 3}, {128, 128, 3, 3},
        {256, 128, 3, 3}, {256, 256, 3, 3}, {256, 128, 1, 1}, {256, 256, 3, 3}, {256, 256, 3, 3}, {512, 256, 3, 3},
        {512, 512, 3, 3}, {512, 256, 1, 1}, {512, 512, 3, 3}, {512, 512, 3, 3}, {1000, 512}};

    /** Step ratios of the robustness table. */
    static final double[] RATIOS = {0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3};

    /** Roundings of the robustness table. */
    static final Rounding[] ROUNDINGS = {Rounding.HALF_EVEN, Rounding.FLOOR, Rounding.STOCHASTIC};

    private Demo() {}

    /**
     * Sizes of a run.
     *
     * @param samples    samples per distribution for the measured columns
     * @param maxOut     at most this many output channels of each ResNet-18 tensor (the first ones)
     * @param kureSteps  KURE gradient steps
     */
    record Sizes(int samples, int maxOut, int kureSteps) {
        static final Sizes FULL = new Sizes(1_000_000, 128, 60);
        static final Sizes QUICK = new Sizes(1 << 18, 16, 60);
    }

    /** One Lemma 2 point: closed form, exact cell integral, measured on samples. */
    record Lemma2Row(int bits, double step, double closedForm, double exact, double measured) {}

    /**
     * Every number the demo prints.
     *
     * @param lemma2            Lemma 2 points
     * @param lemma3Paper       optimal step, PAPER grid, a = 1, per bits
     * @param lemma3Narrow      optimal step, SIGNED_NARROW
     * @param lemma3Midrise     optimal step, MIDRISE
     * @param lemma3Measured    MSE-calibrated step on uniform samples, PAPER grid
     * @param gaussTauAciq      Gaussian optimal τ/σ, ACIQ approximation
     * @param gaussTauExact     Gaussian optimal τ/σ, exact MSE on PAPER
     * @param laplaceTauApprox  Laplace optimal τ/b, approximation
     * @param laplaceTauExact   Laplace optimal τ/b, exact MSE on PAPER
     * @param snrUniform        uniform SNR at the optimum on MIDRISE (6.02·b)
     * @param snrGauss          Gaussian SNR at the exact optimum on PAPER
     * @param snrLaplace        Laplace SNR at the exact optimum on PAPER
     * @param snrGaussMeasured  measured SNR of Gaussian samples at the MSE-calibrated PAPER step
     * @param gammaExact        MSE(rΔ*)/MSE(Δ*) at b = 4, exact: {uniform r=.7, uniform 1.3, Gaussian .7, Gaussian 1.3}
     * @param gammaSecondOrder  the same by Lemma 1's second-order approximation (Gaussian: ACIQ curvature)
     * @param curvatureRatio    Gaussian/uniform curvature ratio per bits
     * @param sampleKurtosis    kurtosis of uniform, Gaussian, Laplace samples
     * @param tensors           number of ResNet-18 tensors
     * @param params            parameters used
     * @param kurtosisBefore    per tensor, before KURE
     * @param kurtosisAfter     per tensor, after KURE
     * @param before            robustness sweep aggregated over the model, before
     * @param after             after
     * @param pow2Before        power-of-two sweep aggregated, before
     * @param pow2After         after
     */
    record Numbers(List<Lemma2Row> lemma2, double[] lemma3Paper, double[] lemma3Narrow, double[] lemma3Midrise,
                   double[] lemma3Measured, double[] gaussTauAciq, double[] gaussTauExact, double[] laplaceTauApprox,
                   double[] laplaceTauExact, double[] snrUniform, double[] snrGauss, double[] snrLaplace,
                   double[] snrGaussMeasured, double[] gammaExact, double[] gammaSecondOrder, double[] curvatureRatio,
                   double[] sampleKurtosis, int tensors, long params, double[] kurtosisBefore, double[] kurtosisAfter,
                   QuantError[] before, QuantError[] after, QuantError[] pow2Before, QuantError[] pow2After) {}

    /**
     * Runs the demo and prints it.
     *
     * @param k        kernels
     * @param out      where the report goes
     * @param err      where progress goes
     * @param quick    smaller data (for tests)
     * @param progress whether to show progress
     * @param terminal whether err is a terminal
     */
    static void run(Kernels k, PrintStream out, PrintStream err, boolean quick, boolean progress, boolean terminal) {
        Sizes sizes = quick ? Sizes.QUICK : Sizes.FULL;
        long t0 = System.nanoTime();
        Numbers n = compute(k, sizes, Progress.of(err, progress, terminal, "kure demo", 12 + 2 * 21 + sizes.kureSteps()));
        print(k, n, sizes, out, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Computes every number of the demo.
     *
     * @param k     kernels
     * @param sizes data sizes
     * @param bar   progress
     * @return the numbers
     */
    static Numbers compute(Kernels k, Sizes sizes, Progress bar) {
        SplittableRandom rnd = new SplittableRandom(2020);
        int nb = BITS.length;
        float[] uni = sample(rnd, 0, sizes.samples(), 1.0);
        float[] gau = sample(rnd, 1, sizes.samples(), 1.0);
        float[] lap = sample(rnd, 2, sizes.samples(), 1.0);
        bar.step("samples");
        List<Lemma2Row> l2 = new ArrayList<>();
        for (double[] p : LEMMA2_POINTS) {
            int b = (int) p[0];
            double d = p[1];
            QuantError e = k.quantError(uni, Quantizer.perTensor(b, Grid.PAPER, (float) d, 0));
            l2.add(new Lemma2Row(b, d, UniformTheory.paperMse(b, 1.0, d), UniformTheory.exactMse(TheoryGrid.PAPER, b, 1.0, d),
                    e.mse()));
        }
        bar.step("Lemma 2");
        double[] l3p = new double[nb], l3n = new double[nb], l3m = new double[nb], l3meas = new double[nb];
        double[] gA = new double[nb], gE = new double[nb], lA = new double[nb], lE = new double[nb];
        double[] sU = new double[nb], sG = new double[nb], sL = new double[nb], sGm = new double[nb];
        double[] curv = new double[nb];
        for (int i = 0; i < nb; i++) {
            int b = BITS[i];
            l3p[i] = UniformTheory.optimalStep(TheoryGrid.PAPER, b, 1.0);
            l3n[i] = UniformTheory.optimalStep(TheoryGrid.SIGNED_NARROW, b, 1.0);
            l3m[i] = UniformTheory.optimalStep(TheoryGrid.MIDRISE, b, 1.0);
            l3meas[i] = k.calibrate(uni, b, Grid.PAPER, StepPolicy.mse()).scale(0);
        }
        bar.step("Lemma 3");
        for (int i = 0; i < nb; i++) {
            int b = BITS[i];
            gA[i] = GaussianTheory.optimalClipRatioAciq(b);
            gE[i] = GaussianTheory.optimalClipRatioExact(TheoryGrid.PAPER, b);
            lA[i] = LaplaceTheory.optimalClipRatioApprox(b);
            lE[i] = LaplaceTheory.optimalClipRatioExact(TheoryGrid.PAPER, b);
        }
        bar.step("optimal clipping");
        for (int i = 0; i < nb; i++) {
            int b = BITS[i];
            sU[i] = UniformTheory.snrDb(TheoryGrid.MIDRISE, b, 1.0, l3m[i]);
            sG[i] = GaussianTheory.snrDb(TheoryGrid.PAPER, b, 1.0, GaussianTheory.optimalStepExact(TheoryGrid.PAPER, b, 1.0));
            sL[i] = LaplaceTheory.snrDb(TheoryGrid.PAPER, b, 1.0, LaplaceTheory.optimalStepExact(TheoryGrid.PAPER, b, 1.0));
            Quantizer q = k.calibrate(gau, b, Grid.PAPER, StepPolicy.mse());
            sGm[i] = k.quantError(gau, q).snrDb();
            curv[i] = Sensitivity.curvatureRatioAtClipEqualsSupport(b);
        }
        bar.step("SNR");
        double[] gx = {Sensitivity.uniformExactRatio(TheoryGrid.PAPER, 4, 0.7),
            Sensitivity.uniformExactRatio(TheoryGrid.PAPER, 4, 1.3),
            Sensitivity.gaussianExactRatio(TheoryGrid.PAPER, 4, 0.7),
            Sensitivity.gaussianExactRatio(TheoryGrid.PAPER, 4, 1.3)};
        double ku = Sensitivity.uniformNormalizedCurvature(4), kg = Sensitivity.gaussianAciqNormalizedCurvature(4);
        double[] g2 = {Sensitivity.secondOrderRatio(ku, 0.7), Sensitivity.secondOrderRatio(ku, 1.3),
            Sensitivity.secondOrderRatio(kg, 0.7), Sensitivity.secondOrderRatio(kg, 1.3)};
        double[] kurt = {k.moments(uni).kurtosis(), k.moments(gau).kurtosis(), k.moments(lap).kurtosis()};
        bar.step("sensitivity");

        // KURE on ResNet-18-shaped Gaussian weights (He init std sqrt(2/fan_in), the fc layer 1/sqrt(512)).
        List<float[]> ws = new ArrayList<>();
        long params = 0;
        for (int[] shape : RESNET18_SHAPES) {
            int out = Math.min(shape[0], sizes.maxOut());
            int per = 1;
            for (int d = 1; d < shape.length; d++) {
                per *= shape[d];
            }
            double std = shape.length == 2 ? 1.0 / Math.sqrt(shape[1]) : Math.sqrt(2.0 / per);
            float[] w = sample(rnd, 1, out * per, std);
            ws.add(w);
            params += w.length;
        }
        bar.step("ResNet-18 weights");
        SweepSpec spec = SweepSpec.of(BITS, RATIOS, ROUNDINGS).withBasePolicy(StepPolicy.mse()).withSeed(7);
        SweepSpec pow2 = SweepSpec.of(BITS, new double[] {1.0}, ROUNDINGS).withBasePolicy(StepPolicy.mse())
                .withPowerOfTwo(PowerOfTwo.LOG).withSeed(7);
        QuantError[] before = new QuantError[spec.size()], pBefore = new QuantError[pow2.size()];
        for (int t = 0; t < ws.size(); t++) {
            accumulate(before, k.sweep(ws.get(t), spec));
            accumulate(pBefore, k.sweep(ws.get(t), pow2));
            bar.step(RESNET18_NAMES[t]);
        }
        KureResult[] res = Regularizer.run(k, ws, sizes.kureSteps(), Regularizer.DEFAULT_LR, s -> bar.step("KURE step " + s));
        QuantError[] after = new QuantError[spec.size()], pAfter = new QuantError[pow2.size()];
        for (int t = 0; t < ws.size(); t++) {
            accumulate(after, k.sweep(ws.get(t), spec));
            accumulate(pAfter, k.sweep(ws.get(t), pow2));
            bar.step(RESNET18_NAMES[t]);
        }
        bar.step("done");
        bar.finish();
        double[] kb = res[0].kurtosis(), ka = new double[ws.size()];
        for (int t = 0; t < ws.size(); t++) {
            ka[t] = res[1].kurtosis()[t];
        }
        return new Numbers(l2, l3p, l3n, l3m, l3meas, gA, gE, lA, lE, sU, sG, sL, sGm, gx, g2, curv, kurt, ws.size(), params,
                kb, ka, before, after, pBefore, pAfter);
    }

    private static void accumulate(QuantError[] sum, SweepResult r) {
        for (int i = 0; i < sum.length; i++) {
            QuantError e = r.rows().get(i).error();
            sum[i] = sum[i] == null ? e : new QuantError(sum[i].count() + e.count(),
                    sum[i].sumSquaredError() + e.sumSquaredError(), sum[i].sumSquaredSignal() + e.sumSquaredSignal());
        }
    }

    private static void print(Kernels k, Numbers n, Sizes sizes, PrintStream o, double seconds) {
        o.println("Kure demo: robust quantization (Shkolnik et al., NeurIPS 2020), on generated data");
        o.println("backend: " + k.describe());
        o.println();
        o.println("1. The paper's theory (docs/semantics.md §6), closed forms next to the kernels' measurements");
        o.printf(Locale.ROOT, "   measured: fake quantization of %,d samples (seed 2020)%n", sizes.samples());
        o.println();
        o.println("   Lemma 2, U[-1, 1] on the PAPER grid (levels kΔ, |k| <= 2^(b-1)): MSE = (a-τ)³/(3a) + 2^b·Δ³/(24a)");
        o.printf(Locale.ROOT, "   %4s %10s %14s %14s %14s %9s%n", "bits", "step", "closed form", "exact", "measured",
                "meas/cf");
        for (Lemma2Row r : n.lemma2()) {
            o.printf(Locale.ROOT, "   %4d %10.6g %14.6e %14.6e %14.6e %9.4f%s%n", r.bits(), r.step(), r.closedForm(),
                    r.exact(), r.measured(), r.measured() / r.closedForm(),
                    r.step() > 2.0 / (1 << r.bits()) ? "  (no clipping: Lemma 2's other branch)" : "");
        }
        o.println();
        o.println("   Lemma 3, optimal step for U[-1, 1]: 2a/(2^b+1) PAPER, 2a/(2^b-1) SIGNED_NARROW, 2a/2^b MIDRISE;");
        o.println("   measured = the MSE-calibrated step (StepPolicy.mse()) on the uniform samples, PAPER grid");
        row(o, "bits", BITS);
        row(o, "PAPER", n.lemma3Paper(), "%9.6f");
        row(o, "  measured", n.lemma3Measured(), "%9.6f");
        row(o, "SIGNED_NARROW", n.lemma3Narrow(), "%9.6f");
        row(o, "MIDRISE", n.lemma3Midrise(), "%9.6f");
        o.println();
        o.println("   Optimal clipping τ = 2^(b-1)·Δ*");
        row(o, "bits", BITS);
        row(o, "Gauss τ/σ ACIQ", n.gaussTauAciq(), "%9.4f");
        row(o, "Gauss τ/σ exact", n.gaussTauExact(), "%9.4f");
        row(o, "Laplace τ/b approx", n.laplaceTauApprox(), "%9.4f");
        row(o, "Laplace τ/b exact", n.laplaceTauExact(), "%9.4f");
        o.println();
        o.println("   SNR (dB) at the optimal step: uniform (MIDRISE, 6.02·b), Gaussian and Laplace (PAPER, exact MSE)");
        row(o, "bits", BITS);
        row(o, "uniform", n.snrUniform(), "%9.2f");
        row(o, "Gaussian", n.snrGauss(), "%9.2f");
        row(o, "  measured", n.snrGaussMeasured(), "%9.2f");
        row(o, "Laplace", n.snrLaplace(), "%9.2f");
        o.println();
        o.println("   Step sensitivity Γ (Lemma 1) at b = 4: MSE(r·Δ*)/MSE(Δ*), PAPER grid");
        o.printf(Locale.ROOT, "   %-22s %9s %9s%n", "", "r = 0.7", "r = 1.3");
        o.printf(Locale.ROOT, "   %-22s %9.3f %9.3f%n", "uniform, exact", n.gammaExact()[0], n.gammaExact()[1]);
        o.printf(Locale.ROOT, "   %-22s %9.3f %9.3f%n", "Gaussian, exact", n.gammaExact()[2], n.gammaExact()[3]);
        o.printf(Locale.ROOT, "   %-22s %9.3f %9.3f%n", "uniform, 2nd order", n.gammaSecondOrder()[0],
                n.gammaSecondOrder()[1]);
        o.printf(Locale.ROOT, "   %-22s %9.3f %9.3f%n", "Gaussian, 2nd order", n.gammaSecondOrder()[2],
                n.gammaSecondOrder()[3]);
        o.println("   curvature ratio Gaussian/uniform (second-order view, ACIQ at τ* over Lemma 2 at τ = a):");
        row(o, "bits", BITS);
        row(o, "ratio", n.curvatureRatio(), "%9.2f");
        o.println("   -> second order: the Gaussian is the more step-sensitive; exact: the uniform's MSE rises faster when");
        o.println("      the step shrinks (its clipping error is steep), while staying lower in absolute terms for r >~ 0.81.");
        o.println();
        o.printf(Locale.ROOT, "   kurtosis of the samples: uniform %.4f, Gaussian %.4f, Laplace %.4f (1.8, 3, 6)%n",
                n.sampleKurtosis()[0], n.sampleKurtosis()[1], n.sampleKurtosis()[2]);
        o.println();
        printKure(n, sizes, o);
        o.println();
        o.printf(Locale.ROOT, "demo took %.1f s%n", seconds);
    }

    private static void printKure(Numbers n, Sizes sizes, PrintStream o) {
        o.printf(Locale.ROOT, "2. KURE at work: ResNet-18's %d conv/fc weight tensors, %,d parameters%s%n", n.tensors(),
                n.params(), sizes.maxOut() == Integer.MAX_VALUE ? ""
                        : " (scaled down: the first " + sizes.maxOut() + " output channels of each)");
        o.println("   drawn from a Gaussian (He init), then " + sizes.kureSteps() + " plain gradient steps on the KURE loss "
                + "alone (target 1.8, lr " + Regularizer.DEFAULT_LR + " scale-free)");
        o.println("   kurtosis with the sample std (K_u, as the KURE reference code computes it):");
        o.printf(Locale.ROOT, "   %-24s %-18s %9s %9s%n", "tensor", "shape", "K before", "K after");
        for (int t = 0; t < n.tensors(); t++) {
            int[] s = RESNET18_SHAPES[t].clone();
            s[0] = Math.min(s[0], sizes.maxOut());
            o.printf(Locale.ROOT, "   %-24s %-18s %9.4f %9.4f%n", RESNET18_NAMES[t], java.util.Arrays.toString(s),
                    n.kurtosisBefore()[t], n.kurtosisAfter()[t]);
        }
        o.println();
        o.println("   Robustness of the whole model, before -> after KURE: per-tensor symmetric SIGNED grid, step = r × the");
        o.println("   MSE-optimal step of each tensor; SNR (dB) over all weights, 10·log10(Σw²/Σ(fq(w) - w)²)");
        int nr = RATIOS.length, nround = ROUNDINGS.length, unit = 3;
        o.printf(Locale.ROOT, "   %4s %15s %15s %15s %15s %17s%n", "bits", "HALF_EVEN", "FLOOR", "STOCHASTIC",
                "pow2 step (LOG)", "worst r 0.7-1.3");
        for (int b = 0; b < BITS.length; b++) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "   %4d", BITS[b]));
            for (int r = 0; r < nround; r++) {
                int i = (b * nround + r) * nr + unit;
                sb.append(String.format(Locale.ROOT, " %6.2f -> %5.2f", n.before()[i].snrDb(), n.after()[i].snrDb()));
            }
            int p = b * nround;
            sb.append(String.format(Locale.ROOT, " %6.2f -> %5.2f", n.pow2Before()[p].snrDb(), n.pow2After()[p].snrDb()));
            double wb = Double.POSITIVE_INFINITY, wa = Double.POSITIVE_INFINITY;
            for (int r = 0; r < nr; r++) {
                wb = Math.min(wb, n.before()[b * nround * nr + r].snrDb());
                wa = Math.min(wa, n.after()[b * nround * nr + r].snrDb());
            }
            sb.append(String.format(Locale.ROOT, "   %6.2f -> %5.2f", wb, wa));
            o.println(sb);
        }
        o.println();
        o.println("   4 bits, HALF_EVEN: MSE and SNR against the step ratio r");
        o.printf(Locale.ROOT, "   %5s %12s %12s %9s %9s%n", "r", "MSE before", "MSE after", "SNR bef.", "SNR aft.");
        int b4 = 2;
        for (int r = 0; r < nr; r++) {
            int i = (b4 * nround) * nr + r;
            o.printf(Locale.ROOT, "   %5.2f %12.4e %12.4e %9.2f %9.2f%n", RATIOS[r], n.before()[i].mse(), n.after()[i].mse(),
                    n.before()[i].snrDb(), n.after()[i].snrDb());
        }
    }

    private static void row(PrintStream o, String label, int[] v) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "   %-22s", label));
        for (int x : v) {
            sb.append(String.format(Locale.ROOT, " %9d", x));
        }
        o.println(sb);
    }

    private static void row(PrintStream o, String label, double[] v, String fmt) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "   %-22s", label));
        for (double x : v) {
            sb.append(' ').append(String.format(Locale.ROOT, fmt, x));
        }
        o.println(sb);
    }

    /**
     * Samples: 0 uniform on [-a, a], 1 Gaussian with std a, 2 Laplace with scale a.
     *
     * @param r    the generator
     * @param dist 0, 1 or 2
     * @param n    how many
     * @param a    the scale
     * @return the samples
     */
    static float[] sample(SplittableRandom r, int dist, int n, double a) {
        float[] x = new float[n];
        if (dist == 1) {
            for (int i = 0; i < n; i += 2) { // Box-Muller, both outputs of each pair
                double rad = a * Math.sqrt(-2 * Math.log1p(-r.nextDouble())), th = 2 * Math.PI * r.nextDouble();
                x[i] = (float) (rad * Math.cos(th));
                if (i + 1 < n) {
                    x[i + 1] = (float) (rad * Math.sin(th));
                }
            }
            return x;
        }
        for (int i = 0; i < n; i++) {
            if (dist == 0) {
                x[i] = (float) r.nextDouble(-a, a);
            } else {
                double u = r.nextDouble() - 0.5;
                x[i] = (float) (-a * Math.signum(u) * Math.log(1 - 2 * Math.abs(u)));
            }
        }
        return x;
    }
}
