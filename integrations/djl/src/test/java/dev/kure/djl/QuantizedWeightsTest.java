package dev.kure.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import dev.kure.Kernels;
import dev.kure.LearnableGrads;
import dev.kure.Quantizer;
import dev.kure.StepTransform;
import org.junit.jupiter.api.Test;

class QuantizedWeightsTest {
    private static final Kernels K = Kernels.cpu();

    @Test
    void qatForwardIsKuresFakeQuantBitForBit() {
        try (DjlFixture f = new DjlFixture(false)) {
            WeightQuantSpec spec = WeightQuantSpec.of(4);
            f.layer.startSte(spec);
            // X = identity rows, so y = X·Wqᵀ holds Wq's columns exactly (products with 1, sums with 0)
            float[] x = new float[DjlFixture.BATCH * DjlFixture.IN];
            for (int b = 0; b < DjlFixture.BATCH; b++) {
                x[b * DjlFixture.IN + b] = 1f;
            }
            float[] y = f.trainStep(x, new float[DjlFixture.BATCH * DjlFixture.OUT]);
            float[] w = f.weight().toFloatArray();
            float[] fq = spec.apply(K, w, new int[] {DjlFixture.OUT, DjlFixture.IN});
            for (int b = 0; b < DjlFixture.BATCH; b++) {
                for (int o = 0; o < DjlFixture.OUT; o++) {
                    assertEquals(Float.floatToIntBits(fq[o * DjlFixture.IN + b] + 0f),
                            Float.floatToIntBits(y[b * DjlFixture.OUT + o] + 0f), "y[" + b + "," + o + "]");
                }
            }
            boolean changed = false;
            for (int i = 0; i < w.length; i++) {
                changed |= fq[i] != w[i];
            }
            assertTrue(changed, "W4 must change some weights, or the test proves nothing");
        }
    }

    @Test
    void steAppliesTheClippingMaskToTheWeightGradient() {
        try (DjlFixture f = new DjlFixture(false)) {
            // half the MSE step: many weights fall outside the grid and must get zero gradient
            WeightQuantSpec spec = WeightQuantSpec.of(3).withTransform(StepTransform.ratio(0.5));
            f.layer.startSte(spec);
            float[] x = DjlFixture.random(DjlFixture.BATCH * DjlFixture.IN, 1);
            float[] g = DjlFixture.random(DjlFixture.BATCH * DjlFixture.OUT, 2);
            f.trainStep(x, g);
            float[] before;
            try (NDArray grad = f.weight().getGradient()) {
                before = grad.toFloatArray();
            }
            float[] dy = DjlFixture.expectedWeightGrad(x, g);
            for (int i = 0; i < dy.length; i++) {
                assertEquals(dy[i], before[i], 1e-5f * (1 + Math.abs(dy[i])), "identity STE before the mask at " + i);
            }
            f.layer.afterBackward();
            float[] after;
            try (NDArray grad = f.weight().getGradient()) {
                after = grad.toFloatArray();
            }
            Quantizer q = f.layer.lastQuantizer();
            float[] w = f.weight().toFloatArray();
            int clipped = 0;
            for (int i = 0; i < w.length; i++) {
                float s = q.scale(i / DjlFixture.IN);
                float r = (float) Math.rint(w[i] * (1f / s));
                boolean inside = r >= q.qmin() && r <= q.qmax();
                if (inside) {
                    assertEquals(before[i], after[i], 0f, "inside the grid the gradient passes at " + i);
                } else {
                    assertEquals(0f, after[i], 0f, "clipped weight " + i + " gets no gradient");
                    clipped++;
                }
            }
            assertTrue(clipped > 0 && clipped < w.length, "some but not all weights clipped: " + clipped);
        }
    }

    @Test
    void lsqStepGradientIsKuresLearnableBackward() {
        try (DjlFixture f = new DjlFixture(true)) {
            f.layer.startLsq(WeightQuantSpec.of(4));
            float[] steps = f.layer.step().getArray().toFloatArray();
            float[] x = DjlFixture.random(DjlFixture.BATCH * DjlFixture.IN, 3);
            float[] g = DjlFixture.random(DjlFixture.BATCH * DjlFixture.OUT, 4);
            float[] w = f.weight().toFloatArray();
            f.trainStep(x, g);
            float[] dy;
            try (NDArray grad = f.weight().getGradient()) {
                dy = grad.toFloatArray();
            }
            float[] stepGradBefore;
            try (NDArray sg = f.layer.step().getArray().getGradient()) {
                stepGradBefore = sg.toFloatArray();
            }
            assertArrayEquals(new float[DjlFixture.OUT], stepGradBefore, 0f, "the step enters the graph with an exact zero");
            LearnableGrads got = f.layer.afterBackward();

            Quantizer q = Quantizer.perChannel(4, dev.kure.Grid.SIGNED_NARROW, steps, new int[DjlFixture.OUT],
                    new int[] {DjlFixture.OUT, DjlFixture.IN}, 0);
            float[] dx = new float[w.length];
            double factor = 1.0 / Math.sqrt((double) DjlFixture.IN * q.qmax());
            LearnableGrads want = K.fakeQuantizeLearnableBackward(w, dy, dx, q, factor);
            assertArrayEquals(want.dScale(), got.dScale(), 0.0);
            float[] stepGrad;
            try (NDArray sg = f.layer.step().getArray().getGradient()) {
                stepGrad = sg.toFloatArray();
            }
            for (int c = 0; c < DjlFixture.OUT; c++) {
                assertEquals((float) want.dScale()[c], stepGrad[c], 0f, "step gradient of channel " + c);
            }
            try (NDArray grad = f.weight().getGradient()) {
                assertArrayEquals(dx, grad.toFloatArray(), 0f, "weight gradient = Kure's dx");
            }
        }
    }

    @Test
    void refusesOtherBlocksAndLsqWithoutAStep() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizedWeights.wrap(BatchNorm.builder().build()));
        assertTrue(e.getMessage().contains("BatchNorm"), e.getMessage());
        QuantizedWeights q = QuantizedWeights.wrap(Linear.builder().setUnits(2).build());
        assertThrows(IllegalStateException.class, () -> q.startLsq(WeightQuantSpec.of(4)));
    }
}
