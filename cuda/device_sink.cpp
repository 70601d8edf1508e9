#include "device_sink.h"

#include <stdexcept>
#include <string>

#include "device_runtime.h"

#ifdef FLEETLAB_WITH_CUDA
#include <cuda_runtime.h>
#endif

namespace fleetlab {

DeviceSink::DeviceSink(int device, uint8_t* devPtr, uint64_t destBytes, int inflight)
    : device_(device), dev_(devPtr), destBytes_(destBytes), inflight_(inflight < 1 ? 1 : inflight) {
  DeviceRuntime::requireDevice(device);
#ifdef FLEETLAB_WITH_CUDA
  DeviceRuntime::check(cudaSetDevice(device), "cudaSetDevice");
  cudaStream_t s = nullptr;
  DeviceRuntime::check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), "cudaStreamCreate");
  stream_ = s;
#endif
}

DeviceSink::~DeviceSink() {
#ifdef FLEETLAB_WITH_CUDA
  cudaSetDevice(device_);
  for (auto& p : pending_) {
    cudaEventSynchronize(static_cast<cudaEvent_t>(p.first));
    cudaEventDestroy(static_cast<cudaEvent_t>(p.first));
  }
  if (stream_) cudaStreamDestroy(static_cast<cudaStream_t>(stream_));
#endif
}

void DeviceSink::put(int chunk, const uint8_t* src, uint64_t dstOffset, uint64_t len,
                     const std::function<void(int)>& release) {
  if (dstOffset > destBytes_ || len > destBytes_ - dstOffset) {
    release(chunk);
    throw std::runtime_error("internal: device copy outside destination allocation");
  }
#ifdef FLEETLAB_WITH_CUDA
  cudaSetDevice(device_);
  auto s = static_cast<cudaStream_t>(stream_);
  DeviceRuntime::check(cudaMemcpyAsync(dev_ + dstOffset, src, len, cudaMemcpyHostToDevice, s),
                       "cudaMemcpyAsync host->device");
  cudaEvent_t ev = nullptr;
  DeviceRuntime::check(cudaEventCreateWithFlags(&ev, cudaEventDisableTiming), "cudaEventCreate");
  DeviceRuntime::check(cudaEventRecord(ev, s), "cudaEventRecord");
  pending_.emplace_back(ev, chunk);
  while (static_cast<int>(pending_.size()) >= inflight_) retireOldest(release);
#else
  (void)src;
  release(chunk);
  throw std::runtime_error("device sink used in a build without CUDA");
#endif
}

void DeviceSink::retireOldest(const std::function<void(int)>& release) {
#ifdef FLEETLAB_WITH_CUDA
  auto p = pending_.front();
  pending_.pop_front();
  auto ev = static_cast<cudaEvent_t>(p.first);
  cudaError_t rc = cudaEventSynchronize(ev);
  cudaEventDestroy(ev);
  release(p.second);
  DeviceRuntime::check(rc, "cudaEventSynchronize (host->device copy)");
#else
  (void)release;
#endif
}

void DeviceSink::finish(const std::function<void(int)>& release) {
  while (!pending_.empty()) retireOldest(release);
}

}  // namespace fleetlab
