// KvPool: the KV cache of one instance. Per layer, one K and one V slab shaped
// [num_blocks, block_size, num_kv_heads, head_dim], allocated once (host or one GPU).
// Staging buffers are host memory laid out [layer][K,V][i] with blockBytes per entry.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "aligned_buffer.h"

namespace fleetlab {

class KvPool {
 public:
  KvPool(int layers, int blocks, uint64_t blockBytes, int device);
  ~KvPool();
  KvPool(const KvPool&) = delete;
  KvPool& operator=(const KvPool&) = delete;

  int layers() const { return layers_; }
  int blocks() const { return blocks_; }
  uint64_t blockBytes() const { return blockBytes_; }
  int device() const { return device_; }
  bool pinned() const { return pinned_; }
  uint64_t stagingBytes(size_t n) const { return n * blockBytes_ * 2 * static_cast<uint64_t>(layers_); }

  void gather(const int32_t* ids, size_t n, uint8_t* staging);
  void scatter(const int32_t* ids, size_t n, const uint8_t* staging);
  static void copy(KvPool& src, KvPool& dst, const int32_t* srcIds, const int32_t* dstIds,
                   size_t n);
  // Start of one layer's K (kind 0) or V (kind 1) slab, for the model runner's paged attention.
  uint8_t* slabData(int layer, int kind) const { return slab(layer, kind); }

 private:
  uint8_t* slab(int layer, int kind) const { return slabs_[static_cast<size_t>(layer * 2 + kind)]; }
  void checkIds(const int32_t* ids, size_t n) const;

  int layers_;
  int blocks_;
  uint64_t blockBytes_;
  int device_;
  bool pinned_ = false;
  std::vector<uint8_t*> slabs_;
  std::vector<std::unique_ptr<AlignedBuffer>> host_;
};

}  // namespace fleetlab
