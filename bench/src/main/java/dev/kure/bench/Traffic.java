package dev.kure.bench;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares how many bytes of memory one operation of a benchmark moves, so that
 * {@code bench/report.py} can turn its score into GB/s and a ratio to the baselines.
 *
 * <p>Put it on a {@code @Benchmark} method, or on the class as the default for all of its
 * methods. Bytes per operation are {@code bytesPerElement × size} where {@code size} is the
 * benchmark's {@code @Param} named by {@link #sizeParam()}, or the constant {@link #bytesPerOp()}
 * for benchmarks without a size parameter. Count the bytes the kernel must read plus the bytes it
 * must write, each once (the algorithmic minimum), not what the hardware happens to move: a copy
 * of n floats is {@code 2 × 4 × n} bytes even though a write-allocate cache reads the
 * destination lines too.
 *
 * <p>{@link TrafficTable} writes these declarations to JSON; {@code bench/run.sh} does that next to
 * every result file.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Traffic {

    /** Bytes read plus written per element of {@link #sizeParam()}; 0 when {@link #bytesPerOp()} is used. */
    double bytesPerElement() default 0;

    /** Bytes per operation for benchmarks whose traffic does not scale with a size parameter. */
    long bytesPerOp() default 0;

    /** Bytes of one input element, for the "input bytes" column and the x axis of the plot. */
    int elementBytes() default Float.BYTES;

    /** Name of the {@code @Param} that holds the element count. */
    String sizeParam() default "size";

    /** Short human-readable account of the count, e.g. "read x + write y". */
    String note() default "";
}
