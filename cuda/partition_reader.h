// PartitionReader: one open partition file. Tries O_DIRECT first (no page-cache copy, no
// cache pollution), and falls back to buffered reads when the filesystem refuses it
// (tmpfs answers open() with EINVAL; some filesystems only fail the first read).
#pragma once
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace fleetlab {

class PartitionReader {
 public:
  PartitionReader(const std::string& path, bool wantDirect);
  ~PartitionReader();
  PartitionReader(const PartitionReader&) = delete;
  PartitionReader& operator=(const PartitionReader&) = delete;

  // Reads exactly `len` bytes at `offset` or throws naming the file and offset.
  void readFully(uint8_t* dst, size_t len, uint64_t offset);
  bool direct() const { return direct_; }
  const std::string& fallbackReason() const { return fallbackReason_; }
  uint64_t fileSize() const { return fileSize_; }

 private:
  void openBuffered(const std::string& why);

  std::string path_;
  int fd_ = -1;
  bool direct_ = false;
  std::string fallbackReason_;
  uint64_t fileSize_ = 0;
  std::mutex reopenMu_;
  // Descriptors replaced by a fallback stay open until destruction: another reader thread
  // may still be inside pread() on them.
  std::vector<int> retired_;
};

}  // namespace fleetlab
