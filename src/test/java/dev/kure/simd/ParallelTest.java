package dev.kure.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * The fixed-chunk pool: every task runs exactly once for any thread count, failures reach the caller,
 * and the chunk count is the ceiling of n / CHUNK. (Parallel uses no vector type, so this also runs
 * without the vector module.)
 */
class ParallelTest {

    @Test
    void everyTaskRunsOnceForAnyThreadCount() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            Parallel par = new Parallel(threads);
            assertEquals(threads, par.threads());
            for (int tasks : new int[] {0, 1, 2, 7, 64}) {
                AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
                par.forEach(tasks, runs::incrementAndGet);
                for (int t = 0; t < tasks; t++) {
                    assertEquals(1, runs.get(t), "task " + t + " of " + tasks + " with " + threads + " threads");
                }
            }
        }
    }

    @Test
    void failuresReachTheCaller() {
        Parallel par = new Parallel(3);
        IllegalStateException boom = new IllegalStateException("task 5");
        assertSame(boom, assertThrows(IllegalStateException.class, () -> par.forEach(9, t -> {
            if (t == 5) {
                throw boom;
            }
        })));
        AssertionError err = new AssertionError("task 0");
        assertSame(err, assertThrows(AssertionError.class, () -> par.forEach(4, t -> {
            if (t == 0) {
                throw err;
            }
        })));
        assertThrows(ArithmeticException.class, () -> new Parallel(1).forEach(3, t -> {
            throw new ArithmeticException("one thread");
        }));
    }

    @Test
    void chunksIsTheCeiling() {
        int c = Parallel.CHUNK;
        assertEquals(0, Parallel.chunks(0));
        assertEquals(1, Parallel.chunks(1));
        assertEquals(1, Parallel.chunks(c));
        assertEquals(2, Parallel.chunks(c + 1L));
        assertEquals(3, Parallel.chunks(3L * c));
        assertEquals(1 << 11, Parallel.chunks((long) c << 11));
    }
}
