// ModelRunnerWrap (JS class "ModelRunner"): owns one ModelRunner, keeps the weight buffers and
// the KV pool alive for its lifetime, and runs forward() as a PromiseWorker, one at a time.
#pragma once
#include <atomic>
#include <memory>
#include <napi.h>
#include <vector>

#include "forward_batch.h"

namespace fleetlab {

class ModelRunnerWrap : public Napi::ObjectWrap<ModelRunnerWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit ModelRunnerWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value Forward(const Napi::CallbackInfo& info);
  Napi::Value Free(const Napi::CallbackInfo& info);
  Napi::Value GetKernel(const Napi::CallbackInfo& info);
  Napi::Value GetThreads(const Napi::CallbackInfo& info);
  std::shared_ptr<Runner> runner(Napi::Env env) const;

  std::shared_ptr<Runner> runner_;
  std::shared_ptr<std::atomic<bool>> busy_ = std::make_shared<std::atomic<bool>>(false);
  std::vector<Napi::ObjectReference> keepAlive_;
  int vocab_ = 0;
};

// cpuFeatures() and cpuPeaks(threads, bufferBytes, seconds) -> Promise, registered on exports.
Napi::Value CpuFeaturesJs(const Napi::CallbackInfo& info);
Napi::Value CpuPeaksJs(const Napi::CallbackInfo& info);

}  // namespace fleetlab
