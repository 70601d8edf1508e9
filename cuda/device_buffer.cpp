#include "device_buffer.h"

#include <stdexcept>

#include "device_runtime.h"
#include "napi_args.h"
#include "promise_worker.h"

#ifdef FLEETLAB_WITH_CUDA
#include <cuda_runtime.h>
#endif

namespace fleetlab {

DeviceAllocation::DeviceAllocation(int dev, uint64_t n) : device(dev), bytes(n) {
  ptr = static_cast<uint8_t*>(DeviceRuntime::deviceAlloc(dev, n));
}

DeviceAllocation::~DeviceAllocation() { DeviceRuntime::deviceFree(device, ptr); }

Napi::Function DeviceBuffer::Init(Napi::Env env) {
  return DefineClass(env, "DeviceBuffer",
                     {InstanceMethod<&DeviceBuffer::Free>("free"),
                      InstanceMethod<&DeviceBuffer::Download>("download"),
                      InstanceMethod<&DeviceBuffer::Upload>("upload"),
                      InstanceAccessor<&DeviceBuffer::GetBytes>("bytes"),
                      InstanceAccessor<&DeviceBuffer::GetDevice>("device"),
                      InstanceAccessor<&DeviceBuffer::GetAddress>("address")});
}

DeviceBuffer::DeviceBuffer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DeviceBuffer>(info) {
  device_ = static_cast<int>(NapiArgs::integer(info, 0, "device", 0, 1023));
  bytes_ = static_cast<uint64_t>(NapiArgs::integer(info, 1, "bytes", 1, 9007199254740991LL));
  alloc_ = std::make_shared<DeviceAllocation>(device_, bytes_);
}

std::shared_ptr<DeviceAllocation> DeviceBuffer::allocation(Napi::Env env) const {
  if (!alloc_) throw Napi::Error::New(env, "DeviceBuffer was freed");
  return alloc_;
}

Napi::Value DeviceBuffer::Free(const Napi::CallbackInfo& info) {
  // In-flight copies hold their own shared_ptr, so the memory goes when the last one ends.
  alloc_.reset();
  return info.Env().Undefined();
}

// download(offset, dest: Uint8Array) -> Promise<void>: device -> host copy.
Napi::Value DeviceBuffer::Download(const Napi::CallbackInfo& info) {
  auto a = allocation(info.Env());
  uint64_t off = static_cast<uint64_t>(NapiArgs::integer(info, 0, "offset", 0, 9007199254740991LL));
  ByteView dst = NapiArgs::bytes(info, 1, "dest");
  if (off > a->bytes || dst.length > a->bytes - off) throw Napi::RangeError::New(info.Env(), "download range outside the device buffer");
  uint8_t* d = dst.data;
  size_t n = dst.length;
  auto* w = new PromiseWorker(info.Env(), "deviceBuffer.download",
                              [a, off, d, n] {
#ifdef FLEETLAB_WITH_CUDA
                                DeviceRuntime::check(cudaSetDevice(a->device), "cudaSetDevice");
                                DeviceRuntime::check(cudaMemcpy(d, a->ptr + off, n, cudaMemcpyDeviceToHost), "cudaMemcpy device->host");
#else
                                (void)d; (void)n;
#endif
                              },
                              nullptr, {dst.owner}, nullptr);
  w->Queue();
  return w->promise();
}

// upload(offset, src: Uint8Array) -> Promise<void>: host -> device copy (DRAM-cache hits).
Napi::Value DeviceBuffer::Upload(const Napi::CallbackInfo& info) {
  auto a = allocation(info.Env());
  uint64_t off = static_cast<uint64_t>(NapiArgs::integer(info, 0, "offset", 0, 9007199254740991LL));
  ByteView src = NapiArgs::bytes(info, 1, "src");
  if (off > a->bytes || src.length > a->bytes - off) throw Napi::RangeError::New(info.Env(), "upload range outside the device buffer");
  const uint8_t* s = src.data;
  size_t n = src.length;
  auto* w = new PromiseWorker(info.Env(), "deviceBuffer.upload",
                              [a, off, s, n] {
#ifdef FLEETLAB_WITH_CUDA
                                DeviceRuntime::check(cudaSetDevice(a->device), "cudaSetDevice");
                                DeviceRuntime::check(cudaMemcpy(a->ptr + off, s, n, cudaMemcpyHostToDevice), "cudaMemcpy host->device");
#else
                                (void)s; (void)n;
#endif
                              },
                              nullptr, {src.owner}, nullptr);
  w->Queue();
  return w->promise();
}

Napi::Value DeviceBuffer::GetBytes(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(bytes_)); }
Napi::Value DeviceBuffer::GetDevice(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), device_); }
Napi::Value DeviceBuffer::GetAddress(const Napi::CallbackInfo& info) {
  return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(reinterpret_cast<uintptr_t>(alloc_ ? alloc_->ptr : nullptr)));
}

}  // namespace fleetlab
