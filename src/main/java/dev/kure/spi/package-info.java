/**
 * Internal: the interface every backend implements ({@link dev.kure.spi.Backend}) and the code the
 * backends share (the element arithmetic of fake quantization, the KURE plan, Philox, parameter runs,
 * radix select, the DoReFa backward). Not API: frameworks link against {@link dev.kure}; classes here
 * may change or move in any release. The semantics are in docs/semantics.md.
 */
package dev.kure.spi;
