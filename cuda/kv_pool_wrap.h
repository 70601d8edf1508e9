// KvPoolWrap (JS class "KvPool"): exposes KvPool's async block operations as Promises.
// The pool is held by shared_ptr so free() during an operation defers the release.
#pragma once
#include <memory>
#include <napi.h>

#include "kv_pool.h"

namespace fleetlab {

class KvPoolWrap : public Napi::ObjectWrap<KvPoolWrap> {
 public:
  static Napi::Function Init(Napi::Env env, Napi::FunctionReference* ctor);
  explicit KvPoolWrap(const Napi::CallbackInfo& info);
  std::shared_ptr<KvPool> pool(Napi::Env env) const;
  // True when `o` was made by this class (so Unwrap is safe); used by the model runner.
  static bool isKvPool(const Napi::Object& o) { return ctor_ && o.InstanceOf(ctor_->Value()); }

 private:
  Napi::Value Gather(const Napi::CallbackInfo& info);
  Napi::Value Scatter(const Napi::CallbackInfo& info);
  Napi::Value GatherSync(const Napi::CallbackInfo& info);
  Napi::Value ScatterSync(const Napi::CallbackInfo& info);
  Napi::Value CopyTo(const Napi::CallbackInfo& info);
  Napi::Value Free(const Napi::CallbackInfo& info);
  Napi::Value GetPinned(const Napi::CallbackInfo& info);

  std::shared_ptr<KvPool> pool_;
  static Napi::FunctionReference* ctor_;
};

}  // namespace fleetlab
