// FL_HD marks a function compiled for both the CPU and the GPU (nvcc: __host__ __device__),
// so the CUDA kernels and their CPU mirror share one definition of the same arithmetic.
// Bit casts go through the CUDA intrinsics on the device and memcpy on the host.
#pragma once
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define FL_HD __host__ __device__ __forceinline__
#else
#define FL_HD inline
#endif

namespace fleetlab {

FL_HD float bitsToF32(uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float f;
  std::memcpy(&f, &u, 4);
  return f;
#endif
}

FL_HD uint32_t f32ToBits(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
#endif
}

}  // namespace fleetlab
