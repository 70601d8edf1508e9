// Host memory helpers for the host-target fast paths: finding a 4 KiB-aligned window in a
// JS-owned buffer (so O_DIRECT can read straight into it), asking for transparent huge pages
// (first touch of a fresh 2 GiB image costs ~512 faults instead of ~524k on this kind of VM),
// and a multi-threaded memcpy that also spreads first-touch faults over several cores.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fleetlab {

class HostMemory {
 public:
  // Bytes to skip from `p` to the next multiple of `alignment` (a power of two).
  static size_t alignPad(const uint8_t* p, size_t alignment);
  // madvise(MADV_HUGEPAGE) on the whole pages inside [p, p + len); a hint, failures ignored.
  // Returns true when the kernel accepted it.
  static bool adviseHugePages(uint8_t* p, size_t len);
  // Faults [p, p + len) in writable without changing its contents (MADV_POPULATE_WRITE), so
  // it is safe while O_DIRECT reads target the same pages. Returns false when the kernel
  // lacks it (< 5.14); callers then leave faulting to the reads.
  static bool populateWrite(uint8_t* p, size_t len);
  // memcpy split over `threads` threads in page-aligned slices (threads <= 1: plain memcpy).
  static void parallelCopy(uint8_t* dst, const uint8_t* src, size_t len, int threads);
};

}  // namespace fleetlab
