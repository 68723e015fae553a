// libFuzzer: Hugging Face checkpoint directories through `convert` (ConvertModel: config.json, tokenizer_config.json,
// special_tokens_map.json, added_tokens.json, tokenizer.json, vocab.txt, model.safetensors), then the .fbm it writes
// through what a model file goes through (fuzz_model.h). The checkpoints are the seed models exported, each with a
// tokenizer.json of its vocabulary, BERT's special_tokens_map.json and an added_tokens.json. The input is a program:
// which checkpoint and weight format, then edits: a key of a JSON file set to a value near or far from the valid ones
// (its accepted values among them) or removed, a safetensors header entry's dtype, shape, offsets or name, the
// tensors stored as F16 or BF16, vocab.txt lines, bytes flipped, files cut short or removed.
#include <fuzzer/FuzzedDataProvider.h>
#include <stdlib.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "convert/hf_export.h"
#include "convert/hf_keys.h"
#include "flatbert/convert.hpp"
#include "flatbert/tokenizer.hpp"
#include "fuzz_inputs.h"
#include "fuzz_model.h"
#include "kernels/half.h"
#include "test_util.h"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using flatbert::fuzz::Pick;
using flatbert::fuzz::PickInt;

using Checkpoint = std::map<std::string, std::string>;  // file name -> bytes
constexpr const char* kConfig = "config.json";
constexpr const char* kTokenizerConfig = "tokenizer_config.json";
constexpr const char* kTokenizerJson = "tokenizer.json";
constexpr const char* kVocab = "vocab.txt";
constexpr const char* kWeights = "model.safetensors";
constexpr const char* kSpecialTokensMap = "special_tokens_map.json";
constexpr const char* kAddedTokens = "added_tokens.json";
const char* const kFiles[] = {kConfig,  kTokenizerConfig,  kTokenizerJson, kVocab,
                              kWeights, kSpecialTokensMap, kAddedTokens};

// A directory of this process's, removed at exit.
struct WorkDir {
  fs::path path;
  WorkDir() {
    std::string name = (fs::temp_directory_path() / "flatbert_fuzz_checkpoint.XXXXXX").string();
    if (!mkdtemp(name.data())) abort();
    path = name;
  }
  ~WorkDir() { fs::remove_all(path); }
};

const fs::path& Work() {
  static const WorkDir dir;
  return dir.path;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// tokenizer.json as the tokenizers library writes BERT's, for this vocabulary.
std::string TokenizerJson(const std::vector<std::string>& vocab) {
  json t;
  t["version"] = "1.0";
  t["added_tokens"] = json::array();
  t["normalizer"] = {{"type", "BertNormalizer"},
                     {"clean_text", true},
                     {"handle_chinese_chars", true},
                     {"strip_accents", nullptr},
                     {"lowercase", true}};
  t["pre_tokenizer"] = {{"type", "BertPreTokenizer"}};
  t["post_processor"] = {{"type", "TemplateProcessing"},
                         {"single", json::parse(R"([{"SpecialToken":{"id":"[CLS]","type_id":0}},)"
                                                R"({"Sequence":{"id":"A","type_id":0}},)"
                                                R"({"SpecialToken":{"id":"[SEP]","type_id":0}}])")}};
  json ids = json::object();
  for (size_t i = 0; i < vocab.size(); ++i) {
    ids[vocab[i]] = i;
    if (!vocab[i].starts_with('[')) continue;
    t["added_tokens"].push_back({{"id", i}, {"content", vocab[i]}, {"normalized", false}, {"special", true}});
    if (vocab[i] == "[CLS]" || vocab[i] == "[SEP]")
      t["post_processor"]["special_tokens"][vocab[i]] = {{"id", vocab[i]}, {"ids", {i}}, {"tokens", {vocab[i]}}};
  }
  t["model"] = {{"type", "WordPiece"},
                {"unk_token", "[UNK]"},
                {"continuing_subword_prefix", "##"},
                {"max_input_chars_per_word", 100},
                {"vocab", ids}};
  return t.dump();
}

const std::vector<Checkpoint>& Checkpoints() {
  static const std::vector<Checkpoint> checkpoints = [] {
    std::vector<Checkpoint> out;
    const fs::path dir = Work() / "export";
    for (const std::vector<uint8_t>& model : flatbert::fuzz::SeedModels()) {
      fs::remove_all(dir);
      const auto file = flatbert::ModelFile::FromBytes(model.data(), model.size(), "seed.fbm");
      flatbert::ExportHuggingFace(flatbert::Dequantize(flatbert::ReadContents(file)), dir.string());
      Checkpoint checkpoint;
      for (const auto& entry : fs::directory_iterator(dir)) {
        const std::vector<uint8_t> bytes = flatbert::testing::ReadBytes(entry.path().string());
        checkpoint[entry.path().filename().string()] = std::string(bytes.begin(), bytes.end());
      }
      checkpoint[kTokenizerJson] = TokenizerJson(Lines(checkpoint.at(kVocab)));
      checkpoint[kSpecialTokensMap] = R"({"cls_token": "[CLS]", "mask_token": "[MASK]", "pad_token": "[PAD]",)"
                                      R"( "sep_token": "[SEP]", "unk_token": "[UNK]"})";
      checkpoint[kAddedTokens] = R"({"[MASK]": 4})";
      out.push_back(std::move(checkpoint));
    }
    return out;
  }();
  return checkpoints;
}

// A value for `row` (nullptr: a key the table does not name): one it accepts, or one near or far from valid ones.
json PickValue(FuzzedDataProvider& in, const flatbert::HfKey* row, const json& current) {
  switch (in.ConsumeIntegralInRange(0, 8)) {
    case 0:
      if (row && row->use == flatbert::KeyUse::kOnly) {
        std::vector<json> accepted = flatbert::AcceptedValues(*row);
        return Pick(in, accepted);
      }
      return current;
    case 1: return PickInt(in, current.is_number_integer() ? current.get<int64_t>() : 1);
    case 2: return in.ConsumeFloatingPoint<double>();
    case 3: return in.ConsumeIntegral<uint64_t>();
    case 4: {
      const char* const words[] = {"bert",
                                   "mobilebert",
                                   "relu",
                                   "gelu_new",
                                   "no_norm",
                                   "layer_norm",
                                   "[CLS]",
                                   "##",
                                   "BertForSequenceClassification",
                                   "multi_label_classification",
                                   ""};
      return in.ConsumeBool() ? json(words[in.ConsumeIntegralInRange<size_t>(0, std::size(words) - 1)])
                              : json(in.ConsumeRandomLengthString(16));
    }
    case 5: return in.ConsumeBool();
    case 6: return nullptr;
    case 7: {  // an id2label-like object, or an AddedToken
      json object = json::object();
      for (int i = in.ConsumeIntegralInRange(0, 4); i > 0; --i)
        object[in.ConsumeBool() ? std::to_string(in.ConsumeIntegralInRange(-1, 5)) : in.ConsumeRandomLengthString(8)] =
            in.ConsumeBool() ? json(in.ConsumeRandomLengthString(8)) : PickValue(in, nullptr, current);
      return object;
    }
    default: {
      json array = json::array();
      for (int i = in.ConsumeIntegralInRange(0, 4); i > 0; --i) array.push_back(PickValue(in, nullptr, current));
      return array;
    }
  }
}

// The value at a dotted key, objects made along the way.
json& At(json& j, const std::string& key) {
  json* at = &j;
  for (size_t begin = 0;;) {
    if (!at->is_object()) *at = json::object();
    const size_t dot = key.find('.', begin);
    at = &(*at)[key.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin)];
    if (dot == std::string::npos) return *at;
    begin = dot + 1;
  }
}

void EditJson(FuzzedDataProvider& in, const char* file, std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return;
  if (in.ConsumeBool() && !j.empty()) {  // a key removed
    auto it = j.begin();
    std::advance(it, in.ConsumeIntegralInRange<size_t>(0, j.size() - 1));
    j.erase(it);
  } else {
    std::vector<const flatbert::HfKey*> rows;  // special_tokens_map.json's are some of tokenizer_config.json's
    for (const flatbert::HfKey& row : flatbert::HfKeys())
      if (const flatbert::HfKey* found = flatbert::FindHfKey(file, row.key); found == &row) rows.push_back(&row);
    const flatbert::HfKey* row =
        !rows.empty() && in.ConsumeBool() ? Pick(in, rows) : nullptr;  // added_tokens.json has none
    json& value = At(j, row ? row->key : in.ConsumeRandomLengthString(12));
    value = PickValue(in, row, value);
  }
  text = j.dump(-1, ' ', false, json::error_handler_t::replace);  // invalid UTF-8 comes from the byte flips
}

void EditSafeTensors(FuzzedDataProvider& in, std::string& file) {
  uint64_t length = 0;
  if (file.size() < 8) return;
  std::memcpy(&length, file.data(), 8);
  if (length > file.size() - 8) return;
  json header = json::parse(file.substr(8, length), nullptr, false);
  if (header.is_discarded() || !header.is_object() || header.empty()) return;
  std::string data = file.substr(8 + length);
  auto entry = header.begin();
  std::advance(entry, in.ConsumeIntegralInRange<size_t>(0, header.size() - 1));
  json& info = entry.value();
  if (!info.is_object()) return;
  switch (in.ConsumeIntegralInRange(0, 6)) {
    case 0: {
      const char* const dtypes[] = {"F32", "F16", "BF16", "I8", "F64", "x"};
      info["dtype"] = dtypes[in.ConsumeIntegralInRange<size_t>(0, std::size(dtypes) - 1)];
      break;
    }
    case 1:
      if (info["shape"].is_array() && !info["shape"].empty()) {
        json& d = info["shape"][in.ConsumeIntegralInRange<size_t>(0, info["shape"].size() - 1)];
        d = PickInt(in, d.is_number_integer() ? d.get<int64_t>() : 1);
      }
      break;
    case 2: info["shape"].push_back(in.ConsumeIntegralInRange(0, 4)); break;
    case 3: info["data_offsets"][in.ConsumeIntegralInRange(0, 1)] = PickInt(in, 0); break;
    case 4: {  // renamed, perhaps onto another tensor
      const json moved = info;
      auto other = header.begin();
      std::advance(other, in.ConsumeIntegralInRange<size_t>(0, header.size() - 1));
      const std::string name = in.ConsumeBool() ? other.key() : in.ConsumeRandomLengthString(32);
      header.erase(entry);
      header[name] = moved;
      break;
    }
    case 5: header.erase(entry); break;
    default: {  // every F32 tensor stored as F16 or BF16
      const bool bf16 = in.ConsumeBool();
      std::string halves;
      for (auto& item : header.items()) {
        json& t = item.value();
        if (!t.is_object() || t.value("dtype", "") != "F32") continue;
        const json& offsets = t["data_offsets"];
        if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
            !offsets[1].is_number_unsigned())
          return;
        const uint64_t begin = offsets[0], end = offsets[1];
        if (begin > end || end > data.size()) return;
        const uint64_t first = halves.size();
        for (uint64_t at = begin; at + 4 <= end; at += 4) {
          float f;
          std::memcpy(&f, data.data() + at, 4);
          uint32_t bits;
          std::memcpy(&bits, &f, 4);
          const uint16_t h = bf16 ? static_cast<uint16_t>(bits >> 16) : flatbert::FloatToHalf(f);
          halves.append(reinterpret_cast<const char*>(&h), 2);
        }
        t["dtype"] = bf16 ? "BF16" : "F16";
        t["data_offsets"] = {first, halves.size()};
      }
      data = halves;
    }
  }
  file = flatbert::testing::SafeTensorsFile(header.dump(-1, ' ', false, json::error_handler_t::replace), data);
}

void EditVocab(FuzzedDataProvider& in, std::string& text) {
  std::vector<std::string> lines = Lines(text);
  if (lines.empty()) return;
  std::string& line = Pick(in, lines);
  switch (in.ConsumeIntegralInRange(0, 3)) {
    case 0: line = in.ConsumeRandomLengthString(24); break;
    case 1: lines.erase(lines.begin() + (&line - lines.data())); break;
    case 2: lines.push_back(line); break;  // a token twice
    default: lines.insert(lines.begin(), in.ConsumeIntegralInRange<size_t>(0, 3), ""); break;
  }
  text.clear();
  for (const std::string& l : lines) text += l + "\n";
}

void Edit(FuzzedDataProvider& in, Checkpoint& checkpoint) {
  const std::string name = kFiles[in.ConsumeIntegralInRange<size_t>(0, std::size(kFiles) - 1)];
  const auto it = checkpoint.find(name);
  if (it == checkpoint.end()) return;
  std::string& bytes = it->second;
  switch (in.ConsumeIntegralInRange(0, 9)) {
    case 7:
      for (int flips = in.ConsumeIntegralInRange(1, 3); flips > 0 && !bytes.empty(); --flips)
        bytes[in.ConsumeIntegralInRange<size_t>(0, bytes.size() - 1)] ^= in.ConsumeIntegral<char>();
      break;
    case 8: bytes.resize(in.ConsumeIntegralInRange<size_t>(0, bytes.size())); break;
    case 9: checkpoint.erase(it); break;
    default:
      if (name == kWeights)
        EditSafeTensors(in, bytes);
      else if (name == kVocab)
        EditVocab(in, bytes);
      else
        EditJson(in, name.c_str(), bytes);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  Checkpoint checkpoint = Pick(in, Checkpoints());
  flatbert::ConvertOptions options;
  const std::vector<std::string> quants = flatbert::QuantModeNames();
  options.quant = quants[in.ConsumeIntegralInRange<size_t>(0, quants.size() - 1)];
  if (options.quant == "int8-static") options.calibration_texts = {"i love a car", "", "x"};
  const int group_sizes[] = {32, 8, 1, 0, -8, 7};
  options.group_size = group_sizes[in.ConsumeIntegralInRange<size_t>(0, std::size(group_sizes) - 1)];
  for (int edits = in.ConsumeIntegralInRange(0, 5); edits > 0; --edits) Edit(in, checkpoint);

  const fs::path dir = Work() / "checkpoint", output = Work() / "model.fbm";
  fs::remove_all(dir);
  fs::remove(output);
  fs::create_directory(dir);
  for (const auto& [name, bytes] : checkpoint) std::ofstream(dir / name, std::ios::binary) << bytes;
  try {
    flatbert::HuggingFaceTokenizer(dir.string(), {}).Encode("I love my new car @bmw http://t.co/x ΟΔΟΣ 我爱 [MASK]!!");
  } catch (const flatbert::Error&) {
  }
  // inspect reads what convert reads but the tensors' data: where convert takes the checkpoint, it finds every tensor
  // under the head's prefix.
  std::string described;
  try {
    described = flatbert::DescribeCheckpoint(dir.string());
  } catch (const flatbert::Error&) {
  }
  try {
    flatbert::ConvertModel(dir.string(), output.string(), options);
  } catch (const flatbert::Error&) {
    return 0;
  }
  const nlohmann::json weights = described.empty() ? nlohmann::json() : nlohmann::json::parse(described)["weights"];
  if (weights.is_null() || weights["unprefixed"].get<bool>() || !weights["missing"].empty() ||
      !weights["misshapen"].empty()) {
    std::fprintf(stderr, "converted, but inspect said: %s\n", described.c_str());
    std::abort();
  }
  const std::vector<uint8_t> model = flatbert::testing::ReadBytes(output.string());
  flatbert::fuzz::RunModel(model.data(), model.size());
  return 0;
}
