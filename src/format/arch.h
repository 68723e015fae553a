#pragma once
// The architecture described once: which tensors a BERT or MobileBERT classifier has, with their shapes.
// The converter copies exactly these, the loader verifies them, the engine binds them by the same names.
#include <cstdint>
#include <string>
#include <vector>

#include "flatbert_generated.h"

namespace flatbert {

// What the engine does with a tensor, and so the stored types it may have (format/model_file.cc verifies them).
enum class TensorRole : uint8_t {
  kLinear,       // a Linear's [out, in] weight, multiplied by the GEMM kernels: f32 or f16 packed K1N16, int8
                 // packed K4N16, int4 row-major
  kLookupTable,  // [rows, width], read one row at a time (word and position embeddings): any type, row-major
  kF32,          // biases, norms and the token-type table: f32, row-major
};

struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
  TensorRole role;
};

// "bert." or "mobilebert.": the prefix of every encoder tensor, as in Hugging Face checkpoints.
std::string BasePrefix(const fb::ArchConfig& c);
std::string LayerPrefix(const fb::ArchConfig& c, int layer);
// Width of the attention/FFN path: the intra-bottleneck size for MobileBERT with bottleneck, else hidden.
int InnerSize(const fb::ArchConfig& c);
int WordEmbeddingSize(const fb::ArchConfig& c);
// MobileBERT projects its word embeddings to the hidden width only with trigram input or a narrower embedding
// (HF MobileBertEmbeddings.forward: `if self.trigram_input or self.embedding_size != self.hidden_size`).
bool HasEmbeddingTransformation(const fb::ArchConfig& c);
// The epsilon of each LayerNorm: layer_norm_eps, except two that Hugging Face's MobileBERT builds without it and so
// with PyTorch's default 1e-5: MobileBertEmbeddings.LayerNorm and MobileBertOutput.LayerNorm (a layer's own FFN
// output; its stacked FFNs, bottlenecks and attention output pass eps=config.layer_norm_eps).
inline constexpr float kTorchLayerNormEps = 1e-5f;
float EmbeddingNormEps(const fb::ArchConfig& c);
float LayerOutputNormEps(const fb::ArchConfig& c);

std::vector<TensorSpec> RequiredTensors(const fb::ArchConfig& c, int num_labels);

// Throws Error naming the first hyperparameter that is out of range or inconsistent. The bounds keep every size
// the engine computes from the config within 64 bits, and a sequence's activations and attention work within
// those of the largest BERT-family models.
void CheckConfig(const fb::ArchConfig& c);

}  // namespace flatbert
