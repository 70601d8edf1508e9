// What the host CPU supports, probed once at run time (the addon is built for baseline x86-64
// and only enters a SIMD kernel file after this says its instructions exist).
#pragma once
#include <string>

#include "dot_kernels.h"

namespace fleetlab {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avx512f = false;
  bool avx512bf16 = false;

  static const CpuFeatures& host();
  // Best level this CPU runs; `requested` other than "auto" must be supported or this throws.
  static SimdLevel choose(const std::string& requested);
  static DotKernels kernels(SimdLevel level);
};

}  // namespace fleetlab
