#pragma once
// The architecture described once: which tensors a BERT or MobileBERT classifier has, with their shapes.
// The converter copies exactly these, the loader verifies them, the engine binds them by the same names.
#include <cstdint>
#include <string>
#include <vector>

#include "flatbert_generated.h"

namespace flatbert {

struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
};

// "bert." or "mobilebert.": the prefix of every encoder tensor, as in Hugging Face checkpoints.
std::string BasePrefix(const fb::ArchConfig& c);
std::string LayerPrefix(const fb::ArchConfig& c, int layer);
// Width of the attention/FFN path: the intra-bottleneck size for MobileBERT with bottleneck, else hidden.
int InnerSize(const fb::ArchConfig& c);
int WordEmbeddingSize(const fb::ArchConfig& c);

std::vector<TensorSpec> RequiredTensors(const fb::ArchConfig& c, int num_labels);

// Throws Error naming the first hyperparameter that is out of range or inconsistent.
void CheckConfig(const fb::ArchConfig& c);

}  // namespace flatbert
