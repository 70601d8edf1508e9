// DeviceSink: cudaMemcpyAsync from pinned chunks into one device allocation on a dedicated
// stream, keeping up to `inflight` chunks in flight; each chunk is returned to the pool when
// its event completes, so disk reads of later chunks overlap PCIe copies of earlier ones.
#pragma once
#include <deque>
#include <utility>

#include "load_sink.h"

namespace fleetlab {

class DeviceSink : public LoadSink {
 public:
  DeviceSink(int device, uint8_t* devPtr, uint64_t destBytes, int inflight);
  ~DeviceSink() override;
  void put(int chunk, const uint8_t* src, uint64_t dstOffset, uint64_t len,
           const std::function<void(int)>& release) override;
  void finish(const std::function<void(int)>& release) override;
  const char* name() const override { return "device"; }

 private:
  void retireOldest(const std::function<void(int)>& release);

  int device_;
  uint8_t* dev_;
  uint64_t destBytes_;
  int inflight_;
  void* stream_ = nullptr;
  std::deque<std::pair<void*, int>> pending_;  // (cudaEvent_t, chunk)
};

}  // namespace fleetlab
