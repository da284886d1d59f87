package dev.kure.bench;

import dev.kure.Grid;
import dev.kure.Kernels;
import dev.kure.Quantizer;
import dev.kure.Rounding;
import dev.kure.StepPolicy;
import dev.kure.SweepResult;
import dev.kure.SweepSpec;
import java.util.concurrent.TimeUnit;
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
 * Issue 5 (speed): the one-pass robustness sweep against separate fake-quant + MSE passes, and MSE
 * calibration against the copy baseline ({@code BaselineBench.copy} at the same size, same run).
 *
 * <ul>
 *   <li>{@link #sweep}: 7 bit-widths (2..8) × 21 ratios in [0.7, 1.3], HALF_EVEN, SIGNED grid, MAX_ABS
 *       base step: one {@code Kernels.sweep} call (one statistics pass + one blocked pass).</li>
 *   <li>{@link #separatePasses}: the same 147 settings, each a {@code fakeQuantize} into a buffer
 *       then a double sum of squared errors, on the same backend. Target: sweep ≥ 10× faster.</li>
 *   <li>{@link #mseCalibration}: {@code calibrate(x, 4, SIGNED, StepPolicy.mse())}. Target: ≤ 3× the
 *       time of {@code BaselineBench.copy} (report the ratio).</li>
 * </ul>
 * {@code backend} selects {@code Kernels.cpu()} (Panama when the vector module is present) or
 * {@code Kernels.scalar()}. Run with the baselines:
 * {@code bench/run.sh calibration 'BaselineBench.copy|CalibrationBench' -p size=16777216}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 3, jvmArgsAppend = {
        "--add-modules", "jdk.incubator.vector",
        "--enable-native-access=ALL-UNNAMED",
        "-Xms4g", "-Xmx4g"})
public class CalibrationBench {

    /** Data, spec and the expanded settings. */
    @State(Scope.Thread)
    public static class S {
        @Param({"16777216"})
        public int size;

        @Param({"cpu", "scalar"})
        public String backend;

        public float[] x;
        public float[] out;
        public Kernels k;
        public SweepSpec spec;
        public Quantizer[] settings;

        @Setup(Level.Trial)
        public void setUp() {
            x = BenchData.gaussian(size);
            out = new float[size];
            k = backend.equals("scalar") ? Kernels.scalar() : Kernels.cpu();
            spec = SweepSpec.of(new int[] {2, 3, 4, 5, 6, 7, 8}, SweepSpec.linspace(0.7, 1.3, 21), Rounding.HALF_EVEN);
            SweepResult r = k.sweep(x, spec);
            settings = r.rows().stream().map(SweepResult.Row::quantizer).toArray(Quantizer[]::new);
        }
    }

    /** The sweep: 147 settings, reading x once (after the base-step statistics pass). */
    @Benchmark
    @Traffic(bytesPerElement = 4, note = "read x once (plus one statistics read)")
    public SweepResult sweep(S s) {
        return s.k.sweep(s.x, s.spec);
    }

    /** 147 × (fake-quantize into a buffer, then sum squared errors in double). */
    @Benchmark
    @Traffic(bytesPerElement = 147 * 16, note = "147 x (read x, write out, read out and x)")
    public double separatePasses(S s) {
        double total = 0;
        for (Quantizer q : s.settings) {
            s.k.fakeQuantize(s.x, s.out, q);
            double sse = 0;
            float[] x = s.x, out = s.out;
            for (int i = 0; i < x.length; i++) {
                double e = (double) out[i] - x[i];
                sse += e * e;
            }
            total += sse;
        }
        return total;
    }

    /** MSE calibration of the whole tensor at 4 bits. */
    @Benchmark
    @Traffic(bytesPerElement = 4, note = "read x (algorithmic minimum; the search reads it more)")
    public Quantizer mseCalibration(S s) {
        return s.k.calibrate(s.x, 4, Grid.SIGNED, StepPolicy.mse());
    }
}
