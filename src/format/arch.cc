#include "format/arch.h"

#include "flatbert/error.hpp"

namespace flatbert {
namespace {

bool IsMobile(const fb::ArchConfig& c) { return c.arch() == fb::Arch::MobileBert; }

void AddLinear(std::vector<TensorSpec>& out, const std::string& name, int64_t in, int64_t out_features) {
  out.push_back({name + ".weight", {out_features, in}});
  out.push_back({name + ".bias", {out_features}});
}

void AddNorm(std::vector<TensorSpec>& out, const std::string& name, int64_t size) {
  out.push_back({name + ".weight", {size}});
  out.push_back({name + ".bias", {size}});
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

std::vector<TensorSpec> RequiredTensors(const fb::ArchConfig& c, int num_labels) {
  std::vector<TensorSpec> t;
  const std::string base = BasePrefix(c);
  const int64_t hidden = c.hidden_size(), inner = InnerSize(c), ffn = c.intermediate_size();
  const int64_t emb = WordEmbeddingSize(c);
  t.push_back({base + "embeddings.word_embeddings.weight", {c.vocab_size(), emb}});
  t.push_back({base + "embeddings.position_embeddings.weight", {c.max_positions(), hidden}});
  t.push_back({base + "embeddings.token_type_embeddings.weight", {c.type_vocab_size(), hidden}});
  if (IsMobile(c)) AddLinear(t, base + "embeddings.embedding_transformation", emb * (c.trigram_input() ? 3 : 1), hidden);
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
  need(c.vocab_size() > 0 && c.vocab_size() <= (1 << 24), "vocab_size " + std::to_string(c.vocab_size()));
  need(c.hidden_size() > 0 && c.hidden_size() <= 16384, "hidden_size " + std::to_string(c.hidden_size()));
  need(c.intermediate_size() > 0 && c.intermediate_size() <= 65536,
       "intermediate_size " + std::to_string(c.intermediate_size()));
  need(c.num_layers() > 0 && c.num_layers() <= 256, "num_layers " + std::to_string(c.num_layers()));
  need(c.num_heads() > 0 && InnerSize(c) % c.num_heads() == 0,
       "num_heads " + std::to_string(c.num_heads()) + " must divide " + std::to_string(InnerSize(c)));
  need(c.max_positions() >= 2 && c.max_positions() <= 65536, "max_positions " + std::to_string(c.max_positions()));
  need(c.type_vocab_size() >= 1, "type_vocab_size " + std::to_string(c.type_vocab_size()));
  if (IsMobile(c)) {
    need(c.embedding_size() > 0, "embedding_size " + std::to_string(c.embedding_size()));
    need(!c.use_bottleneck() || c.intra_bottleneck_size() > 0,
         "intra_bottleneck_size " + std::to_string(c.intra_bottleneck_size()));
    // Without a shared bottleneck, query and key read the full hidden state (as in Hugging Face's MobileBERT).
    need(!c.use_bottleneck() || c.key_query_shared_bottleneck() || c.intra_bottleneck_size() == c.hidden_size(),
         "key_query_shared_bottleneck false needs intra_bottleneck_size (" + std::to_string(c.intra_bottleneck_size()) +
             ") equal to hidden_size (" + std::to_string(c.hidden_size()) + ")");
    need(c.num_feedforward_networks() >= 1 && c.num_feedforward_networks() <= 64,
         "num_feedforward_networks " + std::to_string(c.num_feedforward_networks()));
  } else {
    need(c.pooler_activation(), "BERT always has a pooler");
  }
}

}  // namespace flatbert
