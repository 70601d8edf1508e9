// CpuProbe: measures the two physical bounds the engine bench compares against, in the same
// process and run: sustained memory read bandwidth (streaming a buffer far larger than the
// caches) and peak FMA throughput (independent accumulator chains, widest SIMD available).
#pragma once
#include <cstdint>

namespace fleetlab {

struct CpuPeaks {
  double readBytesPerSecond;
  double flopsPerSecond;  // one FMA = 2 flops
  const char* fmaIsa;
};

class CpuProbe {
 public:
  static CpuPeaks measure(int threads, uint64_t bufferBytes, double seconds);
};

}  // namespace fleetlab
