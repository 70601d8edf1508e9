// Block copy kernels for device-resident KV pools. Each KV block is one contiguous run of
// blockBytes, so gather/scatter/copy are all "copy block srcIds[i] to slot dstIds[i]";
// a null id array means the identity (a contiguous staging buffer).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cuda_runtime.h>

namespace fleetlab {

void launchCopyBlocks(const uint8_t* src, uint8_t* dst, const int32_t* srcIds,
                      const int32_t* dstIds, int n, size_t blockBytes, cudaStream_t stream);

}  // namespace fleetlab
