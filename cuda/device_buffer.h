// DeviceBuffer (JS class): one device allocation, e.g. a whole model's weights (one
// cudaMalloc per model per GPU; tensors are views at 256-byte-aligned offsets).
#pragma once
#include <memory>
#include <napi.h>

namespace fleetlab {

struct DeviceAllocation {
  int device;
  uint64_t bytes;
  uint8_t* ptr;
  DeviceAllocation(int dev, uint64_t n);
  ~DeviceAllocation();
};

class DeviceBuffer : public Napi::ObjectWrap<DeviceBuffer> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit DeviceBuffer(const Napi::CallbackInfo& info);
  // Throws when the buffer was freed; holders keep the allocation alive across async work.
  std::shared_ptr<DeviceAllocation> allocation(Napi::Env env) const;

 private:
  Napi::Value Free(const Napi::CallbackInfo& info);
  Napi::Value Download(const Napi::CallbackInfo& info);
  Napi::Value Upload(const Napi::CallbackInfo& info);
  Napi::Value GetBytes(const Napi::CallbackInfo& info);
  Napi::Value GetDevice(const Napi::CallbackInfo& info);
  Napi::Value GetAddress(const Napi::CallbackInfo& info);

  std::shared_ptr<DeviceAllocation> alloc_;
  int device_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace fleetlab
