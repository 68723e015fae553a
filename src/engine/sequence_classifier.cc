#include "engine/sequence_classifier.h"

#include <algorithm>
#include <cstring>
#include <numeric>

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
      bottleneck_(mobile_ && config_.use_bottleneck),
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
    if (linear && u.layer >= 0) encoder_multiply_adds_per_token_ += static_cast<int64_t>(linear->in) * linear->out;
    if (norm) *norm = Norm::Bind(file, u.name, u.eps);
  }
  // Each GEMM prefetches the start of the next one's weights as it finishes: one tweet streams every weight from L3
  // or memory, and each Linear's first weights would otherwise arrive cold.
  const std::vector<Linear*> order = LinearsInOrder();
  for (size_t i = 0; i + 1 < order.size(); ++i) {
    const Linear& next = *order[i + 1];
    if (next.dtype == fb::DType::I8) order[i]->next = {static_cast<const int8_t*>(next.weight), next.out, next.in};
  }
}

// GoldenTest checks this against the order an input observer sees.
std::vector<Linear*> SequenceClassifier::LinearsInOrder() {
  std::vector<Linear*> order;
  if (HasEmbeddingTransformation(config_)) order.push_back(&embedding_transformation_);
  for (LayerWeights& w : layers_) {
    if (!bottleneck_)
      order.insert(order.end(), {&w.query, &w.key, &w.value});
    else if (config_.key_query_shared_bottleneck)
      order.insert(order.end(), {&w.bottleneck_input, &w.bottleneck_attention, &w.value, &w.query, &w.key});
    else
      order.insert(order.end(), {&w.bottleneck_input, &w.query, &w.key, &w.value});
    order.push_back(&w.attention_output);
    for (FfnWeights& f : w.stacked_ffns) order.insert(order.end(), {&f.intermediate, &f.output});
    order.insert(order.end(), {&w.ffn.intermediate, &w.ffn.output});
    if (bottleneck_) order.push_back(&w.output_bottleneck);
  }
  if (config_.has_pooler) order.push_back(&pooler_);
  order.push_back(&classifier_);
  return order;
}

template <typename Fn>
void SequenceClassifier::ForRows(Team& team, int rows, const Fn& fn) {
  team.Run([&](int part) {
    const std::pair<int, int> range = PartRange(rows, part, team.size());
    if (range.first < range.second) fn(range.first, range.second - range.first);
  });
}

void SequenceClassifier::Apply(const Linear& l, const float* x, float* y, int rows, Activation act) const {
  ApplyToSameInput({{&l, y}}, x, rows, act);
}

void SequenceClassifier::ApplyToSameInput(std::initializer_list<std::pair<const Linear*, float*>> outputs, const float* x,
                                          int rows, Activation act) const {
  thread_local SharedInt8Input input;  // per thread: each part of a team quantizes its own rows
  input.Reset();
  for (const auto& [linear, y] : outputs) {
    if (observer_) observer_(*linear, x, rows);
    linear->Apply(k_, x, input.For(k_, *linear, x, rows), y, rows, act);
  }
}

// Activation buffers, reused from call to call on each thread: allocating them per layer cost page faults and
// zeroing (glibc hands large freed blocks back to the kernel). Every kernel writes all of its output.
struct SequenceClassifier::Workspace {
  std::vector<int> starts;  // sequence s has rows [starts[s], starts[s + 1])
  AlignedVector<float> x, input, position, layer_input, shared, q, k, v, context, scratch, attn, mid, out, up, pooled;
  int rows() const { return starts.back(); }
};

void SequenceClassifier::Embed(std::span<const std::span<const int32_t>> batch, Workspace& ws) const {
  const int hidden = config_.hidden_size, rows = ws.rows();
  const size_t emb = static_cast<size_t>(WordEmbeddingSize(config_));
  AlignedVector<float>& x = ws.x;
  x.resize(static_cast<size_t>(rows) * hidden);
  // Without a transformation the table rows are x's rows. Trigram input: row t is [embedding(t+1), embedding(t),
  // embedding(t-1)], zeros past either end of its sequence.
  const bool transform = HasEmbeddingTransformation(config_), trigram = transform && config_.trigram_input;
  const size_t width = !transform ? hidden : trigram ? 3 * emb : emb;
  AlignedVector<float>& input = transform ? ws.input : x;
  input.assign(static_cast<size_t>(rows) * width, 0.f);
  for (size_t s = 0; s < batch.size(); ++s) {
    const std::span<const int32_t> ids = batch[s];
    const int seq = static_cast<int>(ids.size());
    for (int t = 0; t < seq; ++t) {
      float* row = &input[static_cast<size_t>(ws.starts[s] + t) * width];
      if (!trigram) {
        word_embeddings_.Row(ids[t], row);
        continue;
      }
      if (t + 1 < seq) word_embeddings_.Row(ids[t + 1], row);
      word_embeddings_.Row(ids[t], row + emb);
      if (t > 0) word_embeddings_.Row(ids[t - 1], row + 2 * emb);
    }
  }
  if (transform) Apply(embedding_transformation_, input.data(), x.data(), rows);
  ws.position.resize(static_cast<size_t>(hidden));
  for (size_t s = 0; s < batch.size(); ++s) {
    for (int t = 0; t < static_cast<int>(batch[s].size()); ++t) {
      float* row = &x[static_cast<size_t>(ws.starts[s] + t) * hidden];
      position_embeddings_.Row(t, ws.position.data());
      k_.add_f32(row, ws.position.data(), hidden);
      k_.add_f32(row, token_type_embeddings_, hidden);  // a single segment: token type 0
    }
  }
  ApplyNorm(embedding_norm_, x.data(), rows, hidden);
}

// One layer in three steps that every part of the team runs: rows [first, end) of every row-wise op (Linears,
// norms, residual adds: a Linear reads whole weight matrices but only its part's rows), then some of the heads of
// the attention, which reads every row, then rows again. Within a step no part reads what another writes, and
// the lead sizes every buffer before the steps. Rows rather than output columns: splitting columns hands each
// part's outputs to the other part before every row-wise op, and on the 2-core VMs measured that traffic cost
// more than the halved weight reads saved (docs/performance.md).
void SequenceClassifier::RunLayer(const LayerWeights& w, bool last, Workspace& ws, Team& team) const {
  const int hidden = config_.hidden_size, inner = InnerSize(config_), ffn = config_.intermediate_size;
  const int heads = config_.num_heads, head_dim = inner / heads, seq = ws.rows();
  const size_t rows = static_cast<size_t>(seq);
  AlignedVector<float>&x = ws.x, &layer_input = ws.layer_input, &shared = ws.shared;
  AlignedVector<float>&q = ws.q, &k = ws.k, &v = ws.v, &context = ws.context, &scratch = ws.scratch;
  AlignedVector<float>&attn = ws.attn, &mid = ws.mid, &out = ws.out, &up = ws.up;
  for (AlignedVector<float>* buffer : {&q, &k, &v, &context, &attn, &out}) buffer->resize(rows * inner);
  mid.resize(rows * ffn);
  if (bottleneck_) {
    layer_input.resize(rows * inner);
    shared.resize(config_.key_query_shared_bottleneck ? rows * inner : 0);
    up.resize(rows * hidden);
  }
  const size_t scratch_floats = AttentionScratchFloats(config_.max_positions, head_dim);
  scratch.resize(scratch_floats * team.size());

  // Inputs of attention: BERT's q, k and v read x. MobileBERT also projects x into the bottleneck (layer_input,
  // the attention's residual); with a shared bottleneck, q and k read a second projection of x and v reads x.
  ForRows(team, seq, [&](int first, int n) {
    auto at = [first](AlignedVector<float>& buffer, int width) {
      return buffer.data() + static_cast<size_t>(first) * width;
    };
    if (!bottleneck_) {
      ApplyToSameInput({{&w.query, at(q, inner)}, {&w.key, at(k, inner)}, {&w.value, at(v, inner)}}, at(x, hidden), n);
      return;
    }
    if (config_.key_query_shared_bottleneck) {
      ApplyToSameInput({{&w.bottleneck_input, at(layer_input, inner)}, {&w.bottleneck_attention, at(shared, inner)},
                        {&w.value, at(v, inner)}}, at(x, hidden), n);
      ApplyNorm(w.bottleneck_attention_norm, at(shared, inner), n, inner);
      ApplyToSameInput({{&w.query, at(q, inner)}, {&w.key, at(k, inner)}}, at(shared, inner), n);
    } else {
      ApplyToSameInput({{&w.bottleneck_input, at(layer_input, inner)}, {&w.query, at(q, inner)},
                        {&w.key, at(k, inner)}, {&w.value, at(v, inner)}}, at(x, hidden), n);
    }
    ApplyNorm(w.bottleneck_input_norm, at(layer_input, inner), n, inner);
  });

  team.Run([&](int part) {  // each sequence attends to itself only
    const std::pair<int, int> range = PartRange(heads, part, team.size());
    if (range.first == range.second) return;
    const size_t column = static_cast<size_t>(range.first) * head_dim;
    for (size_t s = 0; s + 1 < ws.starts.size(); ++s) {
      const size_t first = static_cast<size_t>(ws.starts[s]) * inner + column;
      k_.attention_f32(q.data() + first, k.data() + first, v.data() + first, inner, context.data() + first,
                       ws.starts[s + 1] - ws.starts[s], range.second - range.first, head_dim,
                       scratch.data() + scratch_floats * part);
    }
  });

  // The last layer's rows after the attention feed only the pooler, which reads each sequence's first ([CLS]) row,
  // and from here on every op computes each row alone: those rows go on by themselves, to the same values. A
  // calibration (observer_) sees every row, as Hugging Face's model computes them all.
  if (last && !observer_) {
    for (size_t s = 0; s + 1 < ws.starts.size(); ++s) {  // row starts[s] >= s: no row still to move is overwritten
      const size_t from = static_cast<size_t>(ws.starts[s]);
      auto move_row = [&](AlignedVector<float>& buffer, size_t width) {
        std::memmove(buffer.data() + s * width, buffer.data() + from * width, width * sizeof(float));
      };
      move_row(context, inner);
      move_row(x, hidden);
      if (bottleneck_) move_row(layer_input, inner);
    }
    std::iota(ws.starts.begin(), ws.starts.end(), 0);
  }

  // h = norm(W context + residual); each FFN h = norm(W2 act(W1 h) + h), from one buffer into the other;
  // MobileBERT goes back up to the hidden width with x as the residual.
  const size_t ffns = w.stacked_ffns.size() + 1;
  ForRows(team, ws.rows(), [&](int first, int n) {
    const size_t row = static_cast<size_t>(first);
    float* h = attn.data() + row * inner;
    float* next = out.data() + row * inner;
    Apply(w.attention_output, context.data() + row * inner, h, n);
    ApplyNorm(w.attention_norm, h, n, inner, (bottleneck_ ? layer_input.data() : x.data()) + row * inner);
    for (size_t i = 0; i < ffns; ++i) {
      const FfnWeights& f = i + 1 < ffns ? w.stacked_ffns[i] : w.ffn;
      float* m = mid.data() + row * ffn;
      Apply(f.intermediate, h, m, n, activation_);
      Apply(f.output, m, next, n);
      ApplyNorm(f.output_norm, next, n, inner, h);
      std::swap(h, next);
    }
    if (bottleneck_) {
      float* y = up.data() + row * hidden;
      Apply(w.output_bottleneck, h, y, n);
      ApplyNorm(w.output_bottleneck_norm, y, n, hidden, x.data() + row * hidden);
    }
  });
  x.swap(bottleneck_ ? up : ffns % 2 == 1 ? out : attn);  // the layer's output: up, or the last FFN's buffer
}

std::vector<float> SequenceClassifier::Logits(std::span<const int32_t> ids) const {
  return std::move(Logits(std::span<const std::span<const int32_t>>(&ids, 1), nullptr)[0]);
}

std::vector<std::vector<float>> SequenceClassifier::Logits(std::span<const std::span<const int32_t>> batch,
                                                           Team* team) const {
  Team alone(1);
  thread_local Workspace ws;
  ws.starts.assign(1, 0);
  for (const std::span<const int32_t> ids : batch) {
    const int seq = static_cast<int>(ids.size());
    if (seq < 1 || seq > config_.max_positions)
      throw Error("sequence of " + std::to_string(ids.size()) + " tokens; the model takes 1 to " +
                  std::to_string(config_.max_positions));
    for (int32_t id : ids)
      if (id < 0 || id >= config_.vocab_size)
        throw Error("token id " + std::to_string(id) + " is outside the vocabulary of " +
                    std::to_string(config_.vocab_size));
    ws.starts.push_back(ws.starts.back() + seq);
  }
  if (batch.empty()) return {};
  Embed(batch, ws);
  for (const LayerWeights& layer : layers_) RunLayer(layer, &layer == &layers_.back(), ws, team ? *team : alone);
  const int hidden = config_.hidden_size, count = static_cast<int>(batch.size());
  AlignedVector<float>& pooled = ws.pooled;  // the [CLS] row of each sequence
  pooled.resize(static_cast<size_t>(count) * hidden);
  for (int s = 0; s < count; ++s)
    std::copy_n(&ws.x[static_cast<size_t>(ws.starts[s]) * hidden], hidden, &pooled[static_cast<size_t>(s) * hidden]);
  if (config_.has_pooler) {
    AlignedVector<float>& pooler_out = ws.up;
    pooler_out.resize(pooled.size());
    Apply(pooler_, pooled.data(), pooler_out.data(), count);
    k_.tanh_f32(pooler_out.data(), pooler_out.size());
    pooled.swap(pooler_out);
  }
  std::vector<float> logits(static_cast<size_t>(count) * classifier_.out);
  Apply(classifier_, pooled.data(), logits.data(), count);
  std::vector<std::vector<float>> result(batch.size());
  for (int s = 0; s < count; ++s)
    result[s].assign(logits.begin() + s * classifier_.out, logits.begin() + (s + 1) * classifier_.out);
  return result;
}

}  // namespace flatbert
