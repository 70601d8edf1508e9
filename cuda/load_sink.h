// LoadSink: the destination stage of the loader pipeline. The loader hands it filled
// staging chunks in completion order; the sink must call `release(chunk)` once the chunk's
// bytes have left it (immediately for memcpy, after an event for async device copies).
#pragma once
#include <cstdint>
#include <functional>

namespace fleetlab {

class LoadSink {
 public:
  virtual ~LoadSink() = default;
  // Where a reader may pread() this range directly (no staging chunk, no copy), or nullptr.
  // Only sinks whose destination is host memory aligned for O_DIRECT return a pointer.
  virtual uint8_t* inPlace(uint64_t dstOffset, uint64_t len) {
    (void)dstOffset;
    (void)len;
    return nullptr;
  }
  virtual void put(int chunk, const uint8_t* src, uint64_t dstOffset, uint64_t len,
                   const std::function<void(int)>& release) = 0;
  // Waits for every outstanding copy, releasing their chunks.
  virtual void finish(const std::function<void(int)>& release) = 0;
  virtual const char* name() const = 0;
};

}  // namespace fleetlab
