// CheckpointLoader: stage A (N reader threads: partition files -> pinned chunks, O_DIRECT
// when allowed) pipelined into stage B (one copier: chunks -> LoadSink, in completion order).
// Inputs are primitives already validated by TypeScript; this class re-checks only what
// would otherwise corrupt memory.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "load_sink.h"

namespace fleetlab {

struct LoadRequest {
  std::vector<std::string> paths;      // partition files
  std::vector<uint64_t> readBytes;     // bytes to read from each (a multiple of 4096)
  std::vector<uint64_t> dstOffsets;    // where each partition starts in the destination
  int threads = 4;
  uint64_t chunkBytes = 32ull << 20;   // multiple of 4096
  int poolChunks = 8;
  bool directIo = true;
  bool pin = false;
  bool inPlace = true;                 // let readers pread() straight into the sink when it allows
};

struct LoadStats {
  uint64_t bytes = 0;
  double readWallSeconds = 0;   // first read start -> last read end
  double readBusySeconds = 0;   // summed over reader threads
  double copyBusySeconds = 0;   // time the copier spent inside the sink
  uint64_t inPlaceBytes = 0;    // bytes read straight into the destination (no staging copy)
  double totalSeconds = 0;
  std::string ioMode;           // "direct", "buffered" or "mixed"
  std::string fallbackReason;
  bool pinned = false;
};

class CancelledError : public std::runtime_error {
 public:
  CancelledError() : std::runtime_error("load cancelled") {}
};

class CheckpointLoader {
 public:
  static LoadStats run(const LoadRequest& req, LoadSink& sink, const std::atomic<bool>& cancel,
                       const std::function<void(uint64_t)>& progress);
};

}  // namespace fleetlab
