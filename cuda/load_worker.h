// LoadWorker: one checkpoint load as a Promise, with coalesced progress callbacks on the
// main thread and cooperative cancellation through a shared flag.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <napi.h>

#include "checkpoint_loader.h"

namespace fleetlab {

class LoadWorker : public Napi::AsyncProgressWorker<uint64_t> {
 public:
  using SinkFactory = std::function<std::unique_ptr<LoadSink>()>;

  LoadWorker(Napi::Env env, LoadRequest req, SinkFactory makeSink,
             std::shared_ptr<std::atomic<bool>> cancel, Napi::Function onProgress,
             Napi::Object keepAlive);
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute(const ExecutionProgress& progress) override;
  void OnProgress(const uint64_t* data, size_t count) override;
  void OnOK() override;
  void OnError(const Napi::Error& e) override;

 private:
  LoadRequest req_;
  SinkFactory makeSink_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  Napi::FunctionReference onProgress_;
  Napi::ObjectReference keepAlive_;
  Napi::Promise::Deferred deferred_;
  LoadStats stats_;
  bool cancelled_ = false;
};

}  // namespace fleetlab
