// Maps a checkpoint's partition files into one contiguous, page-aligned host image (mmap), for
// checkpoints on a memory file system (the node agent's DRAM tier on tmpfs): the image IS the
// page cache's pages, shared with every other process that maps them, instead of a private copy
// read into freshly allocated memory (whose first-touch faults dominate a load on a busy VM).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fleetlab {

class HostMap {
 public:
  // Reserves `totalBytes` of address space and maps file i (its first fileBytes[i] bytes) at
  // offset dstOffsets[i] (4 KiB-aligned), MAP_PRIVATE: writes stay private to this process and
  // never reach the file. With `populate`, the kernel faults every page in up front
  // (MAP_POPULATE) rather than one fault per page on first read. Throws std::runtime_error
  // naming the file and errno on failure (everything mapped so far is unmapped).
  static uint8_t* mapFiles(const std::vector<std::string>& paths, const std::vector<uint64_t>& fileBytes,
                           const std::vector<uint64_t>& dstOffsets, uint64_t totalBytes, bool populate);
  static void unmap(uint8_t* base, uint64_t totalBytes);
};

}  // namespace fleetlab
