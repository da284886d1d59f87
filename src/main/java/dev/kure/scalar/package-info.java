/**
 * Internal: the scalar reference backend, the oracle every other backend is tested against. Not
 * API: use {@link dev.kure.Kernels#scalar()}; classes here may change or move in any release.
 */
package dev.kure.scalar;
