package dev.kure;

/** Package-private helpers: exact power-of-two rounding, rebuilding a quantizer with new parameters. */
final class Steps {
    private Steps() {}

    static float powerOfTwo(float step, PowerOfTwo mode) {
        if (!(step > 0f) || step == Float.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("step must be > 0 and finite, was " + step);
        }
        // s = m * 2^e, m in [1, 2); subnormals are scaled up first so getExponent is exact
        double s = step;
        int e = Math.getExponent(s);            // exact for every float (double has the range)
        double m = Math.scalb(s, -e);           // exact, in [1, 2)
        boolean up = switch (mode) {
            case FLOOR -> false;
            case CEIL -> m != 1.0;
            case LINEAR -> m >= 1.5;
            case LOG -> m * m >= 2.0;           // m has 24 significant bits: m*m is exact in double
        };
        int n = up ? e + 1 : e;
        if (n > 127) {
            n = 127;
        }
        return Math.scalb(1.0f, n);            // exact: n >= -149 because s >= 2^-149
    }

    /** A quantizer like {@code t} with new scales and zero points (same length as t's). */
    static Quantizer withScales(Quantizer t, float[] scales, int[] zps) {
        Quantizer q;
        boolean custom = t.grid() == Grid.CUSTOM;
        switch (t.granularity()) {
            case PER_TENSOR -> q = custom ? Quantizer.perTensorAffine(scales[0], zps[0], t.qmin(), t.qmax())
                    : Quantizer.perTensor(t.bits(), t.grid(), scales[0], zps[0]);
            case PER_CHANNEL -> q = custom ? Quantizer.perChannelAffine(scales, zps, t.shape(), t.axis(), t.qmin(), t.qmax())
                    : Quantizer.perChannel(t.bits(), t.grid(), scales, zps, t.shape(), t.axis());
            default -> q = custom ? Quantizer.perGroupAffine(scales, zps, (int) t.inner(), t.qmin(), t.qmax())
                    : Quantizer.perGroup(t.bits(), t.grid(), scales, zps, (int) t.inner());
        }
        return q.withRounding(t.rounding()).withOverflow(t.overflow()).withMode(t.mode())
                .withSeed(t.seed()).withStreamOffset(t.streamOffset());
    }
}
