// Throughput of a runner: one prefill step of `batch` prompts, then `decode` steps of `batch`
// single tokens each, every step timed to completion (logits downloaded).
#pragma once
#include "../forward_batch.h"

namespace fleetlab {

struct Throughput {
  double prefillSeconds = 0, prefillTokensPerSecond = 0;
  double decodeFastest = 0, decodeMedian = 0, decodeTokensPerSecond = 0;  // tokens/s of the median step
};

// The pool behind `r` must hold batch x ceil((prompt + decode) / blockSize) blocks.
Throughput measureThroughput(Runner& r, int vocab, int blockSize, int batch, int prompt, int decode);

}  // namespace fleetlab
