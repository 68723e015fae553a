#include "format/hf_convert.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "flatbert/error.hpp"
#include "format/hf_export.h"
#include "format/model_file.h"
#include "quant/half.h"
#include "quant/quantize.h"
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
  EXPECT_FALSE(m.config.pooler_activation);
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
  for (const char* name : {"bert", "mobilebert", "mobilebert-layernorm-gelu"}) {
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
    EXPECT_EQ(back.config.pooler_activation, original.config.pooler_activation);
    EXPECT_EQ(back.config.norm, original.config.norm);
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

// model.safetensors bytes: the u64 header length, the header, then `data` bytes.
std::string SafeTensorsFile(const std::string& header, size_t data = 0) {
  const uint64_t n = header.size();
  return std::string(reinterpret_cast<const char*>(&n), 8) + header + std::string(data, '\0');
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
  };
  for (const auto& [header, error] : cases) {
    const EditedCheckpoint checkpoint("bert", "model.safetensors", SafeTensorsFile(header, 16));
    EXPECT_NE(checkpoint.ConvertError().find(error), std::string::npos) << header << ": " << checkpoint.ConvertError();
  }
  const EditedCheckpoint huge_length("bert", "model.safetensors", std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8));
  EXPECT_NE(huge_length.ConvertError().find("bad header length"), std::string::npos) << huge_length.ConvertError();
}

TEST(HfConvertTest, HostileConfigValuesAreClearErrors) {
  const std::pair<std::string, const char*> cases[] = {
      {"{\"model_type\":\"bert\",\"hidden_size\":1e30}", "key 'hidden_size' holds 1e+30, expected an integer"},
      {"{\"model_type\":\"bert\",\"hidden_size\":\"32\"}", "key 'hidden_size' holds \"32\", expected an integer"},
      {"{\"model_type\":true}", "key 'model_type' holds true, expected a string"},
      {"{\"id2label\":{\"x\":\"a\"}}", "id2label ids must be 0..n-1, found 'x'"},
      {"{\"id2label\":{\"0\":\"a\",\"0 \":\"b\"}}", "id2label ids must be 0..n-1"},
      {"{\"num_labels\":2000000000}", "num_labels 2000000000 is outside [1, 65536]"},
      {"[]", "config.json is not a JSON object"},
      {std::string(40, '[') + std::string(40, ']'), "nested deeper than 32 levels"},
  };
  for (const auto& [config, error] : cases) {
    const EditedCheckpoint checkpoint("bert", "config.json", config);
    EXPECT_NE(checkpoint.ConvertError().find(error), std::string::npos) << config << ": " << checkpoint.ConvertError();
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
