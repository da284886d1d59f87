package dev.kure.simd;

import java.util.concurrent.ConcurrentHashMap;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Fixed-chunk parallelism: work is cut into chunks whose boundaries depend only on the input size,
 * every chunk writes its own result slot, and the caller merges the slots in chunk order, so results
 * are identical for 1, 2 or N threads. Work smaller than two chunks stays on the calling thread.
 */
final class Parallel {
    /**
     * Elements per chunk (4 MiB of floats): big enough to amortize a task, small enough to balance.
     * The system property {@code kure.simd.chunk} (a multiple of 1024) sets a smaller one for tests,
     * so that multi-chunk paths run on small inputs.
     */
    static final int CHUNK = chunkSize();

    private static int chunkSize() {
        String forced = System.getProperty("kure.simd.chunk");
        if (forced == null) {
            return 1 << 20;
        }
        int c = Integer.parseInt(forced.trim());
        if (c < 1024 || c % 1024 != 0) {
            throw new IllegalArgumentException("kure.simd.chunk must be a positive multiple of 1024, was " + c);
        }
        return c;
    }

    private final int threads;
    private final ExecutorService pool;

    Parallel(int threads) {
        this.threads = threads;
        this.pool = threads > 1 ? POOLS.computeIfAbsent(threads, Parallel::newPool) : null;
    }

    /**
     * One pool per thread count for the whole JVM: {@code Kernels.withThreads(n)} may be called per
     * training step, and a pool per call would leak its threads (pools are never shut down; their
     * daemon threads do not keep the JVM alive).
     */
    private static final ConcurrentHashMap<Integer, ExecutorService> POOLS = new ConcurrentHashMap<>();

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private static ExecutorService newPool(int threads) {
        return Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "kure-simd-" + threads + "-" + COUNTER.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    int threads() {
        return threads;
    }

    /** One thread: everything on the caller. */
    private static final Parallel SERIAL = new Parallel(1);
    /** A thread that is never started: segments it may access are not confined to their owner. */
    private static final Thread STRANGER = new Thread(() -> { });

    /**
     * This pool, or the calling thread alone when a segment is confined to its owner thread (a
     * confined arena's memory cannot be read by the pool's threads). Null segments are ignored.
     */
    Parallel forSegments(MemorySegment a, MemorySegment b, MemorySegment c) {
        boolean shared = (a == null || a.isAccessibleBy(STRANGER)) && (b == null || b.isAccessibleBy(STRANGER))
                && (c == null || c.isAccessibleBy(STRANGER));
        return shared ? this : SERIAL;
    }

    /** Number of chunks for {@code n} elements. */
    static int chunks(long n) {
        return (int) ((n + CHUNK - 1) / CHUNK);
    }

    /**
     * Runs {@code body.accept(c)} for every task c in [0, tasks); on the calling thread when there is
     * one thread or one task, otherwise spread over the pool (the caller works too).
     */
    void forEach(int tasks, IntConsumer body) {
        if (threads <= 1 || tasks <= 1) {
            for (int c = 0; c < tasks; c++) {
                body.accept(c);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int c; (c = next.getAndIncrement()) < tasks; ) {
                body.accept(c);
            }
        };
        int helpers = Math.min(threads, tasks) - 1;
        @SuppressWarnings("unchecked")
        Future<?>[] fs = new Future<?>[helpers];
        for (int h = 0; h < helpers; h++) {
            fs[h] = pool.submit(worker);
        }
        Throwable failure = null;
        try {
            worker.run();
        } catch (Throwable t) {
            failure = t;
        }
        for (Future<?> f : fs) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                failure = failure == null ? e.getCause() : failure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure == null ? e : failure;
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }
}
