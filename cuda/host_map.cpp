#include "host_map.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/mman.h>
#include <unistd.h>

namespace fleetlab {

uint8_t* HostMap::mapFiles(const std::vector<std::string>& paths, const std::vector<uint64_t>& fileBytes,
                           const std::vector<uint64_t>& dstOffsets, uint64_t totalBytes, bool populate) {
  size_t total = static_cast<size_t>(totalBytes == 0 ? 1 : totalBytes);
  // Anonymous, readable and writable: the alignment gaps between partitions read as zeros, as
  // they do in an image read into fresh memory.
  void* reserved = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (reserved == MAP_FAILED) throw std::runtime_error(std::string("mmap of a ") + std::to_string(total) + "-byte image: " + std::strerror(errno));
  auto* base = static_cast<uint8_t*>(reserved);
  for (size_t i = 0; i < paths.size(); ++i) {
    if (fileBytes[i] == 0) continue;
    if (dstOffsets[i] % 4096 != 0 || dstOffsets[i] + fileBytes[i] > totalBytes) {
      munmap(base, total);
      throw std::runtime_error("partition " + paths[i] + " does not fit the image at a 4 KiB-aligned offset");
    }
    int fd = open(paths[i].c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      int e = errno;
      munmap(base, total);
      throw std::runtime_error("open " + paths[i] + ": " + std::strerror(e));
    }
    int flags = MAP_PRIVATE | MAP_FIXED | (populate ? MAP_POPULATE : 0);
    void* at = mmap(base + dstOffsets[i], static_cast<size_t>(fileBytes[i]), PROT_READ | PROT_WRITE, flags, fd, 0);
    int e = errno;
    close(fd);  // the mapping keeps the file
    if (at == MAP_FAILED) {
      munmap(base, total);
      throw std::runtime_error("mmap " + paths[i] + ": " + std::strerror(e));
    }
  }
  return base;
}

void HostMap::unmap(uint8_t* base, uint64_t totalBytes) {
  munmap(base, static_cast<size_t>(totalBytes == 0 ? 1 : totalBytes));
}

}  // namespace fleetlab
