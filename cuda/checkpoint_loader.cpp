#include "checkpoint_loader.h"

#include <chrono>
#include <cstdlib>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "chunk_pool.h"
#include "host_memory.h"
#include "partition_reader.h"

namespace fleetlab {

namespace {

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct ChunkJob {
  size_t partition;
  uint64_t fileOffset;
  uint64_t len;
  uint64_t dstOffset;
  uint8_t* inPlace;  // read target inside the sink, or nullptr to go through a staging chunk
};

struct Filled {
  size_t job;
  int chunk;  // -1: the bytes were read in place, nothing to copy
};

}  // namespace

LoadStats CheckpointLoader::run(const LoadRequest& req, LoadSink& sink,
                                const std::atomic<bool>& cancel,
                                const std::function<void(uint64_t)>& progress) {
  auto t0 = Clock::now();
  if (req.paths.size() != req.readBytes.size() || req.paths.size() != req.dstOffsets.size()) {
    throw std::runtime_error("internal: partition arrays differ in length");
  }
  if (req.chunkBytes == 0 || req.chunkBytes % 4096 != 0) {
    throw std::runtime_error("chunkBytes must be a positive multiple of 4096");
  }

  std::vector<std::unique_ptr<PartitionReader>> readers;
  std::vector<ChunkJob> jobs;
  LoadStats stats;
  for (size_t p = 0; p < req.paths.size(); ++p) {
    readers.push_back(std::make_unique<PartitionReader>(req.paths[p], req.directIo));
    if (readers.back()->fileSize() < req.readBytes[p]) {
      throw std::runtime_error("partition " + req.paths[p] + " is truncated: " +
                               std::to_string(readers.back()->fileSize()) + " bytes on disk, " +
                               std::to_string(req.readBytes[p]) + " expected by the index");
    }
    for (uint64_t off = 0; off < req.readBytes[p]; off += req.chunkBytes) {
      uint64_t len = std::min<uint64_t>(req.chunkBytes, req.readBytes[p] - off);
      uint64_t dst = req.dstOffsets[p] + off;
      jobs.push_back({p, off, len, dst, req.inPlace ? sink.inPlace(dst, len) : nullptr});
    }
    stats.bytes += req.readBytes[p];
  }

  // Staging chunks exist only for jobs that cannot be read in place: a host load into an
  // aligned image needs none (the bounce through a chunk plus memcpy into freshly faulted
  // pages ran at disk speed on a 2-vCPU VM, halving the pipeline's headroom).
  size_t staged = 0;
  for (const auto& j : jobs) staged += j.inPlace ? 0 : 1;
  int threads = std::max(1, std::min<int>(req.threads, 64));
  size_t poolChunks = static_cast<size_t>(std::max(req.poolChunks, threads + 1));
  poolChunks = std::min(poolChunks, staged);
  ChunkPool pool(poolChunks, req.chunkBytes, req.pin);
  stats.pinned = pool.pinned();

  std::atomic<bool> stop{false};
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Filled> ready;
  std::string firstError;
  std::vector<double> busy(static_cast<size_t>(threads), 0.0);
  std::atomic<int64_t> lastReadEndNs{0};

  auto fail = [&](const std::string& msg) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (firstError.empty()) firstError = msg;
    }
    stop = true;
    pool.interrupt();
    cv.notify_all();
  };

  auto reader = [&](int t) {
    try {
      for (;;) {
        if (stop || cancel) return;
        size_t j = next.fetch_add(1);
        if (j >= jobs.size()) return;
        const ChunkJob& job = jobs[j];
        int chunk = -1;
        uint8_t* target = job.inPlace;
        if (!target) {
          chunk = pool.acquire(stop);
          if (chunk < 0) return;
          target = pool.data(chunk);
        }
        auto r0 = Clock::now();
        readers[job.partition]->readFully(target, job.len, job.fileOffset);
        busy[static_cast<size_t>(t)] += secondsSince(r0);
        lastReadEndNs = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
        {
          std::lock_guard<std::mutex> lock(mu);
          ready.push_back({j, chunk});
        }
        cv.notify_all();
      }
    } catch (const std::exception& e) {
      fail(e.what());
    } catch (...) {
      fail("unknown error in reader thread");
    }
  };

  // Prefaulter: a fresh host image must be faulted in page by page (on a VM with free-page
  // reporting each first touch is also a host fault, ~1-2 GB/s per core). Done inside the
  // readers' pread() it delays every I/O submission; done here, ahead of the readers'
  // cursor, it overlaps with the disk. MADV_POPULATE_WRITE never changes contents, so
  // racing a reader on the same pages is harmless.
  std::atomic<bool> readersDone{false};
  auto prefault = [&] {
    size_t j = 0;
    while (!stop && !cancel && !readersDone) {
      j = std::max(j, next.load());
      if (j >= jobs.size()) return;
      const ChunkJob& job = jobs[j++];
      if (job.inPlace && !HostMemory::populateWrite(job.inPlace, job.len)) return;
    }
  };
  std::thread prefaulter;
  const char* noPrefault = std::getenv("FLEETLAB_NATIVE_NO_PREFAULT");
  if (staged < jobs.size() && !(noPrefault && noPrefault[0] == '1')) {
    try {
      prefaulter = std::thread(prefault);
    } catch (const std::exception&) {
      // Optional: without it the readers fault the pages themselves.
    }
  }

  std::vector<std::thread> pool_threads;
  for (int t = 0; t < threads; ++t) {
    try {
      pool_threads.emplace_back(reader, t);
    } catch (const std::exception& e) {
      // Fewer readers still finish the load; none at all is an error. Never leave this scope
      // by exception with joinable threads (std::terminate).
      if (t == 0) fail(std::string("cannot start reader threads: ") + e.what());
      break;
    }
  }

  auto release = [&](int chunk) { pool.release(chunk); };
  uint64_t done = 0;
  size_t consumed = 0;
  try {
    while (consumed < jobs.size()) {
      Filled f{};
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait_for(lock, std::chrono::milliseconds(50),
                    [&] { return !ready.empty() || stop.load() || cancel.load(); });
        if (stop || cancel) break;
        if (ready.empty()) continue;
        f = ready.front();
        ready.pop_front();
      }
      const ChunkJob& job = jobs[f.job];
      if (f.chunk >= 0) {
        auto c0 = Clock::now();
        sink.put(f.chunk, pool.data(f.chunk), job.dstOffset, job.len, release);
        stats.copyBusySeconds += secondsSince(c0);
      } else {
        stats.inPlaceBytes += job.len;
      }
      ++consumed;
      done += job.len;
      progress(done);
    }
    if (!stop && !cancel) {
      auto c0 = Clock::now();
      sink.finish(release);
      stats.copyBusySeconds += secondsSince(c0);
    }
  } catch (const std::exception& e) {
    fail(e.what());
  }
  if (cancel) {
    stop = true;
    pool.interrupt();
  }
  for (auto& th : pool_threads) th.join();
  readersDone = true;
  if (prefaulter.joinable()) prefaulter.join();
  try {
    sink.finish(release);  // drain device copies still referencing pool chunks
  } catch (const std::exception& e) {
    if (firstError.empty()) firstError = e.what();
  }
  if (!firstError.empty()) throw std::runtime_error(firstError);
  if (cancel) throw CancelledError();

  for (double b : busy) stats.readBusySeconds += b;
  stats.readWallSeconds = static_cast<double>(lastReadEndNs.load()) / 1e9;
  stats.totalSeconds = secondsSince(t0);
  size_t direct = 0;
  for (auto& r : readers) {
    if (r->direct()) {
      ++direct;
    } else if (stats.fallbackReason.empty()) {
      stats.fallbackReason = r->fallbackReason();
    }
  }
  stats.ioMode = direct == readers.size() ? "direct" : direct == 0 ? "buffered" : "mixed";
  return stats;
}

}  // namespace fleetlab
