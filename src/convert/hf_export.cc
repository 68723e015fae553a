#include "convert/hf_export.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "convert/safetensors.h"
#include "flatbert/error.hpp"
#include "flatbert/json.hpp"
#include "flatbert/output_file.hpp"
#include "tokenizer/unicode.h"

namespace flatbert {
namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

// Hugging Face's name for an activation (ConvertHuggingFace reads it back).
const char* HiddenAct(fb::Activation act) {
  switch (act) {
    case fb::Activation::Relu: return "relu";
    case fb::Activation::GeluTanh: return "gelu_new";
    case fb::Activation::QuickGelu: return "quick_gelu";
    case fb::Activation::Silu: return "silu";
    default: return "gelu";
  }
}

// The keys ConvertHuggingFace and python/flatbert_py read, spelled as Hugging Face's BertConfig / MobileBertConfig.
json ConfigJson(const ModelContents& m) {
  const fb::ArchConfigT& c = m.config;
  const bool mobile = c.arch == fb::Arch::MobileBert;
  json j;
  j["model_type"] = mobile ? "mobilebert" : "bert";
  j["architectures"] = {mobile ? "MobileBertForSequenceClassification" : "BertForSequenceClassification"};
  j["vocab_size"] = c.vocab_size;
  j["hidden_size"] = c.hidden_size;
  j["num_hidden_layers"] = c.num_layers;
  j["num_attention_heads"] = c.num_heads;
  j["intermediate_size"] = c.intermediate_size;
  j["hidden_act"] = HiddenAct(c.activation);
  j["max_position_embeddings"] = c.max_positions;
  j["type_vocab_size"] = c.type_vocab_size;
  j["layer_norm_eps"] = c.layer_norm_eps;
  j["normalization_type"] = c.norm == fb::NormType::NoNorm ? "no_norm" : "layer_norm";
  if (mobile) {
    j["embedding_size"] = c.embedding_size;
    j["trigram_input"] = c.trigram_input;
    j["use_bottleneck"] = c.use_bottleneck;
    j["intra_bottleneck_size"] = c.intra_bottleneck_size;
    j["key_query_shared_bottleneck"] = c.key_query_shared_bottleneck;
    j["num_feedforward_networks"] = c.num_feedforward_networks;
    j["classifier_activation"] = c.has_pooler;
  }
  j["num_labels"] = m.labels.size();
  j["problem_type"] =
      c.problem_type == fb::ProblemType::MultiLabel ? "multi_label_classification" : "single_label_classification";
  const size_t labels = m.labels.size();
  j["id2label"] = ObjectOfDistinctKeys(
      labels, [](size_t i) { return std::to_string(i); }, [&](size_t i) { return m.labels[i]; });
  j["label2id"] = ObjectOfDistinctKeys(
      labels, [&](size_t i) { return m.labels[i]; }, [](size_t i) { return i; });
  if (m.has_normalizer)
    j["flatbert_normalizer"] = {{"replace_mentions", m.normalizer.replace_mentions},
                                {"replace_urls", m.normalizer.replace_urls},
                                {"unescape_html", m.normalizer.unescape_html},
                                {"collapse_whitespace", m.normalizer.collapse_whitespace}};
  j["flatbert_max_length"] = m.tokenizer.max_length;
  return j;
}

void WriteText(const fs::path& path, const std::string& text) { WriteOutputFile(path.string(), text); }

}  // namespace

void ExportHuggingFace(const ModelContents& model, const std::string& directory) {
  const fs::path dir(directory);
  // One token a line, read back as Python reads it; a model file's tokens are not checked at load.
  std::string vocab;
  std::u32string code_points;
  for (size_t id = 0; id < model.tokenizer.vocab.size(); ++id) {
    const std::string& token = model.tokenizer.vocab[id];
    if (token.find_first_of("\r\n") != std::string::npos || !unicode::Decode(token, code_points))
      throw Error("vocabulary token " + std::to_string(id) +
                  " is not UTF-8 without line breaks: vocab.txt cannot list it");
    vocab += token + "\n";
  }
  CreateOutputDirectory(dir.string());
  WriteText(dir / "config.json", ConfigJson(model).dump(2) + "\n");
  WriteText(dir / "tokenizer_config.json", json{{"do_lower_case", model.tokenizer.lowercase},
                                                {"strip_accents", model.tokenizer.strip_accents},
                                                {"model_max_length", model.tokenizer.max_length}}
                                                   .dump(2) +
                                               "\n");
  WriteText(dir / "vocab.txt", vocab);
  WriteSafeTensorsF32(model.tensors, (dir / "model.safetensors").string());
}

}  // namespace flatbert
