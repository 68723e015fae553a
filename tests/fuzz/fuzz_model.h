#pragma once
// What a model file goes through in the library and the tools, for the fuzz harnesses: verification, binding
// and a forward pass, the tokenizer it carries, reading it back (export, re-quantization) and its checksums.
// Errors must be flatbert::Error; anything else (a crash, a sanitizer report, another exception) is a finding.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "engine/sequence_classifier.h"
#include "engine/model_text.h"
#include "flatbert/error.hpp"
#include "format/model_file.h"
#include "convert/quantize.h"

namespace flatbert::fuzz {

inline void RunModel(const uint8_t* data, size_t size) {
  // Copied to 64-byte aligned memory, as an mmapped file is.
  const size_t padded = (size + 63) / 64 * 64;
  std::unique_ptr<uint8_t, decltype(&std::free)> bytes(
      static_cast<uint8_t*>(std::aligned_alloc(64, padded ? padded : 64)), &std::free);
  if (size) std::memcpy(bytes.get(), data, size);
  try {
    const ModelFile file = ModelFile::FromBytes(bytes.get(), size, "fuzz.fbm");
    file.VerifyChecksums();
  } catch (const Error&) {
  }
  try {
    const ModelFile file = ModelFile::FromBytes(bytes.get(), size, "fuzz.fbm");
    const SequenceClassifier network(file, BestKernels());
    const TextEncoder text = ModelTextEncoder(file);
    for (const char* tweet : {"I love my new car @bmw http://t.co/x &amp; ΟΔΟΣ 我爱 [MASK]!!", "x"})
      network.Logits(text.Encode(tweet));
    Dequantize(ReadContents(file));
  } catch (const Error&) {
  }
}

}  // namespace flatbert::fuzz
