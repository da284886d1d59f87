package dev.kure.spi;

import dev.kure.Quantizer;

/**
 * Parameter runs of a quantizer: within a call, element i uses parameter set
 * {@code p(i) = (i / inner) % C}, constant over runs of {@code inner} elements. Kernels loop over
 * runs with these two helpers, or with a {@link Cursor}, and process each run with broadcast
 * parameters.
 */
public final class Runs {
    private Runs() {}

    /** Parameter set of element {@code i}. */
    public static int param(long i, Quantizer q) {
        return (int) ((i / q.inner()) % q.paramCount());
    }

    /** End (exclusive) of the run that contains element {@code i}, capped at {@code len}. */
    public static int end(int i, int len, Quantizer q) {
        long inner = q.inner();
        long e = (i / inner + 1) * inner;
        return e >= len || e < 0 ? len : (int) e;
    }

    /** A cursor over the runs of a call of {@code len} elements. */
    public static Cursor over(Quantizer q, int len) {
        return new Cursor(q, 0, len);
    }

    /**
     * A cursor over the runs of a call of {@code len} elements whose element 0 is element
     * {@code base} of the tensor: {@code from}/{@code to} count from the call's start, parameter sets
     * are the tensor's.
     */
    public static Cursor over(Quantizer q, long base, int len) {
        return new Cursor(q, base, len);
    }

    /**
     * The runs of one call, in order: {@code for (Runs.Cursor r = Runs.over(q, len); r.next(); )}
     * then elements {@code [r.from, r.to)} use scale {@code r.s} (reciprocal {@code r.inv}) and zero
     * point {@code r.z} of parameter set {@code r.p}.
     */
    public static final class Cursor {
        private final Quantizer q;
        private final long base;
        private final int len;
        /** First element of the current run. */
        public int from;
        /** End (exclusive) of the current run. */
        public int to;
        /** Parameter set of the current run. */
        public int p;
        /** Zero point of the current run. */
        public int z;
        /** Scale of the current run. */
        public float s;
        /** {@code (float)(1.0f / s)}, computed once per run as PyTorch does. */
        public float inv;

        private Cursor(Quantizer q, long base, int len) {
            this.q = q;
            this.base = base;
            this.len = len;
        }

        /** Moves to the next run; false when there is none. */
        public boolean next() {
            from = to;
            if (from >= len) {
                return false;
            }
            p = param(base + from, q);
            long inner = q.inner();
            long left = inner - (base + from) % inner;   // elements to the end of the tensor's run
            to = left >= len - from ? len : from + (int) left;
            s = q.scale(p);
            inv = QuantMath.reciprocal(s);
            z = q.zeroPoint(p);
            return true;
        }
    }
}
