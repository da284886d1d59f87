package dev.kure.scalar;

import dev.kure.KureConfig;
import dev.kure.KureResult;
import dev.kure.Moments;
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
