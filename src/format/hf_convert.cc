#include "format/hf_convert.h"

#include <charconv>
#include <climits>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "flatbert/error.hpp"
#include "format/arch.h"
#include "format/file_io.h"
#include "format/safetensors.h"

namespace flatbert {
namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

constexpr size_t kMaxConfigBytes = 16 << 20;  // config.json, tokenizer_config.json

json ReadJson(const fs::path& path) { return ReadJsonFile(path.string(), kMaxConfigBytes); }

// j[key] as T, or fallback when the key is absent or null. Integers must be integers that fit an int.
template <typename T>
T Get(const json& j, const char* key, T fallback) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  const json& value = j[key];
  auto wrong = [&](const char* expected) {
    return Error(std::string("key '") + key + "' holds " + value.dump() + ", expected " + expected);
  };
  if constexpr (std::is_same_v<T, int>) {
    if (!value.is_number_integer() || value.get<int64_t>() < INT_MIN || value.get<int64_t>() > INT_MAX)
      throw wrong("an integer");
  }
  try {
    return value.get<T>();
  } catch (const json::exception&) {
    throw wrong(std::is_same_v<T, bool> ? "a boolean" : std::is_same_v<T, std::string> ? "a string" : "a number");
  }
}

fb::ArchConfigT ParseConfig(const json& j) {
  fb::ArchConfigT c;
  const std::string type = Get<std::string>(j, "model_type", j.contains("intra_bottleneck_size") ? "mobilebert" : "bert");
  if (type != "bert" && type != "mobilebert") throw Error("config.json: model_type '" + type + "' is not bert or mobilebert");
  const bool mobile = type == "mobilebert";
  c.arch = mobile ? fb::Arch::MobileBert : fb::Arch::Bert;
  c.vocab_size = Get<int>(j, "vocab_size", 30522);
  c.hidden_size = Get<int>(j, "hidden_size", mobile ? 512 : 768);
  c.intermediate_size = Get<int>(j, "intermediate_size", mobile ? 512 : 3072);
  c.num_layers = Get<int>(j, "num_hidden_layers", mobile ? 24 : 12);
  c.num_heads = Get<int>(j, "num_attention_heads", mobile ? 4 : 12);
  c.max_positions = Get<int>(j, "max_position_embeddings", 512);
  c.type_vocab_size = Get<int>(j, "type_vocab_size", 2);
  c.layer_norm_eps = Get<float>(j, "layer_norm_eps", 1e-12f);
  const std::string act = Get<std::string>(j, "hidden_act", mobile ? "relu" : "gelu");
  if (act != "gelu" && act != "relu") throw Error("config.json: hidden_act '" + act + "' is not supported (gelu, relu)");
  c.activation = act == "relu" ? fb::Activation::Relu : fb::Activation::Gelu;
  const std::string norm = Get<std::string>(j, "normalization_type", mobile ? "no_norm" : "layer_norm");
  if (norm != "no_norm" && norm != "layer_norm") throw Error("config.json: normalization_type '" + norm + "' is not supported");
  c.norm = norm == "no_norm" ? fb::NormType::NoNorm : fb::NormType::LayerNorm;
  if (mobile) {
    c.embedding_size = Get<int>(j, "embedding_size", 128);
    c.trigram_input = Get<bool>(j, "trigram_input", true);
    c.use_bottleneck = Get<bool>(j, "use_bottleneck", true);
    c.intra_bottleneck_size = Get<int>(j, "intra_bottleneck_size", 128);
    c.key_query_shared_bottleneck = Get<bool>(j, "key_query_shared_bottleneck", true);
    c.num_feedforward_networks = Get<int>(j, "num_feedforward_networks", 4);
    c.pooler_activation = Get<bool>(j, "classifier_activation", true);
    if (Get<bool>(j, "use_bottleneck_attention", false))
      throw Error("config.json: use_bottleneck_attention is not supported");
  }
  return c;
}

std::vector<std::string> ParseLabels(const json& j) {
  if (!j.contains("id2label")) {
    std::vector<std::string> labels;
    const int count = Get<int>(j, "num_labels", 2);
    if (count < 1 || count > 65536)
      throw Error("config.json: num_labels " + std::to_string(count) + " is outside [1, 65536]");
    for (int i = 0; i < count; ++i) labels.push_back("LABEL_" + std::to_string(i));
    return labels;
  }
  const json& m = j["id2label"];
  if (!m.is_object()) throw Error("config.json: id2label is not an object");
  std::vector<std::string> labels(m.size());
  std::vector<bool> seen(m.size());
  for (auto& [key, value] : m.items()) {
    size_t id = 0;
    const auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), id);
    if (error != std::errc() || end != key.data() + key.size() || id >= labels.size() || seen[id])
      throw Error("config.json: id2label ids must be 0..n-1, found '" + key + "'");
    if (!value.is_string()) throw Error("config.json: id2label['" + key + "'] is not a string");
    labels[id] = value.get<std::string>();
    seen[id] = true;
  }
  return labels;
}

}  // namespace

ModelContents ConvertHuggingFace(const std::string& directory) {
  const fs::path dir(directory);
  const json config = ReadJson(dir / "config.json");
  if (!config.is_object()) throw Error("config.json is not a JSON object");
  ModelContents m;
  m.config = ParseConfig(config);
  m.labels = ParseLabels(config);
  m.tokenizer.vocab = ReadVocabFile((dir / "vocab.txt").string());
  if (static_cast<int>(m.tokenizer.vocab.size()) != m.config.vocab_size)
    throw Error("vocab.txt has " + std::to_string(m.tokenizer.vocab.size()) + " tokens, config.json vocab_size is " +
                std::to_string(m.config.vocab_size));
  bool lowercase = true;
  if (fs::exists(dir / "tokenizer_config.json"))
    lowercase = Get<bool>(ReadJson(dir / "tokenizer_config.json"), "do_lower_case", true);
  m.tokenizer.lowercase = lowercase;
  m.tokenizer.strip_accents = lowercase;
  m.tokenizer.max_length = std::min(Get<int>(config, "flatbert_max_length", 128), m.config.max_positions);
  if (config.contains("flatbert_normalizer")) {
    const json& n = config["flatbert_normalizer"];
    m.has_normalizer = true;
    m.normalizer.replace_mentions = Get<bool>(n, "replace_mentions", true);
    m.normalizer.replace_urls = Get<bool>(n, "replace_urls", true);
    m.normalizer.unescape_html = Get<bool>(n, "unescape_html", true);
    m.normalizer.collapse_whitespace = Get<bool>(n, "collapse_whitespace", true);
  }
  m.description = "converted from " + fs::absolute(dir).lexically_normal().string();

  if (!fs::exists(dir / "model.safetensors"))
    throw Error("'" + directory + "' has no model.safetensors (for pytorch_model.bin, run python/hf_to_safetensors.py first)");
  const SafeTensors weights((dir / "model.safetensors").string());
  flatbuffers::FlatBufferBuilder fbb;  // RequiredTensors reads the table form of the config
  fbb.Finish(fb::ArchConfig::Pack(fbb, &m.config));
  const fb::ArchConfig& arch = *flatbuffers::GetRoot<fb::ArchConfig>(fbb.GetBufferPointer());
  CheckConfig(arch);
  for (const TensorSpec& spec : RequiredTensors(arch, static_cast<int>(m.labels.size()))) {
    std::string source = spec.name;
    if (!weights.has(source)) {  // original TF-converted checkpoints name norms gamma/beta
      const auto dot = source.rfind('.');
      const std::string legacy = source.substr(0, dot) + (source.ends_with(".weight") ? ".gamma" : ".beta");
      if (source.find("LayerNorm") != std::string::npos && weights.has(legacy)) source = legacy;
    }
    if (!weights.has(source)) throw Error("model.safetensors has no tensor '" + spec.name + "'");
    if (weights.shape(source) != spec.shape) throw Error("tensor '" + spec.name + "' has the wrong shape for config.json");
    const std::vector<float> values = weights.ReadF32(source);
    m.tensors.push_back(F32Tensor(spec.name, spec.shape, values.data()));
  }
  return m;
}

}  // namespace flatbert
