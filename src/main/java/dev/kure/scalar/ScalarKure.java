package dev.kure.scalar;

import dev.kure.KureConfig;
import dev.kure.KureResult;
import dev.kure.Moments;
import dev.kure.TensorView;
import dev.kure.spi.Staging;
import dev.kure.spi.KureMath;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/** Reference KURE: exact moments per tensor, the shared plan, then one gradient pass in double. */
final class ScalarKure {
    private ScalarKure() {}

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    static KureResult run(List<MemorySegment> ws, List<MemorySegment> gs, KureConfig cfg) {
        Moments[] ms = new Moments[ws.size()];
        for (int i = 0; i < ms.length; i++) {
            MemorySegment w = ws.get(i);
            ms[i] = ScalarMoments.of(w, 0, w.byteSize() / Float.BYTES);
        }
        KureMath.Plan plan = KureMath.plan(ms, cfg);
        if (gs != null) {
            for (int i = 0; i < ms.length; i++) {
                if (plan.coef()[i] != 0) {
                    addGradient(ws.get(i), gs.get(i), plan.coef()[i], plan.mean(i), plan.m3(i), plan.kbm2(i));
                }
            }
        }
        return plan.result();
    }

    /** KURE over weights of any element type (read in staged blocks); grads are float32 segments. */
    static KureResult runViews(List<TensorView> ws, List<MemorySegment> gs, KureConfig cfg) {
        Moments[] ms = new Moments[ws.size()];
        ScalarBackend ref = new ScalarBackend("KURE reference");
        for (int i = 0; i < ms.length; i++) {
            ms[i] = Staging.moments(ref, ws.get(i), 0, ws.get(i).count());
        }
        KureMath.Plan plan = KureMath.plan(ms, cfg);
        if (gs != null) {
            Staging.Scratch s = Staging.scratch();
            for (int i = 0; i < ms.length; i++) {
                if (plan.coef()[i] == 0) {
                    continue;
                }
                TensorView w = ws.get(i);
                MemorySegment g = gs.get(i);
                double c = plan.coef()[i], mean = plan.mean(i), m3 = plan.m3(i), kbm2 = plan.kbm2(i);
                for (long b = 0; b < w.count(); b += Staging.BLOCK) {
                    int n = (int) Math.min(Staging.BLOCK, w.count() - b);
                    Staging.load(w, b, s.a, 0, n, s);
                    for (int j = 0; j < n; j++) {
                        double d = s.a[j] - mean;
                        double term = c * (d * d * d - m3 - kbm2 * d);
                        g.setAtIndex(F, b + j, (float) (g.getAtIndex(F, b + j) + term));
                    }
                }
            }
        }
        return plan.result();
    }

    /** g_j = (float)(g_j + c·(d³ − m3 − kbm2·d)) with d = w_j − mean, all in double. */
    private static void addGradient(MemorySegment w, MemorySegment g, double c, double mean, double m3, double kbm2) {
        long n = w.byteSize() / Float.BYTES;
        for (long j = 0; j < n; j++) {
            double d = w.getAtIndex(F, j) - mean;
            double term = c * (d * d * d - m3 - kbm2 * d);
            g.setAtIndex(F, j, (float) (g.getAtIndex(F, j) + term));
        }
    }
}
