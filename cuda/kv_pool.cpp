#include "kv_pool.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include "device_runtime.h"

#ifdef FLEETLAB_WITH_CUDA
#include <cuda_runtime.h>

#include "kv_kernels.h"
#endif

namespace fleetlab {

KvPool::KvPool(int layers, int blocks, uint64_t blockBytes, int device)
    : layers_(layers), blocks_(blocks), blockBytes_(blockBytes), device_(device) {
  if (layers <= 0 || blocks <= 0 || blockBytes == 0) {
    throw std::runtime_error("KV pool dimensions must be positive");
  }
  const uint64_t slabBytes = blockBytes * static_cast<uint64_t>(blocks);
  if (device < 0) {
    // Pin host pools when a GPU exists so device<->host migrations copy at full PCIe speed.
    const bool pin = DeviceRuntime::deviceCount() > 0;
    pinned_ = pin;
    for (int i = 0; i < layers * 2; ++i) {
      host_.push_back(std::make_unique<AlignedBuffer>(slabBytes, 4096, pin));
      std::memset(host_.back()->data(), 0, slabBytes);
      pinned_ = pinned_ && host_.back()->pinned();
      slabs_.push_back(host_.back()->data());
    }
    return;
  }
  try {
    for (int i = 0; i < layers * 2; ++i) {
      auto* p = static_cast<uint8_t*>(DeviceRuntime::deviceAlloc(device, slabBytes));
      slabs_.push_back(p);
#ifdef FLEETLAB_WITH_CUDA
      DeviceRuntime::check(cudaMemset(p, 0, slabBytes), "cudaMemset");
#endif
    }
  } catch (...) {
    for (auto* p : slabs_) DeviceRuntime::deviceFree(device, p);
    slabs_.clear();
    throw;
  }
}

KvPool::~KvPool() {
  if (device_ >= 0)
    for (auto* p : slabs_) DeviceRuntime::deviceFree(device_, p);
}

void KvPool::checkIds(const int32_t* ids, size_t n) const {
  for (size_t i = 0; i < n; ++i) {
    if (ids[i] < 0 || ids[i] >= blocks_) {
      throw std::runtime_error("block id " + std::to_string(ids[i]) + " at position " +
                               std::to_string(i) + " is outside [0, " + std::to_string(blocks_) + ")");
    }
  }
}

#ifdef FLEETLAB_WITH_CUDA
namespace {
// Device copies of the id list, freed on scope exit even when a CUDA call throws.
struct DeviceIds {
  int device;
  int32_t* ptr = nullptr;
  DeviceIds(int dev, const int32_t* ids, size_t n) : device(dev) {
    DeviceRuntime::check(cudaSetDevice(dev), "cudaSetDevice");
    DeviceRuntime::check(cudaMalloc(&ptr, n * sizeof(int32_t)), "cudaMalloc(ids)");
    DeviceRuntime::check(cudaMemcpy(ptr, ids, n * sizeof(int32_t), cudaMemcpyHostToDevice), "ids upload");
  }
  ~DeviceIds() { DeviceRuntime::deviceFree(device, ptr); }
};
struct DeviceScratch {
  int device;
  uint8_t* ptr = nullptr;
  DeviceScratch(int dev, size_t bytes) : device(dev) {
    ptr = static_cast<uint8_t*>(DeviceRuntime::deviceAlloc(dev, bytes));
  }
  ~DeviceScratch() { DeviceRuntime::deviceFree(device, ptr); }
};
}  // namespace
#endif

void KvPool::gather(const int32_t* ids, size_t n, uint8_t* staging) {
  checkIds(ids, n);
  const uint64_t run = n * blockBytes_;
  if (device_ < 0) {
    for (int l = 0; l < layers_; ++l)
      for (int k = 0; k < 2; ++k) {
        uint8_t* out = staging + static_cast<uint64_t>(l * 2 + k) * run;
        const uint8_t* base = slab(l, k);
        for (size_t i = 0; i < n; ++i)
          std::memcpy(out + i * blockBytes_, base + static_cast<uint64_t>(ids[i]) * blockBytes_, blockBytes_);
      }
    return;
  }
#ifdef FLEETLAB_WITH_CUDA
  if (n == 0) return;
  DeviceIds dIds(device_, ids, n);
  DeviceScratch scratch(device_, run);
  for (int l = 0; l < layers_; ++l)
    for (int k = 0; k < 2; ++k) {
      launchCopyBlocks(slab(l, k), scratch.ptr, dIds.ptr, nullptr, static_cast<int>(n), blockBytes_, nullptr);
      DeviceRuntime::check(cudaGetLastError(), "gather kernel launch");
      DeviceRuntime::check(cudaMemcpy(staging + static_cast<uint64_t>(l * 2 + k) * run, scratch.ptr, run,
                                      cudaMemcpyDeviceToHost), "gather device->host");
    }
#endif
}

void KvPool::scatter(const int32_t* ids, size_t n, const uint8_t* staging) {
  checkIds(ids, n);
  const uint64_t run = n * blockBytes_;
  if (device_ < 0) {
    for (int l = 0; l < layers_; ++l)
      for (int k = 0; k < 2; ++k) {
        const uint8_t* in = staging + static_cast<uint64_t>(l * 2 + k) * run;
        uint8_t* base = slab(l, k);
        for (size_t i = 0; i < n; ++i)
          std::memcpy(base + static_cast<uint64_t>(ids[i]) * blockBytes_, in + i * blockBytes_, blockBytes_);
      }
    return;
  }
#ifdef FLEETLAB_WITH_CUDA
  if (n == 0) return;
  DeviceIds dIds(device_, ids, n);
  DeviceScratch scratch(device_, run);
  for (int l = 0; l < layers_; ++l)
    for (int k = 0; k < 2; ++k) {
      DeviceRuntime::check(cudaMemcpy(scratch.ptr, staging + static_cast<uint64_t>(l * 2 + k) * run, run,
                                      cudaMemcpyHostToDevice), "scatter host->device");
      launchCopyBlocks(scratch.ptr, slab(l, k), nullptr, dIds.ptr, static_cast<int>(n), blockBytes_, nullptr);
      DeviceRuntime::check(cudaGetLastError(), "scatter kernel launch");
    }
  DeviceRuntime::check(cudaDeviceSynchronize(), "scatter kernel");
#endif
}

void KvPool::copy(KvPool& src, KvPool& dst, const int32_t* srcIds, const int32_t* dstIds, size_t n) {
  if (src.layers_ != dst.layers_ || src.blockBytes_ != dst.blockBytes_) {
    throw std::runtime_error("KV pools differ in layer count or block geometry; cannot copy blocks");
  }
  src.checkIds(srcIds, n);
  dst.checkIds(dstIds, n);
  if (n == 0) return;
  if (src.device_ < 0 && dst.device_ < 0) {
    for (int l = 0; l < src.layers_; ++l)
      for (int k = 0; k < 2; ++k)
        for (size_t i = 0; i < n; ++i)
          std::memmove(dst.slab(l, k) + static_cast<uint64_t>(dstIds[i]) * dst.blockBytes_,
                       src.slab(l, k) + static_cast<uint64_t>(srcIds[i]) * src.blockBytes_, src.blockBytes_);
    return;
  }
#ifdef FLEETLAB_WITH_CUDA
  if (src.device_ >= 0 && src.device_ == dst.device_) {
    DeviceIds s(src.device_, srcIds, n), d(src.device_, dstIds, n);
    for (int l = 0; l < src.layers_; ++l)
      for (int k = 0; k < 2; ++k)
        launchCopyBlocks(src.slab(l, k), dst.slab(l, k), s.ptr, d.ptr, static_cast<int>(n), src.blockBytes_, nullptr);
    DeviceRuntime::check(cudaGetLastError(), "copy kernel launch");
    DeviceRuntime::check(cudaDeviceSynchronize(), "copy kernel");
    return;
  }
  if (src.device_ >= 0 && dst.device_ >= 0) {
    int can = 0;
    cudaDeviceCanAccessPeer(&can, dst.device_, src.device_);
    if (can) {
      cudaSetDevice(dst.device_);
      cudaError_t rc = cudaDeviceEnablePeerAccess(src.device_, 0);
      if (rc != cudaSuccess && rc != cudaErrorPeerAccessAlreadyEnabled) DeviceRuntime::check(rc, "cudaDeviceEnablePeerAccess");
      cudaGetLastError();
      for (int l = 0; l < src.layers_; ++l)
        for (int k = 0; k < 2; ++k)
          for (size_t i = 0; i < n; ++i)
            DeviceRuntime::check(
                cudaMemcpyPeerAsync(dst.slab(l, k) + static_cast<uint64_t>(dstIds[i]) * dst.blockBytes_, dst.device_,
                                    src.slab(l, k) + static_cast<uint64_t>(srcIds[i]) * src.blockBytes_, src.device_,
                                    src.blockBytes_, nullptr),
                "cudaMemcpyPeerAsync");
      DeviceRuntime::check(cudaDeviceSynchronize(), "peer copy");
      return;
    }
  }
#endif
  // Mixed host/device or devices without peer access: stage through host memory.
  AlignedBuffer staging(src.stagingBytes(n), 4096, DeviceRuntime::deviceCount() > 0);
  src.gather(srcIds, n, staging.data());
  dst.scatter(dstIds, n, staging.data());
}

}  // namespace fleetlab
