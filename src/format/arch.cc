#include "format/arch.h"

#include <algorithm>
#include <cmath>

#include "flatbert/error.hpp"
#include "flatbert/limits.hpp"

namespace flatbert {
namespace {

bool IsMobile(const fb::ArchConfigT& c) { return c.arch == fb::Arch::MobileBert; }

// Appends units to a list, naming them under one prefix and layer.
struct UnitList {
  std::vector<Unit>& units;
  std::string prefix;
  int layer = -1, ffn = -1;

  void Linear(Site site, const std::string& name, int64_t in, int64_t out) const {
    units.push_back({site, UnitKind::kLinear, prefix + name, layer, ffn, out, in});
  }
  void Norm(Site site, const std::string& name, int64_t width, float eps) const {
    units.push_back({site, UnitKind::kNorm, prefix + name, layer, ffn, 1, width, eps});
  }
  void Table(Site site, UnitKind kind, const std::string& name, int64_t rows, int64_t width) const {
    units.push_back({site, kind, prefix + name, layer, ffn, rows, width});
  }
};

}  // namespace

const char* TensorRoleName(TensorRole role) {
  switch (role) {
    case TensorRole::kLinear: return "linear";
    case TensorRole::kHeadLinear: return "head";
    case TensorRole::kLookupTable: return "lookup";
    case TensorRole::kTokenTypes: return "token_types";
    case TensorRole::kNorm: return "norm";
    case TensorRole::kBias: return "bias";
  }
  return "?";
}

int InnerSize(const fb::ArchConfigT& c) {
  return IsMobile(c) && c.use_bottleneck ? c.intra_bottleneck_size : c.hidden_size;
}

int WordEmbeddingSize(const fb::ArchConfigT& c) { return IsMobile(c) ? c.embedding_size : c.hidden_size; }

bool HasEmbeddingTransformation(const fb::ArchConfigT& c) {
  return IsMobile(c) && (c.trigram_input || c.embedding_size != c.hidden_size);
}

std::string BaseModelPrefix(const fb::ArchConfigT& c) { return IsMobile(c) ? "mobilebert." : "bert."; }

std::vector<Unit> Units(const fb::ArchConfigT& c, int num_labels) {
  std::vector<Unit> units;
  const std::string base = BaseModelPrefix(c);
  const int64_t hidden = c.hidden_size, inner = InnerSize(c), ffn_size = c.intermediate_size;
  const int64_t emb = WordEmbeddingSize(c);
  const float eps = c.layer_norm_eps, torch_eps = IsMobile(c) ? kTorchLayerNormEps : eps;
  const UnitList embeddings{units, base + "embeddings."};
  embeddings.Table(Site::kWordEmbeddings, UnitKind::kLookupTable, "word_embeddings", c.vocab_size, emb);
  embeddings.Table(Site::kPositionEmbeddings, UnitKind::kLookupTable, "position_embeddings", c.max_positions, hidden);
  embeddings.Table(Site::kTokenTypeEmbeddings, UnitKind::kTokenTypes, "token_type_embeddings", c.type_vocab_size,
                   hidden);
  if (HasEmbeddingTransformation(c))
    embeddings.Linear(Site::kEmbeddingTransformation, "embedding_transformation", emb * (c.trigram_input ? 3 : 1),
                      hidden);
  embeddings.Norm(Site::kEmbeddingNorm, "LayerNorm", hidden, torch_eps);
  const bool bottleneck = IsMobile(c) && c.use_bottleneck;
  for (int i = 0; i < c.num_layers; ++i) {
    const UnitList l{units, base + "encoder.layer." + std::to_string(i) + ".", i};
    if (bottleneck) {
      l.Linear(Site::kBottleneckInput, "bottleneck.input.dense", hidden, inner);
      l.Norm(Site::kBottleneckInputNorm, "bottleneck.input.LayerNorm", inner, eps);
      if (c.key_query_shared_bottleneck) {
        l.Linear(Site::kBottleneckAttention, "bottleneck.attention.dense", hidden, inner);
        l.Norm(Site::kBottleneckAttentionNorm, "bottleneck.attention.LayerNorm", inner, eps);
      }
    }
    l.Linear(Site::kQuery, "attention.self.query", inner, inner);
    l.Linear(Site::kKey, "attention.self.key", inner, inner);
    l.Linear(Site::kValue, "attention.self.value", bottleneck ? hidden : inner, inner);
    l.Linear(Site::kAttentionOutput, "attention.output.dense", inner, inner);
    l.Norm(Site::kAttentionNorm, "attention.output.LayerNorm", inner, eps);
    for (int f = 0; IsMobile(c) && f < c.num_feedforward_networks - 1; ++f) {
      const UnitList stacked{units, l.prefix + "ffn." + std::to_string(f) + ".", i, f};
      stacked.Linear(Site::kIntermediate, "intermediate.dense", inner, ffn_size);
      stacked.Linear(Site::kOutput, "output.dense", ffn_size, inner);
      stacked.Norm(Site::kOutputNorm, "output.LayerNorm", inner, eps);
    }
    l.Linear(Site::kIntermediate, "intermediate.dense", inner, ffn_size);
    l.Linear(Site::kOutput, "output.dense", ffn_size, inner);
    l.Norm(Site::kOutputNorm, "output.LayerNorm", inner, torch_eps);
    if (bottleneck) {
      l.Linear(Site::kOutputBottleneck, "output.bottleneck.dense", inner, hidden);
      l.Norm(Site::kOutputBottleneckNorm, "output.bottleneck.LayerNorm", hidden, eps);
    }
  }
  if (c.has_pooler) UnitList{units, base}.Linear(Site::kPooler, "pooler.dense", hidden, hidden);
  UnitList{units, ""}.Linear(Site::kClassifier, "classifier", hidden, num_labels);
  return units;
}

std::string ShapeString(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::vector<TensorSpec> RequiredTensors(const fb::ArchConfigT& c, int num_labels) {
  std::vector<TensorSpec> specs;
  for (const Unit& u : Units(c, num_labels)) {
    switch (u.kind) {
      case UnitKind::kLinear: {
        const bool head = u.site == Site::kPooler || u.site == Site::kClassifier;
        specs.push_back({u.name + ".weight", {u.rows, u.cols}, head ? TensorRole::kHeadLinear : TensorRole::kLinear,
                         u.layer});
        specs.push_back({u.name + ".bias", {u.rows}, TensorRole::kBias, u.layer});
        break;
      }
      case UnitKind::kNorm:
        specs.push_back({u.name + ".weight", {u.cols}, TensorRole::kNorm, u.layer});
        specs.push_back({u.name + ".bias", {u.cols}, TensorRole::kNorm, u.layer});
        break;
      case UnitKind::kLookupTable: specs.push_back({u.name + ".weight", {u.rows, u.cols}, TensorRole::kLookupTable}); break;
      case UnitKind::kTokenTypes: specs.push_back({u.name + ".weight", {u.rows, u.cols}, TensorRole::kTokenTypes}); break;
    }
  }
  return specs;
}

void CheckConfig(const fb::ArchConfigT& c) {
  auto need = [](bool ok, const std::string& what) {
    if (!ok) throw Error("invalid model config: " + what);
  };
  auto known = [&](const char* name, const char* value_name, int value) {
    need(*value_name != '\0', std::string(name) + " " + std::to_string(value) + " is not one this build knows");
  };
  known("arch", fb::EnumNameArch(c.arch), static_cast<int>(c.arch));
  known("norm", fb::EnumNameNormType(c.norm), static_cast<int>(c.norm));
  known("activation", fb::EnumNameActivation(c.activation), static_cast<int>(c.activation));
  known("problem_type", fb::EnumNameProblemType(c.problem_type), static_cast<int>(c.problem_type));
  auto in_range = [&](int64_t value, int64_t low, int64_t high, const char* name) {
    need(value >= low && value <= high, std::string(name) + " " + std::to_string(value) + " is outside [" +
                                            std::to_string(low) + ", " + std::to_string(high) + "]");
  };
  in_range(c.vocab_size, 1, static_cast<int64_t>(kMaxVocabTokens), "vocab_size");
  in_range(c.hidden_size, 1, 16384, "hidden_size");
  in_range(c.intermediate_size, 1, 65536, "intermediate_size");
  in_range(c.num_layers, 1, 256, "num_layers");
  in_range(c.max_positions, 2, 65536, "max_positions");
  in_range(c.type_vocab_size, 1, 65536, "type_vocab_size");
  need(std::isfinite(c.layer_norm_eps) && c.layer_norm_eps >= 0.f,
       "layer_norm_eps " + std::to_string(c.layer_norm_eps));
  if (IsMobile(c)) {
    in_range(c.embedding_size, 1, 16384, "embedding_size");
    if (c.use_bottleneck) in_range(c.intra_bottleneck_size, 1, 16384, "intra_bottleneck_size");
    // Without a shared bottleneck, query and key read the full hidden state (as in Hugging Face's MobileBERT).
    need(!c.use_bottleneck || c.key_query_shared_bottleneck || c.intra_bottleneck_size == c.hidden_size,
         "key_query_shared_bottleneck false needs intra_bottleneck_size (" + std::to_string(c.intra_bottleneck_size) +
             ") equal to hidden_size (" + std::to_string(c.hidden_size) + ")");
    in_range(c.num_feedforward_networks, 1, 64, "num_feedforward_networks");
  } else {
    need(c.has_pooler, "BERT always has a pooler");
  }
  need(c.num_heads > 0 && InnerSize(c) % c.num_heads == 0,
       "num_heads " + std::to_string(c.num_heads) + " must divide " + std::to_string(InnerSize(c)));
  // Per sequence of max_positions tokens: the widest activation (BERT-large at 512 tokens: 2M floats) and the
  // attention's multiply-adds, which no weight in the file pays for (BERT-large at 512: 6.4e9).
  const int64_t positions = c.max_positions;
  const int64_t widest = std::max({int64_t{c.hidden_size}, int64_t{c.intermediate_size},
                                   int64_t{WordEmbeddingSize(c)} * (IsMobile(c) && c.trigram_input ? 3 : 1)});
  need(positions * widest <= (int64_t{1} << 26), "max_positions " + std::to_string(positions) + " x width " +
                                                     std::to_string(widest) + " is over 2^26 activations per sequence");
  need(c.num_layers * positions * positions * InnerSize(c) <= (int64_t{1} << 36),
       "num_layers x max_positions^2 x attention width is over 2^36 multiply-adds per sequence");
}

}  // namespace flatbert
