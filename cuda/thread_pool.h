// ThreadPool: a fixed set of workers that run one parallelFor at a time. Work items are
// claimed dynamically, so the item -> thread mapping varies; callers keep results
// deterministic by making every item's arithmetic independent of which thread runs it.
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace fleetlab {

class ThreadPool {
 public:
  // `threads` counts the caller: ThreadPool(1) starts no worker and runs everything inline.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }
  // Calls fn(i, thread) for i in [0, count); `thread` in [0, threads()) indexes per-thread scratch.
  // Returns when all items are done; the first exception thrown by an item is rethrown here.
  void parallelFor(int count, const std::function<void(int item, int thread)>& fn);

 private:
  void workerLoop(int index);
  void drain(int thread);

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void(int, int)>* job_ = nullptr;
  int count_ = 0;
  std::atomic<int> next_{0};
  int active_ = 0;
  unsigned long generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

}  // namespace fleetlab
