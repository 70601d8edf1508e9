#include "partition_reader.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace fleetlab {

static std::string errnoText(int e) { return std::string(std::strerror(e)); }

PartitionReader::PartitionReader(const std::string& path, bool wantDirect) : path_(path) {
  // Fault injection for tests: recent kernels accept O_DIRECT even on tmpfs, so the fallback
  // path cannot otherwise be exercised on every machine.
  const char* refuse = std::getenv("FLEETLAB_NATIVE_REFUSE_DIRECT_IO");
  if (wantDirect && refuse && refuse[0] == '1') {
    openBuffered("open(O_DIRECT) refused (simulated by FLEETLAB_NATIVE_REFUSE_DIRECT_IO=1)");
  } else if (wantDirect) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
    if (fd_ >= 0) {
      direct_ = true;
    } else if (errno == EINVAL) {
      openBuffered("open(O_DIRECT) returned EINVAL (filesystem without direct I/O, e.g. tmpfs)");
    } else {
      int e = errno;
      throw std::runtime_error("cannot open partition " + path + ": " + errnoText(e));
    }
  } else {
    openBuffered("direct I/O disabled by the caller");
  }
  struct stat st{};
  if (::fstat(fd_, &st) != 0) {
    int e = errno;
    throw std::runtime_error("cannot stat partition " + path + ": " + errnoText(e));
  }
  fileSize_ = static_cast<uint64_t>(st.st_size);
}

void PartitionReader::openBuffered(const std::string& why) {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    throw std::runtime_error("cannot open partition " + path_ + ": " + errnoText(e));
  }
  if (fd_ >= 0) retired_.push_back(fd_);
  fd_ = fd;
  direct_ = false;
  fallbackReason_ = why;
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
}

PartitionReader::~PartitionReader() {
  if (fd_ >= 0) ::close(fd_);
  for (int fd : retired_) ::close(fd);
}

void PartitionReader::readFully(uint8_t* dst, size_t len, uint64_t offset) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd_, dst + done, len - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      int e = errno;
      if (e == EINTR) continue;
      if (e == EINVAL && direct_) {
        // Accepted at open but refused at read time: switch this file to buffered I/O once.
        std::lock_guard<std::mutex> lock(reopenMu_);
        if (direct_) openBuffered("pread(O_DIRECT) returned EINVAL; using buffered reads");
        continue;
      }
      throw std::runtime_error("read of " + path_ + " failed at offset " +
                               std::to_string(offset + done) + ": " + errnoText(e));
    }
    if (n == 0) {
      throw std::runtime_error("unexpected end of file in " + path_ + " at offset " +
                               std::to_string(offset + done) + " (expected " +
                               std::to_string(offset + len) +
                               " bytes): the partition is truncated");
    }
    done += static_cast<size_t>(n);
  }
}

}  // namespace fleetlab
