// Exact conversions of bf16 and f16 bit patterns to f32 (no rounding is involved in this
// direction), and round-to-nearest-even f32 -> bf16/f16 for writing KV caches. Shared by the
// CPU runner and the CUDA kernels (FL_HD), so both widen and round the same way.
#pragma once
#include <cstddef>
#include <cstdint>

#include "host_device.h"

namespace fleetlab {

enum class ElemType : int { F32 = 0, BF16 = 1, F16 = 2 };

FL_HD int elemBytes(ElemType t) { return t == ElemType::F32 ? 4 : 2; }

FL_HD float bf16ToF32(uint16_t h) { return bitsToF32(static_cast<uint32_t>(h) << 16); }

FL_HD float f16ToF32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  if (exp == 0x1f) return bitsToF32(sign | 0x7f800000u | (mant << 13));  // inf / nan
  if (exp == 0) {
    if (mant == 0) return bitsToF32(sign);
    // Subnormal half: normalise the mantissa; the value is exactly representable in f32.
    int e = -1;
    do {
      mant <<= 1;
      ++e;
    } while ((mant & 0x400u) == 0);
    mant &= 0x3ffu;
    return bitsToF32(sign | (static_cast<uint32_t>(127 - 15 - e) << 23) | (mant << 13));
  }
  return bitsToF32(sign | ((exp + 112u) << 23) | (mant << 13));
}

FL_HD uint16_t f32ToBf16(float f) {
  uint32_t u = f32ToBits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);  // quiet nan
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

FL_HD uint16_t f32ToF16(float f) {
  uint32_t u = f32ToBits(f);
  const uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
  u &= 0x7fffffffu;
  if (u > 0x7f800000u) return sign | 0x7e00u;
  if (u >= 0x477ff000u) return sign | 0x7c00u;  // rounds to >= 65520: infinity
  if (u < 0x38800000u) {                          // below the smallest normal half
    if (u < 0x33000000u) return sign;             // rounds to zero
    const uint32_t e = u >> 23;
    const uint32_t m = (u & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - e;  // value = m * 2^(e-150) = (m >> shift) * 2^-24
    const uint32_t half = m >> shift;
    const uint32_t rem = m & ((1u << shift) - 1);
    const uint32_t mid = 1u << (shift - 1);
    uint32_t r = half + ((rem > mid || (rem == mid && (half & 1u))) ? 1u : 0u);
    return static_cast<uint16_t>(sign | r);
  }
  u += 0xfffu + ((u >> 13) & 1u);
  return static_cast<uint16_t>(sign | (((u >> 23) - 112u) << 10) | ((u >> 13) & 0x3ffu));
}

FL_HD float loadElem(const void* p, ElemType t, size_t i) {
  switch (t) {
    case ElemType::F32: return static_cast<const float*>(p)[i];
    case ElemType::BF16: return bf16ToF32(static_cast<const uint16_t*>(p)[i]);
    case ElemType::F16: return f16ToF32(static_cast<const uint16_t*>(p)[i]);
  }
  return 0.0f;
}

FL_HD void storeElem(void* p, ElemType t, size_t i, float v) {
  switch (t) {
    case ElemType::F32: static_cast<float*>(p)[i] = v; break;
    case ElemType::BF16: static_cast<uint16_t*>(p)[i] = f32ToBf16(v); break;
    case ElemType::F16: static_cast<uint16_t*>(p)[i] = f32ToF16(v); break;
  }
}

}  // namespace fleetlab
