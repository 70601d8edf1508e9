#include "cuda_model_runner.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "gpu_math.h"
#include "step_plan.h"

namespace fleetlab {

namespace {

constexpr size_t kAlign = 256;
size_t alignUp(size_t n) { return (n + kAlign - 1) & ~(kAlign - 1); }

// Every weight with its element count, in a fixed order (null data = absent optional tensor).
struct WeightSlot {
  WeightRef* ref;
  size_t count;
};

std::vector<WeightSlot> weightSlots(const ModelConfig& c, ModelWeights& w) {
  const size_t H = c.hidden, V = c.vocab, I = c.intermediate;
  const size_t qDim = static_cast<size_t>(c.queryHeads) * c.headDim, kvDim = static_cast<size_t>(c.kvHeads) * c.headDim;
  std::vector<WeightSlot> s = {{&w.embed, V * H}, {&w.finalNorm, H}, {&w.lmHead, V * H}};
  for (LayerWeights& L : w.layers) {
    s.insert(s.end(), {{&L.inputNorm, H}, {&L.q, qDim * H}, {&L.k, kvDim * H}, {&L.v, kvDim * H}, {&L.o, H * qDim},
                       {&L.qBias, qDim}, {&L.kBias, kvDim}, {&L.vBias, kvDim}, {&L.postNorm, H}, {&L.gate, I * H},
                       {&L.up, I * H}, {&L.down, H * I}});
  }
  return s;
}

}  // namespace

CudaModelRunner::CudaModelRunner(const ModelConfig& config, const ModelWeights& hostWeights, std::shared_ptr<KvPool> kv,
                                 ElemType kvType, int blockSize, std::unique_ptr<KernelOps> ops)
    : c_(config), kv_(std::move(kv)), kvType_(kvType), blockSize_(blockSize), ops_(std::move(ops)), rope_(config.rope) {
  if (kv_->layers() != c_.layers) {
    throw std::runtime_error("KV pool has " + std::to_string(kv_->layers()) + " layers, the model " + std::to_string(c_.layers));
  }
  const uint64_t want = static_cast<uint64_t>(blockSize) * c_.kvHeads * c_.headDim * elemBytes(kvType);
  if (kv_->blockBytes() != want) {
    throw std::runtime_error("KV pool blocks hold " + std::to_string(kv_->blockBytes()) + " bytes, expected " +
                             std::to_string(want) + " (block_size x kv_heads x head_dim x dtype bytes)");
  }
  if (c_.queryHeads % c_.kvHeads != 0) throw std::runtime_error("num_attention_heads must be a multiple of num_key_value_heads");
  if (c_.headDim % 2 != 0 || c_.headDim > gpu::kMaxHeadDim) {
    throw std::runtime_error("head_dim = " + std::to_string(c_.headDim) + "; the CUDA runner needs an even head_dim <= " +
                             std::to_string(gpu::kMaxHeadDim));
  }
  if (static_cast<int>(hostWeights.layers.size()) != c_.layers) throw std::runtime_error("weights for a different layer count");
  const bool emulated = std::string(ops_->name()) != "cuda";
  if (emulated && kv_->device() >= 0) throw std::runtime_error("the emulated CUDA runner needs a host KV pool, got one on GPU " + std::to_string(kv_->device()));
  if (!emulated && kv_->device() < 0) throw std::runtime_error("the CUDA model runner needs a KV pool on the GPU (KvBlockPool with device), got a host pool");
  ops_->bind();
  uploadWeights(hostWeights);
}

CudaModelRunner::~CudaModelRunner() {
  try {
    ops_->bind();
    ops_->finish();
  } catch (...) {
    // Destructors never throw; a failed device is reported by the step that failed.
  }
  for (Buffer* b : {&buf_.ints, &buf_.cosSin, &buf_.x, &buf_.xn, &buf_.q, &buf_.k, &buf_.v, &buf_.att, &buf_.proj, &buf_.gate,
                    &buf_.up, &buf_.last, &buf_.logits}) {
    if (b->p) ops_->release(b->p);
  }
  if (weightMemory_) ops_->release(weightMemory_);
}

void CudaModelRunner::uploadWeights(const ModelWeights& host) {
  ModelWeights src = host;
  const bool tied = host.lmHead.data == host.embed.data;
  std::vector<WeightSlot> from = weightSlots(c_, src);
  size_t total = 0;
  for (size_t i = 0; i < from.size(); ++i) {
    if (from[i].ref->data && !(tied && i == 2)) total += alignUp(from[i].count * elemBytes(from[i].ref->type));
  }
  weightMemory_ = ops_->alloc(total);
  w_ = host;
  std::vector<WeightSlot> to = weightSlots(c_, w_);
  size_t at = 0;
  for (size_t i = 0; i < from.size(); ++i) {
    if (!from[i].ref->data || (tied && i == 2)) continue;
    const size_t bytes = from[i].count * elemBytes(from[i].ref->type);
    auto* dst = static_cast<uint8_t*>(weightMemory_) + at;
    ops_->upload(dst, from[i].ref->data, bytes);
    to[i].ref->data = dst;
    at += alignUp(bytes);
  }
  if (tied) w_.lmHead = w_.embed;
  ops_->finish();
}

void* CudaModelRunner::take(Buffer& b, size_t bytes) {
  if (b.bytes < bytes) {
    if (b.p) ops_->release(b.p);
    b.p = nullptr;
    b.bytes = 0;
    b.p = ops_->alloc(bytes);
    b.bytes = bytes;
  }
  return b.p;
}

void CudaModelRunner::validate(const ForwardBatch& b) const { validateBatch(b, c_.vocab, blockSize_, kv_->blocks()); }

void CudaModelRunner::forward(const ForwardBatch& b) {
  validate(b);
  ops_->bind();
  const StepPlan plan = planStep(b, rope_);
  const int M = plan.numTokens, H = c_.hidden, I = c_.intermediate, D = c_.headDim;
  const size_t Ms = static_cast<size_t>(M);
  const int qDim = c_.queryHeads * D, kvDim = c_.kvHeads * D;
  auto f32 = [&](Buffer& buf, size_t n) { return static_cast<float*>(take(buf, n * sizeof(float))); };
  auto* ints = static_cast<int32_t*>(take(buf_.ints, plan.ints.size() * sizeof(int32_t)));
  float* cosSin = f32(buf_.cosSin, plan.cosSin.size());
  float* x = f32(buf_.x, Ms * H);
  float* xn = f32(buf_.xn, Ms * H);
  float* qb = f32(buf_.q, Ms * qDim);
  float* kb = f32(buf_.k, Ms * kvDim);
  float* vb = f32(buf_.v, Ms * kvDim);
  float* att = f32(buf_.att, Ms * qDim);
  float* proj = f32(buf_.proj, Ms * H);
  float* gate = f32(buf_.gate, Ms * I);
  float* up = f32(buf_.up, Ms * I);
  ops_->upload(ints, plan.ints.data(), plan.ints.size() * sizeof(int32_t));
  ops_->upload(cosSin, plan.cosSin.data(), plan.cosSin.size() * sizeof(float));

  PagedKv kv{nullptr, nullptr, kvType_, blockSize_, c_.kvHeads, D, ints + plan.positions, ints + plan.tableOffsets, ints + plan.tables};
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(D)));  // as the CPU runner
  ops_->embed(w_.embed, H, ints + plan.tokens, M, x);
  for (int l = 0; l < c_.layers; ++l) {
    const LayerWeights& L = w_.layers[static_cast<size_t>(l)];
    kv.kSlab = kv_->slabData(l, 0);
    kv.vSlab = kv_->slabData(l, 1);
    ops_->rmsNorm(x, L.inputNorm, M, H, c_.rmsEps, xn);
    ops_->matmul(L.q, qDim, H, xn, M, qb);
    ops_->matmul(L.k, kvDim, H, xn, M, kb);
    ops_->matmul(L.v, kvDim, H, xn, M, vb);
    if (L.qBias.data) ops_->addBias(qb, L.qBias, M, qDim);
    if (L.kBias.data) ops_->addBias(kb, L.kBias, M, kvDim);
    if (L.vBias.data) ops_->addBias(vb, L.vBias, M, kvDim);
    ops_->rope(qb, M, c_.queryHeads, D, cosSin);
    ops_->rope(kb, M, c_.kvHeads, D, cosSin);
    // All new K/V are written before attention reads, so a prefill chunk sees itself.
    ops_->writeKv(kv, kb, vb, M);
    ops_->attention(kv, qb, M, c_.queryHeads, scale, att);
    ops_->matmul(L.o, H, qDim, att, M, proj);
    ops_->addInPlace(x, proj, Ms * H);
    ops_->rmsNorm(x, L.postNorm, M, H, c_.rmsEps, xn);
    ops_->matmul(L.gate, I, H, xn, M, gate);
    ops_->matmul(L.up, I, H, xn, M, up);
    ops_->siluMul(gate, up, Ms * I);
    ops_->matmul(L.down, H, I, gate, M, proj);
    ops_->addInPlace(x, proj, Ms * H);
  }
  if (plan.numRows > 0) {
    // Final norm and LM head only for the last token of each sequence that asks for logits.
    const size_t rows = static_cast<size_t>(plan.numRows);
    float* last = f32(buf_.last, rows * H);
    float* lastNorm = proj;  // free now, and at least M x H >= rows x H
    float* logits = f32(buf_.logits, rows * c_.vocab);
    ops_->gatherRows(x, H, ints + plan.rows, plan.numRows, last);
    ops_->rmsNorm(last, w_.finalNorm, plan.numRows, H, c_.rmsEps, lastNorm);
    ops_->matmul(w_.lmHead, c_.vocab, H, lastNorm, plan.numRows, logits);
    ops_->download(b.logits, logits, rows * c_.vocab * sizeof(float));
  }
  ops_->finish();
}

std::shared_ptr<Runner> makeCudaModelRunner(const ModelConfig& config, const ModelWeights& hostWeights, std::shared_ptr<KvPool> kv,
                                            ElemType kvType, int blockSize) {
  const int device = kv->device();
  return std::make_shared<CudaModelRunner>(config, hostWeights, std::move(kv), kvType, blockSize, makeCudaKernelOps(device));
}

std::shared_ptr<Runner> makeEmulatedCudaModelRunner(const ModelConfig& config, const ModelWeights& hostWeights,
                                                    std::shared_ptr<KvPool> kv, ElemType kvType, int blockSize) {
  return std::make_shared<CudaModelRunner>(config, hostWeights, std::move(kv), kvType, blockSize, makeHostKernelOps());
}

#ifndef FLEETLAB_WITH_CUDA
std::unique_ptr<KernelOps> makeCudaKernelOps(int device) {
  throw std::runtime_error("a model runner over a GPU KV pool (device " + std::to_string(device) +
                           ") needs the addon built with CUDA; this build has no CUDA toolkit. Install it and run "
                           "`npm run build:native`, or use a host KV pool (CPU runner)");
}
#endif

}  // namespace fleetlab
