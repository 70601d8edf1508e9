// DeviceRuntime: the only place that decides whether CUDA exists. Every other class asks it,
// so the host-only build and the CUDA build share one code path for everything but copies.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fleetlab {

struct DeviceProps {
  int index = 0;
  std::string name;
  uint64_t totalBytes = 0;
  int major = 0;
  int minor = 0;
  std::string pciBusId;
};

class DeviceRuntime {
 public:
  static bool compiledWithCuda();
  // Lists usable GPUs. A missing driver (error 35) or no device (100) yields an empty list
  // and a note explaining why, never an exception: CPU-only machines are a normal case.
  static std::vector<DeviceProps> devices(std::string* note);
  static int deviceCount();
  // Throws with an actionable message when the build or the machine has no such device.
  static void requireDevice(int device);
  // Throws std::runtime_error("<what>: <cuda error string>") when code is not success.
  static void check(int code, const char* what);
  static bool hostRegister(void* ptr, size_t bytes);
  static void hostUnregister(void* ptr);
  static void* deviceAlloc(int device, size_t bytes);
  static void deviceFree(int device, void* ptr);
};

}  // namespace fleetlab
