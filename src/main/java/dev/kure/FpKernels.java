package dev.kure;

import dev.kure.scalar.ScalarFp;
import dev.kure.spi.Backend;
import dev.kure.spi.FpBackend;
import dev.kure.spi.FpMath;
import dev.kure.spi.FpParams;
import dev.kure.spi.Staging;
import java.util.ArrayList;
import java.util.List;

/**
 * The floating-point quantizers (FP8, FP6, FP4, MX, NVFP4; see {@link FpQuantizer} and
 * docs/fp-formats.md) on one backend: fake quantization, its STE backward, bit codes, and the
 * quantization error of one or many formats.
 *
 * <pre>{@code
 * FpKernels fp = FpKernels.cpu();
 * float[] out = fp.fakeQuantize(w, FpQuantizer.mxfp4());             // MXFP4, scale rule FLOOR
 * QuantError e = fp.quantError(w, FpQuantizer.perTensor(FpFormat.E4M3)); // FP8 with amax scaling
 * double snr = e.snrDb();
 * List<FpKernels.Row> rows = fp.formatErrors(w, FpKernels.standardFormats(), List.of(int8));
 * }</pre>
 *
 * <p>Every argument is validated here, once. Data-dependent scales (per-tensor and per-channel amax,
 * the NVFP4 tensor scale) come from one extra read of x. Results are bit-identical on every backend.
 * The GPU backend has no floating-point kernels yet: {@code FpKernels.of(Kernels.cuda())} runs them
 * on the CPU ({@link #describe()} says so). Instances are immutable and thread-safe; the kernels run
 * on the calling thread.
 */
public final class FpKernels {
    private final Kernels kernels;
    private final FpBackend fp;
    private final String note;

    private FpKernels(Kernels kernels, FpBackend fp, String note) {
        this.kernels = kernels;
        this.fp = fp;
        this.note = note;
    }

    /** On {@link Kernels#cpu()}: the SIMD kernels when the vector module is readable, else the scalar ones. */
    public static FpKernels cpu() {
        return Holder.CPU;
    }

    /** The scalar reference kernels (the oracle). */
    public static FpKernels scalar() {
        return Holder.SCALAR;
    }

    /** The floating-point kernels matching {@code kernels}' backend (CPU kernels for a GPU backend). */
    public static FpKernels of(Kernels kernels) {
        Check.notNull(kernels, "kernels");
        return switch (kernels.name()) {
            case "scalar" -> new FpKernels(kernels, ScalarFp.INSTANCE, "");
            case "panama" -> new FpKernels(kernels, simd(), "");
            default -> new FpKernels(Kernels.cpu(), cpu().fp,
                    " (" + kernels.name() + " has no floating-point kernels; they run on the CPU)");
        };
    }

    private static final class Holder {
        static final FpKernels SCALAR = new FpKernels(Kernels.scalar(), ScalarFp.INSTANCE, "");
        static final FpKernels CPU = of(Kernels.cpu());
    }

    private static FpBackend simd() {
        try {
            return (FpBackend) Class.forName("dev.kure.simd.SimdFp").getField("INSTANCE").get(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return ScalarFp.INSTANCE;
        }
    }

    /** The kernels' short name ("scalar", "panama"). */
    public String name() {
        return fp.name();
    }

    /** Which kernels these are. */
    public String describe() {
        return "floating-point formats on " + fp.name() + note;
    }

    // ---- fake quantization -----------------------------------------------------------------

    /** {@code q}'s fake quantization of all of x, in a new array. */
    public float[] fakeQuantize(float[] x, FpQuantizer q) {
        Check.notNull(x, "x");
        float[] out = new float[x.length];
        fakeQuantize(x, 0, out, 0, x.length, q);
        return out;
    }

    /** Fake quantization of all of x into out (same length; out may be x). */
    public void fakeQuantize(float[] x, float[] out, FpQuantizer q) {
        Check.notNull(x, "x");
        Check.notNull(out, "out");
        Check.sameLength(x.length, "x", out.length, "out");
        fakeQuantize(x, 0, out, 0, x.length, q);
    }

    /**
     * Fake quantization of the tensor {@code x[xOffset, xOffset + length)} into out. Data-derived
     * scales come from this range; element j's stochastic stream index is {@code streamOffset + j}.
     */
    public void fakeQuantize(float[] x, int xOffset, float[] out, int outOffset, int length, FpQuantizer q) {
        FpParams p = resolve(x, xOffset, length, q);
        Check.notNull(out, "out");
        Check.range(out.length, outOffset, length, "out");
        fp.fakeQuantize(x, xOffset, out, outOffset, length, 0, p, null);
    }

    /**
     * Fake quantization of all of x into out, returning the packed STE mask: bit j (bit {@code j & 63}
     * of word {@code j >>> 6}) is 1 iff element j was neither clipped by saturation nor NaN.
     * Use it with {@link Kernels#steBackward}.
     */
    public long[] fakeQuantizeWithMask(float[] x, float[] out, FpQuantizer q) {
        Check.notNull(x, "x");
        Check.notNull(out, "out");
        Check.sameLength(x.length, "x", out.length, "out");
        FpParams p = resolve(x, 0, x.length, q);
        long[] mask = new long[(x.length + 63) >>> 6];
        ScalarFp.INSTANCE.fakeQuantize(x, 0, out, 0, x.length, 0, p, mask);
        return mask;
    }

    /**
     * The straight-through backward: {@code dx = dy · mask} with the mask of
     * {@link #fakeQuantizeWithMask} recomputed from x (dx may be dy).
     */
    public void backward(float[] x, float[] dy, float[] dx, FpQuantizer q) {
        Check.notNull(dy, "dy");
        Check.notNull(dx, "dx");
        Check.notNull(x, "x");
        Check.sameLength(x.length, "x", dy.length, "dy");
        Check.sameLength(x.length, "x", dx.length, "dx");
        long[] mask = fakeQuantizeWithMask(x, new float[x.length], q);
        kernels.steBackward(mask, dy, dx);
    }

    // ---- error -----------------------------------------------------------------------------

    /** Σ(fq(x) − x)² and Σx² of {@code q} on x (MSE, SNR): one read of x after its scales are known. */
    public QuantError quantError(float[] x, FpQuantizer q) {
        return formatErrors(x, List.of(q), List.of()).get(0).error();
    }

    /**
     * One row of {@link #formatErrors}.
     *
     * @param label a short name of the setting ({@link FpQuantizer#label()}, or "INT8 (SIGNED)"-like)
     * @param error its error on the tensor
     */
    public record Row(String label, QuantError error) {}

    /**
     * The error of several floating-point formats and per-tensor integer quantizers on one tensor,
     * reading x once for the errors (in cache-sized chunks, every setting evaluated per chunk) plus
     * one read for the data-derived scales. Rows come in the order given: the FP settings, then the
     * integer ones. Each FP row equals {@link #quantError} and each integer row
     * {@link Kernels#quantError} (up to double summation order).
     */
    public List<Row> formatErrors(float[] x, List<FpQuantizer> formats, List<Quantizer> ints) {
        Check.notNull(x, "x");
        Backend b = kernels.backend();
        return formatErrors(x.length, (o, n) -> b.absMax(x, (int) o, (int) n), (off, n, buf) -> x, off -> (int) off,
                formats, ints);
    }

    /**
     * {@link #formatErrors(float[], List, List)} of a tensor view of any element type, read in staged
     * chunks (no float32 copy of the tensor). The rows equal those of the widened array.
     */
    public List<Row> formatErrors(TensorView x, List<FpQuantizer> formats, List<Quantizer> ints) {
        Check.notNull(x, "x");
        Backend b = kernels.backend();
        Staging.Scratch scratch = Staging.scratch();
        return formatErrors(x.count(), (o, n) -> b.absMax(x, o, n), (off, n, buf) -> {
            for (int i = 0; i < n; i += Staging.BLOCK) { // the staging scratch holds one block
                Staging.load(x, off + i, buf, i, Math.min(Staging.BLOCK, n - i), scratch);
            }
            return buf;
        }, off -> 0, formats, ints);
    }

    /** Elements [off, off + n) of x: an array holding them (at {@link ChunkIndex#of}); buf may be used. */
    @FunctionalInterface
    private interface ChunkReader {
        float[] read(long off, int n, float[] buf);
    }

    /** Where element off of x sits in the array {@link ChunkReader#read} returned. */
    @FunctionalInterface
    private interface ChunkIndex {
        int of(long off);
    }

    private List<Row> formatErrors(long length, RangeAbsMax amax, ChunkReader reader, ChunkIndex index,
                                   List<FpQuantizer> formats, List<Quantizer> ints) {
        Check.notNull(formats, "formats");
        Check.notNull(ints, "ints");
        FpParams[] ps = new FpParams[formats.size()];
        long unit = 32;
        for (int k = 0; k < ps.length; k++) {
            ps[k] = resolve(amax, length, Check.notNull(formats.get(k), "formats[" + k + "]"));
            unit = lcm(unit, ps[k].unit());
        }
        Quantizer[] qs = new Quantizer[ints.size()];
        for (int k = 0; k < qs.length; k++) {
            qs[k] = Check.notNull(ints.get(k), "ints[" + k + "]");
            if (qs[k].granularity() != Granularity.PER_TENSOR) {
                throw new IllegalArgumentException("ints[" + k + "] must be a per-tensor quantizer, was " + qs[k]);
            }
        }
        long chunkL = Math.max(unit, (8192 / unit) * unit);
        int chunk = (int) Math.min(Math.max(length, 1), chunkL);
        double[] sums = new double[ps.length];
        double[] isums = new double[qs.length];
        Backend b = kernels.backend();
        double signal = 0;
        float[] tmp = new float[chunk];
        float[] buf = new float[chunk];
        for (long off = 0; off < length; off += chunk) {
            int n = (int) Math.min(chunk, length - off);
            float[] xs = reader.read(off, n, buf);
            int at = index.of(off);
            signal += fpErrors(xs, at, n, off, ps, sums, tmp);
            if (qs.length > 0) {
                b.errorSums(xs, at, n, off, null, qs, 2.0, isums);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (int k = 0; k < ps.length; k++) {
            rows.add(new Row(formats.get(k).label(), new QuantError(length, sums[k], signal)));
        }
        for (int k = 0; k < qs.length; k++) {
            rows.add(new Row("INT" + qs[k].bits() + " (" + qs[k].grid() + ", s=" + qs[k].scale(0) + ")",
                    new QuantError(length, isums[k], signal)));
        }
        return rows;
    }

    /** Squared errors of every format on n elements (element off + i of x is x[at + i]); returns Σx². */
    private double fpErrors(float[] x, int at, int n, long off, FpParams[] ps, double[] sums, float[] tmp) {
        double[] part = new double[ps.length];
        double sig = 0;
        for (int i = 0; i < n; i++) {
            double v = x[at + i];
            sig += v * v;
        }
        for (int k = 0; k < ps.length; k++) {
            fp.fakeQuantize(x, at, tmp, 0, n, off, ps[k], null); // base = off: same channels and streams
            double e = 0;
            for (int i = 0; i < n; i++) {
                double d = (double) tmp[i] - x[at + i];
                e += d * d;
            }
            part[k] = e;
        }
        for (int k = 0; k < ps.length; k++) {
            sums[k] += part[k];
        }
        return sig;
    }

    /**
     * The usual settings for a robustness table: FP8 E4M3 and E5M2 per tensor, MXFP8 (E4M3), MXFP6
     * (E2M3 and E3M2), MXFP4, MXINT8 (all FLOOR) and NVFP4.
     */
    public static List<FpQuantizer> standardFormats() {
        return List.of(FpQuantizer.perTensor(FpFormat.E4M3), FpQuantizer.perTensor(FpFormat.E5M2),
                FpQuantizer.mxfp8(), FpQuantizer.mx(FpFormat.E2M3), FpQuantizer.mx(FpFormat.E3M2),
                FpQuantizer.mxfp4(), FpQuantizer.mxint8(), FpQuantizer.nvfp4());
    }

    // ---- codes -----------------------------------------------------------------------------

    /**
     * The bit codes of {@code q} on all of x (see {@link FpCodes}); {@link #dequantize} of them equals
     * {@link #fakeQuantize} bit for bit.
     *
     * @throws IllegalArgumentException if x holds a NaN where the format has no NaN code and the
     *         scale is explicit (with data-derived scales a NaN makes the scale NaN instead)
     */
    public FpCodes quantize(float[] x, FpQuantizer q) {
        FpParams p = resolve(x, 0, x.length, q);
        FpFormat f = q.format();
        if (!f.hasNaN() && !q.scalesFromData()) {
            for (int i = 0; i < x.length; i++) {
                if (x[i] != x[i]) {
                    throw new IllegalArgumentException("x[" + i + "] is NaN, which " + f + " cannot encode");
                }
            }
        }
        int[] codes = new int[x.length];
        int blocks = q.blockSize() == 0 || x.length == 0 ? 0 : ScalarFp.blockOf(x.length - 1L, p) + 1;
        int[] blockCodes = new int[blocks];
        ScalarFp.quantize(x, 0, new float[x.length], x.length, p, codes, blockCodes);
        byte[] elements;
        if (f == FpFormat.E2M1) {
            elements = new byte[(x.length + 1) / 2];
            for (int j = 0; j < x.length; j++) {
                elements[j >>> 1] |= (byte) (codes[j] << ((j & 1) << 2));
            }
        } else {
            elements = new byte[x.length];
            for (int j = 0; j < x.length; j++) {
                elements[j] = (byte) codes[j];
            }
        }
        byte[] bs = new byte[blocks];
        for (int b = 0; b < blocks; b++) {
            bs[b] = (byte) blockCodes[b];
        }
        float[] scales = switch (q.scaling()) {
            case TENSOR, CHANNEL -> p.scales().clone();
            case MX -> new float[0];
            case NVFP4 -> new float[] {p.tensorScale()};
        };
        return new FpCodes(q, x.length, elements, bs, scales);
    }

    /** The floats the codes stand for: equal to the fake quantization that produced them. */
    public float[] dequantize(FpCodes codes) {
        Check.notNull(codes, "codes");
        FpQuantizer q = codes.quantizer();
        int n = codes.length();
        boolean blocked = q.blockSize() > 0;
        FpParams p = params(q, blocked ? null : codes.scales(),
                q.scaling() == FpQuantizer.Scaling.NVFP4 ? codes.scales()[0] : 0f);
        int[] c = new int[n];
        for (int j = 0; j < n; j++) {
            c[j] = codes.code(j);
        }
        int[] bs = new int[codes.blockScales().length];
        for (int b = 0; b < bs.length; b++) {
            bs[b] = codes.blockScales()[b] & 0xFF;
        }
        float[] out = new float[n];
        ScalarFp.dequantize(c, bs, p, out, n);
        return out;
    }

    // ---- resolution of a quantizer against data --------------------------------------------

    /** q with its data-derived scales computed from {@code x[off, off + len)}. */
    private FpParams resolve(float[] x, int off, int len, FpQuantizer q) {
        Check.notNull(x, "x");
        Check.range(x.length, off, len, "x");
        Backend b = kernels.backend();
        return resolve((o, n) -> b.absMax(x, off + (int) o, (int) n), len, q);
    }

    /** |x| max of elements [off, off + len) of the range being quantized. */
    @FunctionalInterface
    private interface RangeAbsMax {
        float absMax(long off, long len);
    }

    private FpParams resolve(RangeAbsMax amax, long len, FpQuantizer q) {
        Check.notNull(q, "q");
        long need = q.requiredLength();
        if (need >= 0 && need != len) {
            throw new IllegalArgumentException("x range length must equal the quantizer's shape volume " + need
                    + ", was " + len);
        }
        float[] scales = null;
        float g = 0f;
        switch (q.scaling()) {
            case TENSOR -> scales = q.scalesFromData()
                    ? new float[] {FpMath.tensorScale(amax.absMax(0, len), q.format())} : q.scales();
            case CHANNEL -> scales = q.scalesFromData() ? channelScales(amax, q) : q.scales();
            case NVFP4 -> g = FpMath.nvfp4TensorScale(amax.absMax(0, len));
            case MX -> { }
        }
        return params(q, scales, g);
    }

    private static float[] channelScales(RangeAbsMax amaxOf, FpQuantizer q) {
        int[] shape = q.shape();
        int axis = q.axis();
        int channels = shape[axis];
        long inner = inner(shape, axis);
        long total = Check.volume(shape);
        float[] s = new float[channels];
        int[] amax = new int[channels];
        for (long start = 0; start < total; start += inner) {
            int c = (int) ((start / inner) % channels);
            int m = Float.floatToRawIntBits(amaxOf.absMax(start, inner)) & 0x7fffffff;
            amax[c] = Math.max(amax[c], m);
        }
        for (int c = 0; c < channels; c++) {
            s[c] = FpMath.tensorScale(Float.intBitsToFloat(amax[c]), q.format());
        }
        return s;
    }

    private static long inner(int[] shape, int axis) {
        long inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        return inner;
    }

    private static FpParams params(FpQuantizer q, float[] scales, float g) {
        float[] inv = null;
        long inner = Long.MAX_VALUE;
        int axisLen = 0;
        if (scales != null) {
            inv = new float[scales.length];
            for (int c = 0; c < scales.length; c++) {
                inv[c] = 1f / scales[c];
            }
            if (q.scaling() == FpQuantizer.Scaling.CHANNEL) {
                inner = inner(q.shape(), q.axis());
            }
        } else if (q.shape() != null) {
            inner = inner(q.shape(), q.axis());
            axisLen = q.shape()[q.axis()];
        } else {
            inner = 1;
        }
        return new FpParams(q.format(), q.scaling(), scales, inv, inner, axisLen, q.blockSize(), q.mxScaleRounding(),
                g, q.rounding() == Rounding.STOCHASTIC, q.seed(), q.streamOffset(), q.saturating());
    }

    private static long lcm(long a, long b) {
        long x = a, y = b;
        while (y != 0) {
            long t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
    }
}
