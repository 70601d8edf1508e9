#include "hf_model.h"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "json.h"

namespace fleetlab {

namespace {

std::string readText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string shapeText(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

// A positive integer field of config.json (or its default when absent and def > 0).
int intField(const Json& c, const char* key, const std::string& file, int def = 0) {
  const Json* v = c.get(key);
  if (!v) {
    if (def > 0) return def;
    throw std::runtime_error(file + ": " + key + " is missing; expected a positive integer");
  }
  if (v->kind != Json::Kind::Number || v->number < 1 || v->number != std::floor(v->number) || v->number > 1e9) {
    throw std::runtime_error(file + ": " + key + " = " + std::to_string(v->number) + "; expected a positive integer");
  }
  return static_cast<int>(v->number);
}

double numField(const Json& c, const char* key, double def) {
  const Json* v = c.get(key);
  return v && v->kind == Json::Kind::Number ? v->number : def;
}

bool boolField(const Json& c, const char* key, bool def) {
  const Json* v = c.get(key);
  return v && v->kind == Json::Kind::Bool ? v->boolean : def;
}

}  // namespace

HfModel HfModel::load(const std::string& dir) {
  HfModel m;
  const std::string cfgPath = dir + "/config.json";
  const Json c = Json::parse(readText(cfgPath), cfgPath);
  std::string type;
  if (const Json* t = c.get("model_type")) type = t->string;
  if (type != "llama" && type != "qwen2") {
    throw std::runtime_error(cfgPath + ": model_type = \"" + type + "\"; expected \"llama\" or \"qwen2\"");
  }
  m.arch_ = type;
  ModelConfig& k = m.config_;
  k.vocab = intField(c, "vocab_size", cfgPath);
  k.hidden = intField(c, "hidden_size", cfgPath);
  k.intermediate = intField(c, "intermediate_size", cfgPath);
  k.layers = intField(c, "num_hidden_layers", cfgPath);
  k.queryHeads = intField(c, "num_attention_heads", cfgPath);
  k.kvHeads = intField(c, "num_key_value_heads", cfgPath, k.queryHeads);
  if (k.hidden % k.queryHeads != 0 && !c.get("head_dim")) {
    throw std::runtime_error(cfgPath + ": num_attention_heads = " + std::to_string(k.queryHeads) + " does not divide hidden_size and head_dim is absent");
  }
  k.headDim = intField(c, "head_dim", cfgPath, k.hidden / k.queryHeads);
  if (k.queryHeads % k.kvHeads != 0) throw std::runtime_error(cfgPath + ": num_attention_heads must be a multiple of num_key_value_heads");
  if (k.headDim % 2 != 0) throw std::runtime_error(cfgPath + ": head_dim = " + std::to_string(k.headDim) + "; expected an even number");
  k.rmsEps = static_cast<float>(numField(c, "rms_norm_eps", 1e-6));
  k.rope.headDim = k.headDim;
  k.rope.theta = numField(c, "rope_theta", 10000);
  k.rope.originalMaxPositions = numField(c, "max_position_embeddings", 8192);
  // transformers >= 5 writes rope_parameters {rope_type, rope_theta, ...} instead of
  // rope_theta + rope_scaling; read either.
  const Json* rs = c.get("rope_scaling");
  if (const Json* rp = c.get("rope_parameters")) {
    k.rope.theta = numField(*rp, "rope_theta", k.rope.theta);
    rs = rp;
  }
  if (rs) {
    std::string kind;
    if (const Json* t = rs->get("rope_type")) kind = t->string;
    else if (const Json* t2 = rs->get("type")) kind = t2->string;
    if (kind == "llama3") {
      k.rope.llama3 = true;
      k.rope.factor = numField(*rs, "factor", 0);
      k.rope.lowFreqFactor = numField(*rs, "low_freq_factor", 0);
      k.rope.highFreqFactor = numField(*rs, "high_freq_factor", 0);
      k.rope.originalMaxPositions = numField(*rs, "original_max_position_embeddings", 0);
      if (!(k.rope.factor > 0 && k.rope.lowFreqFactor > 0 && k.rope.highFreqFactor > k.rope.lowFreqFactor && k.rope.originalMaxPositions > 0)) {
        throw std::runtime_error(cfgPath + ": rope_scaling (llama3) needs factor, low_freq_factor < high_freq_factor and original_max_position_embeddings > 0");
      }
    } else if (kind != "default" && !kind.empty()) {
      throw std::runtime_error(cfgPath + ": rope_scaling.rope_type = \"" + kind + "\"; expected \"llama3\" or \"default\"");
    }
  }
  if (boolField(c, "mlp_bias", false)) throw std::runtime_error(cfgPath + ": mlp_bias = true; MLP biases are not implemented");
  // Qwen2 always has q/k/v biases; Llama says so in attention_bias.
  k.attentionBias = type == "qwen2" ? true : boolField(c, "attention_bias", false);
  m.tied_ = boolField(c, "tie_word_embeddings", false);

  std::ifstream single(dir + "/model.safetensors");
  if (single) {
    m.readSafetensors(dir + "/model.safetensors");
  } else {
    const std::string indexPath = dir + "/model.safetensors.index.json";
    const Json index = Json::parse(readText(indexPath), indexPath);
    const Json* map = index.get("weight_map");
    if (!map || map->kind != Json::Kind::Object) throw std::runtime_error(indexPath + ": weight_map is missing");
    std::set<std::string> files;
    for (const auto& e : map->members) files.insert(e.second.string);
    for (const std::string& f : files) m.readSafetensors(dir + "/" + f);
  }
  return m;
}

void HfModel::readSafetensors(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) throw std::runtime_error("cannot open " + path);
  const auto size = static_cast<size_t>(f.tellg());
  auto bytes = std::make_shared<std::vector<uint8_t>>(size);
  f.seekg(0);
  f.read(reinterpret_cast<char*>(bytes->data()), static_cast<std::streamsize>(size));
  if (!f || size < 8) throw std::runtime_error(path + ": cannot read (" + std::to_string(size) + " bytes)");
  uint64_t headerLen = 0;
  for (int i = 7; i >= 0; --i) headerLen = (headerLen << 8) | (*bytes)[static_cast<size_t>(i)];
  if (headerLen > size - 8) throw std::runtime_error(path + ": header length " + std::to_string(headerLen) + " exceeds the file");
  const Json h = Json::parse(std::string(reinterpret_cast<const char*>(bytes->data() + 8), headerLen), path + " header");
  const size_t base = 8 + headerLen;
  for (const auto& e : h.members) {
    if (e.first == "__metadata__") continue;
    const Json& t = e.second;
    const Json* dt = t.get("dtype");
    const Json* sh = t.get("shape");
    const Json* off = t.get("data_offsets");
    if (!dt || !sh || !off || off->items.size() != 2) throw std::runtime_error(path + ": tensor " + e.first + " lacks dtype, shape or data_offsets");
    HfTensor x{};
    if (dt->string == "F32") x.type = ElemType::F32;
    else if (dt->string == "BF16") x.type = ElemType::BF16;
    else if (dt->string == "F16") x.type = ElemType::F16;
    else throw std::runtime_error(path + ": tensor " + e.first + " has dtype " + dt->string + "; the runner reads F32, BF16 or F16");
    uint64_t count = 1;
    for (const Json& d : sh->items) {
      x.shape.push_back(static_cast<int64_t>(d.number));
      count *= static_cast<uint64_t>(d.number);
    }
    const auto a = static_cast<uint64_t>(off->items[0].number), b = static_cast<uint64_t>(off->items[1].number);
    if (b < a || base + b > size || b - a != count * static_cast<uint64_t>(elemBytes(x.type))) {
      throw std::runtime_error(path + ": tensor " + e.first + " has data_offsets [" + std::to_string(a) + ", " + std::to_string(b) +
                               "] that do not fit its shape " + shapeText(x.shape) + " or the file");
    }
    x.data = bytes->data() + base + a;
    x.bytes = b - a;
    tensors_[e.first] = x;
  }
  files_.push_back(std::move(bytes));
}

const HfTensor& HfModel::tensor(const std::string& name, const std::vector<int64_t>& shape) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw std::runtime_error("tensor " + name + " is missing");
  if (it->second.shape != shape) {
    throw std::runtime_error("tensor " + name + " has shape " + shapeText(it->second.shape) + "; expected " + shapeText(shape));
  }
  return it->second;
}

ModelWeights HfModel::weights() const {
  const ModelConfig& c = config_;
  const int64_t H = c.hidden, V = c.vocab, I = c.intermediate;
  const int64_t q = static_cast<int64_t>(c.queryHeads) * c.headDim, kv = static_cast<int64_t>(c.kvHeads) * c.headDim;
  auto ref = [&](const std::string& name, std::vector<int64_t> shape) {
    const HfTensor& t = tensor(name, shape);
    return WeightRef{t.data, t.type};
  };
  ModelWeights w;
  w.embed = ref("model.embed_tokens.weight", {V, H});
  w.finalNorm = ref("model.norm.weight", {H});
  w.lmHead = tied_ ? w.embed : ref("lm_head.weight", {V, H});
  for (int l = 0; l < c.layers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    LayerWeights L;
    L.inputNorm = ref(p + "input_layernorm.weight", {H});
    L.q = ref(p + "self_attn.q_proj.weight", {q, H});
    L.k = ref(p + "self_attn.k_proj.weight", {kv, H});
    L.v = ref(p + "self_attn.v_proj.weight", {kv, H});
    L.o = ref(p + "self_attn.o_proj.weight", {H, q});
    if (c.attentionBias) {
      L.qBias = ref(p + "self_attn.q_proj.bias", {q});
      L.kBias = ref(p + "self_attn.k_proj.bias", {kv});
      L.vBias = ref(p + "self_attn.v_proj.bias", {kv});
    }
    L.postNorm = ref(p + "post_attention_layernorm.weight", {H});
    L.gate = ref(p + "mlp.gate_proj.weight", {I, H});
    L.up = ref(p + "mlp.up_proj.weight", {I, H});
    L.down = ref(p + "mlp.down_proj.weight", {H, I});
    w.layers.push_back(L);
  }
  return w;
}

}  // namespace fleetlab
