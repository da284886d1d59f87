package dev.kure.bench;

import java.util.concurrent.TimeUnit;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The memory-bandwidth baselines every kernel benchmark is compared to, at the same sizes and in
 * the same run:
 *
 * <ul>
 *   <li>{@link #read}: the fastest way this JVM streams a {@code float[]} through the core: a
 *       hand-vectorized sum with four independent accumulators of the preferred species. A kernel
 *       that reads its input once cannot beat it by much; moments targets are ratios to it.</li>
 *   <li>{@link #copy}: {@code System.arraycopy} of a {@code float[]} into another, the bar for
 *       one-read-one-write kernels (fake-quant). Counted as 2 × 4 × n bytes (read + write).</li>
 *   <li>{@link #scalarRead}: a plain {@code for} loop summing into a {@code double}, the speed of
 *       the obvious Java code (C2 does not vectorize a strict floating-point reduction).</li>
 * </ul>
 *
 * <p>Sizes in floats: {@value Sizes#DEFAULT_LIST} by default; add the DRAM size with
 * {@code -p size=268435456} (1 GiB per array).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {
        "--add-modules", "jdk.incubator.vector",
        "--enable-native-access=ALL-UNNAMED",
        "-Xms4g", "-Xmx4g"})
public class BaselineBench {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /** The source array, shared by all baselines. */
    @State(Scope.Thread)
    public static class Src {
        @Param({"4096", "262144", "16777216"})
        public int size;

        public float[] x;

        @Setup(Level.Trial)
        public void setUp() {
            x = BenchData.gaussian(size);
        }
    }

    /** The destination of the copy; a separate state so the read baselines do not allocate it. */
    @State(Scope.Thread)
    public static class Dst {
        public float[] y;

        @Setup(Level.Trial)
        public void setUp(Src src) {
            y = new float[src.size];
        }
    }

    @Benchmark
    @Traffic(bytesPerElement = 4, note = "read x")
    public float read(Src s) {
        return vectorSum(s.x);
    }

    @Benchmark
    @Traffic(bytesPerElement = 8, note = "read x + write y (write-allocate traffic not counted)")
    public float[] copy(Src s, Dst d) {
        System.arraycopy(s.x, 0, d.y, 0, s.size);
        return d.y;
    }

    @Benchmark
    @Traffic(bytesPerElement = 4, note = "read x")
    public double scalarRead(Src s) {
        return scalarSum(s.x);
    }

    /** Sum of {@code a} with four independent vector accumulators and a scalar tail. */
    static float vectorSum(float[] a) {
        int lanes = SPECIES.length();
        int n = a.length;
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        FloatVector acc2 = FloatVector.zero(SPECIES);
        FloatVector acc3 = FloatVector.zero(SPECIES);
        int i = 0;
        int bound4 = n - n % (4 * lanes);
        for (; i < bound4; i += 4 * lanes) {
            acc0 = acc0.add(FloatVector.fromArray(SPECIES, a, i));
            acc1 = acc1.add(FloatVector.fromArray(SPECIES, a, i + lanes));
            acc2 = acc2.add(FloatVector.fromArray(SPECIES, a, i + 2 * lanes));
            acc3 = acc3.add(FloatVector.fromArray(SPECIES, a, i + 3 * lanes));
        }
        int bound = SPECIES.loopBound(n);
        for (; i < bound; i += lanes) {
            acc0 = acc0.add(FloatVector.fromArray(SPECIES, a, i));
        }
        float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[i];
        }
        return sum;
    }

    /** The obvious loop: one double accumulator, one element at a time. */
    static double scalarSum(float[] a) {
        double sum = 0.0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i];
        }
        return sum;
    }
}
