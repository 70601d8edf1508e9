// Shared driver of the SIMD dot kernels: walks the output in tiles of up to RB weight rows x
// TB tokens and calls the tile kernel instantiated for the exact tile size, so edge tiles run
// the same per-pair arithmetic as full ones. Included by one SIMD source file each (it is
// compiled with that file's instruction set; everything here has internal linkage).
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>

#include "half_convert.h"

namespace fleetlab {
namespace {

using TileFn = void (*)(const uint8_t* W, size_t rowBytes, int K, const float* X, int ldx, float* Y, int ldy);

template <template <ElemType, int, int> class Tile, ElemType T, int RB, int... TBs>
constexpr void fillRow(TileFn* row, std::integer_sequence<int, TBs...>) {
  ((row[TBs] = &Tile<T, RB, TBs + 1>::run), ...);
}

template <template <ElemType, int, int> class Tile, ElemType T, int MaxRB, int MaxTB>
struct TileTable {
  TileFn fn[MaxRB][MaxTB];
  TileTable() : fn{} { fill(std::make_integer_sequence<int, MaxRB>{}); }
  template <int... RBs>
  void fill(std::integer_sequence<int, RBs...>) {
    (fillRow<Tile, T, RBs + 1>(fn[RBs], std::make_integer_sequence<int, MaxTB>{}), ...);
  }
};

// Rows are walked in panels sized to stay in L2 (~192 KiB of weights); inside a panel the
// token blocks are the outer loop, so a block's activations stay in L1 while every row tile of
// the panel passes over them, and the panel's weights come from DRAM once.
template <template <ElemType, int, int> class Tile, ElemType T, int MaxRB, int MaxTB>
void tiledRows(const void* W, int K, int rowBegin, int rowEnd, const float* X, int ldx, int M, float* Y, int ldy) {
  static const TileTable<Tile, T, MaxRB, MaxTB> table;
  const size_t rowBytes = static_cast<size_t>(K) * static_cast<size_t>(elemBytes(T));
  int panel = static_cast<int>((192u << 10) / rowBytes) / MaxRB * MaxRB;
  if (panel < MaxRB) panel = MaxRB;
  for (int p0 = rowBegin; p0 < rowEnd; p0 += panel) {
    const int p1 = rowEnd - p0 < panel ? rowEnd : p0 + panel;
    for (int m0 = 0; m0 < M; m0 += MaxTB) {
      const int tb = M - m0 < MaxTB ? M - m0 : MaxTB;
      for (int n = p0; n < p1; n += MaxRB) {
        const int rb = p1 - n < MaxRB ? p1 - n : MaxRB;
        const uint8_t* w = static_cast<const uint8_t*>(W) + rowBytes * static_cast<size_t>(n);
        table.fn[rb - 1][tb - 1](w, rowBytes, K, X + static_cast<size_t>(m0) * ldx, ldx, Y + static_cast<size_t>(m0) * ldy + n, ldy);
      }
    }
  }
}

}  // namespace
}  // namespace fleetlab
