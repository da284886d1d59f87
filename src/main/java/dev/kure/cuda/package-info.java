/**
 * The GPU backend's device-resident API: {@link dev.kure.cuda.DeviceTensor} (a float32 buffer on the
 * device), the device-tensor methods of {@link dev.kure.cuda.CudaBackend} and
 * {@link dev.kure.cuda.KureBatch} (KURE over all of a model's tensors in one launch per stage). Reach
 * it with {@link dev.kure.Kernels#gpu()}; host-array calls go through {@link dev.kure.Kernels#cuda()}.
 * The rest of the package (probing, the driver calls, the {@code dev.kure.spi.Backend} methods of
 * CudaBackend) is internal.
 */
package dev.kure.cuda;
