package dev.kure.spi;

import dev.kure.KureConfig;
import dev.kure.KureResult;
import dev.kure.Moments;
import java.util.ArrayList;
import java.util.List;

/**
 * The backend-independent part of KURE (docs/semantics.md §3): from each tensor's moments, the loss, the
 * kurtoses, the skipped tensors and each tensor's gradient coefficients. Every backend computes the
 * moments and the gradient pass its own way and shares this.
 */
public final class KureMath {
    private KureMath() {}

    /**
     * The plan for one call: the result to return, and per tensor {@code c[i]} (0 where no gradient
     * goes) with {@code g_j += c·(d³ − m3 − Kb·m2·d)}, {@code d = w_j − mean}.
     *
     * @param result what the call returns
     * @param coef   per-tensor gradient coefficient c
     * @param moments the moments each tensor's gradient pass needs (mean, m3 = S3/n, Kb·m2)
     */
    public record Plan(KureResult result, double[] coef, Moments[] moments) {
        /** Mean of tensor i. */
        public double mean(int i) { return moments[i].mean(); }

        /** Third central moment m3 = S3/n of tensor i. */
        public double m3(int i) { return moments[i].s3() / moments[i].count(); }

        /** Kb·m2 = m4/m2 of tensor i. */
        public double kbm2(int i) {
            Moments m = moments[i];
            return (m.s4() / m.count()) / m.variance();
        }
    }

    /** Builds the plan from the tensors' moments. */
    public static Plan plan(Moments[] ms, KureConfig cfg) {
        int L = ms.length;
        double[] k = new double[L];
        double[] coef = new double[L];
        List<KureResult.Skipped> skipped = new ArrayList<>();
        boolean[] live = new boolean[L];
        for (int i = 0; i < L; i++) {
            Moments m = ms[i];
            k[i] = Double.NaN;
            if (m.count() < 2) {
                skipped.add(new KureResult.Skipped(i, KureResult.SkipReason.TOO_FEW_ELEMENTS));
            } else if (!Double.isFinite(m.s4()) || !Double.isFinite(m.mean())) {
                skipped.add(new KureResult.Skipped(i, KureResult.SkipReason.NON_FINITE));
            } else if (m.s2() == 0) {
                skipped.add(new KureResult.Skipped(i, KureResult.SkipReason.ZERO_VARIANCE));
            } else {
                k[i] = cfg.std() == KureConfig.StdConvention.UNBIASED ? m.kurtosisSampleStd() : m.kurtosis();
                live[i] = true;
            }
        }
        double loss = 0;
        int worst = -1;
        double worstTerm = -1;
        for (int i = 0; i < L; i++) {
            if (!live[i]) {
                continue;
            }
            double t = (k[i] - cfg.target()) * (k[i] - cfg.target());
            if (cfg.reduction() == KureConfig.Reduction.MAX) {
                if (t > worstTerm) {
                    worstTerm = t;
                    worst = i;
                }
            } else {
                loss += t;
            }
        }
        double scale = switch (cfg.reduction()) {
            case MEAN -> cfg.lambda() / L;
            case SUM, MAX -> cfg.lambda();
        };
        loss = cfg.reduction() == KureConfig.Reduction.MAX ? (worst < 0 ? 0 : scale * worstTerm) : scale * loss;
        for (int i = 0; i < L; i++) {
            if (!live[i] || (cfg.reduction() == KureConfig.Reduction.MAX && i != worst)) {
                continue;
            }
            Moments m = ms[i];
            double n = m.count();
            double m2 = m.variance();
            double dKb = 4.0 / (n * m2 * m2);
            double conv = cfg.std() == KureConfig.StdConvention.UNBIASED ? ((n - 1) / n) * ((n - 1) / n) : 1.0;
            coef[i] = scale * 2.0 * (k[i] - cfg.target()) * dKb * conv;
        }
        KureResult result = new KureResult(loss, k, skipped,
                cfg.reduction() == KureConfig.Reduction.MAX ? worst : -1);
        return new Plan(result, coef, ms);
    }
}
