#include "cpu_probe.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <immintrin.h>
#include <thread>
#include <vector>

#include "aligned_buffer.h"
#include "cpu_features.h"

namespace fleetlab {
namespace {

using Clock = std::chrono::steady_clock;

__attribute__((target("avx2"))) uint64_t readAvx2(const uint8_t* p, size_t n) {
  __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
  for (size_t i = 0; i + 128 <= n; i += 128) {
    a = _mm256_xor_si256(a, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i)));
    b = _mm256_xor_si256(b, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 32)));
    c = _mm256_xor_si256(c, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 64)));
    d = _mm256_xor_si256(d, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 96)));
  }
  a = _mm256_xor_si256(_mm256_xor_si256(a, b), _mm256_xor_si256(c, d));
  uint64_t out[4];
  std::memcpy(out, &a, 32);
  return out[0] ^ out[1] ^ out[2] ^ out[3];
}

uint64_t readScalar(const uint8_t* p, size_t n) {
  uint64_t a = 0, b = 0, c = 0, d = 0;
  for (size_t i = 0; i + 32 <= n; i += 32) {
    uint64_t w[4];
    std::memcpy(w, p + i, 32);
    a ^= w[0], b ^= w[1], c ^= w[2], d ^= w[3];
  }
  return a ^ b ^ c ^ d;
}

// 12 independent chains hide the FMA latency. Returns flops/s of the fastest burst of ~10 ms
// (the bench also keeps its fastest step): on a shared machine a long average measures the
// scheduler more than the core.
__attribute__((target("avx512f"))) double fmaAvx512(double seconds, float* sink) {
  __m512 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i) * 1e-3f);
  const __m512 m = _mm512_set1_ps(0.999999f), a = _mm512_set1_ps(1e-7f);
  double best = 1e30;
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    const auto t0 = Clock::now();
    for (int r = 0; r < 262144; ++r)
#pragma GCC unroll 12
      for (int i = 0; i < 12; ++i) acc[i] = _mm512_fmadd_ps(acc[i], m, a);
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  float s = 0;
  for (int i = 0; i < 12; ++i) s += _mm512_reduce_add_ps(acc[i]);
  *sink = s;
  return 262144.0 * 12 * 16 * 2 / best;
}

__attribute__((target("avx2,fma"))) double fmaAvx2(double seconds, float* sink) {
  __m256 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i) * 1e-3f);
  const __m256 m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-7f);
  double best = 1e30;
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    const auto t0 = Clock::now();
    for (int r = 0; r < 262144; ++r)
#pragma GCC unroll 12
      for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], m, a);
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  float out[8], s = 0;
  for (int i = 0; i < 12; ++i) {
    _mm256_storeu_ps(out, acc[i]);
    for (float v : out) s += v;
  }
  *sink = s;
  return 262144.0 * 12 * 8 * 2 / best;
}

template <typename F>
double timeThreads(int threads, F&& work) {
  std::vector<std::thread> ts;
  const auto t0 = Clock::now();
  for (int t = 0; t < threads; ++t) ts.emplace_back([&, t] { work(t); });
  for (auto& th : ts) th.join();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

CpuPeaks CpuProbe::measure(int threads, uint64_t bufferBytes, double seconds) {
  const CpuFeatures& f = CpuFeatures::host();
  CpuPeaks out{0, 0, "none"};
  const uint64_t per = std::max<uint64_t>((bufferBytes / static_cast<uint64_t>(threads)) & ~uint64_t{4095}, 1 << 20);
  AlignedBuffer buf(per * static_cast<uint64_t>(threads), 4096, false);
  // Touch every page first (each thread its own part, as it will read it).
  timeThreads(threads, [&](int t) { std::memset(buf.data() + per * static_cast<uint64_t>(t), 1, per); });
  // Whole passes over the buffer by all threads at once, like a decode step reads its weights;
  // the fastest pass counts (the bench times its steps the same way).
  std::atomic<uint64_t> sink{0};
  double best = 1e30;
  const auto until = Clock::now() + std::chrono::duration<double>(seconds / 2);
  do {
    const double s = timeThreads(threads, [&](int t) {
      const uint8_t* p = buf.data() + per * static_cast<uint64_t>(t);
      sink ^= f.avx2 ? readAvx2(p, per) : readScalar(p, per);
    });
    best = std::min(best, s);
  } while (Clock::now() < until);
  out.readBytesPerSecond = static_cast<double>(per * static_cast<uint64_t>(threads)) / best;

  std::atomic<double> total{0};
  timeThreads(threads, [&](int) {
    float s = 0;
    double rate = f.avx512f ? fmaAvx512(seconds / 2, &s) : (f.avx2 && f.fma) ? fmaAvx2(seconds / 2, &s) : 0;
    double cur = total.load();
    while (!total.compare_exchange_weak(cur, cur + rate)) {
    }
    sink ^= static_cast<uint64_t>(s);
  });
  out.flopsPerSecond = total.load();
  out.fmaIsa = f.avx512f ? "avx512" : (f.avx2 && f.fma) ? "avx2" : "none";
  return out;
}

}  // namespace fleetlab
