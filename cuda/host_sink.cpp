#include "host_sink.h"

#include <cstring>
#include <stdexcept>
#include <string>

namespace fleetlab {

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
