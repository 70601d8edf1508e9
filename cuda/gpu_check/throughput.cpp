#include "throughput.h"

#include <algorithm>
#include <chrono>
#include <vector>

namespace fleetlab {

Throughput measureThroughput(Runner& r, int vocab, int blockSize, int batch, int prompt, int decode) {
  const int perSeq = (prompt + decode + blockSize - 1) / blockSize;
  std::vector<std::vector<int32_t>> tables(static_cast<size_t>(batch));
  for (int s = 0; s < batch; ++s)
    for (int j = 0; j < perSeq; ++j) tables[static_cast<size_t>(s)].push_back(s * perSeq + j);
  uint64_t state = 88172645463325252ull;  // xorshift: fixed token ids, the same every run
  auto nextToken = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<int32_t>(state % static_cast<uint64_t>(vocab));
  };
  std::vector<float> logits(static_cast<size_t>(batch) * vocab);
  auto timedStep = [&](int count, int start) {
    std::vector<int32_t> tokens;
    ForwardBatch b{};
    for (int s = 0; s < batch; ++s) {
      b.seqs.push_back(ForwardSeq{SeqSlice{s * count, count, start, tables[static_cast<size_t>(s)].data(), perSeq}, true});
      for (int i = 0; i < count; ++i) tokens.push_back(nextToken());
    }
    b.tokens = tokens.data();
    b.numTokens = static_cast<int>(tokens.size());
    b.logits = logits.data();
    const auto t0 = std::chrono::steady_clock::now();
    r.forward(b);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  Throughput t;
  t.prefillSeconds = timedStep(prompt, 0);
  t.prefillTokensPerSecond = static_cast<double>(batch) * prompt / t.prefillSeconds;
  std::vector<double> steps;
  for (int i = 0; i < decode; ++i) steps.push_back(timedStep(1, prompt + i));
  std::sort(steps.begin(), steps.end());
  t.decodeFastest = steps.front();
  t.decodeMedian = steps[steps.size() / 2];
  t.decodeTokensPerSecond = batch / t.decodeMedian;
  return t;
}

}  // namespace fleetlab
