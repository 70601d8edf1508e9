#include "load_worker.h"

#include "promise_worker.h"

namespace fleetlab {

LoadWorker::LoadWorker(Napi::Env env, LoadRequest req, SinkFactory makeSink,
                       std::shared_ptr<std::atomic<bool>> cancel, Napi::Function onProgress,
                       Napi::Object keepAlive)
    : Napi::AsyncProgressWorker<uint64_t>(env, "fleetlab.load"),
      req_(std::move(req)),
      makeSink_(std::move(makeSink)),
      cancel_(std::move(cancel)),
      deferred_(Napi::Promise::Deferred::New(env)) {
  if (!onProgress.IsEmpty()) onProgress_ = Napi::Persistent(onProgress);
  keepAlive_ = Napi::Persistent(keepAlive);
}

void LoadWorker::Execute(const ExecutionProgress& progress) {
  try {
    std::unique_ptr<LoadSink> sink = makeSink_();
    stats_ = CheckpointLoader::run(req_, *sink, *cancel_,
                                   [&](uint64_t done) { progress.Send(&done, 1); });
  } catch (const CancelledError& e) {
    cancelled_ = true;
    SetError(e.what());
  } catch (const std::exception& e) {
    SetError(e.what());
  } catch (...) {
    SetError("unknown native exception");
  }
}

void LoadWorker::OnProgress(const uint64_t* data, size_t count) {
  if (onProgress_.IsEmpty() || count == 0) return;
  Napi::Env env = Env();
  try {
    onProgress_.Call({Napi::Number::New(env, static_cast<double>(data[count - 1]))});
  } catch (const Napi::Error&) {
    // A throwing progress listener must not break the load; TypeScript wraps listeners.
  }
}

void LoadWorker::OnOK() {
  Napi::Env env = Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("bytes", static_cast<double>(stats_.bytes));
  o.Set("readWallSeconds", stats_.readWallSeconds);
  o.Set("readBusySeconds", stats_.readBusySeconds);
  o.Set("copyBusySeconds", stats_.copyBusySeconds);
  o.Set("inPlaceBytes", static_cast<double>(stats_.inPlaceBytes));
  o.Set("totalSeconds", stats_.totalSeconds);
  o.Set("ioMode", stats_.ioMode);
  o.Set("fallbackReason", stats_.fallbackReason);
  o.Set("pinned", stats_.pinned);
  deferred_.Resolve(o);
}

void LoadWorker::OnError(const Napi::Error& e) {
  deferred_.Reject(makeNativeError(Env(), "load", e.Message(),
                                   cancelled_ ? "ECANCELLED" : "ENATIVE").Value());
}

}  // namespace fleetlab
