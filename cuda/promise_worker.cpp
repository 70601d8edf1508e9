#include "promise_worker.h"

#include <exception>

namespace fleetlab {

Napi::Error makeNativeError(Napi::Env env, const std::string& op, const std::string& message,
                            const char* code) {
  Napi::Error err = Napi::Error::New(env, op + ": " + message);
  err.Set("code", Napi::String::New(env, code));
  err.Set("operation", Napi::String::New(env, op));
  return err;
}

PromiseWorker::PromiseWorker(Napi::Env env, const char* name, Job job, Resolver resolver,
                             const std::vector<Napi::Object>& keepAlive,
                             std::function<void()> onSettled)
    : Napi::AsyncWorker(env, name),
      name_(name),
      job_(std::move(job)),
      resolver_(std::move(resolver)),
      onSettled_(std::move(onSettled)),
      deferred_(Napi::Promise::Deferred::New(env)) {
  for (const auto& o : keepAlive) keepAlive_.push_back(Napi::Persistent(o));
}

void PromiseWorker::Execute() {
  // Nothing may escape this thread as a C++ exception: it would terminate the process.
  try {
    job_();
  } catch (const std::exception& e) {
    SetError(e.what());
  } catch (...) {
    SetError("unknown native exception");
  }
}

void PromiseWorker::OnOK() {
  if (onSettled_) onSettled_();
  Napi::Env env = Env();
  try {
    deferred_.Resolve(resolver_ ? resolver_(env) : env.Undefined());
  } catch (const std::exception& e) {
    deferred_.Reject(makeNativeError(env, name_, e.what(), "ENATIVE").Value());
  }
}

void PromiseWorker::OnError(const Napi::Error& e) {
  if (onSettled_) onSettled_();
  deferred_.Reject(makeNativeError(Env(), name_, e.Message(), "ENATIVE").Value());
}

}  // namespace fleetlab
