/**
 * Readers and writers for checkpoint files: safetensors, NumPy {@code .npy} and {@code .npz}.
 *
 * <p>{@link dev.kure.io.TensorFile} memory-maps a file with the FFM API and hands out tensors as
 * float32 little-endian {@link java.lang.foreign.MemorySegment}s, zero-copy where the bytes already
 * have that form. {@link dev.kure.io.SafetensorsWriter} and {@link dev.kure.io.NpyWriter} write files,
 * always to a temporary file in the target directory that is then moved into place, so a failure
 * leaves nothing behind. Every problem with a file is a {@link dev.kure.io.TensorFileException} whose
 * one-line message names the file and the problem.
 *
 * <p>The library core does not depend on this package.
 */
package dev.kure.io;
