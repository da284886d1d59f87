// The single translation unit the fatbin is built from (native/build-fatbin.sh): every kernel of
// kernels/ in one module, so the Java side loads one fatbin with one cuModuleLoadData and finds every
// kernel by name with cuModuleGetFunction. No -rdc, no device linking.
#include "fakequant.cu"
#include "moments.cu"
#include "kure.cu"
#include "bench.cu"
#include "fpformats.cu"
