#include "kv_pool_wrap.h"

#include "napi_args.h"
#include "promise_worker.h"

namespace fleetlab {

Napi::FunctionReference* KvPoolWrap::ctor_ = nullptr;

Napi::Function KvPoolWrap::Init(Napi::Env env, Napi::FunctionReference* ctor) {
  Napi::Function f = DefineClass(env, "KvPool",
                                 {InstanceMethod<&KvPoolWrap::Gather>("gather"),
                                  InstanceMethod<&KvPoolWrap::Scatter>("scatter"),
                                  InstanceMethod<&KvPoolWrap::GatherSync>("gatherSync"),
                                  InstanceMethod<&KvPoolWrap::ScatterSync>("scatterSync"),
                                  InstanceMethod<&KvPoolWrap::CopyTo>("copyTo"),
                                  InstanceMethod<&KvPoolWrap::Free>("free"),
                                  InstanceAccessor<&KvPoolWrap::GetPinned>("pinned")});
  *ctor = Napi::Persistent(f);
  ctor_ = ctor;
  return f;
}

// new KvPool(layers, blocks, blockBytes, device /* -1 = host */)
KvPoolWrap::KvPoolWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<KvPoolWrap>(info) {
  int layers = static_cast<int>(NapiArgs::integer(info, 0, "layers", 1, 1 << 16));
  int blocks = static_cast<int>(NapiArgs::integer(info, 1, "blocks", 1, 1 << 30));
  auto blockBytes = static_cast<uint64_t>(NapiArgs::integer(info, 2, "blockBytes", 1, 1LL << 40));
  int device = static_cast<int>(NapiArgs::integer(info, 3, "device", -1, 1023));
  pool_ = std::make_shared<KvPool>(layers, blocks, blockBytes, device);
}

std::shared_ptr<KvPool> KvPoolWrap::pool(Napi::Env env) const {
  if (!pool_) throw Napi::Error::New(env, "KV pool was freed");
  return pool_;
}

static void checkStaging(Napi::Env env, const KvPool& p, size_t n, size_t len) {
  if (len != p.stagingBytes(n)) {
    throw Napi::RangeError::New(env, "staging buffer holds " + std::to_string(len) + " bytes, expected " +
                                         std::to_string(p.stagingBytes(n)) + " for " + std::to_string(n) + " blocks");
  }
}

// gather(ids: Int32Array, staging: Uint8Array) -> Promise<void>
Napi::Value KvPoolWrap::Gather(const Napi::CallbackInfo& info) {
  auto p = pool(info.Env());
  auto ids = std::make_shared<std::vector<int32_t>>(NapiArgs::int32s(info, 0, "blockIds"));
  ByteView st = NapiArgs::bytes(info, 1, "staging");
  checkStaging(info.Env(), *p, ids->size(), st.length);
  uint8_t* dst = st.data;
  auto* w = new PromiseWorker(info.Env(), "kv.gather", [p, ids, dst] { p->gather(ids->data(), ids->size(), dst); },
                              nullptr, {st.owner, info.This().As<Napi::Object>()}, nullptr);
  w->Queue();
  return w->promise();
}

// scatter(ids: Int32Array, staging: Uint8Array) -> Promise<void>
Napi::Value KvPoolWrap::Scatter(const Napi::CallbackInfo& info) {
  auto p = pool(info.Env());
  auto ids = std::make_shared<std::vector<int32_t>>(NapiArgs::int32s(info, 0, "blockIds"));
  ByteView st = NapiArgs::bytes(info, 1, "staging");
  checkStaging(info.Env(), *p, ids->size(), st.length);
  const uint8_t* src = st.data;
  auto* w = new PromiseWorker(info.Env(), "kv.scatter", [p, ids, src] { p->scatter(ids->data(), ids->size(), src); },
                              nullptr, {st.owner, info.This().As<Napi::Object>()}, nullptr);
  w->Queue();
  return w->promise();
}

// gatherSync / scatterSync: the same copies on the calling (JS) thread, for host pools only.
// A migration's last stage moves one or two blocks (tens of kB) while its request waits: a
// memcpy of that size takes microseconds, but a hop to the libuv pool and back costs a thread
// wake-up and an event-loop turn each way, which on a loaded machine is milliseconds. A device
// pool's copy would synchronise with the forward pass in flight, so it stays asynchronous.
static void requireHost(Napi::Env env, const KvPool& p, const char* what) {
  if (p.device() >= 0) throw Napi::Error::New(env, std::string(what) + " is for host pools only; a GPU pool's copy would block the event loop on the step in flight");
}

Napi::Value KvPoolWrap::GatherSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto p = pool(env);
  requireHost(env, *p, "gatherSync");
  std::vector<int32_t> ids = NapiArgs::int32s(info, 0, "blockIds");
  ByteView st = NapiArgs::bytes(info, 1, "staging");
  checkStaging(env, *p, ids.size(), st.length);
  try {
    p->gather(ids.data(), ids.size(), st.data);
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  return env.Undefined();
}

Napi::Value KvPoolWrap::ScatterSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto p = pool(env);
  requireHost(env, *p, "scatterSync");
  std::vector<int32_t> ids = NapiArgs::int32s(info, 0, "blockIds");
  ByteView st = NapiArgs::bytes(info, 1, "staging");
  checkStaging(env, *p, ids.size(), st.length);
  try {
    p->scatter(ids.data(), ids.size(), st.data);
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  return env.Undefined();
}

// copyTo(dst: KvPool, srcIds: Int32Array, dstIds: Int32Array) -> Promise<void>
Napi::Value KvPoolWrap::CopyTo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto src = pool(env);
  if (info.Length() < 1 || !info[0].IsObject() || !info[0].As<Napi::Object>().InstanceOf(ctor_->Value())) {
    throw Napi::TypeError::New(env, "argument 0 (dst) must be a KvPool");
  }
  auto dst = Napi::ObjectWrap<KvPoolWrap>::Unwrap(info[0].As<Napi::Object>())->pool(env);
  auto s = std::make_shared<std::vector<int32_t>>(NapiArgs::int32s(info, 1, "srcIds"));
  auto d = std::make_shared<std::vector<int32_t>>(NapiArgs::int32s(info, 2, "dstIds"));
  if (s->size() != d->size()) throw Napi::RangeError::New(env, "srcIds and dstIds differ in length");
  auto* w = new PromiseWorker(env, "kv.copy", [src, dst, s, d] { KvPool::copy(*src, *dst, s->data(), d->data(), s->size()); },
                              nullptr, {info.This().As<Napi::Object>(), info[0].As<Napi::Object>()}, nullptr);
  w->Queue();
  return w->promise();
}

Napi::Value KvPoolWrap::Free(const Napi::CallbackInfo& info) {
  pool_.reset();
  return info.Env().Undefined();
}

Napi::Value KvPoolWrap::GetPinned(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), pool_ && pool_->pinned());
}

}  // namespace fleetlab
