package dev.kure;

import java.lang.foreign.MemorySegment;

/** Argument checks of the tensor-view API: each failure names the parameter and its value. */
final class ViewChecks {
    private ViewChecks() {}

    /** The view's element count, after checking it is non-null. */
    static long count(TensorView v, String name) {
        return Check.notNull(v, name).count();
    }

    /** Checks that b has the same element count as a. */
    static void sameCount(TensorView a, String nameA, TensorView b, String nameB) {
        long na = count(a, nameA), nb = count(b, nameB);
        if (na != nb) {
            throw new IllegalArgumentException(nameA + " and " + nameB + " must have the same element count, were "
                    + na + " (" + a.type() + ", " + a.segment().byteSize() + " bytes) and " + nb + " ("
                    + b.type() + ", " + b.segment().byteSize() + " bytes)");
        }
    }

    /** Checks that an output segment can be written. */
    static void writable(MemorySegment s, String name) {
        if (Check.notNull(s, name).isReadOnly()) {
            throw new IllegalArgumentException(name + " is a read-only segment (" + s.byteSize() + " bytes)");
        }
    }

    /**
     * Checks that out is writable and either is exactly in (same memory, same type: in place) or does
     * not overlap it: a partial overlap would read elements already overwritten.
     */
    static void output(TensorView in, String inName, TensorView out, String outName) {
        sameCount(in, inName, out, outName);
        writable(out.segment(), outName);
        MemorySegment a = in.segment(), b = out.segment();
        if (a.byteSize() == 0 || a.asOverlappingSlice(b).isEmpty()) {
            return;
        }
        // address() is the offset within the array for heap segments: comparable, as both share the array
        boolean same = in.type() == out.type() && a.byteSize() == b.byteSize() && a.address() == b.address();
        if (!same) {
            throw new IllegalArgumentException(outName + " overlaps " + inName + " without being the same memory"
                    + " and element type (" + inName + " " + in.type() + ", " + outName + " " + out.type()
                    + ", " + outName + " starts " + (b.address() - a.address()) + " bytes after " + inName + ")");
        }
    }

    /** Checks a packed mask segment: writable (when written) and at least (n + 63) / 64 words. */
    static void mask(MemorySegment mask, long n, boolean written) {
        Check.notNull(mask, "mask");
        long bytes = ((n + 63) >>> 6) * 8;
        if (mask.byteSize() < bytes) {
            throw new IllegalArgumentException("mask must have at least " + bytes + " bytes (" + ((n + 63) >>> 6)
                    + " 64-bit words) for " + n + " elements, was " + mask.byteSize());
        }
        if (written) {
            writable(mask, "mask");
        }
    }

    /** Checks a codes segment: exactly n bytes (int8) or (n + 1) / 2 bytes (packed int4). */
    static void codes(MemorySegment codes, long n, boolean int4, boolean written) {
        Check.notNull(codes, int4 ? "packed" : "codes");
        long bytes = int4 ? (n + 1) >>> 1 : n;
        if (codes.byteSize() != bytes) {
            throw new IllegalArgumentException((int4 ? "packed must have (n + 1) / 2 = " : "codes must have n = ")
                    + bytes + " bytes for " + n + " elements, was " + codes.byteSize());
        }
        if (written) {
            writable(codes, int4 ? "packed" : "codes");
        }
    }

    /** Checks that a tensor of n elements fits the quantizer's layout. */
    static void layout(long n, Quantizer q) {
        Check.notNull(q, "q");
        long need = q.requiredLength();
        if (need >= 0 && need != n) {
            throw new IllegalArgumentException("tensor length must be " + need + " for this " + q.granularity()
                    + " quantizer (" + q.paramCount() + " parameter sets), was " + n);
        }
    }
}
