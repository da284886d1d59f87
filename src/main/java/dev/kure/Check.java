package dev.kure;

import java.util.Objects;

/** Argument checks of the API layer: each failure names the parameter and its value. */
final class Check {
    private Check() {}

    static <T> T notNull(T v, String name) {
        return Objects.requireNonNull(v, () -> name + " must not be null");
    }

    static void bits(int bits) {
        if (bits < 1 || bits > 16) {
            throw new IllegalArgumentException("bits must be in 1..16, was " + bits);
        }
    }

    static void scale(float s, String name) {
        if (!(s > 0f) || s == Float.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(name + " must be > 0 and finite, was " + s);
        }
    }

    static void grid(int qmin, int qmax) {
        if (qmin > qmax) {
            throw new IllegalArgumentException("qmin must be <= qmax, was qmin=" + qmin + ", qmax=" + qmax);
        }
        if (qmin < -65536 || qmax > 65536) {
            throw new IllegalArgumentException("grid must lie within [-65536, 65536] (16-bit codes), was ["
                    + qmin + ", " + qmax + "]");
        }
    }

    static void zeroPoint(int z, int qmin, int qmax, String name) {
        if (z < qmin || z > qmax) {
            throw new IllegalArgumentException(name + " must be in [qmin, qmax] = [" + qmin + ", " + qmax
                    + "], was " + z);
        }
    }

    static void range(int arrayLength, int offset, int length, String array) {
        if (offset < 0 || length < 0 || offset > arrayLength - length) {
            throw new IllegalArgumentException(array + " range [offset=" + offset + ", length=" + length
                    + "] is outside the array of length " + arrayLength);
        }
    }

    static void range(long segmentElements, long offset, long length, String segment) {
        if (offset < 0 || length < 0 || offset > segmentElements - length) {
            throw new IllegalArgumentException(segment + " range [offset=" + offset + ", count=" + length
                    + "] is outside the segment of " + segmentElements + " floats");
        }
    }

    static void sameLength(int a, String nameA, int b, String nameB) {
        if (a != b) {
            throw new IllegalArgumentException(nameA + " and " + nameB + " must have the same length, were "
                    + a + " and " + b);
        }
    }

    static void positive(long v, String name) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + v);
        }
    }

    static void finite(double v, String name) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(name + " must be finite, was " + v);
        }
    }

    static void nonNegative(long v, String name) {
        if (v < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + v);
        }
    }

    static void finiteNonNegative(double v, String name) {
        if (!(v >= 0) || v == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, was " + v);
        }
    }

    /** Product of the dims, checking each is >= 0 and the product fits in a long. */
    static long volume(int[] shape) {
        notNull(shape, "shape");
        long v = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("shape[" + i + "] must be >= 0, was " + shape[i]);
            }
            v = Math.multiplyExact(v, shape[i]);
        }
        return v;
    }

    static void axis(int axis, int[] shape) {
        if (axis < 0 || axis >= shape.length) {
            throw new IllegalArgumentException("axis must be in [0, " + shape.length + ") for a shape of rank "
                    + shape.length + ", was " + axis);
        }
    }
}
