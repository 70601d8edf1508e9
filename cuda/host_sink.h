// HostSink: the caller-owned host buffer (a Node Buffer kept alive by the worker for the
// whole load). Ranges that start on a 4 KiB boundary are read in place by the readers; the
// rest arrive as staged chunks and are copied.
#pragma once
#include "load_sink.h"

namespace fleetlab {

class HostSink : public LoadSink {
 public:
  HostSink(uint8_t* dest, uint64_t destBytes) : dest_(dest), destBytes_(destBytes) {}
  void put(int chunk, const uint8_t* src, uint64_t dstOffset, uint64_t len,
           const std::function<void(int)>& release) override;
  uint8_t* inPlace(uint64_t dstOffset, uint64_t len) override;
  void finish(const std::function<void(int)>&) override {}
  const char* name() const override { return "host"; }

 private:
  uint8_t* dest_;
  uint64_t destBytes_;
};

}  // namespace fleetlab
