#pragma once
// flatbert conversion API (library flatbert_convert): Hugging Face checkpoints to .fbm in a weight format, and back.
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "flatbert/error.hpp"

namespace flatbert {

class Tokenizer;  // flatbert/tokenizer.hpp
struct EncodeOptions;

// The weight formats: "fp32", "fp16", "int8-dynamic", "int8-static", "int4", "mixed" (docs/quantization.md).
std::vector<std::string> QuantModeNames();
// Rewrites a .fbm in this build's form (stored vocabulary index, checksums) with its weights as stored.
inline constexpr const char* kKeepWeights = "keep";

struct ConvertOptions {
  std::string quant = "fp32";                        // a name of QuantModeNames(), or kKeepWeights
  int group_size = 32;                               // int4 and mixed: values per scale
  std::vector<std::string> calibration_texts;        // int8-static (and only it): texts to calibrate input scales on
  std::function<void(const std::string&)> progress;  // told each step as it starts
};

struct ConvertReport {
  std::vector<std::string> unread_keys;     // config keys Hugging Face's BERT code does not read either
  std::vector<std::string> unused_tensors;  // checkpoint tensors the classifier does not use
  std::vector<std::pair<size_t, std::string>> skipped_texts;  // calibration texts not used: index, reason
  size_t tensors = 0, file_bytes = 0;                         // of the file written
};

// A Hugging Face directory (config.json, vocab.txt, tokenizer_config.json, model.safetensors) or a .fbm to a .fbm
// at `output`, which is then verified with its checksums. Throws Error naming what is wrong.
ConvertReport ConvertModel(const std::string& source, const std::string& output, const ConvertOptions& options);

// A .fbm to a Hugging Face directory (config.json, vocab.txt, tokenizer_config.json, model.safetensors), with the
// fp32 weights the engine computes with.
void ExportModel(const std::string& model_path, const std::string& output_dir);

// A Hugging Face directory's settings as `ConvertModel` reads them (a checkpoint to fine-tune first passes too): one
// JSON object (what `flatbert inspect DIR --json` prints) of directory, config, labels, tokenizer, normalizer (as
// DescribeModel gives them), unread_keys, and weights: model.safetensors' header, {file, tensors (how many),
// unprefixed (a base model's checkpoint: the encoder named without bert. / mobilebert.), missing (the classifier's
// tensors it lacks), misshapen (convert's message for each it holds in another shape)}, or null without that file.
// Throws Error for what ConvertModel would refuse in config.json, the tokenizer files or the safetensors header.
std::string DescribeCheckpoint(const std::string& directory);

// A checkpoint directory's tokenizer, as `ConvertModel` reads it (vocab.txt or tokenizer.json, tokenizer_config.json,
// special_tokens_map.json, added_tokens.json).
Tokenizer HuggingFaceTokenizer(const std::string& directory, const EncodeOptions& options);

}  // namespace flatbert
