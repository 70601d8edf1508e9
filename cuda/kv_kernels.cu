#include "kv_kernels.h"

namespace fleetlab {

namespace {

// One CUDA block per KV block; threads stride over 16-byte vectors when alignment allows.
template <typename V>
__global__ void copyBlocksKernel(const V* __restrict__ src, V* __restrict__ dst,
                                 const int32_t* __restrict__ srcIds,
                                 const int32_t* __restrict__ dstIds, size_t perBlock) {
  const int i = blockIdx.x;
  const size_t s = static_cast<size_t>(srcIds ? srcIds[i] : i) * perBlock;
  const size_t d = static_cast<size_t>(dstIds ? dstIds[i] : i) * perBlock;
  for (size_t k = threadIdx.x; k < perBlock; k += blockDim.x) dst[d + k] = src[s + k];
}

}  // namespace

void launchCopyBlocks(const uint8_t* src, uint8_t* dst, const int32_t* srcIds,
                      const int32_t* dstIds, int n, size_t blockBytes, cudaStream_t stream) {
  if (n <= 0) return;
  const bool vec = blockBytes % sizeof(uint4) == 0 &&
                   reinterpret_cast<uintptr_t>(src) % sizeof(uint4) == 0 &&
                   reinterpret_cast<uintptr_t>(dst) % sizeof(uint4) == 0;
  if (vec) {
    copyBlocksKernel<uint4><<<n, 256, 0, stream>>>(reinterpret_cast<const uint4*>(src),
                                                   reinterpret_cast<uint4*>(dst), srcIds, dstIds,
                                                   blockBytes / sizeof(uint4));
  } else {
    copyBlocksKernel<uint8_t><<<n, 256, 0, stream>>>(src, dst, srcIds, dstIds, blockBytes);
  }
}

}  // namespace fleetlab
