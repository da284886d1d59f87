package dev.kure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MomentsTest {
    final Kernels k = Kernels.scalar();

    static void assertRel(double expected, double actual, double rel, String what) {
        double err = Math.abs(actual - expected) / Math.max(Math.abs(expected), Double.MIN_NORMAL);
        assertTrue(err <= rel, what + ": expected " + expected + ", got " + actual + " (relative error " + err + ")");
    }

    /** Mean, m2..m4 and kurtosis against the whole-array two-pass reference, docs/semantics.md §2 tolerances. */
    static void assertMatchesReference(float[] x, Moments m) {
        double[] r = Data.twoPass(x, 0, x.length);
        double n = r[0];
        assertEquals(x.length, m.count());
        assertRel(r[1], m.mean(), 1e-6, "mean");
        assertRel(r[2] / n, m.variance(), 1e-6, "m2");
        double m2 = r[2] / n;
        assertEquals(r[3] / n / Math.pow(m2, 1.5), m.skewness(), 1e-5 * Math.max(1, Math.abs(r[3] / n / Math.pow(m2, 1.5))), "skewness");
        assertRel(r[4] / n, m.s4() / m.count(), 1e-5, "m4");
        assertRel(r[4] / n / (m2 * m2), m.kurtosis(), 1e-5, "kurtosis");
    }

    @Test
    void exactAgainstBigDecimalOnSmallInput() {
        float[] x = Data.studentT3(1001, 5);
        MathContext mc = MathContext.DECIMAL128;
        BigDecimal sum = BigDecimal.ZERO;
        for (float v : x) {
            sum = sum.add(new BigDecimal(v));
        }
        BigDecimal n = BigDecimal.valueOf(x.length);
        BigDecimal mean = sum.divide(n, mc);
        BigDecimal s2 = BigDecimal.ZERO, s4 = BigDecimal.ZERO, s3 = BigDecimal.ZERO;
        for (float v : x) {
            BigDecimal d = new BigDecimal(v).subtract(mean, mc);
            BigDecimal d2 = d.multiply(d, mc);
            s2 = s2.add(d2, mc);
            s3 = s3.add(d2.multiply(d, mc), mc);
            s4 = s4.add(d2.multiply(d2, mc), mc);
        }
        Moments m = k.moments(x);
        assertRel(mean.doubleValue(), m.mean(), 1e-14, "mean");
        assertRel(s2.doubleValue(), m.s2(), 1e-13, "S2");
        assertRel(s3.doubleValue(), m.s3(), 1e-12, "S3");
        assertRel(s4.doubleValue(), m.s4(), 1e-12, "S4");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 7, 4095, 4096, 4097, 100_003, 1_000_000, 10_000_000})
    void largeOffsetSmallSpread(int n) {
        if (n < 2) {
            return; // covered by the edge-case tests
        }
        float[] x = Data.gaussian(n, 1e4, 1e-2, n);
        assertMatchesReference(x, k.moments(x));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 5, 4097, 1_000_000, 10_000_000})
    void heavyTailsStudentT3(int n) {
        float[] x = Data.studentT3(n, 77 + n);
        assertMatchesReference(x, k.moments(x));
    }

    @Test
    void sortedInput() {
        float[] x = Data.gaussian(3_000_000, 3.0, 2.0, 9);
        Arrays.sort(x);
        assertMatchesReference(x, k.moments(x));
    }

    @Test
    void emptyIsAllNaNAndMergesCleanly() {
        Moments e = k.moments(new float[0]);
        assertEquals(0, e.count());
        for (double v : new double[] {e.mean(), e.variance(), e.skewness(), e.kurtosis(), e.min(), e.max(), e.std()}) {
            assertTrue(Double.isNaN(v));
        }
        Moments a = k.moments(new float[] {1, 2, 4});
        assertEquals(a, a.merge(e));
        assertEquals(a, e.merge(a));
    }

    @Test
    void singleAndConstant() {
        Moments one = k.moments(new float[] {2.5f});
        assertEquals(0.0, one.variance());
        assertTrue(Double.isNaN(one.skewness()));
        assertTrue(Double.isNaN(one.kurtosis()));
        float[] c = new float[10_000];
        Arrays.fill(c, 0.1f);
        Moments m = k.moments(c);
        assertEquals(0.0, m.variance());
        assertEquals((double) 0.1f, m.mean());
        assertTrue(Double.isNaN(m.kurtosis()));
        assertTrue(Double.isNaN(m.skewness()));
    }

    @Test
    void nanAndInfinity() {
        float[] x = Data.gaussian(10_000, 0, 1, 3);
        x[1234] = Float.NaN;
        Moments m = k.moments(x);
        assertTrue(Double.isNaN(m.mean()));
        assertTrue(Double.isNaN(m.kurtosis()));
        assertTrue(Double.isNaN(m.max()));
        x[1234] = Float.POSITIVE_INFINITY;
        Moments inf = k.moments(x);
        assertEquals(Double.POSITIVE_INFINITY, inf.mean());
        assertEquals(Double.POSITIVE_INFINITY, inf.max());
        assertTrue(Double.isNaN(inf.variance()));
    }

    @Test
    void minMaxAbsMax() {
        Moments m = k.moments(new float[] {3, -7.5f, 2, 6});
        assertEquals(-7.5, m.min());
        assertEquals(6, m.max());
        assertEquals(7.5, m.absMax());
    }

    @Test
    void mergeIsAssociativeAndMatchesWhole() {
        float[] x = Data.laplace(30_001, 0.3, 11);
        Moments a = k.moments(x, 0, 1000), b = k.moments(x, 1000, 17_000), c = k.moments(x, 18_000, 12_001);
        Moments left = a.merge(b).merge(c), right = a.merge(b.merge(c)), whole = k.moments(x);
        for (Moments m : new Moments[] {left, right}) {
            assertRel(whole.mean(), m.mean(), 1e-14, "mean");
            assertRel(whole.s2(), m.s2(), 1e-12, "S2");
            assertRel(whole.s3(), m.s3(), 1e-9, "S3");
            assertRel(whole.s4(), m.s4(), 1e-12, "S4");
            assertEquals(whole.min(), m.min());
            assertEquals(whole.max(), m.max());
        }
    }

    @Test
    void kurtosisOfLargeSamplesWithinFiveSamplingSd() {
        int n = 1_000_000;
        double sq = Math.sqrt(n);
        assertEquals(1.8, k.moments(Data.uniform(n, 1, 1)).kurtosis(), 5 * 1.2 / sq);
        assertEquals(3.0, k.moments(Data.gaussian(n, 0, 1, 2)).kurtosis(), 5 * 5 / sq);
        assertEquals(6.0, k.moments(Data.laplace(n, 1, 3)).kurtosis(), 5 * 30 / sq);
    }

    @Test
    void sampleStdKurtosisRelation() {
        for (int n : new int[] {2, 3, 10, 4608}) {
            Moments m = k.moments(Data.gaussian(n, 0.1, 0.05, n));
            double f = (n - 1.0) / n;
            assertRel(f * f * m.kurtosis(), m.kurtosisSampleStd(), 1e-14, "K_u");
            assertRel(m.s2() / (n - 1), m.sampleVariance(), 1e-15, "sample variance");
        }
    }

    @Test
    void knownSmallValues() {
        // x = {1, 2, 3, 4}: mean 2.5, m2 1.25, m4 = (2*1.5^4 + 2*0.5^4)/4 = 2.5625, K = 1.64
        Moments m = k.moments(new float[] {1, 2, 3, 4});
        assertEquals(2.5, m.mean(), 0);
        assertEquals(1.25, m.variance(), 1e-15);
        assertEquals(1.64, m.kurtosis(), 1e-14);
        assertEquals(-1.36, m.excessKurtosis(), 1e-14);
        assertEquals(0.0, m.skewness(), 1e-15);
        // two-point distribution: the minimum kurtosis 1
        assertEquals(1.0, k.moments(new float[] {-1, 1, -1, 1}).kurtosis(), 1e-15);
    }

    @Test
    void segmentOffHeapMatchesArray() {
        float[] x = Data.studentT3(50_000, 4);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate((long) x.length * 4, 4);
            MemorySegment.copy(x, 0, s, ValueLayout.JAVA_FLOAT, 0, x.length);
            assertEquals(k.moments(x), k.moments(s));
            assertEquals(k.moments(x, 100, 30_000), k.moments(s, 100, 30_000));
        }
    }

    @Test
    void perChannelAndPerGroup() {
        int[] shape = {3, 4, 5};
        float[] x = Data.gaussian(60, 0, 1, 8);
        Moments[] byAxis1 = k.momentsPerChannel(x, shape, 1);
        assertEquals(4, byAxis1.length);
        for (int c = 0; c < 4; c++) {
            float[] sel = new float[15];
            int t = 0;
            for (int o = 0; o < 3; o++) {
                for (int i = 0; i < 5; i++) {
                    sel[t++] = x[(o * 4 + c) * 5 + i];
                }
            }
            Moments ref = k.moments(sel);
            assertRel(ref.mean(), byAxis1[c].mean(), 1e-14, "mean");
            assertRel(ref.s4(), byAxis1[c].s4(), 1e-12, "S4");
        }
        Moments[] axis0 = k.momentsPerChannel(x, shape, 0);
        assertEquals(k.moments(x, 20, 20), axis0[1]);
        Moments[] groups = k.momentsPerGroup(x, 6);
        assertEquals(10, groups.length);
        assertEquals(k.moments(x, 54, 6), groups[9]);
    }

    @Test
    void wireFormAndJavaSerialization() throws Exception {
        Moments m = k.moments(Data.gaussian(1000, 1, 2, 6));
        assertEquals(m, Moments.fromBytes(m.toBytes()));
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ObjectOutputStream oos = new ObjectOutputStream(bos)) {
            oos.writeObject(m);
        }
        try (ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(bos.toByteArray()))) {
            assertEquals(m, ois.readObject());
        }
        byte[] bad = m.toBytes();
        bad[63] ^= 1;
        assertThrows(IllegalArgumentException.class, () -> Moments.fromBytes(bad));
    }
}
