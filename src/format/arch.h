#pragma once
// The architecture described once: the units a BERT or MobileBERT classifier is made of, in forward order, with
// their tensors' Hugging Face names, shapes and roles. The converter copies exactly these tensors, the loader
// verifies them, the quantization policy reads their roles and the engine binds each unit to its site.
#include <cstdint>
#include <string>
#include <vector>

#include "flatbert_generated.h"

namespace flatbert {

// What the engine does with a tensor, and so the stored types it may have (format/model_file.cc verifies them).
enum class TensorRole : uint8_t {
  kLinear,       // an encoder Linear's [out, in] weight, multiplied by the GEMM kernels: f32 or f16 packed K1N16,
                 // int8 packed K4N16, int4 row-major
  kHeadLinear,   // the pooler's and classifier's weight: stored as a Linear, small and sensitive
  kLookupTable,  // [rows, width], read one row at a time (word and position embeddings): any type, row-major
  kTokenTypes,   // [type_vocab_size, hidden], added to every position: f32
  kNorm,         // a LayerNorm's or NoNorm's weight and bias: f32
  kBias,         // a Linear's bias: f32
};
const char* TensorRoleName(TensorRole role);  // "linear", "head", "lookup", "token_types", "norm", "bias"
inline bool IsLinearWeight(TensorRole role) { return role == TensorRole::kLinear || role == TensorRole::kHeadLinear; }
// Weights the quantization modes may store in fewer bits: Linear weights and lookup tables.
inline bool IsQuantizable(TensorRole role) { return IsLinearWeight(role) || role == TensorRole::kLookupTable; }

// Where a unit sits in the forward pass.
enum class Site : uint8_t {
  kWordEmbeddings, kPositionEmbeddings, kTokenTypeEmbeddings, kEmbeddingTransformation, kEmbeddingNorm,
  kQuery, kKey, kValue, kAttentionOutput, kAttentionNorm,
  kIntermediate, kOutput, kOutputNorm,  // a layer's FFN; Unit::ffn >= 0 names one of MobileBERT's stacked FFNs
  kBottleneckInput, kBottleneckInputNorm, kBottleneckAttention, kBottleneckAttentionNorm,
  kOutputBottleneck, kOutputBottleneckNorm,
  kPooler, kClassifier,
};

enum class UnitKind : uint8_t { kLinear, kNorm, kLookupTable, kTokenTypes };

struct Unit {
  Site site;
  UnitKind kind;
  std::string name;  // a Linear's or norm's tensors are name + ".weight" / ".bias"; a table's is name + ".weight"
  int layer = -1;    // the encoder layer, or -1 (embeddings, pooler, classifier)
  int ffn = -1;      // MobileBERT's stacked FFN (ffn.<i>), or -1
  int64_t rows = 0, cols = 0;  // Linear: [out, in]; table: [rows, width]; norm: cols is its width
  float eps = 0.f;             // LayerNorm: its epsilon
};

struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
  TensorRole role;
  int layer = -1;  // the unit's encoder layer, or -1
};

// Width of the attention/FFN path: the intra-bottleneck size for MobileBERT with bottleneck, else hidden.
int InnerSize(const fb::ArchConfigT& c);
int WordEmbeddingSize(const fb::ArchConfigT& c);
// MobileBERT projects its word embeddings to the hidden width only with trigram input or a narrower embedding
// (HF MobileBertEmbeddings.forward: `if self.trigram_input or self.embedding_size != self.hidden_size`).
bool HasEmbeddingTransformation(const fb::ArchConfigT& c);
// The epsilon of every LayerNorm is layer_norm_eps, except two that Hugging Face's MobileBERT builds without it
// and so with PyTorch's default 1e-5: MobileBertEmbeddings.LayerNorm and MobileBertOutput.LayerNorm (a layer's own
// FFN output; its stacked FFNs, bottlenecks and attention output pass eps=config.layer_norm_eps).
inline constexpr float kTorchLayerNormEps = 1e-5f;

// What the encoder's tensor names start with under a head, as in Hugging Face checkpoints (its base_model_prefix
// and a dot); a base model's checkpoint (BertModel, MobileBertModel) names them without it.
std::string BaseModelPrefix(const fb::ArchConfigT& c);

// The classifier's units in forward order, and their tensors.
std::vector<Unit> Units(const fb::ArchConfigT& c, int num_labels);
std::vector<TensorSpec> RequiredTensors(const fb::ArchConfigT& c, int num_labels);
// "[2, 128]": a shape as errors name it.
std::string ShapeString(const std::vector<int64_t>& shape);

// Throws Error naming the first hyperparameter that is out of range or inconsistent. The bounds keep every size
// the engine computes from the config within 64 bits, and a sequence's activations and attention work within
// those of the largest BERT-family models.
void CheckConfig(const fb::ArchConfigT& c);

}  // namespace flatbert
