package dev.kure.cli;

import dev.kure.Kernels;
import dev.kure.Moments;
import dev.kure.StepPolicy;
import dev.kure.io.TensorFile;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The JSON output of {@code kure analyze} (schema {@code kure.analyze/1}; see docs/analyze-schema.json). */
final class AnalyzeJson {
    private AnalyzeJson() {}

    /** The whole report as JSON (schema kure.analyze/1, docs/analyze-schema.json). */
    static String json(Kernels k, Analysis.Settings s, Map<TensorFile, List<Analysis.Report>> reports) {
        JsonOut j = new JsonOut().beginObject();
        j.field("schema", "kure.analyze/1");
        String v = Main.class.getPackage().getImplementationVersion();
        j.field("kure_version", v == null ? "0.1.0-SNAPSHOT" : v);
        j.field("backend", k.describe());
        j.key("settings").beginObject().field("grid", s.grid().name()).field("rounding", s.rounding().name())
                .field("overflow", "SATURATE");
        j.key("per_channel").bool(s.perChannel());
        j.field("group_size", s.groupSize());
        j.key("bits").numbers(Arrays.stream(s.bits()).asLongStream().toArray());
        j.key("policies").beginArray();
        for (StepPolicy p : s.policies()) {
            j.string(p.toString());
        }
        j.endArray();
        j.key("ratios").numbers(Analysis.RATIOS);
        j.endObject();
        j.key("files").beginArray();
        for (Map.Entry<TensorFile, List<Analysis.Report>> e : reports.entrySet()) {
            j.beginObject().field("path", e.getKey().path().toString()).field("format", e.getKey().format().name());
            j.key("tensors").beginArray();
            for (Analysis.Report r : e.getValue()) {
                tensorJson(j, r);
            }
            j.endArray().endObject();
        }
        j.endArray();
        List<Analysis.Report> all = reports.values().stream().flatMap(List::stream).toList();
        Summary sum = Summary.of(all, s.bits().length);
        j.key("summary").beginObject().field("tensors", sum.tensors).field("analyzed", sum.analyzed)
                .field("skipped", sum.skipped).field("non_finite", sum.nonFinite).field("values", sum.values)
                .field("kurtosis_min", sum.kMin).field("kurtosis_median", sum.kMedian).field("kurtosis_max", sum.kMax);
        distribution(j, "weights", sum.weightKurtoses);
        distribution(j, "other", sum.otherKurtoses);
        j.key("weights_median_snr_db_mse").numbers(sum.medianSnrMse);
        j.key("weights_median_worst_snr_db_mse").numbers(sum.medianWorstMse);
        j.endObject();
        return j.endObject().toString();
    }

    private static void distribution(JsonOut j, String key, double[] k) {
        j.key(key).beginObject().field("tensors", k.length)
                .field("kurtosis_min", k.length == 0 ? Double.NaN : k[0])
                .field("kurtosis_median", Summary.median(k))
                .field("kurtosis_max", k.length == 0 ? Double.NaN : k[k.length - 1]).endObject();
    }

    private static void tensorJson(JsonOut j, Analysis.Report r) {
        long count = 1;
        for (long d : r.shape()) {
            count *= d;
        }
        j.beginObject().field("name", r.name()).field("dtype", r.dtype());
        j.key("shape").numbers(r.shape());
        j.field("count", count).field("status", r.status()).field("note", r.note());
        Moments m = r.moments();
        if (m == null) {
            j.key("moments").string(null);
        } else {
            j.key("moments").beginObject().field("mean", m.mean()).field("std", m.std()).field("variance", m.variance())
                    .field("skewness", m.skewness()).field("kurtosis", m.kurtosis())
                    .field("excess_kurtosis", m.excessKurtosis()).field("kurtosis_sample_std", m.kurtosisSampleStd())
                    .field("min", m.min()).field("max", m.max()).field("abs_max", m.absMax()).endObject();
        }
        if ("non_finite".equals(r.status())) {
            j.field("non_finite_count", r.nonFinite());
        }
        if (r.ok()) {
            j.field("sampled", r.sampled());
            j.key("steps").beginObject();
            for (Analysis.Steps st : r.steps()) {
                double[] sc = new double[st.scales().length];
                for (int i = 0; i < sc.length; i++) {
                    sc[i] = st.scales()[i];
                }
                j.key(st.policy()).beginObject();
                j.key("scale").numbers(sc);
                j.key("zero_point").numbers(Arrays.stream(st.zeroPoints()).asLongStream().toArray());
                Analysis.Granular g = st.granular();
                if (g != null) {
                    j.key("granular").beginObject();
                    j.key("scale_median").numbers(g.median());
                    j.key("scale_min").numbers(g.min());
                    j.key("scale_max").numbers(g.max());
                    j.key("snr_db").numbers(g.snrDb());
                    j.key("snr_db_per_tensor").numbers(g.perTensorSnrDb());
                    j.endObject();
                }
                j.endObject();
            }
            j.endObject();
            Analysis.Profile p = r.profile();
            j.key("robustness").beginObject();
            j.key("snr_db_max_abs").numbers(p.snrMaxAbs());
            j.key("snr_db_mse").numbers(p.snrMse());
            j.key("worst_snr_db_max_abs").numbers(p.worstMaxAbs());
            j.key("worst_snr_db_mse").numbers(p.worstMse());
            j.key("mse_vs_ratio").beginArray();
            for (double[] c : p.mseCurve()) {
                j.numbers(c);
            }
            j.endArray();
            j.key("formats").beginArray();
            for (var f : p.formats()) {
                j.beginObject();
                j.key("format").string(f.label());
                j.key("mse").number(f.error().mse());
                j.key("snr_db").number(f.error().snrDb());
                j.endObject();
            }
            j.endArray().endObject();
        }
        j.endObject();
    }
}
