#include "cpu_features.h"

#include <stdexcept>

namespace fleetlab {

const CpuFeatures& CpuFeatures::host() {
  static const CpuFeatures f = [] {
    CpuFeatures c;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    c.avx2 = __builtin_cpu_supports("avx2");
    c.fma = __builtin_cpu_supports("fma");
    c.f16c = __builtin_cpu_supports("f16c");
    c.avx512f = __builtin_cpu_supports("avx512f");
    c.avx512bf16 = __builtin_cpu_supports("avx512bf16");
#endif
    return c;
  }();
  return f;
}

SimdLevel CpuFeatures::choose(const std::string& requested) {
  const CpuFeatures& c = host();
  const bool avx2 = c.avx2 && c.fma && c.f16c;
  const bool avx512 = avx2 && c.avx512f;
  if (requested == "auto") return avx512 ? SimdLevel::Avx512 : avx2 ? SimdLevel::Avx2 : SimdLevel::Scalar;
  if (requested == "scalar") return SimdLevel::Scalar;
  if (requested == "avx2") {
    if (!avx2) throw std::runtime_error("simd 'avx2' requested but this CPU lacks AVX2/FMA/F16C");
    return SimdLevel::Avx2;
  }
  if (requested == "avx512") {
    if (!avx512) throw std::runtime_error("simd 'avx512' requested but this CPU lacks AVX-512F");
    return SimdLevel::Avx512;
  }
  throw std::runtime_error("simd must be auto, scalar, avx2 or avx512, got '" + requested + "'");
}

DotKernels CpuFeatures::kernels(SimdLevel level) {
#if defined(__x86_64__)
  switch (level) {
    case SimdLevel::Avx512: return avx512Kernels();
    case SimdLevel::Avx2: return avx2Kernels();
    case SimdLevel::Scalar: break;
  }
#else
  (void)level;
#endif
  return scalarKernels();
}

}  // namespace fleetlab
