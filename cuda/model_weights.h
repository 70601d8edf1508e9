// The model a runner computes: its shape (from the HF config.json) and references to its
// weights in their checkpoint dtype. Shared by the CPU and the CUDA runner.
#pragma once
#include <vector>

#include "half_convert.h"
#include "rope.h"

namespace fleetlab {

struct ModelConfig {
  int vocab;
  int hidden;
  int intermediate;
  int layers;
  int queryHeads;
  int kvHeads;
  int headDim;
  float rmsEps;
  RopeConfig rope;
  bool attentionBias;
};

struct WeightRef {
  const void* data = nullptr;
  ElemType type = ElemType::F32;
};

struct LayerWeights {
  WeightRef inputNorm, q, k, v, o, qBias, kBias, vBias, postNorm, gate, up, down;
};

struct ModelWeights {
  WeightRef embed, finalNorm, lmHead;  // lmHead == embed when the embeddings are tied
  std::vector<LayerWeights> layers;
};

}  // namespace fleetlab
