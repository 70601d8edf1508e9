#include "device_runtime.h"

#include <stdexcept>

#ifdef FLEETLAB_WITH_CUDA
#include <cuda_runtime.h>
#endif

namespace fleetlab {

bool DeviceRuntime::compiledWithCuda() {
#ifdef FLEETLAB_WITH_CUDA
  return true;
#else
  return false;
#endif
}

void DeviceRuntime::check(int code, const char* what) {
#ifdef FLEETLAB_WITH_CUDA
  if (code != 0) {
    auto err = static_cast<cudaError_t>(code);
    throw std::runtime_error(std::string(what) + ": " + cudaGetErrorName(err) + " (" +
                             cudaGetErrorString(err) + ")");
  }
#else
  if (code != 0) throw std::runtime_error(std::string(what) + ": error " + std::to_string(code));
#endif
}

std::vector<DeviceProps> DeviceRuntime::devices(std::string* note) {
  std::vector<DeviceProps> out;
#ifdef FLEETLAB_WITH_CUDA
  int count = 0;
  cudaError_t rc = cudaGetDeviceCount(&count);
  if (rc != cudaSuccess) {
    if (note) {
      *note = std::string("cudaGetDeviceCount failed with ") + cudaGetErrorName(rc) + " (" +
              std::to_string(static_cast<int>(rc)) + ": " + cudaGetErrorString(rc) +
              "); reporting zero devices";
    }
    cudaGetLastError();  // clear the sticky error so later calls start clean
    return out;
  }
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp p{};
    if (cudaGetDeviceProperties(&p, i) != cudaSuccess) continue;
    DeviceProps d;
    d.index = i;
    d.name = p.name;
    d.totalBytes = p.totalGlobalMem;
    d.major = p.major;
    d.minor = p.minor;
    char bus[32] = {0};
    if (cudaDeviceGetPCIBusId(bus, sizeof bus, i) == cudaSuccess) d.pciBusId = bus;
    out.push_back(d);
  }
  if (note && count == 0) *note = "CUDA driver present but no device visible";
#else
  if (note) *note = "addon built without CUDA (no toolkit found at configure time)";
#endif
  return out;
}

int DeviceRuntime::deviceCount() {
  return static_cast<int>(devices(nullptr).size());
}

void DeviceRuntime::requireDevice(int device) {
  if (!compiledWithCuda()) {
    throw std::runtime_error(
        "device memory requested but the addon was built without CUDA; install the CUDA "
        "toolkit and run `npm run build:native`, or use the host target");
  }
  std::string note;
  auto list = devices(&note);
  if (device < 0 || device >= static_cast<int>(list.size())) {
    throw std::runtime_error("GPU " + std::to_string(device) + " not available (" +
                             std::to_string(list.size()) + " visible" +
                             (note.empty() ? "" : "; " + note) + ")");
  }
}

bool DeviceRuntime::hostRegister(void* ptr, size_t bytes) {
#ifdef FLEETLAB_WITH_CUDA
  if (deviceCount() == 0) return false;
  if (cudaHostRegister(ptr, bytes, cudaHostRegisterDefault) == cudaSuccess) return true;
  cudaGetLastError();
#else
  (void)ptr;
  (void)bytes;
#endif
  return false;
}

void DeviceRuntime::hostUnregister(void* ptr) {
#ifdef FLEETLAB_WITH_CUDA
  cudaHostUnregister(ptr);
#else
  (void)ptr;
#endif
}

void* DeviceRuntime::deviceAlloc(int device, size_t bytes) {
  requireDevice(device);
#ifdef FLEETLAB_WITH_CUDA
  check(cudaSetDevice(device), "cudaSetDevice");
  void* p = nullptr;
  check(cudaMalloc(&p, bytes), "cudaMalloc");
  return p;
#else
  (void)bytes;
  return nullptr;
#endif
}

void DeviceRuntime::deviceFree(int device, void* ptr) {
#ifdef FLEETLAB_WITH_CUDA
  if (!ptr) return;
  cudaSetDevice(device);
  cudaFree(ptr);
#else
  (void)device;
  (void)ptr;
#endif
}

}  // namespace fleetlab
