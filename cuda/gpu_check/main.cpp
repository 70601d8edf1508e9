// fleetlab-gpu-check: runs the native model runners on an HF model folder without Node, and
// writes their logits for scripts/gpu-check.py to compare (with HF transformers, with each
// other, and across batch compositions).
//
//   fleetlab-gpu-check --model DIR --backend cuda|emu|cpu --sequences FILE --out PREFIX
//                      [--kv-dtype f32|bf16|f16] [--block-size 16] [--chunk 8] [--threads N]
//   fleetlab-gpu-check --model DIR --backend cuda --bench-batch B [--bench-prompt 128] [--bench-decode 32]
//
// FILE has one sequence per line: "P t0 t1 ... t(L-1)": the first P ids are the prompt, the
// rest are fed one decode step at a time (teacher forcing, so every backend and HF see the
// same tokens). For each sequence the logits at positions P-1 .. L-1 are recorded, twice:
//   PREFIX.alone.f32  each sequence alone: one-shot prefill, then its decode steps;
//   PREFIX.batch.f32  all sequences in one schedule: sequence i joins at step i, prefills in
//                     chunks of --chunk tokens beside the others' chunks and decodes, with
//                     its KV in scattered blocks.
// Both files hold the sequences in file order, [L - P + 1, vocab] f32 each. One JSON line on
// stdout says what ran and how long each scenario took.
// With --bench-batch it measures throughput instead (throughput.cpp) and writes no logits.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "../cpu_features.h"
#include "../cuda_model_runner.h"
#include "../kv_pool.h"
#include "../model_runner.h"
#include "hf_model.h"
#include "throughput.h"

namespace fleetlab {
namespace {

struct Sequence {
  int prompt;
  std::vector<int32_t> tokens;
  int rows() const { return static_cast<int>(tokens.size()) - prompt + 1; }
};

struct Options {
  std::string model, backend, sequences, out, kvDtype = "f32";
  int blockSize = 16, chunk = 8, threads = 4;
  int benchBatch = 0, benchPrompt = 128, benchDecode = 32;
};

int positiveInt(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  const long n = std::strtol(v.c_str(), &end, 10);
  if (*end != '\0' || n < 1 || n > (1 << 20)) throw std::runtime_error(flag + " = " + v + "; expected a positive integer");
  return static_cast<int>(n);
}

Options parseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
    const std::string v = argv[++i];
    if (a == "--model") o.model = v;
    else if (a == "--backend") o.backend = v;
    else if (a == "--sequences") o.sequences = v;
    else if (a == "--out") o.out = v;
    else if (a == "--kv-dtype") o.kvDtype = v;
    else if (a == "--block-size") o.blockSize = positiveInt(a, v);
    else if (a == "--chunk") o.chunk = positiveInt(a, v);
    else if (a == "--threads") o.threads = positiveInt(a, v);
    else if (a == "--bench-batch") o.benchBatch = positiveInt(a, v);
    else if (a == "--bench-prompt") o.benchPrompt = positiveInt(a, v);
    else if (a == "--bench-decode") o.benchDecode = positiveInt(a, v);
    else throw std::runtime_error("unknown option " + a);
  }
  if (o.model.empty()) throw std::runtime_error("--model is required");
  if (o.benchBatch == 0 && (o.sequences.empty() || o.out.empty())) throw std::runtime_error("--sequences and --out are required (or --bench-batch)");
  if (o.backend != "cuda" && o.backend != "emu" && o.backend != "cpu") throw std::runtime_error("--backend = " + o.backend + "; expected cuda, emu or cpu");
  if (o.kvDtype != "f32" && o.kvDtype != "bf16" && o.kvDtype != "f16") throw std::runtime_error("--kv-dtype = " + o.kvDtype + "; expected f32, bf16 or f16");
  return o;
}

std::vector<Sequence> readSequences(const std::string& path, int vocab) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot open " + path);
  std::vector<Sequence> out;
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream ls(line);
    Sequence s{};
    if (!(ls >> s.prompt)) continue;  // blank line
    long t;
    while (ls >> t) {
      if (t < 0 || t >= vocab) throw std::runtime_error(path + " line " + std::to_string(out.size() + 1) + ": token " + std::to_string(t) + " outside [0, " + std::to_string(vocab) + ")");
      s.tokens.push_back(static_cast<int32_t>(t));
    }
    if (s.prompt < 1 || s.prompt > static_cast<int>(s.tokens.size())) {
      throw std::runtime_error(path + " line " + std::to_string(out.size() + 1) + ": prompt length " + std::to_string(s.prompt) + " not in [1, " + std::to_string(s.tokens.size()) + "]");
    }
    out.push_back(std::move(s));
  }
  if (out.empty()) throw std::runtime_error(path + " holds no sequence");
  return out;
}

// One sequence's piece of a step.
struct Piece {
  size_t seq;
  int start, count;
  const int32_t* blocks;
  int numBlocks;
  bool wantLogits;
};

// Runs one step; copies each logits row to `records[seq]` at row (last position - (P - 1)).
void step(Runner& r, const std::vector<Piece>& pieces, const std::vector<Sequence>& seqs, int vocab,
          std::vector<std::vector<float>>& records) {
  ForwardBatch b{};
  std::vector<int32_t> tokens;
  int rows = 0;
  for (const Piece& p : pieces) {
    b.seqs.push_back(ForwardSeq{SeqSlice{static_cast<int>(tokens.size()), p.count, p.start, p.blocks, p.numBlocks}, p.wantLogits});
    tokens.insert(tokens.end(), seqs[p.seq].tokens.begin() + p.start, seqs[p.seq].tokens.begin() + p.start + p.count);
    rows += p.wantLogits ? 1 : 0;
  }
  std::vector<float> logits(static_cast<size_t>(rows) * vocab);
  b.tokens = tokens.data();
  b.numTokens = static_cast<int>(tokens.size());
  b.logits = logits.data();
  r.forward(b);
  int row = 0;
  for (const Piece& p : pieces) {
    if (!p.wantLogits) continue;
    const int at = p.start + p.count - 1 - (seqs[p.seq].prompt - 1);
    std::copy(logits.begin() + static_cast<long>(row) * vocab, logits.begin() + static_cast<long>(row + 1) * vocab,
              records[p.seq].begin() + static_cast<long>(at) * vocab);
    ++row;
  }
}

void write(const std::string& path, const std::vector<std::vector<float>>& records) {
  std::ofstream f(path, std::ios::binary);
  for (const auto& r : records) f.write(reinterpret_cast<const char*>(r.data()), static_cast<std::streamsize>(r.size() * sizeof(float)));
  if (!f) throw std::runtime_error("cannot write " + path);
}

double seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::shared_ptr<Runner> makeRunner(const Options& o, const ModelConfig& c, const ModelWeights& w, ElemType kvType, int numBlocks) {
  const uint64_t blockBytes = static_cast<uint64_t>(o.blockSize) * c.kvHeads * c.headDim * elemBytes(kvType);
  auto kv = std::make_shared<KvPool>(c.layers, numBlocks, blockBytes, o.backend == "cuda" ? 0 : -1);
  if (o.backend == "cuda") return makeCudaModelRunner(c, w, kv, kvType, o.blockSize);
  if (o.backend == "emu") return makeEmulatedCudaModelRunner(c, w, kv, kvType, o.blockSize);
  return std::make_shared<ModelRunner>(c, w, kv, kvType, o.blockSize, o.threads, CpuFeatures::choose("auto"));
}

int run(const Options& o) {
  const HfModel model = HfModel::load(o.model);
  const ModelConfig& c = model.config();
  const ElemType kvType = o.kvDtype == "f32" ? ElemType::F32 : o.kvDtype == "bf16" ? ElemType::BF16 : ElemType::F16;
  if (o.benchBatch > 0) {
    const int perSeq = (o.benchPrompt + o.benchDecode + o.blockSize - 1) / o.blockSize;
    auto runner = makeRunner(o, c, model.weights(), kvType, perSeq * o.benchBatch);
    const Throughput t = measureThroughput(*runner, c.vocab, o.blockSize, o.benchBatch, o.benchPrompt, o.benchDecode);
    std::printf("{\"backend\":\"%s\",\"kernel\":\"%s\",\"batch\":%d,\"prompt\":%d,\"decode_steps\":%d,"
                "\"prefill_s\":%.5f,\"prefill_tokens_per_s\":%.1f,\"decode_step_fastest_s\":%.5f,\"decode_step_median_s\":%.5f,"
                "\"decode_tokens_per_s\":%.1f}\n",
                o.backend.c_str(), runner->kernelName(), o.benchBatch, o.benchPrompt, o.benchDecode, t.prefillSeconds,
                t.prefillTokensPerSecond, t.decodeFastest, t.decodeMedian, t.decodeTokensPerSecond);
    return 0;
  }
  const std::vector<Sequence> seqs = readSequences(o.sequences, c.vocab);
  const size_t S = seqs.size();
  int maxBlocks = 0;
  for (const Sequence& s : seqs) maxBlocks = std::max(maxBlocks, static_cast<int>((s.tokens.size() + o.blockSize - 1) / o.blockSize));
  // Blocks [0, maxBlocks) for the "alone" runs (reused by each sequence in turn), the rest for
  // the batch, interleaved across sequences in reverse so every table is scattered.
  const std::shared_ptr<Runner> runner = makeRunner(o, c, model.weights(), kvType, maxBlocks * static_cast<int>(S + 1));

  auto fresh = [&] {
    std::vector<std::vector<float>> r;
    for (const Sequence& s : seqs) r.emplace_back(static_cast<size_t>(s.rows()) * c.vocab, 0.0f);
    return r;
  };
  std::vector<int32_t> aloneTable(static_cast<size_t>(maxBlocks));
  for (int j = 0; j < maxBlocks; ++j) aloneTable[static_cast<size_t>(j)] = j;
  std::vector<std::vector<int32_t>> batchTables(S);
  for (size_t i = 0; i < S; ++i)
    for (int j = 0; j < maxBlocks; ++j) batchTables[i].push_back(maxBlocks + j * static_cast<int>(S) + static_cast<int>(S - 1 - i));

  auto records = fresh();
  int aloneSteps = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < S; ++i) {
    const Sequence& s = seqs[i];
    step(*runner, {Piece{i, 0, s.prompt, aloneTable.data(), maxBlocks, true}}, seqs, c.vocab, records);
    ++aloneSteps;
    for (int p = s.prompt; p < static_cast<int>(s.tokens.size()); ++p, ++aloneSteps) {
      step(*runner, {Piece{i, p, 1, aloneTable.data(), maxBlocks, true}}, seqs, c.vocab, records);
    }
  }
  const double aloneSeconds = seconds(t0);
  write(o.out + ".alone.f32", records);

  records = fresh();
  std::vector<int> done(S, 0);
  int batchSteps = 0, maxBatch = 0;
  t0 = std::chrono::steady_clock::now();
  for (int st = 0;; ++st) {
    std::vector<Piece> pieces;
    for (size_t i = 0; i < S; ++i) {
      const Sequence& s = seqs[i];
      const int pos = done[i];
      if (static_cast<int>(i) > st || pos >= static_cast<int>(s.tokens.size())) continue;
      const int count = pos < s.prompt ? std::min(o.chunk, s.prompt - pos) : 1;
      pieces.push_back(Piece{i, pos, count, batchTables[i].data(), maxBlocks, pos + count >= s.prompt});
      done[i] = pos + count;
    }
    if (pieces.empty() && st >= static_cast<int>(S)) break;
    if (pieces.empty()) continue;
    maxBatch = std::max(maxBatch, static_cast<int>(pieces.size()));
    step(*runner, pieces, seqs, c.vocab, records);
    ++batchSteps;
  }
  const double batchSeconds = seconds(t0);
  write(o.out + ".batch.f32", records);

  std::printf("{\"backend\":\"%s\",\"kernel\":\"%s\",\"arch\":\"%s\",\"sequences\":%zu,\"alone_steps\":%d,\"alone_s\":%.4f,"
              "\"batch_steps\":%d,\"max_batch\":%d,\"batch_s\":%.4f}\n",
              o.backend.c_str(), runner->kernelName(), model.arch().c_str(), S, aloneSteps, aloneSeconds, batchSteps, maxBatch,
              batchSeconds);
  return 0;
}

}  // namespace
}  // namespace fleetlab

int main(int argc, char** argv) {
  try {
    return fleetlab::run(fleetlab::parseArgs(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fleetlab-gpu-check: %s\n", e.what());
    return 2;
  }
}
