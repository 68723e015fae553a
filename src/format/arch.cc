#include "format/arch.h"

#include <algorithm>
#include <cmath>

#include "flatbert/error.hpp"

namespace flatbert {
namespace {

bool IsMobile(const fb::ArchConfig& c) { return c.arch() == fb::Arch::MobileBert; }

void AddLinear(std::vector<TensorSpec>& out, const std::string& name, int64_t in, int64_t out_features) {
  out.push_back({name + ".weight", {out_features, in}, TensorRole::kLinear});
  out.push_back({name + ".bias", {out_features}, TensorRole::kF32});
}

void AddNorm(std::vector<TensorSpec>& out, const std::string& name, int64_t size) {
  out.push_back({name + ".weight", {size}, TensorRole::kF32});
  out.push_back({name + ".bias", {size}, TensorRole::kF32});
}

}  // namespace

std::string BasePrefix(const fb::ArchConfig& c) { return IsMobile(c) ? "mobilebert." : "bert."; }

std::string LayerPrefix(const fb::ArchConfig& c, int layer) {
  return BasePrefix(c) + "encoder.layer." + std::to_string(layer) + ".";
}

int InnerSize(const fb::ArchConfig& c) {
  return IsMobile(c) && c.use_bottleneck() ? c.intra_bottleneck_size() : c.hidden_size();
}

int WordEmbeddingSize(const fb::ArchConfig& c) { return IsMobile(c) ? c.embedding_size() : c.hidden_size(); }

bool HasEmbeddingTransformation(const fb::ArchConfig& c) {
  return IsMobile(c) && (c.trigram_input() || c.embedding_size() != c.hidden_size());
}

float EmbeddingNormEps(const fb::ArchConfig& c) { return IsMobile(c) ? kTorchLayerNormEps : c.layer_norm_eps(); }
float LayerOutputNormEps(const fb::ArchConfig& c) { return IsMobile(c) ? kTorchLayerNormEps : c.layer_norm_eps(); }

std::vector<TensorSpec> RequiredTensors(const fb::ArchConfig& c, int num_labels) {
  std::vector<TensorSpec> t;
  const std::string base = BasePrefix(c);
  const int64_t hidden = c.hidden_size(), inner = InnerSize(c), ffn = c.intermediate_size();
  const int64_t emb = WordEmbeddingSize(c);
  t.push_back({base + "embeddings.word_embeddings.weight", {c.vocab_size(), emb}, TensorRole::kLookupTable});
  t.push_back({base + "embeddings.position_embeddings.weight", {c.max_positions(), hidden}, TensorRole::kLookupTable});
  t.push_back({base + "embeddings.token_type_embeddings.weight", {c.type_vocab_size(), hidden}, TensorRole::kF32});
  if (HasEmbeddingTransformation(c))
    AddLinear(t, base + "embeddings.embedding_transformation", emb * (c.trigram_input() ? 3 : 1), hidden);
  AddNorm(t, base + "embeddings.LayerNorm", hidden);
  for (int i = 0; i < c.num_layers(); ++i) {
    const std::string l = LayerPrefix(c, i);
    const bool bottleneck = IsMobile(c) && c.use_bottleneck();
    AddLinear(t, l + "attention.self.query", inner, inner);
    AddLinear(t, l + "attention.self.key", inner, inner);
    AddLinear(t, l + "attention.self.value", bottleneck ? hidden : inner, inner);
    AddLinear(t, l + "attention.output.dense", inner, inner);
    AddNorm(t, l + "attention.output.LayerNorm", inner);
    AddLinear(t, l + "intermediate.dense", inner, ffn);
    AddLinear(t, l + "output.dense", ffn, inner);
    AddNorm(t, l + "output.LayerNorm", inner);
    if (bottleneck) {
      AddLinear(t, l + "output.bottleneck.dense", inner, hidden);
      AddNorm(t, l + "output.bottleneck.LayerNorm", hidden);
      AddLinear(t, l + "bottleneck.input.dense", hidden, inner);
      AddNorm(t, l + "bottleneck.input.LayerNorm", inner);
      if (c.key_query_shared_bottleneck()) {
        AddLinear(t, l + "bottleneck.attention.dense", hidden, inner);
        AddNorm(t, l + "bottleneck.attention.LayerNorm", inner);
      }
    }
    for (int f = 0; IsMobile(c) && f < c.num_feedforward_networks() - 1; ++f) {
      const std::string p = l + "ffn." + std::to_string(f) + ".";
      AddLinear(t, p + "intermediate.dense", inner, ffn);
      AddLinear(t, p + "output.dense", ffn, inner);
      AddNorm(t, p + "output.LayerNorm", inner);
    }
  }
  if (c.pooler_activation()) AddLinear(t, base + "pooler.dense", hidden, hidden);
  AddLinear(t, "classifier", hidden, num_labels);
  return t;
}

void CheckConfig(const fb::ArchConfig& c) {
  auto need = [](bool ok, const std::string& what) {
    if (!ok) throw Error("invalid model config: " + what);
  };
  auto known = [&](const char* name, const char* value_name, int value) {
    need(*value_name != '\0', std::string(name) + " " + std::to_string(value) + " is not one this build knows");
  };
  known("arch", fb::EnumNameArch(c.arch()), static_cast<int>(c.arch()));
  known("norm", fb::EnumNameNormType(c.norm()), static_cast<int>(c.norm()));
  known("activation", fb::EnumNameActivation(c.activation()), static_cast<int>(c.activation()));
  known("problem_type", fb::EnumNameProblemType(c.problem_type()), static_cast<int>(c.problem_type()));
  auto in_range = [&](int64_t value, int64_t low, int64_t high, const char* name) {
    need(value >= low && value <= high, std::string(name) + " " + std::to_string(value) + " is outside [" +
                                            std::to_string(low) + ", " + std::to_string(high) + "]");
  };
  in_range(c.vocab_size(), 1, 1 << 24, "vocab_size");
  in_range(c.hidden_size(), 1, 16384, "hidden_size");
  in_range(c.intermediate_size(), 1, 65536, "intermediate_size");
  in_range(c.num_layers(), 1, 256, "num_layers");
  in_range(c.max_positions(), 2, 65536, "max_positions");
  in_range(c.type_vocab_size(), 1, 65536, "type_vocab_size");
  need(std::isfinite(c.layer_norm_eps()) && c.layer_norm_eps() >= 0.f,
       "layer_norm_eps " + std::to_string(c.layer_norm_eps()));
  if (IsMobile(c)) {
    in_range(c.embedding_size(), 1, 16384, "embedding_size");
    if (c.use_bottleneck()) in_range(c.intra_bottleneck_size(), 1, 16384, "intra_bottleneck_size");
    // Without a shared bottleneck, query and key read the full hidden state (as in Hugging Face's MobileBERT).
    need(!c.use_bottleneck() || c.key_query_shared_bottleneck() || c.intra_bottleneck_size() == c.hidden_size(),
         "key_query_shared_bottleneck false needs intra_bottleneck_size (" + std::to_string(c.intra_bottleneck_size()) +
             ") equal to hidden_size (" + std::to_string(c.hidden_size()) + ")");
    in_range(c.num_feedforward_networks(), 1, 64, "num_feedforward_networks");
  } else {
    need(c.pooler_activation(), "BERT always has a pooler");
  }
  need(c.num_heads() > 0 && InnerSize(c) % c.num_heads() == 0,
       "num_heads " + std::to_string(c.num_heads()) + " must divide " + std::to_string(InnerSize(c)));
  // Per sequence of max_positions tokens: the widest activation (BERT-large at 512 tokens: 2M floats) and the
  // attention's multiply-adds, which no weight in the file pays for (BERT-large at 512: 6.4e9).
  const int64_t positions = c.max_positions();
  const int64_t widest = std::max({int64_t{c.hidden_size()}, int64_t{c.intermediate_size()},
                                   int64_t{WordEmbeddingSize(c)} * (IsMobile(c) && c.trigram_input() ? 3 : 1)});
  need(positions * widest <= (int64_t{1} << 26), "max_positions " + std::to_string(positions) + " x width " +
                                                     std::to_string(widest) + " is over 2^26 activations per sequence");
  need(c.num_layers() * positions * positions * InnerSize(c) <= (int64_t{1} << 36),
       "num_layers x max_positions^2 x attention width is over 2^36 multiply-adds per sequence");
}

}  // namespace flatbert
