package dev.kure.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The model summary of {@code kure analyze}: counts, and the kurtosis and SNR distributions over the
 * analyzed tensors, weights (rank ≥ 2) apart from the rest (biases, norms, scalars), whose kurtoses
 * say little about quantization.
 */
final class Summary {
    int tensors, analyzed, skipped, nonFinite;
    long values;
    /** Every analyzed tensor's kurtosis, sorted. */
    double[] kurtoses = new double[0];
    /** Kurtosis of the weights (rank ≥ 2) and of the other tensors, each sorted. */
    double[] weightKurtoses = new double[0], otherKurtoses = new double[0];
    double kMin = Double.NaN, kMedian = Double.NaN, kMax = Double.NaN;
    /** The analyzed weights, most heavy-tailed first. */
    List<Analysis.Report> heaviest = new ArrayList<>();
    /** Median over the analyzed weights of the SNR at the MSE step and of the worst SNR, per bit-width. */
    double[] medianSnrMse = new double[0], medianWorstMse = new double[0];

    static Summary of(List<Analysis.Report> reports, int nbits) {
        Summary s = new Summary();
        List<Double> all = new ArrayList<>(), weights = new ArrayList<>(), other = new ArrayList<>();
        List<Analysis.Report> ws = new ArrayList<>();
        for (Analysis.Report r : reports) {
            s.tensors++;
            switch (r.status()) {
                case "ok" -> {
                    s.analyzed++;
                    s.values += r.moments().count();
                    double k = r.moments().kurtosis();
                    if (Double.isFinite(k)) {
                        all.add(k);
                        (r.isWeight() ? weights : other).add(k);
                        if (r.isWeight()) {
                            ws.add(r);
                        }
                    }
                }
                case "non_finite" -> s.nonFinite++;
                default -> s.skipped++;
            }
        }
        s.kurtoses = sorted(all);
        s.weightKurtoses = sorted(weights);
        s.otherKurtoses = sorted(other);
        if (s.kurtoses.length > 0) {
            s.kMin = s.kurtoses[0];
            s.kMax = s.kurtoses[s.kurtoses.length - 1];
            s.kMedian = median(s.kurtoses);
        }
        ws.sort(Comparator.comparingDouble((Analysis.Report r) -> -r.moments().kurtosis()));
        s.heaviest = ws;
        s.medianSnrMse = new double[nbits];
        s.medianWorstMse = new double[nbits];
        for (int b = 0; b < nbits; b++) {
            List<Double> snr = new ArrayList<>(), worst = new ArrayList<>();
            for (Analysis.Report r : ws) {
                snr.add(r.profile().snrMse()[b]);
                worst.add(r.profile().worstMse()[b]);
            }
            s.medianSnrMse[b] = median(sorted(snr));
            s.medianWorstMse[b] = median(sorted(worst));
        }
        return s;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    private static double[] sorted(List<Double> l) {
        return l.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }
}
