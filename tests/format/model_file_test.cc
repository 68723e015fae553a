#include "format/model_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "convert/hf_convert.h"
#include "convert/quantize.h"
#include "convert/safetensors.h"
#include "engine/model_text.h"
#include "flatbert/error.hpp"
#include "flatbert/json.hpp"
#include "flatbert/output_file.hpp"
#include "format/file_io.h"
#include "format/model_contents.h"
#include "kernels/row_quantizers.h"
#include "test_util.h"

namespace flatbert {
namespace {

using testing::LoadError;

// fp32, Linear weights packed as the engine reads them (the verifier refuses row-major ones).
ModelContents SmallBert() { return Quantize(ConvertHuggingFace(testing::GoldenDir("bert")), QuantMode::kF32); }

const TensorData& Named(const ModelContents& m, const std::string& name) {
  return *std::find_if(m.tensors.begin(), m.tensors.end(), [&](const TensorData& t) { return t.name == name; });
}

// Each value, key, array and object counts: a capped parse refuses the one past the cap.
TEST(ParseJsonTest, RefusesMoreValuesThanItsCap) {
  EXPECT_EQ(ParseJson("[1, 2, 3]", "x", 4), nlohmann::ordered_json::parse("[1, 2, 3]"));
  EXPECT_EQ(ParseJson(R"({"a": [1]})", "x", 4).at("a").at(0), 1);
  for (const char* over : {"[1, 2, 3, 4]", R"({"a": [1], "b": 2})"}) {
    try {
      ParseJson(over, "x", 4);
      ADD_FAILURE() << "expected an error for " << over;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), "x holds more than 4 JSON values") << over;
    }
  }
  EXPECT_EQ(ParseJson("[1, 2, 3, 4]", "x", 5).size(), 4u);  // the array and its four values
}

// The same tree as json::parse, key order and repeated keys included, built without its search of every earlier
// key for each key (quadratic in an object's keys).
TEST(ParseJsonTest, BuildsWhatJsonParseBuilds) {
  for (const char* text : {"7", "\"\\u00e9\\ud83d\\ude00\"", "null", "[]", "{}", "-1.5e300", "18446744073709551615",
                           "[true, false, null]", R"({"b": 1, "a": {"d": [1, {"x": 2}], "c": "z"}, "e": []})",
                           R"({"b": 1, "a": 2, "b": 3})", R"([{"k": 1, "k": {"k": [2]}}, {"k": 4}])"})
    EXPECT_EQ(ParseJson(text, "x", 100).dump(), nlohmann::ordered_json::parse(text).dump()) << text;
  EXPECT_EQ(ParseJson(R"({"b": 1, "a": 2, "b": 3})", "x", 100).dump(), R"({"b":3,"a":2})");
  std::string many = "{";
  for (int i = 0; i < 200000; ++i) many += (i ? ",\"" : "\"") + std::to_string(i % 150000) + "\":" + std::to_string(i);
  many += "}";
  const nlohmann::ordered_json object = ParseJson(many, "x", 400001);
  ASSERT_EQ(object.size(), 150000u);
  EXPECT_EQ(object.begin().key(), "0");
  EXPECT_EQ(object.at("0"), 150000);  // repeated: its last value, in its first place
  EXPECT_EQ(object.at("149999"), 149999);
  for (const char* bad : {"{\"a\": }", "[1, 2", "{\"a\" 1}", "01", "[1] x"}) {
    try {
      ParseJson(bad, "x", 100);
      ADD_FAILURE() << "expected an error for " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).rfind("x is not valid JSON: ", 0), 0u) << e.what();
    }
  }
}

// Lines as transformers' load_vocab reads them (Python's text mode): "\n", "\r\n" and a lone "\r" end a line, and a
// byte that is not UTF-8 is an error.
TEST(VocabFileTest, SplitsLinesAsPythonReadsThem) {
  const std::string path = testing::TempPath("vocab.txt");
  const auto read = [&](const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
    return ReadVocabFile(path);
  };
  using Tokens = std::vector<std::string>;
  EXPECT_EQ(read("a\nb\n"), (Tokens{"a", "b"}));
  EXPECT_EQ(read("a\r\nb\rc\n\nd"), (Tokens{"a", "b", "c", "", "d"}));
  EXPECT_EQ(read("a\r\r\n b \n\xc3\xa9"), (Tokens{"a", "", " b ", "\xc3\xa9"}));
  EXPECT_EQ(read(""), Tokens{});
  try {
    read("a\nb\xff\n");
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "vocabulary '" + path + "': line 2 is not valid UTF-8");
  }
  std::filesystem::remove(path);
}

TEST(OutputFileTest, WritesWholeOrSaysWhy) {
  namespace fs = std::filesystem;
  const std::string dir = testing::TempPath("output_file");
  fs::remove_all(dir);
  fs::create_directory(dir);
  const std::string path = dir + "/out.json", link = dir + "/link.json";
  const auto contents = [](const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  };
  WriteOutputFile(path, {"ab", "", "cd"});
  EXPECT_EQ(contents(path), "abcd");
  fs::create_symlink("out.json", link);
  WriteOutputFile(link, "through the link");  // writes the file the link names; the link stays
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(contents(path), "through the link");
  const auto error = [](const std::string& p) {
    try {
      WriteOutputFile(p, "x");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error(dir), "cannot write '" + dir + "': Is a directory");
  EXPECT_EQ(error(dir + "/no/such.json"), "cannot write '" + dir + "/no/such.json': No such file or directory");
  // A write that cannot be made leaves the file as it was.
  fs::create_directory(path + ".tmp");
  EXPECT_EQ(error(path), "cannot write '" + path + "': Is a directory");
  EXPECT_EQ(contents(path), "through the link");
  // /dev/fd/N is written through descriptor N, after what was written there: a shell's `> file` is not truncated.
  {
    const std::string shared = dir + "/shared.txt";
    std::FILE* out = std::fopen(shared.c_str(), "w");
    std::fputs("printed first\n", out);
    std::fflush(out);
    WriteOutputFile("/dev/fd/" + std::to_string(fileno(out)), "then the file\n");
    std::fclose(out);
    EXPECT_EQ(contents(shared), "printed first\nthen the file\n");
  }
  // A device is written in place: a full disk is seen (an unchecked stream passes over it).
  if (fs::exists("/dev/full")) {
    EXPECT_EQ(error("/dev/full"), "cannot write '/dev/full': No space left on device");
  }
  fs::remove_all(dir);
}

TEST(ModelFileTest, RoundTripKeepsConfigLabelsVocabAndTensors) {
  const ModelContents contents = SmallBert();
  const std::string path = testing::TempPath("roundtrip.fbm");
  WriteModel(contents, path);
  const ModelFile file = ModelFile::Open(path);
  std::remove(path.c_str());

  EXPECT_EQ(file.meta().format_version(), kFormatVersion);
  EXPECT_EQ(file.config().arch, fb::Arch::Bert);
  EXPECT_EQ(file.config().hidden_size, 32);
  EXPECT_EQ(file.config().num_layers, 2);
  EXPECT_EQ(file.config().num_heads, 4);
  EXPECT_EQ(file.config().vocab_size, 3000);
  ASSERT_EQ(file.num_labels(), 3);
  EXPECT_EQ(file.labels()[2], "positive");
  EXPECT_EQ(file.meta().tokenizer()->vocab()->Get(101)->str(), "[CLS]");
  EXPECT_EQ(file.meta().tokenizer()->max_length(), 32);
  ASSERT_NE(file.meta().normalizer(), nullptr);
  EXPECT_TRUE(file.meta().normalizer()->replace_mentions());

  const SafeTensors source(testing::GoldenDir("bert") + "/model.safetensors");
  const ModelContents back = Dequantize(ReadContents(file));  // the packed classifier back to rows
  for (const char* name : {"bert.embeddings.word_embeddings.weight", "bert.encoder.layer.1.output.dense.bias",
                           "classifier.weight"}) {
    const TensorView t = file.tensor(name);
    EXPECT_EQ(t.shape, source.shape(name)) << name;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data) % kTensorAlignment, 0u) << name;
    const std::vector<float> expected = source.ReadF32(name);
    const TensorData& got = Named(back, name);
    ASSERT_EQ(got.bytes.size(), expected.size() * sizeof(float));
    const auto* values = reinterpret_cast<const float*>(got.bytes.data());
    for (size_t i = 0; i < expected.size(); ++i) ASSERT_EQ(values[i], expected[i]) << name << " at " << i;
  }
}

TEST(ModelFileTest, RejectsTruncatedFiles) {
  const std::vector<uint8_t> bytes = SerializeModel(SmallBert());
  for (size_t size : {size_t{0}, size_t{7}, size_t{100}, bytes.size() / 2, bytes.size() - 1}) {
    const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(size));
    const std::string error = LoadError(cut);
    EXPECT_NE(error, "") << "size " << size;
    EXPECT_TRUE(error.find("truncated") != std::string::npos || error.find("outside the file") != std::string::npos)
        << error;
  }
}

TEST(ModelFileTest, RejectsWrongIdentifier) {
  std::vector<uint8_t> bytes = SerializeModel(SmallBert());
  bytes[4 + 4] = 'X';  // identifier follows the size prefix and the root offset
  EXPECT_NE(LoadError(bytes).find("FBM1"), std::string::npos) << LoadError(bytes);
}

TEST(ModelFileTest, RejectsOtherFormatVersion) {
  std::vector<uint8_t> bytes = SerializeModel(SmallBert());
  ASSERT_TRUE(fb::GetMutableSizePrefixedModel(bytes.data())->mutate_format_version(kFormatVersion + 1));
  EXPECT_NE(LoadError(bytes).find("format version 3, this build reads version 2"), std::string::npos)
      << LoadError(bytes);
}

// Labels are written out as JSON keys and C strings, and matched against TSV columns: each must be one short line of
// valid UTF-8, and no two alike (a duplicate would merge two probabilities under one key).
TEST(ModelFileTest, RejectsLabelsThatCannotBeWrittenOutAsThemselves) {
  const std::pair<std::vector<std::string>, const char*> cases[] = {
      {{"negative", "\xffneutral", "positive"}, "label 1 is not valid UTF-8"},
      {{std::string("neg\0tive", 8), "neutral", "positive"}, "label 0 has a control character"},
      {{"negative", "neu\ttral", "positive"}, "label 1 has a control character"},
      {{"negative", "", "positive"}, "label 1 is empty"},
      {{"negative", std::string(300, 'x'), "positive"}, "label 1 is over 256 bytes"},
      {{"negative", "neutral", "negative"}, "labels 0 and 2 are both 'negative'"},
  };
  for (const auto& [labels, error] : cases) {
    ModelContents m = SmallBert();
    m.labels = labels;
    const std::string message = LoadError(SerializeModel(m));
    EXPECT_NE(message.find(error), std::string::npos) << message;
  }
  ModelContents m = SmallBert();
  m.labels = {"n\u00e9gatif", "\u4e2d\u6027", "positive \U0001F600"};  // any text, spaces included
  EXPECT_EQ(LoadError(SerializeModel(m)), "");
}

// Every prediction holds a probability per label, and tools print them: a file of more labels than a config.json
// may give convert is refused by their count, before they are copied or checked.
TEST(ModelFileTest, RejectsMoreLabelsThanAModelMayHave) {
  ModelContents m = SmallBert();
  m.labels.clear();
  for (size_t i = 0; i <= kMaxLabels; ++i) m.labels.push_back(std::to_string(i % 2));  // each repeats
  EXPECT_NE(LoadError(SerializeModel(m)).find(": 65537 labels; a model has at most 65536"), std::string::npos)
      << LoadError(SerializeModel(m));
}

TEST(ModelFileTest, PackedInt8WeightsRoundTripAndTheirSizeIsChecked) {
  const ModelContents int8 = Quantize(SmallBert(), QuantMode::kInt8Dynamic);
  const std::vector<uint8_t> bytes = SerializeModel(int8);
  const ModelFile file = ModelFile::FromBytes(bytes.data(), bytes.size(), "int8");
  const fb::Tensor* query = nullptr;
  for (const fb::Tensor* t : *file.meta().tensors())
    if (t->name()->str().ends_with("attention.self.query.weight")) query = t;
  ASSERT_NE(query, nullptr);
  EXPECT_EQ(query->layout(), fb::Layout::K4N16);
  EXPECT_EQ(file.find("bert.embeddings.word_embeddings.weight")->layout(), fb::Layout::RowMajor);
  // Dequantizing unpacks: the same values as quantizing the fp32 weights row by row.
  const ModelContents rows = ConvertHuggingFace(testing::GoldenDir("bert")), unpacked = Dequantize(ReadContents(file));
  const TensorData &original = Named(rows, query->name()->str()), &back = Named(unpacked, query->name()->str());
  const int64_t n = original.shape[0], k = original.shape[1];
  std::vector<int8_t> q(static_cast<size_t>(n * k));
  std::vector<float> scales(static_cast<size_t>(n));
  QuantizeRowsInt8(reinterpret_cast<const float*>(original.bytes.data()), n, k, q.data(), scales.data());
  const auto* values = reinterpret_cast<const float*>(back.bytes.data());
  for (int64_t j = 0; j < n * k; ++j) ASSERT_EQ(values[j], q[j] * scales[j / k]) << j;

  ModelContents short_tensor = int8;
  for (TensorData& t : short_tensor.tensors)
    if (t.name == query->name()->str()) t.bytes.resize(t.bytes.size() - 64);
  EXPECT_NE(LoadError(SerializeModel(short_tensor)).find("its shape needs"), std::string::npos);
}

TEST(ModelFileTest, RejectsMissingTensor) {
  ModelContents contents = SmallBert();
  std::erase_if(contents.tensors, [](const TensorData& t) { return t.name == "classifier.bias"; });
  EXPECT_NE(LoadError(SerializeModel(contents)).find("missing tensor 'classifier.bias'"), std::string::npos);
}

TEST(ModelFileTest, RejectsWrongShape) {
  ModelContents contents = SmallBert();
  for (TensorData& t : contents.tensors)
    if (t.name == "classifier.weight") t.shape = {32, 3};
  EXPECT_NE(LoadError(SerializeModel(contents)).find("tensor 'classifier.weight' has shape [32, 3], the config needs [3, 32]"),
            std::string::npos)
      << LoadError(SerializeModel(contents));
}

TEST(ModelFileTest, VocabularyIndexIsStoredAndChecked) {
  std::vector<uint8_t> bytes = SerializeModel(SmallBert());
  {
    const ModelFile file = ModelFile::FromBytes(bytes.data(), bytes.size(), "test.fbm");
    const auto* slots = file.meta().tokenizer()->vocab_slots();
    ASSERT_NE(slots, nullptr);
    EXPECT_EQ(slots->size(), 8192u);  // the power of two at least twice the 3,000 tokens
    const WordPieceTokenizer tokenizer = ModelTokenizer(file);
    const auto& vocab = *file.meta().tokenizer()->vocab();
    const VocabIndex built(&vocab, {});  // what a file without the stored index gets at load
    for (flatbuffers::uoffset_t id = 0; id < vocab.size(); ++id) {
      const std::string_view token = vocab.Get(id)->string_view();
      ASSERT_EQ(vocab.Get(tokenizer.id(token)), vocab.Get(id)) << id;
      ASSERT_EQ(built.Find(token), tokenizer.id(token)) << id;
    }
  }
  auto* slots = fb::GetMutableSizePrefixedModel(bytes.data())->mutable_tokenizer()->mutable_vocab_slots();
  const auto used = std::find_if(slots->begin(), slots->end(), [](uint16_t slot) { return slot != 0; });
  slots->Mutate(static_cast<flatbuffers::uoffset_t>(used - slots->begin()), 3001);  // an id past the vocabulary
  EXPECT_NE(LoadError(bytes).find("vocabulary index does not fit its 3000 tokens"), std::string::npos)
      << LoadError(bytes);
}

TEST(ModelFileTest, RejectsAnUnsharedBottleneckNarrowerThanTheHiddenState) {
  ModelContents contents = ConvertHuggingFace(testing::GoldenDir("mobilebert"));  // hidden 48, bottleneck 24
  contents.config.key_query_shared_bottleneck = false;
  EXPECT_NE(LoadError(SerializeModel(contents)).find("key_query_shared_bottleneck false needs intra_bottleneck_size (24) "
                                                     "equal to hidden_size (48)"),
            std::string::npos)
      << LoadError(SerializeModel(contents));
}

TEST(ModelFileTest, RejectsNonexistentPath) {
  EXPECT_THROW(ModelFile::Open("/nonexistent/model.fbm"), Error);
}

TEST(ModelFileTest, CorruptedBytesNeverCrash) {
  const std::vector<uint8_t> bytes = SerializeModel(SmallBert());
  const size_t header = DataSectionOffset(flatbuffers::GetPrefixedSize(bytes.data()) + 4);
  std::mt19937 rng(42);
  int rejected = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<uint8_t> bad = bytes;
    for (int flips = 0; flips < 4; ++flips) bad[rng() % header] = static_cast<uint8_t>(rng());
    rejected += LoadError(bad).empty() ? 0 : 1;
  }
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace flatbert
