#pragma once
// What `flatbert inspect` shows of a model's settings, for a .fbm (DescribeModel) and a Hugging Face checkpoint
// (DescribeCheckpoint) alike.
#include <nlohmann/json.hpp>

#include "format/model_contents.h"

namespace flatbert {

// config, labels, tokenizer (the vocabulary's size, not its tokens) and normalizer (null when there is none).
nlohmann::ordered_json DescribeSettings(const ModelContents& model);

}  // namespace flatbert
