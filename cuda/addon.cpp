// Module entry point: registers the functions and classes typed in backend/native/addon-types.ts.
#include <algorithm>
#include <atomic>
#include <memory>
#include <napi.h>
// zlib ships with Node's headers and its symbols are exported by the node executable (the
// same SIMD crc32 that node:zlib uses); the addon only calls it off the main thread.
#include <zlib.h>

#include "device_buffer.h"
#include "device_runtime.h"
#include "device_sink.h"
#include "host_map.h"
#include "host_memory.h"
#include "host_sink.h"
#include "kv_pool_wrap.h"
#include "load_worker.h"
#include "model_runner_wrap.h"
#include "napi_args.h"
#include "promise_worker.h"

namespace fleetlab {
namespace {

struct AddonData {
  Napi::FunctionReference kvPoolCtor;
  Napi::FunctionReference deviceBufferCtor;
};

Napi::Value DeviceInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string note;
  auto list = DeviceRuntime::devices(&note);
  Napi::Object out = Napi::Object::New(env);
  out.Set("compiledWithCuda", DeviceRuntime::compiledWithCuda());
  out.Set("note", note);
  Napi::Array arr = Napi::Array::New(env, list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    Napi::Object d = Napi::Object::New(env);
    d.Set("index", list[i].index);
    d.Set("name", list[i].name);
    d.Set("totalBytes", static_cast<double>(list[i].totalBytes));
    d.Set("computeCapability", std::to_string(list[i].major) + "." + std::to_string(list[i].minor));
    d.Set("pciBusId", list[i].pciBusId);
    arr.Set(static_cast<uint32_t>(i), d);
  }
  out.Set("devices", arr);
  return out;
}

// Shared by loadToHost/loadToDevice: args 0..5 are the plan and tuning, 6 the progress callback.
LoadRequest readPlan(const Napi::CallbackInfo& info) {
  LoadRequest req;
  req.paths = NapiArgs::strings(info, 0, "paths");
  req.readBytes = NapiArgs::offsets(info, 1, "readBytes");
  req.dstOffsets = NapiArgs::offsets(info, 2, "dstOffsets");
  if (req.paths.size() != req.readBytes.size() || req.paths.size() != req.dstOffsets.size()) {
    throw Napi::RangeError::New(info.Env(), "paths, readBytes and dstOffsets differ in length");
  }
  req.threads = static_cast<int>(NapiArgs::integer(info, 3, "threads", 1, 64));
  req.chunkBytes = static_cast<uint64_t>(NapiArgs::integer(info, 4, "chunkBytes", 4096, 1LL << 32));
  req.poolChunks = static_cast<int>(NapiArgs::integer(info, 5, "poolChunks", 1, 1024));
  req.directIo = NapiArgs::boolean(info, 6, "directIo");
  return req;
}

uint64_t planEnd(const LoadRequest& r) {
  uint64_t end = 0;
  for (size_t i = 0; i < r.paths.size(); ++i) end = std::max(end, r.dstOffsets[i] + r.readBytes[i]);
  return end;
}

Napi::Object startLoad(const Napi::CallbackInfo& info, LoadRequest req, LoadWorker::SinkFactory make,
                       Napi::Object keepAlive) {
  Napi::Env env = info.Env();
  Napi::Function onProgress;
  if (info.Length() > 8 && info[8].IsFunction()) onProgress = info[8].As<Napi::Function>();
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  auto* w = new LoadWorker(env, std::move(req), std::move(make), cancel, onProgress, keepAlive);
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("promise", w->promise());
  handle.Set("cancel", Napi::Function::New(env, [cancel](const Napi::CallbackInfo& i) {
               cancel->store(true);
               return i.Env().Undefined();
             }));
  w->Queue();
  return handle;
}

// loadToHost(paths, readBytes, dstOffsets, threads, chunkBytes, poolChunks, directIo, dest, onProgress?, inPlace?)
Napi::Value LoadToHost(const Napi::CallbackInfo& info) {
  LoadRequest req = readPlan(info);
  if (info.Length() > 9 && !info[9].IsUndefined()) req.inPlace = NapiArgs::boolean(info, 9, "inPlace");
  ByteView dest = NapiArgs::bytes(info, 7, "dest");
  if (planEnd(req) > dest.length) throw Napi::RangeError::New(info.Env(), "destination buffer smaller than the load plan");
  uint8_t* d = dest.data;
  uint64_t n = dest.length;
  return startLoad(info, std::move(req), [d, n] { return std::unique_ptr<LoadSink>(new HostSink(d, n)); }, dest.owner);
}

// loadToDevice(paths, readBytes, dstOffsets, threads, chunkBytes, poolChunks, directIo, dest: DeviceBuffer, onProgress?)
Napi::Value LoadToDevice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LoadRequest req = readPlan(info);
  auto* data = env.GetInstanceData<AddonData>();
  if (info.Length() < 8 || !info[7].IsObject() || !info[7].As<Napi::Object>().InstanceOf(data->deviceBufferCtor.Value())) {
    throw Napi::TypeError::New(env, "argument 7 (dest) must be a DeviceBuffer");
  }
  auto alloc = Napi::ObjectWrap<DeviceBuffer>::Unwrap(info[7].As<Napi::Object>())->allocation(env);
  if (planEnd(req) > alloc->bytes) throw Napi::RangeError::New(env, "device buffer smaller than the load plan");
  req.pin = true;
  const int inflight = std::max(2, req.poolChunks - req.threads);
  return startLoad(info, std::move(req),
                   [alloc, inflight] {
                     return std::unique_ptr<LoadSink>(new DeviceSink(alloc->device, alloc->ptr, alloc->bytes, inflight));
                   },
                   info[7].As<Napi::Object>());
}

// prepareHostBuffer(buf, alignment, hugePages) -> offset of the first `alignment`-aligned byte
// inside buf. With hugePages, madvise(MADV_HUGEPAGE) on it (a hint; the answer says whether
// the kernel took it) so first-touch faults of a fresh image are 2 MiB at a time.
Napi::Value PrepareHostBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ByteView b = NapiArgs::bytes(info, 0, "buf");
  auto alignment = static_cast<size_t>(NapiArgs::integer(info, 1, "alignment", 1, 1 << 21));
  if ((alignment & (alignment - 1)) != 0) throw Napi::RangeError::New(env, "alignment must be a power of two");
  bool huge = NapiArgs::boolean(info, 2, "hugePages");
  size_t pad = HostMemory::alignPad(b.data, alignment);
  bool advised = false;
  if (huge && pad < b.length) advised = HostMemory::adviseHugePages(b.data + pad, b.length - pad);
  Napi::Object out = Napi::Object::New(env);
  out.Set("offset", static_cast<double>(pad));
  out.Set("hugePages", advised);
  return out;
}

// mapFiles(paths, fileBytes, dstOffsets, totalBytes, populate) -> Buffer: the partitions
// mapped into one image (HostMap); the Buffer's finalizer unmaps it once nothing holds it.
// Synchronous: a few mmap calls (with populate, the kernel's page-table fill of a tmpfs file).
Napi::Value MapFiles(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto paths = NapiArgs::strings(info, 0, "paths");
  auto bytes = NapiArgs::offsets(info, 1, "fileBytes");
  auto offsets = NapiArgs::offsets(info, 2, "dstOffsets");
  if (paths.size() != bytes.size() || paths.size() != offsets.size()) throw Napi::RangeError::New(env, "paths, fileBytes and dstOffsets differ in length");
  auto total = static_cast<uint64_t>(NapiArgs::integer(info, 3, "totalBytes", 0, 1LL << 50));
  bool populate = NapiArgs::boolean(info, 4, "populate");
  uint8_t* base = nullptr;
  try {
    base = HostMap::mapFiles(paths, bytes, offsets, total, populate);
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  return Napi::Buffer<uint8_t>::New(env, base, static_cast<size_t>(total), [total](Napi::Env, uint8_t* p) { HostMap::unmap(p, total); });
}

// copyBytes(dst, src, threads) -> Promise<void>: memcpy of src into dst (equal lengths,
// checked in TypeScript and again here) on the libuv pool, split over `threads` threads.
Napi::Value CopyBytes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ByteView dst = NapiArgs::bytes(info, 0, "dst");
  ByteView src = NapiArgs::bytes(info, 1, "src");
  int threads = static_cast<int>(NapiArgs::integer(info, 2, "threads", 1, 64));
  if (dst.length != src.length) throw Napi::RangeError::New(env, "dst and src differ in length");
  uint8_t* d = dst.data;
  const uint8_t* s = src.data;
  size_t n = src.length;
  // Overlapping ranges would make a split copy order-dependent; TypeScript rejects them too.
  if (n && d < s + n && s < d + n) throw Napi::RangeError::New(env, "dst and src overlap");
  auto* w = new PromiseWorker(env, "copyBytes", [d, s, n, threads] { HostMemory::parallelCopy(d, s, n, threads); },
                              nullptr, {dst.owner, src.owner}, nullptr);
  w->Queue();
  return w->promise();
}

// crc32(buf, seed) -> Promise<number>: zlib CRC-32 of buf continuing from seed, computed on
// the libuv pool so checksumming 16 MiB transfer messages does not block the event loop.
Napi::Value Crc32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ByteView b = NapiArgs::bytes(info, 0, "buf");
  auto seed = static_cast<uint32_t>(NapiArgs::integer(info, 1, "seed", 0, 0xffffffffLL));
  auto result = std::make_shared<uint32_t>(seed);
  const uint8_t* p = b.data;
  size_t n = b.length;
  auto* w = new PromiseWorker(env, "crc32",
                              [p, n, result] {
                                uLong c = *result;
                                // crc32_z takes a z_size_t; loop anyway so a 32-bit zlib build stays correct.
                                for (size_t at = 0; at < n;) {
                                  size_t len = std::min<size_t>(n - at, 1u << 30);
                                  c = crc32_z(c, p + at, static_cast<z_size_t>(len));
                                  at += len;
                                }
                                *result = static_cast<uint32_t>(c);
                              },
                              [result](Napi::Env e) { return Napi::Number::New(e, *result); }, {b.owner}, nullptr);
  w->Queue();
  return w->promise();
}

Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);
  exports.Set("abiVersion", Napi::Number::New(env, 4));
  exports.Set("deviceInfo", Napi::Function::New(env, DeviceInfo));
  exports.Set("loadToHost", Napi::Function::New(env, LoadToHost));
  exports.Set("loadToDevice", Napi::Function::New(env, LoadToDevice));
  exports.Set("prepareHostBuffer", Napi::Function::New(env, PrepareHostBuffer));
  exports.Set("copyBytes", Napi::Function::New(env, CopyBytes));
  exports.Set("mapFiles", Napi::Function::New(env, MapFiles));
  exports.Set("crc32", Napi::Function::New(env, Crc32));
  exports.Set("KvPool", KvPoolWrap::Init(env, &data->kvPoolCtor));
  exports.Set("ModelRunner", ModelRunnerWrap::Init(env));
  exports.Set("cpuFeatures", Napi::Function::New(env, CpuFeaturesJs));
  exports.Set("cpuPeaks", Napi::Function::New(env, CpuPeaksJs));
  Napi::Function db = DeviceBuffer::Init(env);
  data->deviceBufferCtor = Napi::Persistent(db);
  exports.Set("DeviceBuffer", db);
  return exports;
}

}  // namespace
}  // namespace fleetlab

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return fleetlab::InitAddon(env, exports); }
NODE_API_MODULE(fleetlab_native, Init)
