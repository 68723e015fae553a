#include "engine/sequence_classifier.h"

#include <algorithm>
#include <cstring>

#include "flatbert/error.hpp"
#include "format/arch.h"

namespace flatbert {
namespace {

Activation KernelActivation(fb::Activation act) {
  switch (act) {
    case fb::Activation::Relu: return Activation::kRelu;
    case fb::Activation::GeluTanh: return Activation::kGeluTanh;
    case fb::Activation::QuickGelu: return Activation::kQuickGelu;
    case fb::Activation::Silu: return Activation::kSilu;
    default: return Activation::kGelu;
  }
}

}  // namespace

SequenceClassifier::SequenceClassifier(const ModelFile& file, const Kernels& kernels)
    : config_(file.config()),
      k_(kernels),
      mobile_(config_.arch == fb::Arch::MobileBert),
      activation_(KernelActivation(config_.activation)),
      layers_(static_cast<size_t>(config_.num_layers)) {
  for (LayerWeights& w : layers_)
    w.stacked_ffns.resize(mobile_ ? static_cast<size_t>(config_.num_feedforward_networks - 1) : 0);
  for (const Unit& u : Units(config_, file.num_labels())) {
    LayerWeights* w = u.layer >= 0 ? &layers_[static_cast<size_t>(u.layer)] : nullptr;
    FfnWeights* ffn = w ? (u.ffn >= 0 ? &w->stacked_ffns[static_cast<size_t>(u.ffn)] : &w->ffn) : nullptr;
    Linear* linear = nullptr;
    Norm* norm = nullptr;
    switch (u.site) {
      case Site::kWordEmbeddings: word_embeddings_ = LookupTable::Bind(file, u.name + ".weight"); break;
      case Site::kPositionEmbeddings: position_embeddings_ = LookupTable::Bind(file, u.name + ".weight"); break;
      case Site::kTokenTypeEmbeddings: token_type_embeddings_ = file.tensor(u.name + ".weight").f32(); break;
      case Site::kEmbeddingTransformation: linear = &embedding_transformation_; break;
      case Site::kEmbeddingNorm: norm = &embedding_norm_; break;
      case Site::kQuery: linear = &w->query; break;
      case Site::kKey: linear = &w->key; break;
      case Site::kValue: linear = &w->value; break;
      case Site::kAttentionOutput: linear = &w->attention_output; break;
      case Site::kAttentionNorm: norm = &w->attention_norm; break;
      case Site::kIntermediate: linear = &ffn->intermediate; break;
      case Site::kOutput: linear = &ffn->output; break;
      case Site::kOutputNorm: norm = &ffn->output_norm; break;
      case Site::kBottleneckInput: linear = &w->bottleneck_input; break;
      case Site::kBottleneckInputNorm: norm = &w->bottleneck_input_norm; break;
      case Site::kBottleneckAttention: linear = &w->bottleneck_attention; break;
      case Site::kBottleneckAttentionNorm: norm = &w->bottleneck_attention_norm; break;
      case Site::kOutputBottleneck: linear = &w->output_bottleneck; break;
      case Site::kOutputBottleneckNorm: norm = &w->output_bottleneck_norm; break;
      case Site::kPooler: linear = &pooler_; break;
      case Site::kClassifier: linear = &classifier_; break;
    }
    if (linear) *linear = Linear::Bind(file, u.name);
    if (norm) *norm = Norm::Bind(file, u.name, u.eps);
  }
}

void SequenceClassifier::Apply(const Linear& l, const float* x, float* y, int rows, Activation act) const {
  ApplyToSameInput({{&l, y}}, x, rows, act);
}

void SequenceClassifier::ApplyToSameInput(std::initializer_list<std::pair<const Linear*, float*>> outputs, const float* x,
                                          int rows, Activation act) const {
  thread_local Int8Input input;
  input.Reset();
  for (const auto& [linear, y] : outputs) {
    if (observer_) observer_(*linear, x, rows);
    linear->Apply(k_, x, y, rows, act, input);
  }
}

// Activation buffers, reused from call to call on each thread: allocating them per layer cost page faults and
// zeroing (glibc hands large freed blocks back to the kernel). Every kernel writes all of its output.
struct SequenceClassifier::Workspace {
  std::vector<float> x, input, position, layer_input, shared, q, k, v, context, scratch, attn, mid, out, up;
};

void SequenceClassifier::Embed(std::span<const int32_t> ids, Workspace& ws) const {
  std::vector<float>& x = ws.x;
  const int seq = static_cast<int>(ids.size()), hidden = config_.hidden_size;
  const size_t emb = static_cast<size_t>(WordEmbeddingSize(config_));
  for (int32_t id : ids)
    if (id < 0 || id >= config_.vocab_size)
      throw Error("token id " + std::to_string(id) + " is outside the vocabulary of " +
                  std::to_string(config_.vocab_size));
  x.assign(static_cast<size_t>(seq) * hidden, 0.f);
  if (!HasEmbeddingTransformation(config_)) {  // the table rows are hidden wide
    for (int t = 0; t < seq; ++t) word_embeddings_.Row(ids[t], &x[static_cast<size_t>(t) * hidden]);
  } else {
    // Trigram input: row t is [embedding(t+1), embedding(t), embedding(t-1)], zeros past either end.
    const size_t width = config_.trigram_input ? 3 * emb : emb;
    std::vector<float>& input = ws.input;
    input.assign(static_cast<size_t>(seq) * width, 0.f);
    for (int t = 0; t < seq; ++t) {
      float* row = &input[t * width];
      if (!config_.trigram_input) {
        word_embeddings_.Row(ids[t], row);
        continue;
      }
      if (t + 1 < seq) word_embeddings_.Row(ids[t + 1], row);
      word_embeddings_.Row(ids[t], row + emb);
      if (t > 0) word_embeddings_.Row(ids[t - 1], row + 2 * emb);
    }
    Apply(embedding_transformation_, input.data(), x.data(), seq);
  }
  ws.position.resize(static_cast<size_t>(hidden));
  for (int t = 0; t < seq; ++t) {
    float* row = &x[static_cast<size_t>(t) * hidden];
    position_embeddings_.Row(t, ws.position.data());
    k_.add_f32(row, ws.position.data(), hidden);
    k_.add_f32(row, token_type_embeddings_, hidden);  // a single segment: token type 0
  }
  ApplyNorm(embedding_norm_, x.data(), seq, hidden);
}

void SequenceClassifier::RunLayer(const LayerWeights& w, Workspace& ws, int seq) const {
  const int hidden = config_.hidden_size, inner = InnerSize(config_), ffn = config_.intermediate_size;
  const int heads = config_.num_heads, head_dim = inner / heads;
  const size_t rows = static_cast<size_t>(seq);
  const bool bottleneck = mobile_ && config_.use_bottleneck;

  // Inputs of attention: BERT's q, k and v read x. MobileBERT also projects x into the bottleneck (layer_input,
  // the attention's residual); with a shared bottleneck, q and k read a second projection of x and v reads x.
  std::vector<float>&x = ws.x, &layer_input = ws.layer_input, &shared = ws.shared;
  std::vector<float>&q = ws.q, &k = ws.k, &v = ws.v, &context = ws.context, &scratch = ws.scratch;
  for (std::vector<float>* buffer : {&q, &k, &v, &context}) buffer->resize(rows * inner);
  scratch.resize(AttentionScratchFloats(seq, head_dim));
  const float* residual = x.data();
  if (!bottleneck) {
    ApplyToSameInput({{&w.query, q.data()}, {&w.key, k.data()}, {&w.value, v.data()}}, x.data(), seq);
  } else {
    layer_input.resize(rows * inner);
    residual = layer_input.data();
    if (config_.key_query_shared_bottleneck) {
      shared.resize(rows * inner);
      ApplyToSameInput({{&w.bottleneck_input, layer_input.data()}, {&w.bottleneck_attention, shared.data()},
                        {&w.value, v.data()}}, x.data(), seq);
      ApplyNorm(w.bottleneck_attention_norm, shared.data(), seq, inner);
      ApplyToSameInput({{&w.query, q.data()}, {&w.key, k.data()}}, shared.data(), seq);
    } else {
      ApplyToSameInput({{&w.bottleneck_input, layer_input.data()}, {&w.query, q.data()}, {&w.key, k.data()},
                        {&w.value, v.data()}}, x.data(), seq);
    }
    ApplyNorm(w.bottleneck_input_norm, layer_input.data(), seq, inner);
  }
  k_.attention_f32(q.data(), k.data(), v.data(), inner, context.data(), seq, heads, head_dim, scratch.data());

  std::vector<float>& attn = ws.attn;
  attn.resize(rows * inner);
  Apply(w.attention_output, context.data(), attn.data(), seq);
  k_.add_f32(attn.data(), residual, rows * inner);
  ApplyNorm(w.attention_norm, attn.data(), seq, inner);

  std::vector<float>&mid = ws.mid, &out = ws.out;
  mid.resize(rows * ffn);
  out.resize(rows * inner);
  auto run_ffn = [&](const FfnWeights& f) {  // attn = norm(W2 act(W1 attn) + attn)
    Apply(f.intermediate, attn.data(), mid.data(), seq, activation_);
    Apply(f.output, mid.data(), out.data(), seq);
    k_.add_f32(out.data(), attn.data(), out.size());
    ApplyNorm(f.output_norm, out.data(), seq, inner);
    attn.swap(out);
  };
  for (const FfnWeights& f : w.stacked_ffns) run_ffn(f);
  run_ffn(w.ffn);

  if (bottleneck) {  // back up to the full hidden width, residual from the layer's input
    std::vector<float>& up = ws.up;
    up.resize(rows * hidden);
    Apply(w.output_bottleneck, attn.data(), up.data(), seq);
    k_.add_f32(up.data(), x.data(), up.size());
    ApplyNorm(w.output_bottleneck_norm, up.data(), seq, hidden);
    x.swap(up);
  } else {
    x.swap(attn);
  }
}

std::vector<float> SequenceClassifier::Logits(std::span<const int32_t> ids) const {
  const int seq = static_cast<int>(ids.size()), hidden = config_.hidden_size;
  if (seq < 1 || seq > config_.max_positions)
    throw Error("sequence of " + std::to_string(seq) + " tokens; the model takes 1 to " +
                std::to_string(config_.max_positions));
  thread_local Workspace ws;
  Embed(ids, ws);
  for (const LayerWeights& layer : layers_) RunLayer(layer, ws, seq);
  const std::vector<float>& x = ws.x;
  std::vector<float> pooled(x.begin(), x.begin() + hidden);  // the [CLS] row
  if (config_.has_pooler) {
    Apply(pooler_, x.data(), pooled.data(), 1);
    k_.tanh_f32(pooled.data(), pooled.size());
  }
  std::vector<float> logits(classifier_.out);
  Apply(classifier_, pooled.data(), logits.data(), 1);
  return logits;
}

}  // namespace flatbert
