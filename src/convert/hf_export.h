#pragma once
// ModelContents (F32 tensors) -> Hugging Face layout: config.json, vocab.txt, tokenizer_config.json,
// model.safetensors. The inverse of ConvertHuggingFace, so other engines (PyTorch, ONNX export) can run the
// weights of a shipped .fbm.
#include <string>

#include "format/model_contents.h"

namespace flatbert {

void ExportHuggingFace(const ModelContents& model, const std::string& directory);

}  // namespace flatbert
