/**
 * Kure's API: what a framework links against. {@link dev.kure.Kernels} is the entry point (it picks a
 * backend and validates every argument once); the rest are value types: {@link dev.kure.Quantizer}
 * with its policies, {@link dev.kure.Moments}, {@link dev.kure.KureConfig} and
 * {@link dev.kure.KureResult}, the step policies and transforms, sweeps, and
 * {@link dev.kure.CudaStatus}. Nothing here is backend-specific; GPU-resident tensors are in
 * {@code dev.kure.cuda}, the paper's closed forms in {@code dev.kure.theory}, file readers in
 * {@code dev.kure.io}. The packages {@code scalar}, {@code simd} and {@code spi} are internal. What each
 * kernel computes, exactly, is in docs/semantics.md.
 */
package dev.kure;
