package dev.kure.bench;

/**
 * Benchmark sizes, in elements (floats), chosen against the cache hierarchy.
 *
 * <p>The project guide gives L1d 48 KiB, L2 2 MiB per core and L3 300 MiB shared. The machine
 * that actually runs a benchmark is described in the {@code *.machine.txt} file written next to
 * its results by {@code bench/run.sh}; check it before reading a size as "in L2" or "in L3".
 *
 * <p>The constants must stay in sync with the {@code @Param} lists that use them (annotations
 * need compile-time constant strings, so the lists repeat the numbers).
 */
public final class Sizes {

    /** 4 Ki floats = 16 KiB: fits in L1d (48 KiB). */
    public static final int L1 = 4096;
    /** 256 Ki floats = 1 MiB: fits in L2. */
    public static final int L2 = 262_144;
    /** 16 Mi floats = 64 MiB: beyond L2, inside a 300 MiB L3. */
    public static final int L3 = 16_777_216;
    /**
     * 256 Mi floats = 1 GiB: DRAM. Opt-in ({@code -p size=268435456}) because one such array is
     * 1 GiB of heap and the copy baseline needs two.
     */
    public static final int DRAM = 268_435_456;

    /** The default {@code size} parameter list of the streaming benchmarks (no DRAM size). */
    public static final String DEFAULT_LIST = "4096, 262144, 16777216";

    private Sizes() {
    }

    /** Bytes occupied by {@code n} floats. */
    public static long floatBytes(long n) {
        return n * Float.BYTES;
    }
}
