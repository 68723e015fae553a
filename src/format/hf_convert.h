#pragma once
// Hugging Face layout (config.json + vocab.txt + model.safetensors) -> ModelContents (fp32 tensors).
#include <string>

#include "format/model_writer.h"

namespace flatbert {

ModelContents ConvertHuggingFace(const std::string& directory);

}  // namespace flatbert
