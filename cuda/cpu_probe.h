// CpuProbe: measures the two physical bounds the engine bench compares against, in the same
// process and run: memory read bandwidth (whole passes of all threads over a buffer far larger
// than the caches, e.g. the size of the model's weights) and peak FMA throughput (independent
// accumulator chains, widest SIMD available, summed over threads). Each keeps its fastest
// pass / burst, as the bench keeps its fastest step: on a shared, noisy machine both then
// measure the hardware when the scheduler lets it run.
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
