package dev.kure.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
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
 * The compute ceilings of this core, for reading the kernel results against the memory baselines:
 * the least vector work each kernel family must do, without any of Kure's exactness machinery.
 *
 * <ul>
 *   <li>{@link #fakeQuantMinimal}: mul, clamp (2), rint (2), mul per vector: 6 operations, what any
 *       correct HALF_EVEN/SATURATE fake-quant needs. If this runs below the copy baseline, fake-quant
 *       is compute-bound on this machine, not memory-bound.</li>
 *   <li>{@link #powerSumsMinimal}: Σd², Σd³, Σd⁴ and min/max of d = x − m with four accumulator sets
 *       (sub, mul, add, 2 fma, min, max per vector): the single sweep moments cannot do without.</li>
 *   <li>{@link #powerSumsOnePass}: the same power sums plus Σx in double lanes (two half-width loads
 *       widened and added per vector), which the one-pass moments kernel also needs: the SPEC's mean
 *       tolerance (1e-9 σ at small n) rules out summing x or d in float. The bar for the one-pass
 *       kernel in L2.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class CeilingBench {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int N = F.length();

    /** Input and output. */
    @State(Scope.Thread)
    public static class S {
        @Param({"262144", "4194304"})
        public int size;

        public float[] x, out;

        @Setup(Level.Trial)
        public void setUp() {
            x = BenchData.gaussian(size);
            out = new float[size];
        }
    }

    @Benchmark
    @Traffic(bytesPerElement = 8, note = "read x + write out")
    public float[] fakeQuantMinimal(S s) {
        float[] x = s.x, o = s.out;
        for (int i = 0; i < x.length; i += N) {
            FloatVector.fromArray(F, x, i).mul(33.3f).max(-128f).min(127f)
                    .add(0x1.8p23f).sub(0x1.8p23f).mul(0.03f).intoArray(o, i);
        }
        return o;
    }

    @Benchmark
    @Traffic(bytesPerElement = 4, note = "read x")
    public float powerSumsMinimal(S s) {
        float[] x = s.x;
        FloatVector z = FloatVector.zero(F), m = FloatVector.broadcast(F, 0.01f);
        FloatVector a2 = z, a3 = z, a4 = z, b2 = z, b3 = z, b4 = z, c2 = z, c3 = z, c4 = z, d2 = z, d3 = z, d4 = z;
        FloatVector mn = z, mx = z, mn2 = z, mx2 = z;
        for (int i = 0; i < x.length; i += 4 * N) {
            FloatVector x0 = FloatVector.fromArray(F, x, i), x1 = FloatVector.fromArray(F, x, i + N);
            FloatVector x2 = FloatVector.fromArray(F, x, i + 2 * N), x3 = FloatVector.fromArray(F, x, i + 3 * N);
            mn = mn.min(x0).min(x1);
            mx = mx.max(x0).max(x1);
            mn2 = mn2.min(x2).min(x3);
            mx2 = mx2.max(x2).max(x3);
            FloatVector e0 = x0.sub(m), e1 = x1.sub(m), e2 = x2.sub(m), e3 = x3.sub(m);
            FloatVector q0 = e0.mul(e0), q1 = e1.mul(e1), q2 = e2.mul(e2), q3 = e3.mul(e3);
            a2 = a2.add(q0);
            b2 = b2.add(q1);
            c2 = c2.add(q2);
            d2 = d2.add(q3);
            a3 = q0.fma(e0, a3);
            b3 = q1.fma(e1, b3);
            c3 = q2.fma(e2, c3);
            d3 = q3.fma(e3, d3);
            a4 = q0.fma(q0, a4);
            b4 = q1.fma(q1, b4);
            c4 = q2.fma(q2, c4);
            d4 = q3.fma(q3, d4);
        }
        return a2.add(b2).add(c2).add(d2).add(a3).add(b3).add(c3).add(d3).add(a4).add(b4).add(c4).add(d4)
                .add(mn).add(mx).add(mn2).add(mx2).lane(0);
    }

    static final VectorSpecies<Float> FH = VectorSpecies.of(float.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());

    @Benchmark
    @Traffic(bytesPerElement = 4, note = "read x")
    public double powerSumsOnePass(S s) {
        float[] x = s.x;
        int h = FH.length();
        FloatVector z = FloatVector.zero(F), m = FloatVector.broadcast(F, 0.01f);
        FloatVector a2 = z, a3 = z, a4 = z, b2 = z, b3 = z, b4 = z, c2 = z, c3 = z, c4 = z, d2 = z, d3 = z, d4 = z;
        FloatVector mn = z, mx = z, mn2 = z, mx2 = z;
        DoubleVector sx0 = DoubleVector.zero(D), sx1 = sx0;
        for (int i = 0; i < x.length; i += 4 * N) {
            FloatVector x0 = FloatVector.fromArray(F, x, i), x1 = FloatVector.fromArray(F, x, i + N);
            FloatVector x2 = FloatVector.fromArray(F, x, i + 2 * N), x3 = FloatVector.fromArray(F, x, i + 3 * N);
            DoubleVector w0 = (DoubleVector) FloatVector.fromArray(FH, x, i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector w1 = (DoubleVector) FloatVector.fromArray(FH, x, i + h).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector w2 = (DoubleVector) FloatVector.fromArray(FH, x, i + N).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector w3 = (DoubleVector) FloatVector.fromArray(FH, x, i + N + h).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector w4 = (DoubleVector) FloatVector.fromArray(FH, x, i + 2 * N).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector w5 = (DoubleVector) FloatVector.fromArray(FH, x, i + 2 * N + h).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector w6 = (DoubleVector) FloatVector.fromArray(FH, x, i + 3 * N).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector w7 = (DoubleVector) FloatVector.fromArray(FH, x, i + 3 * N + h).convertShape(VectorOperators.F2D, D, 0);
            sx0 = sx0.add(w0.add(w2).add(w4.add(w6)));
            sx1 = sx1.add(w1.add(w3).add(w5.add(w7)));
            mn = mn.min(x0).min(x1);
            mx = mx.max(x0).max(x1);
            mn2 = mn2.min(x2).min(x3);
            mx2 = mx2.max(x2).max(x3);
            FloatVector e0 = x0.sub(m), e1 = x1.sub(m), e2 = x2.sub(m), e3 = x3.sub(m);
            FloatVector q0 = e0.mul(e0), q1 = e1.mul(e1), q2 = e2.mul(e2), q3 = e3.mul(e3);
            a2 = e0.fma(e0, a2);
            b2 = e1.fma(e1, b2);
            c2 = e2.fma(e2, c2);
            d2 = e3.fma(e3, d2);
            a3 = q0.fma(e0, a3);
            b3 = q1.fma(e1, b3);
            c3 = q2.fma(e2, c3);
            d3 = q3.fma(e3, d3);
            a4 = q0.fma(q0, a4);
            b4 = q1.fma(q1, b4);
            c4 = q2.fma(q2, c4);
            d4 = q3.fma(q3, d4);
        }
        return a2.add(b2).add(c2).add(d2).add(a3).add(b3).add(c3).add(d3).add(a4).add(b4).add(c4).add(d4)
                .add(mn).add(mx).add(mn2).add(mx2).lane(0) + sx0.add(sx1).lane(0);
    }
}
