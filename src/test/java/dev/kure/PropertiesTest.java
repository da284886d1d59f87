package dev.kure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties that hold for every input: fake-quant lands on the grid, moments merge exactly. */
class PropertiesTest {
    final Kernels k = Kernels.scalar();

    @Property(tries = 300)
    void outputIsAGridLevelInsideTheRange(@ForAll @Size(min = 1, max = 64) float[] x,
                                          @ForAll @IntRange(min = 1, max = 12) int bits,
                                          @ForAll("grids") Grid grid,
                                          @ForAll Rounding rounding,
                                          @ForAll @FloatRange(min = 0.01f, max = 10f) float scale) {
        Quantizer q = Quantizer.symmetric(bits, grid, scale).withRounding(rounding).withSeed(bits);
        float[] out = new float[x.length];
        k.fakeQuantize(x, out, q);
        for (int i = 0; i < x.length; i++) {
            if (Float.isNaN(x[i])) {
                assertTrue(Float.isNaN(out[i]));
                continue;
            }
            double level = out[i] / (double) scale - q.offset();
            double r = Math.rint(level);
            assertEquals(r, level, 1e-3, "on a level");
            assertTrue(r >= q.qmin() && r <= q.qmax(), "inside the grid");
            if (rounding != Rounding.STOCHASTIC && Float.isFinite(x[i])) {
                // never further than one step from the input, unless clamped
                double y = x[i] / (double) scale;
                if (y > q.qmin() && y < q.qmax()) {
                    assertTrue(Math.abs(out[i] - x[i]) <= scale * 1.0001, "within a step");
                }
            }
        }
    }

    @Provide
    Arbitrary<Grid> grids() {
        return Arbitraries.of(Grid.SIGNED, Grid.SIGNED_NARROW, Grid.PAPER, Grid.MIDRISE);
    }

    @Property(tries = 200)
    void mergeOfPartsEqualsTheWhole(@ForAll @Size(min = 2, max = 300) float[] raw,
                                    @ForAll @IntRange(min = 0, max = 300) int cutAt) {
        float[] x = new float[raw.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = Float.isFinite(raw[i]) ? Math.max(-1e6f, Math.min(1e6f, raw[i])) : 0f;
        }
        int cut = Math.min(cutAt, x.length);
        Moments whole = k.moments(x), merged = k.moments(x, 0, cut).merge(k.moments(x, cut, x.length - cut));
        assertEquals(whole.count(), merged.count());
        double scale = Math.max(1e-30, whole.std());
        assertEquals(whole.mean(), merged.mean(), 1e-12 * (Math.abs(whole.mean()) + scale));
        assertEquals(whole.variance(), merged.variance(), 1e-9 * whole.variance() + 1e-300);
        assertEquals(whole.min(), merged.min());
        assertEquals(whole.max(), merged.max());
    }
}
