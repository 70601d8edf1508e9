// PromiseWorker: runs a blocking job on the libuv pool and settles a Promise. The job never
// touches JS values (it gets raw pointers captured on the main thread); objects whose memory
// the job uses are held by references until the Promise settles, so GC cannot free them.
#pragma once
#include <functional>
#include <napi.h>
#include <string>
#include <vector>

namespace fleetlab {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Job = std::function<void()>;
  using Resolver = std::function<Napi::Value(Napi::Env)>;

  PromiseWorker(Napi::Env env, const char* name, Job job, Resolver resolver,
                const std::vector<Napi::Object>& keepAlive, std::function<void()> onSettled);
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& e) override;

 private:
  std::string name_;
  Job job_;
  Resolver resolver_;
  std::function<void()> onSettled_;
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::ObjectReference> keepAlive_;
};

// Builds a JS Error with a stable `code` and the operation name, so TypeScript can map
// native failures onto its error family without parsing messages.
Napi::Error makeNativeError(Napi::Env env, const std::string& op, const std::string& message,
                            const char* code);

}  // namespace fleetlab
