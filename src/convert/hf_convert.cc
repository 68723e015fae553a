#include "convert/hf_convert.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <type_traits>

#include "convert/hf_keys.h"
#include "convert/safetensors.h"
#include "flatbert/error.hpp"
#include "flatbert/limits.hpp"
#include "format/arch.h"
#include "format/file_io.h"
#include "format/model_file.h"
#include "tokenizer/vocab_index.h"

namespace flatbert {
namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

// Bytes and JSON values (ParseJson) of the files read: at 2 bytes a value (`0,`), 16 MB of values would build 400 MB.
constexpr size_t kMaxConfigBytes = 16 << 20;         // config.json, tokenizer_config.json
constexpr size_t kMaxConfigValues = 1 << 19;         // id2label and label2id of 65,536 labels are 262,144
constexpr size_t kMaxTokenizerJsonBytes = 64 << 20;  // BERT's tokenizer.json is 0.7 MB
constexpr size_t kMaxTokenizerJsonValues = 1 << 22;  // BERT's holds 61,000, XLM-R's (250,000 scored pieces) 750,000
constexpr const char* kConfig = "config.json";
constexpr const char* kTokenizerConfig = "tokenizer_config.json";
constexpr const char* kTokenizerJson = "tokenizer.json";
constexpr const char* kSpecialTokensMap = "special_tokens_map.json";
constexpr const char* kAddedTokens = "added_tokens.json";

// The value of a key the table names (hf_keys.h; "model.vocab" is vocab in the model object), or nullptr when it
// is absent or null.
const json* Field(const char* file, const json& j, const std::string& key) {
  if (!FindHfKey(file, key))
    throw Error(std::string("internal: ") + file + " key '" + key + "' is read but not in hf_keys.cc");
  const json* at = &j;
  for (size_t begin = 0; at;) {
    const size_t dot = key.find('.', begin);
    const auto it = at->is_object() ? at->find(key.substr(begin, dot - begin)) : at->end();
    at = it == at->end() || it->is_null() ? nullptr : &*it;
    if (dot == std::string::npos) break;
    begin = dot + 1;
  }
  return at;
}

// A value as T; integers must be integers that fit an int.
template <typename T>
T As(const char* file, const char* key, const json& value) {
  auto wrong = [&](const char* expected) {
    return Error(std::string(file) + ": key '" + key + "' holds " + value.dump() + ", expected " + expected);
  };
  if constexpr (std::is_same_v<T, int>) {
    if (!value.is_number_integer() || value.get<int64_t>() < INT_MIN || value.get<int64_t>() > INT_MAX)
      throw wrong("an integer");
  }
  if constexpr (std::is_same_v<T, bool>) {
    if (!value.is_boolean()) throw wrong("a boolean");
  }
  if constexpr (std::is_same_v<T, std::string>) {
    if (!value.is_string()) throw wrong("a string");
  }
  if constexpr (std::is_same_v<T, float>) {
    if (!value.is_number()) throw wrong("a number");
  }
  return value.get<T>();
}

template <typename T>
T Get(const char* file, const json& j, const char* key, T fallback) {
  const json* value = Field(file, j, key);
  return value ? As<T>(file, key, *value) : fallback;
}

json ReadJson(const fs::path& path, size_t max_bytes, size_t max_values) {
  json j = ReadJsonFile(path.string(), max_bytes, max_values);
  if (!j.is_object()) throw Error(path.filename().string() + " is not a JSON object");
  return j;
}

void NoteUnreadKeys(const char* file, const json& j, HfReport* report) {
  const std::vector<std::string> unread = CheckHfKeys(file, j);
  if (report)
    for (const std::string& key : unread) report->unread_keys.push_back(std::string(file) + ": " + key);
}

fb::Activation ParseActivation(const std::string& name) {
  if (name == "gelu") return fb::Activation::Gelu;
  if (name == "relu") return fb::Activation::Relu;
  // HF activations.py: NewGELUActivation, FastGELUActivation and PytorchGELUTanh are the tanh approximation.
  if (name == "gelu_new" || name == "gelu_fast" || name == "gelu_pytorch_tanh") return fb::Activation::GeluTanh;
  if (name == "quick_gelu") return fb::Activation::QuickGelu;
  if (name == "silu" || name == "swish") return fb::Activation::Silu;
  throw Error("config.json: hidden_act '" + name +
              "' is not supported (gelu, relu, gelu_new, gelu_fast, gelu_pytorch_tanh, quick_gelu, silu, swish)");
}

// A pre-training, masked-LM or bare encoder checkpoint needs a classifier head first.
Error NeedsFineTuning(const std::string& directory, const std::string& why) {
  return Error("'" + directory + "' is not a sequence classifier (" + why +
               "): fine-tune it first, e.g. /usr/bin/python3 python/finetune.py --init " + directory +
               " --out OUT, then convert OUT");
}

void CheckArchitectures(const json& j, const std::string& directory) {
  const json* architectures = Field(kConfig, j, "architectures");
  if (!architectures) return;
  if (!architectures->is_array()) throw Error("config.json: architectures is not a list");
  for (const json& a : *architectures) {
    const std::string name = As<std::string>(kConfig, "architectures", a);
    if (name.ends_with("ForSequenceClassification")) continue;
    if (name.ends_with("ForPreTraining") || name.ends_with("ForMaskedLM") || name.ends_with("Model"))
      throw NeedsFineTuning(directory, "architectures is " + name);
    throw Error("config.json: architectures " + name + " is not supported (a *ForSequenceClassification)");
  }
}

fb::ArchConfigT ParseConfig(const json& j) {
  fb::ArchConfigT c;
  const std::string type =
      Get<std::string>(kConfig, j, "model_type", j.contains("intra_bottleneck_size") ? "mobilebert" : "bert");
  if (type != "bert" && type != "mobilebert")
    throw Error("config.json: model_type '" + type + "' is not bert or mobilebert");
  const bool mobile = type == "mobilebert";
  c.arch = mobile ? fb::Arch::MobileBert : fb::Arch::Bert;
  c.vocab_size = Get<int>(kConfig, j, "vocab_size", 30522);
  c.hidden_size = Get<int>(kConfig, j, "hidden_size", mobile ? 512 : 768);
  c.intermediate_size = Get<int>(kConfig, j, "intermediate_size", mobile ? 512 : 3072);
  c.num_layers = Get<int>(kConfig, j, "num_hidden_layers", mobile ? 24 : 12);
  c.num_heads = Get<int>(kConfig, j, "num_attention_heads", mobile ? 4 : 12);
  c.max_positions = Get<int>(kConfig, j, "max_position_embeddings", 512);
  c.type_vocab_size = Get<int>(kConfig, j, "type_vocab_size", 2);
  c.layer_norm_eps = Get<float>(kConfig, j, "layer_norm_eps", 1e-12f);
  c.activation = ParseActivation(Get<std::string>(kConfig, j, "hidden_act", mobile ? "relu" : "gelu"));
  const std::string problem = Get<std::string>(kConfig, j, "problem_type", "single_label_classification");
  c.problem_type = problem == "multi_label_classification" ? fb::ProblemType::MultiLabel : fb::ProblemType::SingleLabel;
  c.norm = fb::NormType::LayerNorm;
  if (mobile) {  // BertConfig has none of these keys; HF's BERT reads none of them
    const std::string norm = Get<std::string>(kConfig, j, "normalization_type", "no_norm");
    if (norm != "no_norm" && norm != "layer_norm")
      throw Error("config.json: normalization_type '" + norm + "' is not supported (no_norm, layer_norm)");
    c.norm = norm == "no_norm" ? fb::NormType::NoNorm : fb::NormType::LayerNorm;
    c.embedding_size = Get<int>(kConfig, j, "embedding_size", 128);
    c.trigram_input = Get<bool>(kConfig, j, "trigram_input", true);
    c.use_bottleneck = Get<bool>(kConfig, j, "use_bottleneck", true);
    c.intra_bottleneck_size = Get<int>(kConfig, j, "intra_bottleneck_size", 128);
    c.key_query_shared_bottleneck = Get<bool>(kConfig, j, "key_query_shared_bottleneck", true);
    c.num_feedforward_networks = Get<int>(kConfig, j, "num_feedforward_networks", 4);
    c.has_pooler = Get<bool>(kConfig, j, "classifier_activation", true);
  }
  return c;
}

std::vector<std::string> ParseLabels(const json& j) {
  const json* id2label = Field(kConfig, j, "id2label");
  if (!id2label) {
    std::vector<std::string> labels;
    const int count = Get<int>(kConfig, j, "num_labels", 2);
    if (count < 1 || static_cast<size_t>(count) > kMaxLabels)
      throw Error("config.json: num_labels " + std::to_string(count) + " is outside [1, " + std::to_string(kMaxLabels) +
                  "]");
    for (int i = 0; i < count; ++i) labels.push_back("LABEL_" + std::to_string(i));
    return labels;
  }
  if (!id2label->is_object()) throw Error("config.json: id2label is not an object");
  std::vector<std::string> labels(id2label->size());
  std::vector<bool> seen(id2label->size());
  for (const auto& item : id2label->items()) {
    const std::string& key = item.key();
    size_t id = 0;
    const auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), id);
    if (error != std::errc() || end != key.data() + key.size() || id >= labels.size() || seen[id])
      throw Error("config.json: id2label ids must be 0..n-1, found '" + key + "'");
    labels[id] = As<std::string>(kConfig, "id2label", item.value());
    seen[id] = true;
  }
  try {
    CheckLabels(labels);
  } catch (const Error& e) {
    throw Error(std::string("config.json: id2label: ") + e.what());
  }
  return labels;
}

// A token a file adds to the vocabulary (a string, or an AddedToken object) with an id (a number, or a number's
// text): the tokenizer would match it whole before WordPiece, which flatbert does only for BERT's special tokens, as
// written, and give it that id, which must then be the vocabulary's.
void CheckAddedToken(const char* file, const json& token, const json& id, const VocabIndex& ids) {
  const json& content = token.is_object() && token.contains("content") ? token["content"] : token;
  const std::string text = token.dump(-1, ' ', false, json::error_handler_t::replace);
  if (!IsBertSpecialToken(content))
    throw Error(std::string(file) + ": added token " + text +
                " is not supported (only [PAD] [UNK] [CLS] [SEP] [MASK])");
  CheckAddedTokenMatching(file, token);
  uint64_t named = 0;
  bool parsed = id.is_number_unsigned();
  if (parsed) named = id.get<uint64_t>();
  if (id.is_string()) {
    const std::string& digits = id.get_ref<const std::string&>();
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), named);
    parsed = error == std::errc() && end == digits.data() + digits.size();
  }
  const int32_t found = ids.Find(content.get<std::string>());
  if (!parsed || found == VocabIndex::kAbsent || named != static_cast<uint64_t>(found))
    throw Error(
        std::string(file) + ": added token " + text + " has the id " + id.dump() + ", the vocabulary " +
        (found == VocabIndex::kAbsent ? std::string("has no such token") : "gives it " + std::to_string(found)));
}

// tokenizer.json's parts that tokenize (its normalizer settings are replaced by tokenizer_config.json's, as
// BertTokenizerFast.__init__ does): checked against what flatbert runs and against vocab.txt.
void CheckTokenizerJson(const json& t, const std::vector<std::string>& vocab, const VocabIndex& ids) {
  // The tokenizers library runs no part that is absent or null (no splitting before WordPiece, no [CLS] and [SEP];
  // BertTokenizerFast cannot start without a normalizer), and loads none without its type.
  for (const std::string part : {"normalizer", "pre_tokenizer", "model", "post_processor"}) {
    const std::string type = part + ".type";
    const auto it = t.find(part);
    if (it != t.end() && it->is_object() && Field(kTokenizerJson, t, type)) continue;
    const std::string what = it == t.end()     ? "is absent"
                             : it->is_object() ? "has no type"
                                               : it->dump() + " is not supported";
    throw Error("tokenizer.json: " + part + " " + what + " (only " + FindHfKey(kTokenizerJson, type)->accepted + ")");
  }
  if (const json* added = Field(kTokenizerJson, t, "added_tokens")) {
    for (const json& token : *added)
      CheckAddedToken(kTokenizerJson, token, token.is_object() && token.contains("id") ? token["id"] : json(), ids);
  }
  if (const json* v = Field(kTokenizerJson, t, "model.vocab")) {
    if (!v->is_object()) throw Error("tokenizer.json: model.vocab is not an object");
    size_t distinct = 0;
    for (size_t i = 0; i < vocab.size(); ++i) distinct += ids.Find(vocab[i]) == static_cast<int32_t>(i);
    for (const auto& item : v->items()) {
      const json& id = item.value();
      const int32_t found = ids.Find(item.key());
      if (!id.is_number_unsigned() || found == VocabIndex::kAbsent ||
          id.get<uint64_t>() != static_cast<uint64_t>(found))
        throw Error("tokenizer.json: model.vocab has '" + item.key() + "' as " + id.dump() + ", vocab.txt differs");
    }
    if (v->size() != distinct)
      throw Error("tokenizer.json: model.vocab has " + std::to_string(v->size()) + " tokens, vocab.txt " +
                  std::to_string(distinct) + " distinct ones");
  }
  if (const json* single = Field(kTokenizerJson, t, "post_processor.single")) {
    const json expected =
        json::parse(R"([{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},)"
                    R"({"SpecialToken":{"id":"[SEP]","type_id":0}}])");
    if (*single != expected)
      throw Error("tokenizer.json: post_processor.single " + single->dump() + " is not supported ([CLS] $A [SEP])");
  }
  // The post-processor adds [CLS] and [SEP] with the ids it names, not the vocabulary's: they must agree.
  const bool bert_processing = t.at("post_processor").at("type") == "BertProcessing";
  const json* special = Field(kTokenizerJson, t, "post_processor.special_tokens");
  for (const auto& [token, bert_key] :
       {std::pair{"[CLS]", "post_processor.cls"}, std::pair{"[SEP]", "post_processor.sep"}}) {
    const json* named = nullptr;
    if (bert_processing) {
      const json* pair = Field(kTokenizerJson, t, bert_key);  // [token, id]
      if (pair && pair->is_array() && pair->size() == 2) named = &(*pair)[1];
    } else if (special && special->is_object() && special->contains(token)) {
      const json& entry = special->at(token);  // {"id": token, "ids": [id], "tokens": [token]}
      const json* ids_of = entry.is_object() && entry.contains("ids") ? &entry.at("ids") : nullptr;
      if (ids_of && ids_of->is_array() && ids_of->size() == 1) named = &(*ids_of)[0];
    }
    const int32_t id = ids.Find(token);
    if (!named || !named->is_number_unsigned() || id == VocabIndex::kAbsent ||
        named->get<uint64_t>() != static_cast<uint64_t>(id))
      throw Error(std::string("tokenizer.json: post_processor gives ") + token + " the id " +
                  (named ? named->dump() : std::string("(none)")) + ", vocab.txt " +
                  (id == VocabIndex::kAbsent ? std::string("has no such token") : std::to_string(id)));
  }
}

// tokenizer.json's model.vocab as vocab.txt would list it: each id's token, the ids 0..n-1 each once.
std::vector<std::string> VocabOfTokenizerJson(const json& t) {
  const json* v = Field(kTokenizerJson, t, "model.vocab");
  if (!v || !v->is_object()) throw Error("tokenizer.json: model.vocab is not an object, and there is no vocab.txt");
  std::vector<std::string> vocab(v->size());
  std::vector<bool> seen(v->size());
  for (const auto& item : v->items()) {
    const json& id = item.value();
    if (!id.is_number_unsigned() || id.get<uint64_t>() >= vocab.size() || seen[id.get<size_t>()])
      throw Error("tokenizer.json: model.vocab has '" + item.key() + "' as " + id.dump() +
                  "; without a vocab.txt its ids must be 0..n-1");
    vocab[id.get<size_t>()] = item.key();
    seen[id.get<size_t>()] = true;
  }
  return vocab;
}

}  // namespace

HfTokenizer ReadHfTokenizer(const std::string& directory, HfReport* report) {
  const fs::path dir(directory);
  HfTokenizer tok;
  std::optional<json> tokenizer_json;
  if (fs::exists(dir / kTokenizerJson)) {
    tokenizer_json = ReadJson(dir / kTokenizerJson, kMaxTokenizerJsonBytes, kMaxTokenizerJsonValues);
    NoteUnreadKeys(kTokenizerJson, *tokenizer_json, report);
  }
  // A fast tokenizer loaded from tokenizer.json alone saves no vocab.txt; BertTokenizerFast then reads the vocabulary
  // from tokenizer.json, as it does whenever that file is there (checked against vocab.txt below).
  const fs::path vocab_txt = dir / "vocab.txt";
  tok.vocab = tokenizer_json && !fs::exists(vocab_txt) ? VocabOfTokenizerJson(*tokenizer_json)
                                                       : ReadVocabFile(vocab_txt.string());
  // The ids as the tokenizer finds them: a token listed twice at its last line, as Hugging Face reads vocab.txt.
  const VocabIndex ids(std::vector<std::string_view>(tok.vocab.begin(), tok.vocab.end()));
  if (fs::exists(dir / kTokenizerConfig)) {
    const json t = ReadJson(dir / kTokenizerConfig, kMaxConfigBytes, kMaxConfigValues);
    NoteUnreadKeys(kTokenizerConfig, t, report);
    tok.lowercase = Get<bool>(kTokenizerConfig, t, "do_lower_case", true);
    tok.strip_accents = Get<bool>(kTokenizerConfig, t, "strip_accents", tok.lowercase);  // BertNormalizer's rule
    if (const json* max = Field(kTokenizerConfig, t, "model_max_length")) {
      if (!max->is_number() || max->get<double>() < 2)
        throw Error("tokenizer_config.json: model_max_length " + max->dump() + " is not a length");
      tok.model_max_length = static_cast<int>(std::min<double>(max->get<double>(), INT_MAX));  // HF writes 1e30: none
    }
    if (const json* decoder = Field(kTokenizerConfig, t, "added_tokens_decoder")) {
      for (const auto& item : decoder->items()) CheckAddedToken(kTokenizerConfig, item.value(), item.key(), ids);
    }
  }
  if (fs::exists(dir / kSpecialTokensMap)) {  // only its kOnly keys are read: the special tokens are BERT's
    const json t = ReadJson(dir / kSpecialTokensMap, kMaxConfigBytes, kMaxConfigValues);
    NoteUnreadKeys(kSpecialTokensMap, t, report);
  }
  if (fs::exists(dir / kAddedTokens)) {  // add_tokens' tokens and their ids, as save_pretrained writes them
    const json t = ReadJson(dir / kAddedTokens, kMaxConfigBytes, kMaxConfigValues);
    for (const auto& item : t.items()) CheckAddedToken(kAddedTokens, item.key(), item.value(), ids);
  }
  if (tokenizer_json) CheckTokenizerJson(*tokenizer_json, tok.vocab, ids);
  return tok;
}

namespace {

// The checkpoint's name of the tensor `spec` names, or "" when it has none.
std::string SourceTensor(const SafeTensors& weights, const TensorSpec& spec) {
  if (weights.has(spec.name)) return spec.name;
  if (spec.name.find("LayerNorm") == std::string::npos) return "";
  // Original TF-converted checkpoints name norms gamma and beta.
  const std::string legacy =
      spec.name.substr(0, spec.name.rfind('.')) + (spec.name.ends_with(".weight") ? ".gamma" : ".beta");
  return weights.has(legacy) ? legacy : "";
}

// What is wrong with a tensor the checkpoint holds in another shape than config.json gives; for the classifier
// head, where its labels come from (a head trained for other labels than id2label names).
std::string MisshapenTensor(const TensorSpec& spec, const std::vector<int64_t>& shape, int labels) {
  std::string message = "tensor '" + spec.name + "' is " + ShapeString(shape) +
                        " in model.safetensors; config.json gives " + ShapeString(spec.shape);
  if (spec.name.starts_with("classifier."))
    message += " (" + std::to_string(labels) + " labels: id2label's, else num_labels, else 2 as in transformers)";
  return message;
}

json ReadConfigJson(const std::string& directory) {
  return ReadJson(fs::path(directory) / kConfig, kMaxConfigBytes, kMaxConfigValues);
}

ModelContents ReadCheckpointSettings(const std::string& directory, const json& config, HfReport* report) {
  const fs::path dir(directory);
  NoteUnreadKeys(kConfig, config, report);  // refuses the values flatbert does not follow
  ModelContents m;
  m.config = ParseConfig(config);
  m.labels = ParseLabels(config);
  // A softmax over one logit is always 1: Hugging Face's text-classification pipeline scores a single label with a
  // sigmoid, as it scores each label of a multi-label model.
  if (m.labels.size() == 1) m.config.problem_type = fb::ProblemType::MultiLabel;
  const HfTokenizer tok = ReadHfTokenizer(directory, report);
  if (static_cast<int64_t>(tok.vocab.size()) > m.config.vocab_size)
    throw Error("vocab.txt has " + std::to_string(tok.vocab.size()) + " tokens, more than config.json vocab_size " +
                std::to_string(m.config.vocab_size));
  m.tokenizer.vocab = tok.vocab;
  m.tokenizer.lowercase = tok.lowercase;
  m.tokenizer.strip_accents = tok.strip_accents;
  m.tokenizer.max_length =
      std::min({Get<int>(kConfig, config, "flatbert_max_length", 128), tok.model_max_length, m.config.max_positions});
  if (const json* n = Field(kConfig, config, "flatbert_normalizer")) {
    auto option = [&](const char* key) {
      const auto it = n->find(key);
      return it == n->end() || it->is_null() ? true : As<bool>(kConfig, key, *it);
    };
    m.has_normalizer = true;
    m.normalizer.replace_mentions = option("replace_mentions");
    m.normalizer.replace_urls = option("replace_urls");
    m.normalizer.unescape_html = option("unescape_html");
    m.normalizer.collapse_whitespace = option("collapse_whitespace");
  }
  m.description = "converted from " + fs::absolute(dir).lexically_normal().string();
  CheckConfig(m.config);
  return m;
}

// A base model's checkpoint (BertModel, MobileBertModel, as AutoModel saves them) names its encoder without the
// head's prefix.
bool NoNameStartsWith(const std::vector<std::string>& names, const std::string& prefix) {
  return std::none_of(names.begin(), names.end(), [&](const std::string& name) { return name.starts_with(prefix); });
}

}  // namespace

ModelContents ReadHfSettings(const std::string& directory, HfReport* report) {
  return ReadCheckpointSettings(directory, ReadConfigJson(directory), report);
}

std::optional<HfWeights> ReadHfWeights(const std::string& directory, const ModelContents& settings) {
  const fs::path path = fs::path(directory) / "model.safetensors";
  if (!fs::exists(path)) return std::nullopt;
  const SafeTensors weights = SafeTensors::Header(path.string());
  const std::vector<std::string> names = weights.names();
  const std::string prefix = BaseModelPrefix(settings.config);
  HfWeights found;
  found.tensors = names.size();
  found.unprefixed = NoNameStartsWith(names, prefix);
  const int labels = static_cast<int>(settings.labels.size());
  for (TensorSpec spec : RequiredTensors(settings.config, labels)) {
    if (found.unprefixed && spec.name.starts_with(prefix)) spec.name.erase(0, prefix.size());
    const std::string source = SourceTensor(weights, spec);
    if (source.empty())
      found.missing.push_back(spec.name);
    else if (weights.shape(source) != spec.shape)
      found.misshapen.push_back(MisshapenTensor(spec, weights.shape(source), labels));
  }
  return found;
}

ModelContents ConvertHuggingFace(const std::string& directory, HfReport* report) {
  const fs::path dir(directory);
  const json config = ReadConfigJson(directory);
  ModelContents m = ReadCheckpointSettings(directory, config, report);
  CheckArchitectures(config, directory);  // after the settings: a checkpoint to fine-tune first must have good ones
  if (!fs::exists(dir / "model.safetensors"))
    throw Error("'" + directory + "' has no model.safetensors (for pytorch_model.bin, run python/hf_to_safetensors.py first)");
  const SafeTensors weights((dir / "model.safetensors").string());
  if (!weights.has("classifier.weight")) throw NeedsFineTuning(directory, "model.safetensors has no classifier.weight");
  if (const std::string prefix = BaseModelPrefix(m.config); NoNameStartsWith(weights.names(), prefix))
    throw Error("model.safetensors has a classifier head beside an encoder whose names lack '" + prefix +
                "': transformers refuses such a file as corrupted");
  std::set<std::string> used;
  const int labels = static_cast<int>(m.labels.size());
  for (const TensorSpec& spec : RequiredTensors(m.config, labels)) {
    const std::string source = SourceTensor(weights, spec);
    if (source.empty()) throw Error("model.safetensors has no tensor '" + spec.name + "'");
    if (weights.shape(source) != spec.shape) throw Error(MisshapenTensor(spec, weights.shape(source), labels));
    const std::vector<float> values = weights.ReadF32(source);
    m.tensors.push_back(F32Tensor(spec.name, spec.shape, values.data()));
    used.insert(source);
  }
  if (report)
    for (const std::string& name : weights.names())
      if (!used.count(name)) report->unused_tensors.push_back(name);
  return m;
}

}  // namespace flatbert
