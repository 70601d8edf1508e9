#include "model_runner_wrap.h"

#include <string>

#include "cpu_features.h"
#include "cpu_probe.h"
#include "cuda_model_runner.h"
#include "model_runner.h"
#include "kv_pool_wrap.h"
#include "napi_args.h"
#include "promise_worker.h"

namespace fleetlab {

// Layout of the constructor's `config` Float64Array (mirrored in backend/native/addon-types.ts).
enum ConfigIndex {
  kVocab, kHidden, kIntermediate, kLayers, kQueryHeads, kKvHeads, kHeadDim, kRmsEps, kRopeTheta, kLlama3,
  kRopeFactor, kLowFreq, kHighFreq, kOrigMaxPos, kAttentionBias, kBlockSize, kKvDtype, kThreads, kConfigLength
};
// Per-layer tensor slots after the three global ones (embed, final norm, lm head).
constexpr int kGlobalSlots = 3;
constexpr int kLayerSlots = 12;

Napi::Function ModelRunnerWrap::Init(Napi::Env env) {
  return DefineClass(env, "ModelRunner",
                     {InstanceMethod<&ModelRunnerWrap::Forward>("forward"),
                      InstanceMethod<&ModelRunnerWrap::Free>("free"),
                      InstanceAccessor<&ModelRunnerWrap::GetKernel>("kernel"),
                      InstanceAccessor<&ModelRunnerWrap::GetThreads>("threads")});
}

static ElemType elemType(Napi::Env env, int32_t code, size_t slot) {
  if (code < 0 || code > 2) throw Napi::RangeError::New(env, "tensor slot " + std::to_string(slot) + ": dtype code must be 0 (f32), 1 (bf16) or 2 (f16)");
  return static_cast<ElemType>(code);
}

// new ModelRunner(config: Float64Array, tensors: (Uint8Array | null)[], dtypes: Int32Array, kvPool, kernels)
// kernels: "auto" | "scalar" | "avx2" | "avx512" (CPU runner) or "cuda-emulation"; ignored for a
// device pool, which always gets the CUDA runner.
ModelRunnerWrap::ModelRunnerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ModelRunnerWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw Napi::TypeError::New(env, "argument 0 (config) must be a Float64Array");
  }
  auto c = info[0].As<Napi::Float64Array>();
  if (c.ElementLength() != kConfigLength) throw Napi::RangeError::New(env, "config must hold " + std::to_string(kConfigLength) + " numbers");
  auto I = [&](int i, double lo, double hi) {
    double v = c[static_cast<size_t>(i)];
    if (!(v >= lo && v <= hi) || v != static_cast<double>(static_cast<int64_t>(v))) {
      throw Napi::RangeError::New(env, "config[" + std::to_string(i) + "] = " + std::to_string(v) + " out of range");
    }
    return static_cast<int>(v);
  };
  ModelConfig mc{};
  mc.vocab = I(kVocab, 1, 1 << 24);
  mc.hidden = I(kHidden, 1, 1 << 20);
  mc.intermediate = I(kIntermediate, 1, 1 << 22);
  mc.layers = I(kLayers, 1, 4096);
  mc.queryHeads = I(kQueryHeads, 1, 4096);
  mc.kvHeads = I(kKvHeads, 1, 4096);
  mc.headDim = I(kHeadDim, 2, 4096);
  mc.rmsEps = static_cast<float>(c[kRmsEps]);
  mc.rope.headDim = mc.headDim;
  mc.rope.theta = c[kRopeTheta];
  mc.rope.llama3 = I(kLlama3, 0, 1) == 1;
  mc.rope.factor = c[kRopeFactor];
  mc.rope.lowFreqFactor = c[kLowFreq];
  mc.rope.highFreqFactor = c[kHighFreq];
  mc.rope.originalMaxPositions = c[kOrigMaxPos];
  mc.attentionBias = I(kAttentionBias, 0, 1) == 1;
  const int blockSize = I(kBlockSize, 1, 1 << 16);
  const ElemType kvType = elemType(env, I(kKvDtype, 0, 2), 0);
  const int threads = I(kThreads, 1, 256);
  if (mc.headDim % 2 != 0) throw Napi::RangeError::New(env, "head_dim must be even for RoPE");
  if (mc.queryHeads % mc.kvHeads != 0) throw Napi::RangeError::New(env, "num_attention_heads must be a multiple of num_key_value_heads");

  if (info.Length() < 2 || !info[1].IsArray()) throw Napi::TypeError::New(env, "argument 1 (tensors) must be an array");
  auto arr = info[1].As<Napi::Array>();
  auto dtypes = NapiArgs::int32s(info, 2, "dtypes");
  const size_t slots = kGlobalSlots + static_cast<size_t>(kLayerSlots) * mc.layers;
  if (arr.Length() != slots || dtypes.size() != slots) {
    throw Napi::RangeError::New(env, "expected " + std::to_string(slots) + " tensor slots");
  }
  const uint64_t H = mc.hidden, V = mc.vocab, Im = mc.intermediate;
  const uint64_t qDim = static_cast<uint64_t>(mc.queryHeads) * mc.headDim, kvDim = static_cast<uint64_t>(mc.kvHeads) * mc.headDim;
  // Element count each slot must hold; 0 marks an optional slot (lm head when tied, biases).
  const uint64_t layerCounts[kLayerSlots] = {H, qDim * H, kvDim * H, kvDim * H, H * qDim, qDim, kvDim, kvDim, H, Im * H, Im * H, H * Im};
  auto ref = [&](size_t slot, uint64_t count, bool optional) -> WeightRef {
    Napi::Value v = arr.Get(static_cast<uint32_t>(slot));
    if (v.IsNull() || v.IsUndefined()) {
      if (optional) return WeightRef{};
      throw Napi::TypeError::New(env, "tensor slot " + std::to_string(slot) + " is required");
    }
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      throw Napi::TypeError::New(env, "tensor slot " + std::to_string(slot) + " must be a Uint8Array");
    }
    auto u8 = v.As<Napi::Uint8Array>();
    const ElemType t = elemType(env, dtypes[slot], slot);
    if (u8.ByteLength() != count * static_cast<uint64_t>(elemBytes(t))) {
      throw Napi::RangeError::New(env, "tensor slot " + std::to_string(slot) + " holds " + std::to_string(u8.ByteLength()) +
                                           " bytes, expected " + std::to_string(count * elemBytes(t)));
    }
    keepAlive_.push_back(Napi::Persistent(u8.As<Napi::Object>()));
    return WeightRef{u8.Data(), t};
  };
  ModelWeights w;
  w.embed = ref(0, V * H, false);
  w.finalNorm = ref(1, H, false);
  w.lmHead = ref(2, V * H, true);
  if (!w.lmHead.data) w.lmHead = w.embed;
  for (int l = 0; l < mc.layers; ++l) {
    const size_t b = kGlobalSlots + static_cast<size_t>(l) * kLayerSlots;
    LayerWeights L;
    WeightRef* fields[kLayerSlots] = {&L.inputNorm, &L.q, &L.k, &L.v, &L.o, &L.qBias, &L.kBias, &L.vBias, &L.postNorm, &L.gate, &L.up, &L.down};
    for (int i = 0; i < kLayerSlots; ++i) *fields[i] = ref(b + static_cast<size_t>(i), layerCounts[i], i >= 5 && i <= 7);
    w.layers.push_back(L);
  }

  if (info.Length() < 4 || !info[3].IsObject() || !KvPoolWrap::isKvPool(info[3].As<Napi::Object>())) {
    throw Napi::TypeError::New(env, "argument 3 (kvPool) must be a KvPool");
  }
  auto pool = Napi::ObjectWrap<KvPoolWrap>::Unwrap(info[3].As<Napi::Object>())->pool(env);
  keepAlive_.push_back(Napi::Persistent(info[3].As<Napi::Object>()));
  if (info.Length() < 5 || !info[4].IsString()) throw Napi::TypeError::New(env, "argument 4 (simd) must be a string");
  const std::string kernels = info[4].As<Napi::String>().Utf8Value();
  try {
    // A device pool selects the CUDA runner; "cuda-emulation" runs its kernels' CPU mirror.
    if (pool->device() >= 0) {
      runner_ = makeCudaModelRunner(mc, w, pool, kvType, blockSize);
    } else if (kernels == "cuda-emulation") {
      runner_ = makeEmulatedCudaModelRunner(mc, w, pool, kvType, blockSize);
    } else {
      const SimdLevel level = CpuFeatures::choose(kernels);
      runner_ = std::make_shared<ModelRunner>(mc, std::move(w), pool, kvType, blockSize, threads, level);
    }
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  vocab_ = mc.vocab;
}

std::shared_ptr<Runner> ModelRunnerWrap::runner(Napi::Env env) const {
  if (!runner_) throw Napi::Error::New(env, "model runner was freed");
  return runner_;
}

// forward(tokens: Int32Array, seqs: Int32Array [n*4: tokenOffset, numTokens, startPos, wantLogits],
//         blockTables: Int32Array, blockOffsets: Int32Array [n+1], logits: Float32Array) -> Promise<void>
Napi::Value ModelRunnerWrap::Forward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto r = runner(env);
  auto tokens = std::make_shared<std::vector<int32_t>>(NapiArgs::int32s(info, 0, "tokens"));
  auto meta = NapiArgs::int32s(info, 1, "seqs");
  auto tables = std::make_shared<std::vector<int32_t>>(NapiArgs::int32s(info, 2, "blockTables"));
  auto offsets = NapiArgs::int32s(info, 3, "blockOffsets");
  if (info.Length() < 5 || !info[4].IsTypedArray() || info[4].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(env, "argument 4 (logits) must be a Float32Array");
  }
  auto logits = info[4].As<Napi::Float32Array>();
  if (meta.size() % 4 != 0 || offsets.size() != meta.size() / 4 + 1) throw Napi::RangeError::New(env, "seqs/blockOffsets lengths disagree");
  auto batch = std::make_shared<ForwardBatch>();
  batch->tokens = tokens->data();
  batch->numTokens = static_cast<int>(tokens->size());
  size_t wanting = 0;
  for (size_t s = 0; s < meta.size() / 4; ++s) {
    const int32_t b0 = offsets[s], b1 = offsets[s + 1];
    if (b0 < 0 || b1 < b0 || static_cast<size_t>(b1) > tables->size()) throw Napi::RangeError::New(env, "blockOffsets out of range");
    ForwardSeq fs{SeqSlice{meta[s * 4], meta[s * 4 + 1], meta[s * 4 + 2], tables->data() + b0, b1 - b0}, meta[s * 4 + 3] != 0};
    wanting += fs.wantLogits ? 1 : 0;
    batch->seqs.push_back(fs);
  }
  if (logits.ElementLength() != wanting * static_cast<size_t>(vocab_)) {
    throw Napi::RangeError::New(env, "logits must hold " + std::to_string(wanting) + " x " + std::to_string(vocab_) + " floats");
  }
  batch->logits = logits.Data();
  try {
    r->validate(*batch);
  } catch (const std::exception& e) {
    throw Napi::RangeError::New(env, e.what());
  }
  bool expected = false;
  if (!busy_->compare_exchange_strong(expected, true)) {
    Napi::Error e = Napi::Error::New(env, "a forward is already in flight on this runner; await it before the next step");
    e.Set("code", Napi::String::New(env, "EBUSY"));
    throw e;
  }
  auto busy = busy_;
  auto* worker = new PromiseWorker(env, "model.forward", [r, batch, tokens, tables] { r->forward(*batch); }, nullptr,
                                   {logits.As<Napi::Object>(), info.This().As<Napi::Object>()},
                                   [busy] { busy->store(false); });
  worker->Queue();
  return worker->promise();
}

Napi::Value ModelRunnerWrap::Free(const Napi::CallbackInfo& info) {
  // The weight buffers are only referenced here, so they must outlive any running step.
  if (busy_->load()) throw Napi::Error::New(info.Env(), "cannot free the model runner while a forward is in flight");
  runner_.reset();
  for (auto& ref : keepAlive_) ref.Reset();
  keepAlive_.clear();
  return info.Env().Undefined();
}

Napi::Value ModelRunnerWrap::GetKernel(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), runner(info.Env())->kernelName());
}

Napi::Value ModelRunnerWrap::GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), runner(info.Env())->threads());
}

Napi::Value CpuFeaturesJs(const Napi::CallbackInfo& info) {
  const CpuFeatures& f = CpuFeatures::host();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("avx2", f.avx2);
  o.Set("fma", f.fma);
  o.Set("f16c", f.f16c);
  o.Set("avx512f", f.avx512f);
  o.Set("avx512bf16", f.avx512bf16);
  o.Set("best", CpuFeatures::kernels(CpuFeatures::choose("auto")).name);
  return o;
}

Napi::Value CpuPeaksJs(const Napi::CallbackInfo& info) {
  const int threads = static_cast<int>(NapiArgs::integer(info, 0, "threads", 1, 256));
  const auto bytes = static_cast<uint64_t>(NapiArgs::integer(info, 1, "bufferBytes", 1 << 20, 1LL << 40));
  const double seconds = NapiArgs::number(info, 2, "seconds");
  auto out = std::make_shared<CpuPeaks>();
  auto* w = new PromiseWorker(info.Env(), "cpuPeaks", [=] { *out = CpuProbe::measure(threads, bytes, seconds); },
                              [out](Napi::Env e) {
                                Napi::Object o = Napi::Object::New(e);
                                o.Set("readBytesPerSecond", out->readBytesPerSecond);
                                o.Set("flopsPerSecond", out->flopsPerSecond);
                                o.Set("fmaIsa", out->fmaIsa);
                                return o;
                              },
                              {}, nullptr);
  w->Queue();
  return w->promise();
}

}  // namespace fleetlab
