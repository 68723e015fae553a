#include "convert/hf_convert.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "convert/hf_export.h"
#include "convert/hf_keys.h"
#include "convert/quantize.h"
#include "convert/safetensors.h"
#include "flatbert/convert.hpp"
#include "flatbert/error.hpp"
#include "flatbert/limits.hpp"
#include "flatbert/tokenizer.hpp"
#include "format/file_io.h"
#include "format/model_file.h"
#include "kernels/half.h"
#include "test_util.h"

namespace flatbert {
namespace {

namespace fs = std::filesystem;

TEST(HfConvertTest, ReadsMobileBertConfig) {
  const ModelContents m = ConvertHuggingFace(testing::GoldenDir("mobilebert"));
  EXPECT_EQ(m.config.arch, fb::Arch::MobileBert);
  EXPECT_EQ(m.config.embedding_size, 16);
  EXPECT_EQ(m.config.intra_bottleneck_size, 24);
  EXPECT_EQ(m.config.num_feedforward_networks, 3);
  EXPECT_EQ(m.config.norm, fb::NormType::NoNorm);
  EXPECT_EQ(m.config.activation, fb::Activation::Relu);
  EXPECT_TRUE(m.config.trigram_input);
  EXPECT_FALSE(m.config.has_pooler);
  EXPECT_EQ(m.labels, (std::vector<std::string>{"negative", "neutral", "positive"}));
}

TEST(HfConvertTest, MissingWeightsFileIsAClearError) {
  const fs::path dir = testing::TempPath("hf_no_weights");
  fs::create_directories(dir);
  fs::copy_file(testing::GoldenDir("bert") + "/config.json", dir / "config.json");
  fs::copy_file(testing::GoldenDir("bert") + "/vocab.txt", dir / "vocab.txt");
  try {
    ConvertHuggingFace(dir.string());
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no model.safetensors"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

// export(int8 model) -> convert -> int8 gives back the same config, vocab and tensor bytes, for both architectures.
TEST(HfConvertTest, ExportThenConvertRoundTrips) {
  for (const char* name : {"bert", "mobilebert", "mobilebert-layernorm-gelu", "mobilebert-no-trigram",
                           "bert-gelu-new-padded", "bert-multilabel-accents"}) {
    SCOPED_TRACE(name);
    const ModelContents original = Quantize(ConvertHuggingFace(testing::GoldenDir(name)), QuantMode::kInt8Dynamic);
    const std::string file = testing::TempPath("export.fbm");
    WriteModel(original, file);
    const fs::path dir = testing::TempPath("export_hf");
    ExportHuggingFace(Dequantize(ReadContents(ModelFile::Open(file))), dir.string());
    const ModelContents back = Quantize(ConvertHuggingFace(dir.string()), QuantMode::kInt8Dynamic);
    fs::remove_all(dir);
    fs::remove(file);

    EXPECT_EQ(back.labels, original.labels);
    EXPECT_EQ(back.tokenizer.vocab, original.tokenizer.vocab);
    EXPECT_EQ(back.tokenizer.max_length, original.tokenizer.max_length);
    EXPECT_EQ(back.has_normalizer, original.has_normalizer);
    EXPECT_EQ(back.config.num_feedforward_networks, original.config.num_feedforward_networks);
    EXPECT_EQ(back.config.has_pooler, original.config.has_pooler);
    EXPECT_EQ(back.config.norm, original.config.norm);
    EXPECT_EQ(back.config.activation, original.config.activation);
    EXPECT_EQ(back.config.problem_type, original.config.problem_type);
    EXPECT_EQ(back.config.vocab_size, original.config.vocab_size);
    EXPECT_EQ(back.tokenizer.lowercase, original.tokenizer.lowercase);
    EXPECT_EQ(back.tokenizer.strip_accents, original.tokenizer.strip_accents);
    ASSERT_EQ(back.tensors.size(), original.tensors.size());
    std::map<std::string, const TensorData*> by_name;
    for (const TensorData& t : original.tensors) by_name[t.name] = &t;
    for (const TensorData& t : back.tensors) {
      ASSERT_TRUE(by_name.count(t.name)) << t.name;
      const TensorData& o = *by_name[t.name];
      EXPECT_EQ(t.dtype, o.dtype) << t.name;
      EXPECT_EQ(t.bytes, o.bytes) << t.name;
      EXPECT_EQ(t.scales, o.scales) << t.name;
    }
  }
}

// vocab.txt is read back line by line as UTF-8: a token a model file holds that cannot be listed so is an error
// before anything is written.
TEST(HfConvertTest, ExportRefusesATokenVocabTxtCannotList) {
  for (const char* token : {"a\nb", "a\rb", "a\xff"}) {
    ModelContents model = ConvertHuggingFace(testing::GoldenDir("bert"));
    model.tokenizer.vocab[7] = token;
    const fs::path dir = testing::TempPath("export_bad_token");
    try {
      ExportHuggingFace(model, dir.string());
      ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), "vocabulary token 7 is not UTF-8 without line breaks: vocab.txt cannot list it");
    }
    EXPECT_FALSE(fs::exists(dir));
  }
}

// The text-classification pipeline scores a model of one label with a sigmoid (a softmax over one logit is 1).
TEST(HfConvertTest, ASingleLabelIsScoredWithASigmoid) {
  ModelContents model = ConvertHuggingFace(testing::GoldenDir("bert"));
  ASSERT_EQ(model.config.problem_type, fb::ProblemType::SingleLabel);
  model.labels = {"relevant"};
  for (TensorData& t : model.tensors)
    if (t.name.starts_with("classifier.")) {
      t.bytes.resize(t.bytes.size() / 3);
      t.shape[0] = 1;
    }
  const fs::path dir = testing::TempPath("single_label");
  ExportHuggingFace(model, dir.string());
  EXPECT_EQ(ConvertHuggingFace(dir.string()).config.problem_type, fb::ProblemType::MultiLabel);
  fs::remove_all(dir);
}

TEST(HfConvertTest, QuantizingAQuantizedModelIsAClearError) {
  ModelContents m = Quantize(ConvertHuggingFace(testing::GoldenDir("bert")), QuantMode::kF16);
  try {
    Quantize(std::move(m), QuantMode::kInt8Dynamic);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("quantize from an fp32 model"), std::string::npos) << e.what();
  }
}

// A copy of a golden checkpoint directory with one file replaced; removed on destruction.
class EditedCheckpoint {
 public:
  EditedCheckpoint(const std::string& model, const std::string& file, const std::string& contents)
      : dir_(testing::TempPath("hf_edited")) {
    fs::remove_all(dir_);
    fs::copy(testing::GoldenDir(model), dir_);
    fs::remove(dir_ / file);
    std::ofstream(dir_ / file, std::ios::binary) << contents;
  }
  ~EditedCheckpoint() { fs::remove_all(dir_); }
  fs::path dir() const { return dir_; }
  std::string ConvertError() const {
    try {
      ConvertHuggingFace(dir_.string());
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }

 private:
  fs::path dir_;
};

// [0,0,...]: `count` JSON values and the array.
std::string JsonArrayOfZeros(size_t count) {
  std::string zeros(2 * count + 1, ',');
  for (size_t i = 1; i < zeros.size(); i += 2) zeros[i] = '0';
  zeros.front() = '[';
  zeros.back() = ']';
  return zeros;
}

TEST(HfConvertTest, HostileSafeTensorsHeadersAreClearErrors) {
  const std::pair<std::string, const char*> cases[] = {
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}", "has a bad shape"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-1,4],\"data_offsets\":[0,16]}}", "has a bad shape"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", "size does not match its shape"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,9999]}}", "lies outside the file"},
      {"{\"a\":{\"dtype\":7,\"shape\":[2],\"data_offsets\":[0,8]}}", "malformed header entry"},
      {"{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}", "nested deeper than 32 levels"},
      {"[1, 2]", "the header is not a JSON object"},
      {"{not json", "is not valid JSON"},
      {"{\"a\":" + JsonArrayOfZeros((1 << 20) + 1) + "}", "holds more than 1048576 JSON values"},
  };
  for (const auto& [header, error] : cases) {
    const EditedCheckpoint checkpoint("bert", "model.safetensors",
                                      testing::SafeTensorsFile(header, std::string(16, '\0')));
    EXPECT_NE(checkpoint.ConvertError().find(error), std::string::npos) << header << ": " << checkpoint.ConvertError();
    // The header alone (inspect) is checked as strictly.
    try {
      SafeTensors::Header((checkpoint.dir() / "model.safetensors").string());
      ADD_FAILURE() << header << ": expected " << error;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(error), std::string::npos) << header << ": " << e.what();
    }
  }
  const EditedCheckpoint huge_length("bert", "model.safetensors", std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8));
  EXPECT_NE(huge_length.ConvertError().find("bad header length"), std::string::npos) << huge_length.ConvertError();
}

// Refused by its line count before a token is built (each empty line would be a string).
TEST(HfConvertTest, AVocabularyOfMoreLinesThanAModelHasTokensIsAClearError) {
  const EditedCheckpoint checkpoint("bert", "vocab.txt", std::string(kMaxVocabTokens + 1, '\n'));
  EXPECT_NE(checkpoint.ConvertError().find("has 16777217 lines; a model has at most 16777216 tokens"),
            std::string::npos)
      << checkpoint.ConvertError();
}

TEST(HfConvertTest, HostileConfigValuesAreClearErrors) {
  const std::pair<std::string, const char*> cases[] = {
      {"{\"model_type\":\"bert\",\"hidden_size\":1e30}", "key 'hidden_size' holds 1e+30, expected an integer"},
      {"{\"model_type\":\"bert\",\"hidden_size\":\"32\"}", "key 'hidden_size' holds \"32\", expected an integer"},
      {"{\"model_type\":true}", "key 'model_type' holds true, expected a string"},
      {"{\"id2label\":{\"x\":\"a\"}}", "id2label ids must be 0..n-1, found 'x'"},
      {"{\"id2label\":{\"0\":\"a\",\"0 \":\"b\"}}", "id2label ids must be 0..n-1"},
      {"{\"num_labels\":2000000000}", "num_labels 2000000000 is outside [1, 65536]"},
      {"{\"id2label\":{\"0\":\"a\",\"1\":\"a\"}}", "config.json: id2label: labels 0 and 1 are both 'a'"},
      {"[]", "config.json is not a JSON object"},
      {std::string(40, '[') + std::string(40, ']'), "nested deeper than 32 levels"},
      {"{\"a\":" + JsonArrayOfZeros(1 << 19) + "}", "holds more than 524288 JSON values"},
  };
  for (const auto& [config, error] : cases) {
    const EditedCheckpoint checkpoint("bert", "config.json", config);
    EXPECT_NE(checkpoint.ConvertError().find(error), std::string::npos) << config << ": " << checkpoint.ConvertError();
  }
}

// A checkpoint directory with config.json (and optionally tokenizer files) edited: each key as HF reads it.
std::string ConfigError(const std::string& model, const std::function<void(nlohmann::ordered_json&)>& edit,
                        const std::string& file = "config.json") {
  std::ifstream in(testing::GoldenDir(model) + "/" + file);
  nlohmann::ordered_json j = in ? nlohmann::ordered_json::parse(in) : nlohmann::ordered_json::object();
  edit(j);
  return EditedCheckpoint(model, file, j.dump()).ConvertError();
}

TEST(HfConvertTest, KeysThatChangeTheMathAreFollowedOrRefused) {
  const std::pair<std::function<void(nlohmann::ordered_json&)>, const char*> config_cases[] = {
      {[](auto& j) { j["position_embedding_type"] = "relative_key"; },
       "config.json: position_embedding_type \"relative_key\" is not supported (flatbert follows \"absolute\""},
      {[](auto& j) { j["position_embedding_type"] = "relative_key_query"; }, "position_embedding_type"},
      {[](auto& j) { j["hidden_act"] = "mish"; }, "hidden_act 'mish' is not supported"},
      {[](auto& j) { j["problem_type"] = "regression"; }, "problem_type \"regression\" is not supported"},
      {[](auto& j) { j["is_decoder"] = true; }, "is_decoder true is not supported"},
      // AutoTokenizer takes config.json's class when tokenizer_config.json names none (cl-tohoku's Japanese BERTs).
      {[](auto& j) { j["tokenizer_class"] = "BertJapaneseTokenizer"; },
       "config.json: tokenizer_class \"BertJapaneseTokenizer\" is not supported"},
      {[](auto& j) {
         j["quantization_config"] = {{"quant_method", "bitsandbytes"}, {"load_in_8bit", true}};
       },
       "config.json: quantization_config {\"quant_method\":\"bitsandbytes\",\"load_in_8bit\":true} is not supported"},
      {[](auto& j) {
         j["pruned_heads"] = {{"0", {1}}};
       },
       "pruned_heads"},
      {[](auto& j) { j["architectures"] = {"BertForTokenClassification"}; },
       "architectures BertForTokenClassification"},
      {[](auto& j) { j["architectures"] = {"BertForPreTraining"}; },
       "is not a sequence classifier (architectures is BertForPreTraining): fine-tune it first, e.g. "
       "/usr/bin/python3 python/finetune.py --init"},
      {[](auto& j) { j["vocab_size"] = 2999; }, "vocab.txt has 3000 tokens, more than config.json vocab_size 2999"},
  };
  for (const auto& [edit, error] : config_cases) {
    const std::string got = ConfigError("bert", edit);
    EXPECT_NE(got.find(error), std::string::npos) << error << ": " << got;
  }
  EXPECT_NE(ConfigError("mobilebert", [](auto& j) { j["use_bottleneck_attention"] = true; })
                .find("use_bottleneck_attention true"),
            std::string::npos);
  const std::pair<std::function<void(nlohmann::ordered_json&)>, const char*> tokenizer_cases[] = {
      {[](auto& j) { j["tokenize_chinese_chars"] = false; }, "tokenize_chinese_chars false is not supported"},
      {[](auto& j) { j["never_split"] = {"foo"}; }, "never_split"},
      {[](auto& j) { j["unk_token"] = "<unk>"; }, "unk_token \"<unk>\""},
      {[](auto& j) { j["tokenizer_class"] = "RobertaTokenizer"; }, "tokenizer_class \"RobertaTokenizer\""},
      {[](auto& j) { j["truncation_side"] = "left"; }, "truncation_side \"left\""},
      {[](auto& j) {
         j["added_tokens_decoder"] = {{"5", {{"content", "<extra>"}}}};
       },
       "added token"},
      {[](auto& j) { j["split_special_tokens"] = true; }, "split_special_tokens true is not supported"},
      {[](auto& j) { j["bos_token"] = "<s>"; }, "bos_token \"<s>\" is not supported"},
      {[](auto& j) {
         j["eos_token"] = {{"content", "</s>"}};
       },
       "eos_token {\"content\":\"</s>\"} is not supported"},
      // Hugging Face would match [MASK] in the lowercased text ("[mask]"), or only as a word of its own.
      {[](auto& j) {
         j["mask_token"] = {{"content", "[MASK]"}, {"normalized", true}};
       },
       "has normalized true, not supported (flatbert matches special tokens as written, inside words too)"},
      {[](auto& j) {
         j["added_tokens_decoder"] = {{"103", {{"content", "[MASK]"}, {"single_word", true}}}};
       },
       "has single_word true"},
  };
  for (const auto& [edit, error] : tokenizer_cases) {
    const std::string got = ConfigError("bert", edit, "tokenizer_config.json");
    EXPECT_NE(got.find(error), std::string::npos) << error << ": " << got;
  }
}

TEST(HfConvertTest, AcceptedSpecialTokensMayBeAddedTokenObjects) {
  EXPECT_EQ(ConfigError(
                "bert",
                [](auto& j) {
                  j["unk_token"] = {{"content", "[UNK]"}, {"__type", "AddedToken"}, {"normalized", false}};
                  j["added_tokens_decoder"] = {{"103", {{"content", "[MASK]"}, {"lstrip", true}, {"special", true}}}};
                  j["bos_token"] = "[CLS]";
                  j["eos_token"] = nullptr;
                  j["split_special_tokens"] = false;
                },
                "tokenizer_config.json"),
            "");
}

// from_pretrained takes special tokens from special_tokens_map.json as from tokenizer_config.json: the same values are
// accepted.
TEST(HfConvertTest, SpecialTokensMapIsCheckedAsTokenizerConfigIs) {
  const auto error = [](const nlohmann::ordered_json& map) {
    return ConfigError(
        "bert", [&](auto& j) { j = map; }, "special_tokens_map.json");
  };
  EXPECT_EQ(error({{"cls_token", "[CLS]"}, {"unk_token", {{"content", "[UNK]"}, {"lstrip", false}}}}), "");
  EXPECT_EQ(error({{"unk_token", "<unk>"}}),
            "special_tokens_map.json: unk_token \"<unk>\" is not supported (flatbert follows \"[UNK]\"; a string, or "
            "an AddedToken with that content, matched as written (normalized and single_word false))");
  EXPECT_NE(
      error({{"additional_special_tokens", {"<e>"}}}).find("additional_special_tokens [\"<e>\"] is not supported"),
      std::string::npos);
  EXPECT_EQ(error({{"bos_token", "[CLS]"}, {"eos_token", "[SEP]"}}), "");
  EXPECT_NE(error({{"bos_token", "<s>"}}).find("special_tokens_map.json: bos_token \"<s>\" is not supported"),
            std::string::npos);
}

// added_tokens.json: the tokens add_tokens gave ids past vocab.txt, which the tokenizer matches whole.
TEST(HfConvertTest, AddedTokensBeyondTheSpecialOnesAreRefused) {
  EXPECT_EQ(EditedCheckpoint("bert", "added_tokens.json", R"({"[MASK]": 103})").ConvertError(), "");
  // Hugging Face gives an added token the id its file names.
  EXPECT_EQ(EditedCheckpoint("bert", "added_tokens.json", R"({"[MASK]": 5})").ConvertError(),
            "added_tokens.json: added token \"[MASK]\" has the id 5, the vocabulary gives it 103");
  EXPECT_EQ(
      EditedCheckpoint("bert", "tokenizer_config.json", R"({"added_tokens_decoder": {"5": {"content": "[MASK]"}}})")
          .ConvertError(),
      "tokenizer_config.json: added token {\"content\":\"[MASK]\"} has the id \"5\", the vocabulary gives it 103");
  EXPECT_EQ(EditedCheckpoint("bert", "added_tokens.json", R"({"[MASK]": 103, "<emoji>": 3000})").ConvertError(),
            "added_tokens.json: added token \"<emoji>\" is not supported (only [PAD] [UNK] [CLS] [SEP] [MASK])");
}

TEST(HfConvertTest, TokenizerSettingsFollowTokenizerConfig) {
  const auto read = [](const nlohmann::ordered_json& settings) {
    const EditedCheckpoint checkpoint("bert", "tokenizer_config.json", settings.dump());
    return ReadHfTokenizer(checkpoint.dir().string());
  };
  // BertTokenizerFast: do_lower_case defaults to true; strip_accents absent or null follows it.
  const HfTokenizer defaults = read(nlohmann::ordered_json::object());
  EXPECT_TRUE(defaults.lowercase && defaults.strip_accents);
  const HfTokenizer cased = read({{"do_lower_case", false}});
  EXPECT_FALSE(cased.lowercase || cased.strip_accents);
  const HfTokenizer accents = read({{"do_lower_case", true}, {"strip_accents", false}});
  EXPECT_TRUE(accents.lowercase);
  EXPECT_FALSE(accents.strip_accents);
  EXPECT_EQ(read({{"model_max_length", 1e30}}).model_max_length, INT_MAX);  // HF's "no limit"
  EXPECT_EQ(read({{"model_max_length", 16}}).model_max_length, 16);
}

TEST(HfConvertTest, ModelMaxLengthCapsMaxLength) {
  const EditedCheckpoint checkpoint("bert", "tokenizer_config.json", R"({"model_max_length": 20})");
  EXPECT_EQ(ConvertHuggingFace(checkpoint.dir().string()).tokenizer.max_length, 20);  // flatbert_max_length is 32
}

// bert-base-uncased's tokenizer.json (../shared) with the golden checkpoints' vocabulary, BERT's first 3,000 tokens;
// null when ../shared is absent.
nlohmann::ordered_json GoldenTokenizerJson() {
  std::ifstream in(std::string(FLATBERT_SHARED_DIR) + "/models/bert-base-uncased-tokenizer/tokenizer.json");
  if (!in) return nullptr;
  nlohmann::ordered_json full = nlohmann::ordered_json::parse(in);
  nlohmann::ordered_json vocab = nlohmann::ordered_json::object();
  for (const auto& item : full["model"]["vocab"].items())
    if (item.value().get<int>() < 3000) vocab[item.key()] = item.value();
  full["model"]["vocab"] = vocab;
  return full;
}

TEST(HfConvertTest, TokenizerJsonIsCheckedAgainstWhatFlatbertRuns) {
  const nlohmann::ordered_json full = GoldenTokenizerJson();
  if (full.is_null()) GTEST_SKIP() << "../shared/models is absent";
  const auto error = [&](const std::function<void(nlohmann::ordered_json&)>& edit) {
    nlohmann::ordered_json t = full;
    edit(t);
    return EditedCheckpoint("bert", "tokenizer.json", t.dump()).ConvertError();
  };
  EXPECT_EQ(error([](auto&) {}), "");
  EXPECT_NE(error([](auto& t) { t["normalizer"] = nullptr; }).find("normalizer null is not supported"),
            std::string::npos);
  EXPECT_NE(error([](auto& t) { t["normalizer"]["clean_text"] = false; }).find("normalizer.clean_text false"),
            std::string::npos);
  EXPECT_NE(error([](auto& t) { t["model"]["type"] = "BPE"; }).find("model.type \"BPE\""), std::string::npos);
  EXPECT_NE(error([](auto& t) { t["model"]["continuing_subword_prefix"] = "@@"; }).find("continuing_subword_prefix"),
            std::string::npos);
  EXPECT_NE(error([](auto& t) { t["model"]["vocab"]["hello"] = 7; }).find("vocab.txt differs"), std::string::npos);
  EXPECT_NE(error([](auto& t) {
              t["added_tokens"].push_back({{"id", 3000}, {"content", "<new>"}});
            }).find("added token"),
            std::string::npos);
  EXPECT_NE(error([](auto& t) {
              for (auto& token : t["added_tokens"]) token["normalized"] = true;
            }).find("tokenizer.json: token {\"id\":0,\"content\":\"[PAD]\""),
            std::string::npos);
  EXPECT_NE(error([](auto& t) { t["added_tokens"][0]["id"] = 7; }).find("has the id 7, the vocabulary gives it 0"),
            std::string::npos);
  EXPECT_NE(error([](auto& t) { t["post_processor"]["single"].erase(0); }).find("post_processor.single"),
            std::string::npos);
  EXPECT_NE(error([](auto& t) { t["pre_tokenizer"]["type"] = "Whitespace"; }).find("pre_tokenizer.type"),
            std::string::npos);
  // The post-processor adds [CLS] and [SEP] with the ids it names.
  EXPECT_EQ(error([](auto& t) { t["post_processor"]["special_tokens"]["[CLS]"]["ids"] = {5}; }),
            "tokenizer.json: post_processor gives [CLS] the id 5, vocab.txt 101");
  EXPECT_EQ(error([](auto& t) { t["post_processor"]["special_tokens"].erase("[SEP]"); }),
            "tokenizer.json: post_processor gives [SEP] the id (none), vocab.txt 102");
  EXPECT_EQ(error([](auto& t) {
              t["post_processor"] = {{"type", "BertProcessing"}, {"sep", {"[SEP]", 102}}, {"cls", {"[CLS]", 101}}};
            }),
            "");
  EXPECT_EQ(error([](auto& t) {
              t["post_processor"] = {{"type", "BertProcessing"}, {"sep", {"[SEP]", 7}}, {"cls", {"[CLS]", 101}}};
            }),
            "tokenizer.json: post_processor gives [SEP] the id 7, vocab.txt 102");
  // Hugging Face runs no part that is absent or null: no split before WordPiece, no [CLS] and [SEP].
  EXPECT_EQ(error([](auto& t) { t["pre_tokenizer"] = nullptr; }),
            "tokenizer.json: pre_tokenizer null is not supported (only \"BertPreTokenizer\")");
  EXPECT_EQ(error([](auto& t) { t.erase("post_processor"); }),
            "tokenizer.json: post_processor is absent (only \"BertProcessing\" | \"TemplateProcessing\")");
  EXPECT_EQ(error([](auto& t) { t.erase("normalizer"); }),
            "tokenizer.json: normalizer is absent (only \"BertNormalizer\")");
  EXPECT_EQ(error([](auto& t) { t["model"].erase("type"); }), "tokenizer.json: model has no type (only \"WordPiece\")");
  EXPECT_EQ(error([](auto& t) { t["post_processor"] = "TemplateProcessing"; }),
            "tokenizer.json: post_processor \"TemplateProcessing\" is not supported (only \"BertProcessing\" | "
            "\"TemplateProcessing\")");
}

// Hugging Face reads vocab.txt into a dict line by line (load_vocab; WordPiece's read_file likewise), so a token
// listed twice has the id of its last line, in the tokenizer and in the model converted.
TEST(HfConvertTest, ATokenListedTwiceHasItsLastLinesId) {
  std::vector<std::string> vocab = ReadVocabFile(testing::GoldenDir("bert") + "/vocab.txt");
  ASSERT_EQ(vocab[2000], "to");
  vocab.back() = "to";
  std::string lines;
  for (const std::string& token : vocab) lines += token + "\n";
  const EditedCheckpoint checkpoint("bert", "vocab.txt", lines);
  const std::vector<int32_t> expected = {101, 2999, 102};
  EXPECT_EQ(HuggingFaceTokenizer(checkpoint.dir().string(), {}).Encode("to"), expected);
  const std::string model = testing::TempPath("duplicate_token.fbm");
  WriteModel(Quantize(ConvertHuggingFace(checkpoint.dir().string()), QuantMode::kF32), model);
  EXPECT_EQ(Tokenizer::FromModel(model).Encode("to"), expected);
  fs::remove(model);

  // tokenizer.json's model.vocab must then hold each distinct token once, at that id.
  nlohmann::ordered_json ids = nlohmann::ordered_json::object();
  for (size_t i = 0; i < vocab.size(); ++i) ids[vocab[i]] = i;
  nlohmann::ordered_json t = {
      {"normalizer", {{"type", "BertNormalizer"}}},
      {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
      {"post_processor", {{"type", "BertProcessing"}, {"sep", {"[SEP]", 102}}, {"cls", {"[CLS]", 101}}}},
      {"model", {{"type", "WordPiece"}, {"vocab", ids}}}};
  std::ofstream(checkpoint.dir() / "tokenizer.json") << t.dump();
  EXPECT_EQ(checkpoint.ConvertError(), "");
  t["model"]["vocab"]["to"] = 2000;
  std::ofstream(checkpoint.dir() / "tokenizer.json") << t.dump();
  EXPECT_EQ(checkpoint.ConvertError(), "tokenizer.json: model.vocab has 'to' as 2000, vocab.txt differs");
  t["model"]["vocab"]["to"] = 2999;
  t["model"]["vocab"]["replaced"] = 2999;
  std::ofstream(checkpoint.dir() / "tokenizer.json") << t.dump();
  EXPECT_EQ(checkpoint.ConvertError(), "tokenizer.json: model.vocab has 'replaced' as 2999, vocab.txt differs");
}

// save_pretrained writes no vocab.txt for a fast tokenizer loaded from tokenizer.json alone; BertTokenizerFast then
// reads the vocabulary from tokenizer.json.
TEST(HfConvertTest, TokenizerJsonServesWithoutVocabTxt) {
  nlohmann::ordered_json t = GoldenTokenizerJson();
  if (t.is_null()) GTEST_SKIP() << "../shared/models is absent";
  const EditedCheckpoint checkpoint("bert", "tokenizer.json", t.dump());
  const std::vector<std::string> vocab = ConvertHuggingFace(checkpoint.dir().string()).tokenizer.vocab;
  fs::remove(checkpoint.dir() / "vocab.txt");
  EXPECT_EQ(ConvertHuggingFace(checkpoint.dir().string()).tokenizer.vocab, vocab);
  t["model"]["vocab"]["[unused0]"] = 2999;  // two tokens at 2999, none at 1
  std::ofstream(checkpoint.dir() / "tokenizer.json") << t.dump();
  EXPECT_EQ(checkpoint.ConvertError(),
            "tokenizer.json: model.vocab has 'replaced' as 2999; without a vocab.txt its ids must be 0..n-1");
}

TEST(HfConvertTest, ReportsWhatItPassesOver) {
  const std::string dir = testing::GoldenDir("mobilebert-no-trigram");
  HfReport report;
  ConvertHuggingFace(dir, &report);
  // HF builds embedding_transformation even where it never applies it; the converter leaves it out.
  EXPECT_NE(std::find(report.unused_tensors.begin(), report.unused_tensors.end(),
                      "mobilebert.embeddings.embedding_transformation.weight"),
            report.unused_tensors.end());
  const EditedCheckpoint unknown("bert", "tokenizer_config.json", R"({"some_future_key": 1})");
  HfReport unknown_report;
  ConvertHuggingFace(unknown.dir().string(), &unknown_report);
  EXPECT_EQ(unknown_report.unread_keys, (std::vector<std::string>{"tokenizer_config.json: some_future_key"}));
}

TEST(HfConvertTest, APretrainingCheckpointNeedsFineTuningFirst) {
  // model.safetensors without classifier.*: what a pre-training checkpoint saved as a classifier config looks like.
  const SafeTensors full(testing::GoldenDir("bert") + "/model.safetensors");
  std::vector<TensorData> tensors;
  for (const std::string& name : full.names())
    if (!name.starts_with("classifier.")) {
      const std::vector<float> values = full.ReadF32(name);
      tensors.push_back(F32Tensor(name, full.shape(name), values.data()));
    }
  const std::string path = testing::TempPath("encoder_only.safetensors");
  WriteSafeTensorsF32(tensors, path);
  const EditedCheckpoint checkpoint("bert", "model.safetensors", std::string());
  fs::copy_file(path, checkpoint.dir() / "model.safetensors", fs::copy_options::overwrite_existing);
  fs::remove(path);
  EXPECT_NE(checkpoint.ConvertError().find("no classifier.weight): fine-tune it first"), std::string::npos)
      << checkpoint.ConvertError();
  // inspect says the same from the header alone.
  const nlohmann::json weights = nlohmann::json::parse(DescribeCheckpoint(checkpoint.dir().string()))["weights"];
  EXPECT_EQ(weights["tensors"], full.names().size() - 2);
  EXPECT_EQ(weights["missing"], (std::vector<std::string>{"classifier.weight", "classifier.bias"}));
  const std::string written = (checkpoint.dir() / "model.safetensors").string();
  const SafeTensors header = SafeTensors::Header(written);
  EXPECT_EQ(header.names(), SafeTensors(written).names());
  EXPECT_EQ(header.shape("bert.pooler.dense.weight"), full.shape("bert.pooler.dense.weight"));
  EXPECT_THROW(header.ReadF32("bert.pooler.dense.weight"), Error);
}

TEST(HfConvertTest, InspectKnowsABaseModelsCheckpoint) {
  // BertModel.save_pretrained (AutoModel): the encoder without "bert.", no head; finetune.py adds the prefix.
  const SafeTensors full(testing::GoldenDir("bert") + "/model.safetensors");
  std::vector<TensorData> tensors;
  for (const std::string& name : full.names())
    if (name.starts_with("bert.")) {
      const std::vector<float> values = full.ReadF32(name);
      tensors.push_back(F32Tensor(name.substr(5), full.shape(name), values.data()));
    }
  const EditedCheckpoint checkpoint("bert", "model.safetensors", std::string());
  WriteSafeTensorsF32(tensors, (checkpoint.dir() / "model.safetensors").string());
  const nlohmann::json weights = nlohmann::json::parse(DescribeCheckpoint(checkpoint.dir().string()))["weights"];
  EXPECT_EQ(weights["unprefixed"], true);
  EXPECT_EQ(weights["missing"], (std::vector<std::string>{"classifier.weight", "classifier.bias"}));
  EXPECT_EQ(weights["misshapen"], nlohmann::json::array());
  EXPECT_EQ(nlohmann::json::parse(DescribeCheckpoint(testing::GoldenDir("bert")))["weights"]["unprefixed"], false);
  EXPECT_NE(checkpoint.ConvertError().find("no classifier.weight): fine-tune it first"), std::string::npos);

  // With a head beside such an encoder, transformers calls the file corrupted; convert says so.
  for (const char* name : {"classifier.weight", "classifier.bias"}) {
    const std::vector<float> values = full.ReadF32(name);
    tensors.push_back(F32Tensor(name, full.shape(name), values.data()));
  }
  WriteSafeTensorsF32(tensors, (checkpoint.dir() / "model.safetensors").string());
  EXPECT_EQ(checkpoint.ConvertError(),
            "model.safetensors has a classifier head beside an encoder whose names lack 'bert.': transformers refuses "
            "such a file as corrupted");
  const nlohmann::json headed = nlohmann::json::parse(DescribeCheckpoint(checkpoint.dir().string()))["weights"];
  EXPECT_EQ(headed["unprefixed"], true);
  EXPECT_EQ(headed["missing"], nlohmann::json::array());
}

TEST(HfConvertTest, AHeadOfOtherLabelsIsNamedWithBothShapes) {
  // The golden head has 3 labels; a config.json of 2 (num_labels alone, as a hand-edited config may have).
  nlohmann::json config = nlohmann::json::parse(
      ReadRegularFile(testing::GoldenDir("bert") + "/config.json", "config.json", size_t{1} << 20));
  config.erase("id2label");
  config.erase("label2id");
  config["num_labels"] = 2;
  const EditedCheckpoint edited("bert", "config.json", config.dump());
  const std::string said =
      "tensor 'classifier.weight' is [3, 32] in model.safetensors; config.json gives [2, 32] (2 labels: id2label's, "
      "else num_labels, else 2 as in transformers)";
  EXPECT_EQ(edited.ConvertError(), said);
  // inspect tells it from a missing head, which fine-tuning adds.
  const nlohmann::json weights = nlohmann::json::parse(DescribeCheckpoint(edited.dir().string()))["weights"];
  EXPECT_EQ(weights["missing"], nlohmann::json::array());
  ASSERT_EQ(weights["misshapen"].size(), 2u);
  EXPECT_EQ(weights["misshapen"][0], said);
  EXPECT_EQ(weights["misshapen"][1],
            "tensor 'classifier.bias' is [3] in model.safetensors; config.json gives [2] (2 labels: id2label's, else "
            "num_labels, else 2 as in transformers)");
}

TEST(HfConvertTest, DescribeCheckpointChecksTheSettingsAsConvertDoes) {
  // A pre-training checkpoint, weights not read: described, where convert asks for fine-tuning first.
  nlohmann::json config = nlohmann::json::parse(
      ReadRegularFile(testing::GoldenDir("bert") + "/config.json", "config.json", size_t{1} << 20));
  config["architectures"] = {"BertForPreTraining"};
  const EditedCheckpoint pretraining("bert", "config.json", config.dump());
  fs::remove(pretraining.dir() / "model.safetensors");
  const nlohmann::json described = nlohmann::json::parse(DescribeCheckpoint(pretraining.dir().string()));
  EXPECT_EQ(described["weights"], nullptr);  // no model.safetensors
  EXPECT_EQ(nlohmann::json::parse(DescribeCheckpoint(testing::GoldenDir("bert")))["weights"]["missing"],
            nlohmann::json::array());
  EXPECT_EQ(described["config"]["arch"], "Bert");
  EXPECT_EQ(described["labels"], (std::vector<std::string>{"negative", "neutral", "positive"}));
  EXPECT_EQ(described["tokenizer"]["vocab_size"], 3000);
  EXPECT_EQ(described["unread_keys"], nlohmann::json::array());
  EXPECT_NE(pretraining.ConvertError().find("architectures is BertForPreTraining): fine-tune it first"),
            std::string::npos)
      << pretraining.ConvertError();
  // What convert refuses in config.json or the tokenizer files, DescribeCheckpoint refuses in the same words.
  for (const auto& [file, contents] : std::vector<std::pair<std::string, std::string>>{
           {"tokenizer_config.json", R"({"tokenize_chinese_chars": false})"},
           {"added_tokens.json", R"({"<new>": 3000})"},
           {"config.json", R"({"model_type": "bert", "is_decoder": true})"}}) {
    const EditedCheckpoint edited("bert", file, contents);
    const std::string refused = edited.ConvertError();
    EXPECT_NE(refused.find(file + ": "), std::string::npos) << refused;
    try {
      DescribeCheckpoint(edited.dir().string());
      ADD_FAILURE() << "expected: " << refused;
    } catch (const Error& e) {
      EXPECT_EQ(e.what(), refused);
    }
  }
}

TEST(HfConvertTest, AFifoInTheCheckpointIsRefusedAtOnce) {
  const EditedCheckpoint checkpoint("bert", "config.json", "");
  fs::remove(checkpoint.dir() / "config.json");
  ASSERT_EQ(::mkfifo((checkpoint.dir() / "config.json").c_str(), 0600), 0);
  EXPECT_NE(checkpoint.ConvertError().find("is not a regular file"), std::string::npos) << checkpoint.ConvertError();
}

TEST(HfConvertTest, HalfPrecisionRoundTrips) {
  for (float f : {0.f, 1.f, -2.5f, 65504.f, 6.1035156e-05f, 5.9604645e-08f, 0.33325195f})
    EXPECT_EQ(HalfToFloat(FloatToHalf(f)), f) << f;
  EXPECT_EQ(HalfToFloat(FloatToHalf(1e6f)), std::numeric_limits<float>::infinity());
}

}  // namespace
}  // namespace flatbert
