// The verifier against hostile model files: every field the engine or the tools read is checked before use.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "engine/sequence_classifier.h"
#include "flatbert/error.hpp"
#include "convert/hf_convert.h"
#include "format/model_file.h"
#include "format/model_contents.h"
#include "convert/quantize.h"
#include "test_util.h"

namespace flatbert {
namespace {

using testing::LoadError;

using testing::EditHeader;
using testing::TensorNamed;

std::vector<uint8_t> Int8Bert() {
  return SerializeModel(Quantize(ConvertHuggingFace(testing::GoldenDir("bert")), QuantMode::kInt8Dynamic));
}

constexpr const char* kQuery = "bert.encoder.layer.0.attention.self.query.weight";

TEST(VerifyTest, AFifoIsRefusedAtOnce) {  // opening it blocking would wait forever for a writer
  const std::string path = testing::TempPath("model.fifo");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  try {
    ModelFile::Open(path);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is not a regular file"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

TEST(VerifyTest, ADirectoryIsRefused) {
  EXPECT_NE(std::string([] {
              try {
                ModelFile::Open("/tmp");
              } catch (const Error& e) {
                return std::string(e.what());
              }
              return std::string();
            }())
                .find("is not a regular file"),
            std::string::npos);
}

TEST(VerifyTest, EveryTensorNeedsItsShape) {  // inspect used to dereference a missing shape
  const std::vector<uint8_t> bytes =
      EditHeader(Int8Bert(), [](fb::ModelT& m) { TensorNamed(m, "bert.embeddings.LayerNorm.bias").shape.clear(); });
  EXPECT_NE(LoadError(bytes).find("tensor 'bert.embeddings.LayerNorm.bias' has shape none, the config needs [32]"),
            std::string::npos)
      << LoadError(bytes);
}

// The file with one tensor's [long] shape placed 4-byte but not 8-byte aligned (a fuzzer finding): the flatbuffer
// verifier checks only a vector's length field, and reading the shape was then a misaligned load.
std::vector<uint8_t> MisalignedShape(const std::vector<uint8_t>& file, const std::string& name) {
  for (uint32_t pad = 0; pad < 2; ++pad) {
    const std::unique_ptr<fb::ModelT> m(fb::GetSizePrefixedModel(file.data())->UnPack());
    flatbuffers::FlatBufferBuilder fbb;
    std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
    for (const auto& t : m->tensors) {
      if (t->name != name) {
        tensors.push_back(fb::CreateTensor(fbb, t.get()));
        continue;
      }
      const auto tensor_name = fbb.CreateString(t->name);
      const auto quant = t->quant ? fb::CreateQuantParams(fbb, t->quant.get()) : 0;
      for (uint32_t i = 0; i < pad; ++i) fbb.PushElement<uint32_t>(0);
      fbb.StartVector(t->shape.size() * 2, sizeof(uint32_t));  // int64 values written as 4-byte-aligned pairs
      for (auto d = t->shape.rbegin(); d != t->shape.rend(); ++d) {
        fbb.PushElement(static_cast<uint32_t>(static_cast<uint64_t>(*d) >> 32));
        fbb.PushElement(static_cast<uint32_t>(*d));
      }
      const flatbuffers::Offset<flatbuffers::Vector<int64_t>> shape(fbb.EndVector(t->shape.size()));
      tensors.push_back(
          fb::CreateTensor(fbb, tensor_name, shape, t->dtype, quant, t->offset, t->size, t->layout, t->checksum));
    }
    const auto model =
        fb::CreateModel(fbb, m->format_version, fb::CreateArchConfig(fbb, m->config.get()),
                        fbb.CreateVectorOfStrings(m->labels), fb::CreateTokenizerConfig(fbb, m->tokenizer.get()),
                        m->normalizer ? fb::CreateNormalizerConfig(fbb, m->normalizer.get()) : 0,
                        fbb.CreateVector(tensors), fbb.CreateString(m->description));
    fbb.FinishSizePrefixed(model, fb::ModelIdentifier());
    std::vector<uint8_t> out = testing::WithHeader(file, fbb);
    const auto* shape = fb::GetSizePrefixedModel(out.data())->tensors()->LookupByKey(name.c_str())->shape();
    if ((reinterpret_cast<const uint8_t*>(shape->data()) - out.data()) % 8 != 0) return out;
  }
  throw Error("could not misalign the shape");
}

TEST(VerifyTest, AMisalignedShapeIsRejected) {
  const std::vector<uint8_t> bytes = MisalignedShape(Int8Bert(), kQuery);
  EXPECT_NE(LoadError(bytes).find("tensor '" + std::string(kQuery) + "' has a misaligned shape"), std::string::npos)
      << LoadError(bytes);
}

TEST(VerifyTest, HugeDimensionsCannotWrapTheSizeArithmetic) {
  // [2^32, 2^32] f32 K1N16 "needed 0 bytes" when the size was computed without overflow checks.
  const std::vector<uint8_t> f32 =
      SerializeModel(Quantize(ConvertHuggingFace(testing::GoldenDir("bert")), QuantMode::kF32));
  for (const std::vector<int64_t>& shape : std::vector<std::vector<int64_t>>{
           {int64_t{1} << 32, int64_t{1} << 32}, {int64_t{1} << 31, int64_t{1} << 28}, {-1, 32}, {32}}) {
    const std::vector<uint8_t> bytes = EditHeader(f32, [&](fb::ModelT& m) { TensorNamed(m, kQuery).shape = shape; });
    EXPECT_NE(LoadError(bytes).find("the config needs [32, 32]"), std::string::npos) << LoadError(bytes);
  }
}

TEST(VerifyTest, ConfigSizesAreBounded) {
  struct Case {
    const char* model;
    std::function<void(fb::ArchConfigT&)> edit;
    const char* error;
  };
  const std::vector<Case> cases = {
      {"mobilebert", [](auto& c) { c.intra_bottleneck_size = 1 << 30; }, "intra_bottleneck_size 1073741824 is outside"},
      {"mobilebert", [](auto& c) { c.embedding_size = 1 << 30; }, "embedding_size 1073741824 is outside"},
      {"bert", [](auto& c) { c.hidden_size = -5; }, "hidden_size -5 is outside [1, 16384]"},
      {"bert", [](auto& c) { c.type_vocab_size = 1 << 20; }, "type_vocab_size 1048576 is outside"},
      {"bert", [](auto& c) { c.layer_norm_eps = NAN; }, "layer_norm_eps"},
      {"bert",
       [](auto& c) {
         c.max_positions = 65536;
         c.intermediate_size = 65536;
       },
       "over 2^26 activations"},
      {"bert",
       [](auto& c) {
         c.max_positions = 65536;
         c.num_layers = 64;
       },
       "over 2^36 multiply-adds"},
  };
  for (const Case& c : cases) {
    const std::vector<uint8_t> bytes =
        EditHeader(SerializeModel(Quantize(ConvertHuggingFace(testing::GoldenDir(c.model)), QuantMode::kInt8Dynamic)),
                   [&](fb::ModelT& m) { c.edit(*m.config); });
    EXPECT_NE(LoadError(bytes).find(c.error), std::string::npos) << c.error << ": " << LoadError(bytes);
  }
}

TEST(VerifyTest, EachTensorIsStoredAsItsRoleAllows) {
  auto stored_as = [](const char* name, fb::DType dtype, fb::Layout layout) {
    return EditHeader(Int8Bert(), [&](fb::ModelT& m) {
      TensorNamed(m, name).dtype = dtype;
      TensorNamed(m, name).layout = layout;
    });
  };
  // A norm read as f32 but stored int8; a Linear the GEMM reads packed but stored row-major; an unknown dtype.
  EXPECT_NE(LoadError(stored_as("bert.embeddings.LayerNorm.weight", fb::DType::I8, fb::Layout::RowMajor))
                .find("is stored as I8 RowMajor, which the engine does not read for it"),
            std::string::npos);
  EXPECT_NE(LoadError(stored_as(kQuery, fb::DType::I8, fb::Layout::RowMajor)).find("does not read for it"),
            std::string::npos);
  EXPECT_NE(LoadError(stored_as(kQuery, static_cast<fb::DType>(9), fb::Layout::K4N16)).find("does not read for it"),
            std::string::npos);
  EXPECT_NE(LoadError(stored_as("bert.embeddings.word_embeddings.weight", fb::DType::I8, fb::Layout::K4N16))
                .find("does not read for it"),
            std::string::npos);
}

TEST(VerifyTest, QuantParamsAreChecked) {
  auto edited = [](const std::function<void(fb::QuantParamsT&)>& edit) {
    return LoadError(EditHeader(Int8Bert(), [&](fb::ModelT& m) { edit(*TensorNamed(m, kQuery).quant); }));
  };
  EXPECT_NE(edited([](auto& q) { q.scales.pop_back(); }).find("needs one scale per row and one row sum per row"),
            std::string::npos);
  EXPECT_NE(edited([](auto& q) { q.row_sums.clear(); }).find("one row sum per row"), std::string::npos);
  EXPECT_NE(edited([](auto& q) { q.group_size = 32; }).find("needs one scale per row"), std::string::npos);
  EXPECT_NE(edited([](auto& q) { q.input_scale = -1.f; }).find("has input scale"), std::string::npos);
  EXPECT_NE(edited([](auto& q) { q.input_scale = NAN; }).find("has input scale"), std::string::npos);
}

TEST(VerifyTest, Int8LookupTablesNeedNoRowSums) {  // the engine read row_sums() of every int8 matrix, null here
  const std::vector<uint8_t> bytes = Int8Bert();
  const ModelFile file = ModelFile::FromBytes(bytes.data(), bytes.size(), "int8");
  const fb::Tensor* table = file.find("bert.embeddings.word_embeddings.weight");
  ASSERT_EQ(table->dtype(), fb::DType::I8);
  EXPECT_EQ(table->quant()->row_sums(), nullptr);
  const SequenceClassifier network(file, ReferenceKernels());
  EXPECT_EQ(network.Logits(std::vector<int32_t>{101, 2000, 102}).size(), 3u);
}

TEST(VerifyTest, TensorsOutsideTheFileOrUnalignedAreRejected) {
  auto with = [](const std::function<void(fb::TensorT&)>& edit) {
    return LoadError(EditHeader(Int8Bert(), [&](fb::ModelT& m) { edit(TensorNamed(m, kQuery)); }));
  };
  EXPECT_NE(with([](auto& t) { t.offset = UINT64_MAX - 63; }).find("lies outside the file"), std::string::npos);
  EXPECT_NE(with([](auto& t) { t.size = UINT64_MAX; }).find("lies outside the file"), std::string::npos);
  EXPECT_NE(with([](auto& t) { t.offset += 1; }).find("not 64-byte aligned"), std::string::npos);
  EXPECT_NE(with([](auto& t) { t.size = 16; }).find("holds 16 bytes, its shape needs 1024"), std::string::npos);
}

TEST(VerifyTest, UnexpectedAndDuplicateTensorsAreRejected) {
  const std::string extra = LoadError(EditHeader(Int8Bert(), [](fb::ModelT& m) {
    auto t = std::make_unique<fb::TensorT>(TensorNamed(m, "classifier.bias"));
    t->name = "zz.extra";
    m.tensors.push_back(std::move(t));
  }));
  EXPECT_NE(extra.find("unexpected tensor 'zz.extra'"), std::string::npos) << extra;
  const std::string duplicate = LoadError(EditHeader(
      Int8Bert(), [](fb::ModelT& m) { m.tensors.push_back(std::make_unique<fb::TensorT>(*m.tensors.back())); }));
  EXPECT_NE(duplicate.find("not sorted by name"), std::string::npos) << duplicate;
}

TEST(VerifyTest, FuzzSeedsLoad) {  // the committed seed corpus stays valid as the format evolves
  size_t seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(FLATBERT_FUZZ_CORPUS) + "/model_bytes")) {
    const ModelFile file = ModelFile::Open(entry.path().string());
    EXPECT_EQ(file.VerifyChecksums(), file.meta().tensors()->size()) << entry.path();
    ++seeds;
  }
  EXPECT_EQ(seeds, 6u);
}

TEST(ChecksumTest, WrittenForEveryTensorAndCheckedOnlyWhenAsked) {
  std::vector<uint8_t> bytes = Int8Bert();
  {
    const ModelFile file = ModelFile::FromBytes(bytes.data(), bytes.size(), "int8");
    EXPECT_EQ(file.VerifyChecksums(), file.meta().tensors()->size());
  }
  // One flipped bit in the query weights: loading does not read the data, the checksum finds it.
  const ModelFile clean = ModelFile::FromBytes(bytes.data(), bytes.size(), "int8");
  const auto* query = static_cast<const uint8_t*>(clean.tensor(kQuery).data);
  bytes[static_cast<size_t>(query - bytes.data()) + 100] ^= 0x10;
  const ModelFile flipped = ModelFile::FromBytes(bytes.data(), bytes.size(), "flipped");
  try {
    flipped.VerifyChecksums();
    ADD_FAILURE() << "expected a checksum error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "tensor 'bert.encoder.layer.0.attention.self.query.weight' does not match its checksum "
                 "(the file is corrupted)");
  }
}

TEST(ChecksumTest, AFlippedBitInAnyTensorIsFound) {  // f32, int8 tables and packed int8, with and without scales
  const std::vector<uint8_t> bytes = Int8Bert();
  const ModelFile clean = ModelFile::FromBytes(bytes.data(), bytes.size(), "int8");
  for (const fb::Tensor* t : *clean.meta().tensors()) {
    std::vector<uint8_t> flipped = bytes;
    const auto* data = static_cast<const uint8_t*>(clean.tensor(t->name()->str()).data);
    flipped[static_cast<size_t>(data - bytes.data()) + t->size() / 2] ^= 0x01;
    const ModelFile file = ModelFile::FromBytes(flipped.data(), flipped.size(), "flipped");
    EXPECT_THROW(file.VerifyChecksums(), Error) << t->name()->str();
  }
}

TEST(ChecksumTest, CoversQuantScales) {
  const std::vector<uint8_t> bytes =
      EditHeader(Int8Bert(), [](fb::ModelT& m) { TensorNamed(m, kQuery).quant->scales[3] *= 2.f; });
  const ModelFile file = ModelFile::FromBytes(bytes.data(), bytes.size(), "scaled");
  EXPECT_THROW(file.VerifyChecksums(), Error);
}

TEST(ChecksumTest, OlderFilesWithoutChecksumsStillLoad) {
  const std::vector<uint8_t> bytes = EditHeader(Int8Bert(), [](fb::ModelT& m) {
    for (auto& t : m.tensors) t->checksum = flatbuffers::nullopt;
  });
  const ModelFile file = ModelFile::FromBytes(bytes.data(), bytes.size(), "old");
  EXPECT_EQ(file.VerifyChecksums(), 0u);
}

}  // namespace
}  // namespace flatbert
