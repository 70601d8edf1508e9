#include "host_memory.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/mman.h>
#include <thread>
#include <vector>

namespace fleetlab {

size_t HostMemory::alignPad(const uint8_t* p, size_t alignment) {
  auto a = reinterpret_cast<uintptr_t>(p);
  return static_cast<size_t>((alignment - (a & (alignment - 1))) & (alignment - 1));
}

bool HostMemory::adviseHugePages(uint8_t* p, size_t len) {
#ifdef MADV_HUGEPAGE
  const size_t page = 4096;
  size_t pad = alignPad(p, page);
  if (len <= pad + page) return false;
  size_t span = (len - pad) / page * page;
  return ::madvise(p + pad, span, MADV_HUGEPAGE) == 0;
#else
  (void)p;
  (void)len;
  return false;
#endif
}

bool HostMemory::populateWrite(uint8_t* p, size_t len) {
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14+; older glibc headers lack the name
#endif
  const size_t page = 4096;
  auto begin = reinterpret_cast<uintptr_t>(p) & ~(page - 1);
  auto end = reinterpret_cast<uintptr_t>(p) + len;
  if (end <= begin) return true;
  for (;;) {
    if (::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE) == 0) return true;
    if (errno != EINTR) return false;
  }
}

void HostMemory::parallelCopy(uint8_t* dst, const uint8_t* src, size_t len, int threads) {
  // Below a few MiB per thread the thread start-up costs more than it saves.
  const size_t minSlice = 4u << 20;
  size_t n = static_cast<size_t>(std::max(1, std::min(threads, 64)));
  n = std::min(n, std::max<size_t>(1, len / minSlice));
  if (n <= 1) {
    if (len) std::memcpy(dst, src, len);
    return;
  }
  // Slices end on 2 MiB boundaries of the destination so no huge page is shared by two
  // threads (they would serialise on its first-touch fault).
  const size_t grain = 2u << 20;
  size_t slice = (len / n + grain - 1) / grain * grain;
  std::vector<std::thread> pool;
  pool.reserve(n - 1);
  for (size_t i = 1; i < n; ++i) {
    size_t begin = std::min(len, i * slice);
    size_t end = std::min(len, begin + slice);
    if (begin >= end) break;
    try {
      pool.emplace_back([=] { std::memcpy(dst + begin, src + begin, end - begin); });
    } catch (...) {
      // No thread available: copy that slice here rather than leave joinable threads behind
      // (destroying one would call std::terminate).
      std::memcpy(dst + begin, src + begin, end - begin);
    }
  }
  std::memcpy(dst, src, std::min(len, slice));
  for (auto& t : pool) t.join();
}

}  // namespace fleetlab
