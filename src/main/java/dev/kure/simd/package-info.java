/**
 * Internal: the Panama SIMD backend ({@code jdk.incubator.vector}). Not API: use
 * {@link dev.kure.Kernels#cpu()}; classes here may change or move in any release.
 */
package dev.kure.simd;
