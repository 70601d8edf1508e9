// An HF model folder read without Python or Node: config.json (Llama / Qwen2) and the
// weights from model.safetensors or a sharded model.safetensors.index.json. Tensors stay in
// their checkpoint dtype (F32, BF16, F16) in host memory; weights() hands out the runner's
// references with every shape checked, naming the tensor or config field that is wrong.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../model_weights.h"

namespace fleetlab {

struct HfTensor {
  ElemType type;
  std::vector<int64_t> shape;
  const uint8_t* data;
  size_t bytes;
};

class HfModel {
 public:
  // Throws std::runtime_error naming the file and field on anything unexpected.
  static HfModel load(const std::string& dir);

  const ModelConfig& config() const { return config_; }
  const std::string& arch() const { return arch_; }
  bool tiedEmbeddings() const { return tied_; }
  // The runner's weight references into this object's memory (valid while it lives).
  ModelWeights weights() const;

 private:
  const HfTensor& tensor(const std::string& name, const std::vector<int64_t>& shape) const;
  void readSafetensors(const std::string& path);

  ModelConfig config_{};
  std::string arch_;
  bool tied_ = false;
  std::vector<std::shared_ptr<std::vector<uint8_t>>> files_;
  std::map<std::string, HfTensor> tensors_;
};

}  // namespace fleetlab
