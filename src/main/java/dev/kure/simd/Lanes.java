package dev.kure.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species every SIMD kernel uses, fixed once per JVM as constants so C2 compiles the
 * kernels to real vector instructions. It is the preferred species of the hardware; the system
 * property {@code kure.simd.bits} (128, 256 or 512) forces a narrower one for tests.
 */
final class Lanes {
    private Lanes() {}

    static final VectorSpecies<Float> F = floatSpecies();
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final int N = F.length();

    private static VectorSpecies<Float> floatSpecies() {
        String forced = System.getProperty("kure.simd.bits");
        if (forced == null) {
            return FloatVector.SPECIES_PREFERRED;
        }
        int bits = Integer.parseInt(forced.trim());
        if (bits > FloatVector.SPECIES_PREFERRED.vectorBitSize()) {
            throw new IllegalArgumentException("kure.simd.bits=" + bits + " is wider than the hardware's "
                    + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors");
        }
        return VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }

    /** Double lanes of the same vector size (N / 2 lanes). */
    static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());

    /**
     * Sum of lanes stored with {@code intoArray}, in index order. Kernels reduce this way instead of
     * reduceLanes(ADD), whose order for floating point is unspecified and differs between JIT tiers
     * (results would depend on which thread ran a chunk), and instead of a helper taking a vector,
     * which C2 may not inline (the vector would then be boxed on every call).
     */
    static double sum(float[] lanes) {
        double s = 0;
        for (int j = 0; j < N; j++) {
            s += lanes[j];
        }
        return s;
    }

    /** Sum of {@code D.length()} double lanes stored with {@code intoArray}, in index order. */
    static double sum(double[] lanes) {
        double s = 0;
        for (int j = 0; j < D.length(); j++) {
            s += lanes[j];
        }
        return s;
    }

}
