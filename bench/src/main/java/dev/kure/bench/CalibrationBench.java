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
 *   <li>{@link #separateQuantError}: the same 147 settings, each one fused {@code quantError} pass
 *       (no target; shows what the blocking itself buys over a per-setting kernel).</li>
 *   <li>{@link #mseCalibration}: {@code calibrate(x, 4, SIGNED, StepPolicy.mse())}. Target: ≤ 3× the
 *       time of {@code BaselineBench.copy} (report the ratio).</li>
 * </ul>
 * {@code backend} selects {@code Kernels.cpu()} (Panama when the vector module is present, with its
 * default thread count) or, opt-in, {@code Kernels.scalar()}. Run with the copy baseline at the same
 * size so the ratio comes from the same run:
 * {@code bench/run.sh calibration 'BaselineBench.copy|CalibrationBench' -p size=16777216}.
 * Ratios: sweep speedup = separatePasses time / sweep time; MSE calibration in copies =
 * mseCalibration time / copy time. report.py's "× copy" column divides GB/s, and copy counts 8 bytes
 * per element where the calibration counts 4, so there copies = 1 / (2 × "× copy").
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

        /** {@code cpu} (Panama when the vector module is readable); opt in to {@code scalar} with -p (seconds per op). */
        @Param({"cpu"})
        public String backend;

        /** CPU threads ({@code withThreads}); 0 = the backend's default (every core). */
        @Param({"0"})
        public int threads;

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
            if (threads > 0) {
                k = k.withThreads(threads);
            }
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

    /**
     * The target's baseline: 147 × (fake-quantize into a buffer with the backend, then the sum of
     * squared errors in double). The measuring loop keeps four independent accumulators so it runs at
     * memory speed rather than at the latency of one dependent double add per element.
     */
    @Benchmark
    @Traffic(bytesPerElement = 147 * 16, note = "147 x (read x, write out; read out and x)")
    public double separatePasses(S s) {
        double total = 0;
        float[] x = s.x, out = s.out;
        int n = x.length, n4 = n & -4;
        for (Quantizer q : s.settings) {
            s.k.fakeQuantize(x, out, q);
            double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            for (int i = 0; i < n4; i += 4) {
                double e0 = (double) out[i] - x[i], e1 = (double) out[i + 1] - x[i + 1];
                double e2 = (double) out[i + 2] - x[i + 2], e3 = (double) out[i + 3] - x[i + 3];
                a0 += e0 * e0;
                a1 += e1 * e1;
                a2 += e2 * e2;
                a3 += e3 * e3;
            }
            for (int i = n4; i < n; i++) {
                double e = (double) out[i] - x[i];
                a0 += e * e;
            }
            total += (a0 + a1) + (a2 + a3);
        }
        return total;
    }

    /**
     * A stronger reference than the target's: 147 × {@code quantError} (the backend's fused
     * single-setting pass: read x once per setting, no buffer).
     */
    @Benchmark
    @Traffic(bytesPerElement = 147 * 4, note = "147 x read x")
    public double separateQuantError(S s) {
        double total = 0;
        for (Quantizer q : s.settings) {
            total += s.k.quantError(s.x, q).sumSquaredError();
        }
        return total;
    }

    /**
     * LP_NORM calibration (p = 2.4, LAPQ's range) of the whole tensor at 4 bits: |e|^p by the lane
     * polynomials instead of Math.pow. Target: within 3× of {@link #mseCalibration}'s time.
     */
    @Benchmark
    @Traffic(bytesPerElement = 4, note = "read x (algorithmic minimum; the search reads it more)")
    public Quantizer lpNormCalibration(S s) {
        return s.k.calibrate(s.x, 4, Grid.SIGNED, StepPolicy.lpNorm(2.4));
    }

    /** MSE calibration of the whole tensor at 4 bits. */
    @Benchmark
    @Traffic(bytesPerElement = 4, note = "read x (algorithmic minimum; the search reads it more)")
    public Quantizer mseCalibration(S s) {
        return s.k.calibrate(s.x, 4, Grid.SIGNED, StepPolicy.mse());
    }
}
