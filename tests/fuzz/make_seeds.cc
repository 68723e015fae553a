// Writes the seed corpora of the fuzz harnesses (tests/fuzz/corpus/): tiny valid models of each architecture and
// weight type for fuzz_model_bytes, short mutation programs for fuzz_model_mutations, tricky tweets for fuzz_text,
// JSON documents (rows, requests, repeated keys, deep nesting, one not valid) for fuzz_json, short edit programs for
// fuzz_checkpoint, CLI input in each format for fuzz_rows.
//   build/tests/fuzz/flatbert_make_fuzz_seeds tests/fuzz/corpus
// VerifyTest.FuzzSeedsLoad checks that the committed model seeds still load.
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "format/arch.h"
#include "format/model_contents.h"
#include "convert/quantize.h"

namespace {

namespace fs = std::filesystem;
using namespace flatbert;

// A model of a few KB: 16 tokens, hidden 8, one layer, random weights.
ModelContents TinyModel(fb::Arch arch, std::mt19937& rng) {
  ModelContents m;
  m.config.arch = arch;
  m.config.vocab_size = 16;
  m.config.hidden_size = 8;
  m.config.intermediate_size = 32;
  m.config.num_layers = 1;
  m.config.num_heads = 2;
  m.config.max_positions = 16;
  m.config.type_vocab_size = 2;
  if (arch == fb::Arch::MobileBert) {
    m.config.norm = fb::NormType::NoNorm;
    m.config.activation = fb::Activation::Relu;
    m.config.embedding_size = 4;
    m.config.trigram_input = true;
    m.config.use_bottleneck = true;
    m.config.intra_bottleneck_size = 4;
    m.config.key_query_shared_bottleneck = true;
    m.config.num_feedforward_networks = 2;
  }
  m.labels = {"negative", "positive"};
  m.tokenizer.vocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "i",   "love", "hate",
                       "car",   "@",     "user",  "http",  "!",      "##s", "a",    "##a"};
  m.tokenizer.max_length = 16;
  m.has_normalizer = true;
  std::normal_distribution<float> normal(0.f, 0.5f);
  for (const TensorSpec& spec : RequiredTensors(m.config, 2)) {
    int64_t n = 1;
    for (int64_t d : spec.shape) n *= d;
    std::vector<float> values(static_cast<size_t>(n));
    for (float& v : values) v = normal(rng);
    m.tensors.push_back(F32Tensor(spec.name, spec.shape, values.data()));
  }
  return m;
}

void Write(const fs::path& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const fs::path root = argv[1];
  std::mt19937 rng(2026);
  fs::create_directories(root / "model_bytes");
  const std::pair<fb::Arch, QuantMode> models[] = {{fb::Arch::Bert, QuantMode::kInt8Dynamic},
                                                   {fb::Arch::Bert, QuantMode::kF32},
                                                   {fb::Arch::Bert, QuantMode::kF16},
                                                   {fb::Arch::Bert, QuantMode::kInt4},
                                                   {fb::Arch::MobileBert, QuantMode::kInt8Dynamic},
                                                   {fb::Arch::MobileBert, QuantMode::kMixed}};
  for (const auto& [arch, mode] : models) {
    QuantOptions options;
    options.group_size = 32;
    const std::vector<uint8_t> bytes = SerializeModel(Quantize(TinyModel(arch, rng), mode, options));
    Write(root / "model_bytes" /
              (std::string(arch == fb::Arch::Bert ? "bert_" : "mobilebert_") + QuantModeName(mode) + ".fbm"),
          std::string(bytes.begin(), bytes.end()));
  }
  for (const char* harness : {"model_mutations", "checkpoint"}) {
    fs::create_directories(root / harness);
    for (int i = 0; i < 8; ++i) {
      std::string program(24, '\0');
      for (char& c : program) c = static_cast<char>(rng());
      Write(root / harness / ("program_" + std::to_string(i)), program);
    }
  }
  fs::create_directories(root / "text");
  // The harness takes its options from the last bytes (FuzzedDataProvider reads integers from the end).
  const char* const tweets[] = {
      "I love my new car @bmw!!! http://t.co/x &amp; www.ford.com \x01\x04",
      "ΣΊΣΥΦΟΣ ΟΔΟΣ Café Crème NAÏVE e\xcc\x81\xcc\x96 \x02\x05",
      "我爱北京天安门 日本語とEnglish [MASK]there [CLS] \x03\x00",
      "&#39;x&#x263A;&#0; &bogus; &nbsp;x \xe2\x80\x8b\x0b\t tab \x01\x02",
      ("unaffable "
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa \x01"),  // one long word
      "ok \xff\xfe bad \x02",
  };
  for (size_t i = 0; i < std::size(tweets); ++i) Write(root / "text" / ("tweet_" + std::to_string(i)), tweets[i]);
  fs::create_directories(root / "json");
  const char* const documents[] = {
      R"({"text": "I love it", "id": 7, "user": {"name": "x", "id": 1e3, "tags": [true, false, null]}})",
      R"({"b": 1, "a": 2, "b": {"c": [1, -2.5e-3, "\u00e9\ud83d\ude00"]}, "a": []})",
      R"({"texts": ["a", "", "   "], "ids": [1, "x", {"k": [[[]]]}]})",
      R"([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]])",
      "18446744073709551615",
      R"({"a": 1,})",
  };
  for (size_t i = 0; i < std::size(documents); ++i)
    Write(root / "json" / ("document_" + std::to_string(i)), documents[i]);
  // fuzz_rows: the first byte picks the format (auto, text, TSV, JSONL) and, with 4, required columns.
  fs::create_directories(root / "rows");
  const std::string inputs[] = {
      std::string("\x04") + "text\tpolarity\tentity_id\tlang\nI love it\tpositive\tRL2013D01E001\ten\nbad\trow\n\n",
      std::string(1, '\0') + "a tweet\n\nbad \xff byte\r\nlast one",
      std::string("\x07") +
          "{\"text\": \"x\", \"polarity\": \"neutral\", \"entity_id\": \"E\", \"id\": 3}\n{\"id\": 1}\nnot json\n",
      std::string("\x06") + "lang\tid\nen\t1\n",
  };
  for (size_t i = 0; i < std::size(inputs); ++i) Write(root / "rows" / ("input_" + std::to_string(i)), inputs[i]);
  return 0;
}
