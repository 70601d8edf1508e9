#include "host_sink.h"

#include <cstring>
#include <stdexcept>
#include <string>

namespace fleetlab {

uint8_t* HostSink::inPlace(uint64_t dstOffset, uint64_t len) {
  if (dstOffset > destBytes_ || len > destBytes_ - dstOffset) return nullptr;  // put() reports it
  uint8_t* p = dest_ + dstOffset;
  // O_DIRECT needs the memory aligned to the logical block size; 4 KiB covers every device,
  // and the lengths are already multiples of 4096 (partition files are padded).
  if (reinterpret_cast<uintptr_t>(p) % 4096 != 0 || len % 4096 != 0) return nullptr;
  return p;
}

void HostSink::put(int chunk, const uint8_t* src, uint64_t dstOffset, uint64_t len,
                   const std::function<void(int)>& release) {
  if (dstOffset > destBytes_ || len > destBytes_ - dstOffset) {
    release(chunk);
    throw std::runtime_error("internal: host copy [" + std::to_string(dstOffset) + ", +" +
                             std::to_string(len) + ") outside destination of " +
                             std::to_string(destBytes_) + " bytes");
  }
  std::memcpy(dest_ + dstOffset, src, len);
  release(chunk);
}

}  // namespace fleetlab
