// libFuzzer: bytes as a tweet through the tweet normalizer and the tokenizer. Besides not crashing, truncation
// that stops early must give the ids of normalizing and tokenizing the whole text and then truncating it.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "flatbert/error.hpp"
#include "format/file_io.h"
#include "tokenizer/text_encoder.h"
#include "tokenizer/unicode.h"

namespace {

using flatbert::NormalizerOptions;
using flatbert::TextEncoder;

constexpr size_t kMaxLengths[] = {0, 2, 3, 8, 64, 512};

// One encoder per (normalizer, max_length), each with its own copy of the vocabulary, made on first use.
const TextEncoder& Encoder(int normalizer, size_t max_length) {
  static std::map<std::pair<int, size_t>, std::unique_ptr<TextEncoder>> encoders;
  std::unique_ptr<TextEncoder>& encoder = encoders[{normalizer, max_length}];
  if (!encoder) {
    std::optional<NormalizerOptions> options;
    if (normalizer == 1) options = NormalizerOptions{};
    if (normalizer == 2) options = NormalizerOptions{false, false, false, false};
    encoder = std::make_unique<TextEncoder>(
        flatbert::WordPieceTokenizer::FromTokens(flatbert::ReadVocabFile(FLATBERT_FUZZ_VOCAB)), options, max_length);
  }
  return *encoder;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const int normalizer = in.ConsumeIntegralInRange(0, 2);
  const size_t max_length = in.PickValueInArray(kMaxLengths);
  const std::string text = in.ConsumeRemainingBytesAsString();
  const TextEncoder& encoder = Encoder(normalizer, max_length);
  std::vector<int32_t> ids;
  try {
    ids = encoder.Encode(text);
  } catch (const flatbert::Error&) {  // invalid UTF-8, and only that
    if (flatbert::unicode::InvalidUtf8Offset(text) == std::string_view::npos) __builtin_trap();
    return 0;
  }
  // The reference: everything at once, then truncated.
  const NormalizerOptions options =
      normalizer == 1 ? NormalizerOptions{} : NormalizerOptions{false, false, false, false};
  const std::string normalized = normalizer ? flatbert::NormalizeTweet(text, options) : text;
  std::vector<int32_t> whole{encoder.tokenizer().cls_id()};
  encoder.tokenizer().AppendIds(normalized, SIZE_MAX, whole);
  if (max_length > 0 && whole.size() > max_length - 1) whole.resize(max_length - 1);
  whole.push_back(encoder.tokenizer().sep_id());
  if (ids != whole) {
    std::fprintf(stderr, "early-stopping truncation differs from truncating the whole text\n");
    __builtin_trap();
  }
  return 0;
}
