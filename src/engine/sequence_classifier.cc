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
    if (range.first < range.second) fn(part, range.first, range.second - range.first);
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
// zeroing (glibc hands large freed blocks back to the kernel). Every kernel writes all of its output. Sized by the
// lead before the first step (Size): a part only reads and writes rows of them.
struct SequenceClassifier::Workspace {
  std::vector<int> starts;  // sequence s has rows [starts[s], starts[s + 1])
  AlignedVector<float> x, input, position, layer_input, shared, q, context, scratch, attn, mid, out, up, pooled;
  // By layer parity: a part that has finished layer l's attention writes layer l + 1's keys and values while
  // another part still reads layer l's.
  AlignedVector<float> k[2], v[2];
  int rows() const { return starts.back(); }
  // The sequence that holds row r.
  size_t SequenceOf(int r) const {
    return static_cast<size_t>(std::upper_bound(starts.begin(), starts.end(), r) - starts.begin() - 1);
  }
  // fn(row, its sequence, its position in the sequence) for rows [first, first + n).
  template <typename Fn>
  void ForEachRow(int first, int n, const Fn& fn) const {
    for (int r = first, s = static_cast<int>(SequenceOf(first)); r < first + n; ++r) {
      while (r >= starts[s + 1]) ++s;
      fn(r, s, r - starts[s]);
    }
  }
};

// The width of the embeddings' rows before the transformation: without one, x's own rows. Trigram input: row t is
// [embedding(t+1), embedding(t), embedding(t-1)].
size_t SequenceClassifier::EmbeddingInputWidth() const {
  const size_t emb = static_cast<size_t>(WordEmbeddingSize(config_));
  if (!HasEmbeddingTransformation(config_)) return static_cast<size_t>(config_.hidden_size);
  return config_.trigram_input ? 3 * emb : emb;
}

void SequenceClassifier::Size(Workspace& ws, int parts) const {
  const size_t rows = static_cast<size_t>(ws.rows()), hidden = static_cast<size_t>(config_.hidden_size);
  const size_t inner = static_cast<size_t>(InnerSize(config_)), ffn = static_cast<size_t>(config_.intermediate_size);
  GrowTo(ws.input, HasEmbeddingTransformation(config_) ? rows * EmbeddingInputWidth() : 0);
  GrowTo(ws.position, hidden * parts);
  for (AlignedVector<float>* buffer : {&ws.x, &ws.up}) GrowTo(*buffer, rows * hidden);
  for (AlignedVector<float>* buffer : {&ws.q, &ws.k[0], &ws.k[1], &ws.v[0], &ws.v[1], &ws.context, &ws.attn, &ws.out})
    GrowTo(*buffer, rows * inner);
  GrowTo(ws.mid, rows * ffn);
  GrowTo(ws.layer_input, bottleneck_ ? rows * inner : 0);
  GrowTo(ws.shared, bottleneck_ && config_.key_query_shared_bottleneck ? rows * inner : 0);
  GrowTo(ws.scratch, AttentionScratchFloats(config_.max_positions, inner / config_.num_heads) * parts);
}

// Rows [first, first + n) of x from the embeddings: each row reads the token ids around it, never another row.
void SequenceClassifier::Embed(std::span<const std::span<const int32_t>> batch, Workspace& ws, int first, int n,
                               int part) const {
  const int hidden = config_.hidden_size;
  const size_t emb = static_cast<size_t>(WordEmbeddingSize(config_)), width = EmbeddingInputWidth();
  const bool transform = HasEmbeddingTransformation(config_), trigram = transform && config_.trigram_input;
  float* input = (transform ? ws.input : ws.x).data();
  float* x = ws.x.data() + static_cast<size_t>(first) * hidden;
  float* position = ws.position.data() + static_cast<size_t>(part) * hidden;
  ws.ForEachRow(first, n, [&](int r, int s, int t) {
    const std::span<const int32_t> ids = batch[s];
    float* row = input + static_cast<size_t>(r) * width;
    if (!trigram) return word_embeddings_.Row(ids[t], row);
    std::fill_n(row, width, 0.f);  // zeros past either end of the sequence
    if (t + 1 < static_cast<int>(ids.size())) word_embeddings_.Row(ids[t + 1], row);
    word_embeddings_.Row(ids[t], row + emb);
    if (t > 0) word_embeddings_.Row(ids[t - 1], row + 2 * emb);
  });
  if (transform) Apply(embedding_transformation_, input + static_cast<size_t>(first) * width, x, n);
  ws.ForEachRow(first, n, [&](int r, int, int t) {
    float* row = ws.x.data() + static_cast<size_t>(r) * hidden;
    position_embeddings_.Row(t, position);
    k_.add_f32(row, position, hidden);
    k_.add_f32(row, token_type_embeddings_, hidden);  // a single segment: token type 0
  });
  ApplyNorm(embedding_norm_, x, n, hidden);
}

// The inputs of layer `layer`'s attention for rows [first, first + n) of its input x: BERT's q, k and v read x.
// MobileBERT also projects x into the bottleneck (layer_input, the attention's residual); with a shared bottleneck,
// q and k read a second projection of x and v reads x.
void SequenceClassifier::AttentionInputs(int layer, const float* x_rows, Workspace& ws, int first, int n) const {
  const LayerWeights& w = layers_[static_cast<size_t>(layer)];
  const int hidden = config_.hidden_size, inner = InnerSize(config_);
  auto at = [first](AlignedVector<float>& buffer, int width) {
    return buffer.data() + static_cast<size_t>(first) * width;
  };
  const float* x = x_rows + static_cast<size_t>(first) * hidden;
  AlignedVector<float>&k = ws.k[layer % 2], &v = ws.v[layer % 2];
  if (!bottleneck_) {
    ApplyToSameInput({{&w.query, at(ws.q, inner)}, {&w.key, at(k, inner)}, {&w.value, at(v, inner)}}, x, n);
    return;
  }
  if (config_.key_query_shared_bottleneck) {
    ApplyToSameInput({{&w.bottleneck_input, at(ws.layer_input, inner)},
                      {&w.bottleneck_attention, at(ws.shared, inner)},
                      {&w.value, at(v, inner)}},
                     x, n);
    ApplyNorm(w.bottleneck_attention_norm, at(ws.shared, inner), n, inner);
    ApplyToSameInput({{&w.query, at(ws.q, inner)}, {&w.key, at(k, inner)}}, at(ws.shared, inner), n);
  } else {
    ApplyToSameInput({{&w.bottleneck_input, at(ws.layer_input, inner)},
                      {&w.query, at(ws.q, inner)},
                      {&w.key, at(k, inner)},
                      {&w.value, at(v, inner)}},
                     x, n);
  }
  ApplyNorm(w.bottleneck_input_norm, at(ws.layer_input, inner), n, inner);
}

// The context of queries [first, first + n) of layer `layer`, each against its own sequence's keys and values.
void SequenceClassifier::Attend(int layer, Workspace& ws, int first, int n, int part) const {
  const int inner = InnerSize(config_), heads = config_.num_heads, head_dim = inner / heads, end = first + n;
  const AlignedVector<float>&k = ws.k[layer % 2], &v = ws.v[layer % 2];
  float* scratch = ws.scratch.data() + AttentionScratchFloats(config_.max_positions, head_dim) * part;
  for (size_t s = ws.SequenceOf(first); s + 1 < ws.starts.size() && ws.starts[s] < end; ++s) {
    const int from = std::max(first, ws.starts[s]), to = std::min(end, ws.starts[s + 1]);
    const size_t query = static_cast<size_t>(from) * inner, key = static_cast<size_t>(ws.starts[s]) * inner;
    k_.attention_f32(ws.q.data() + query, k.data() + key, v.data() + key, inner, ws.context.data() + query, to - from,
                     ws.starts[s + 1] - ws.starts[s], heads, head_dim, scratch);
  }
}

// Rows [first, first + n) of the layer's output (LayerOutput) from its context: h = norm(W context + residual);
// each FFN h = norm(W2 act(W1 h) + h), from one buffer into the other; MobileBERT goes back up to the hidden width
// with x as the residual.
void SequenceClassifier::AfterAttention(const LayerWeights& w, Workspace& ws, int first, int n) const {
  const int hidden = config_.hidden_size, inner = InnerSize(config_), ffn = config_.intermediate_size;
  const size_t row = static_cast<size_t>(first), ffns = w.stacked_ffns.size() + 1;
  float* h = ws.attn.data() + row * inner;
  float* next = ws.out.data() + row * inner;
  Apply(w.attention_output, ws.context.data() + row * inner, h, n);
  ApplyNorm(w.attention_norm, h, n, inner, (bottleneck_ ? ws.layer_input.data() : ws.x.data()) + row * inner);
  for (size_t i = 0; i < ffns; ++i) {
    const FfnWeights& f = i + 1 < ffns ? w.stacked_ffns[i] : w.ffn;
    float* m = ws.mid.data() + row * ffn;
    Apply(f.intermediate, h, m, n, activation_);
    Apply(f.output, m, next, n);
    ApplyNorm(f.output_norm, next, n, inner, h);
    std::swap(h, next);
  }
  if (bottleneck_) {
    float* y = ws.up.data() + row * hidden;
    Apply(w.output_bottleneck, h, y, n);
    ApplyNorm(w.output_bottleneck_norm, y, n, hidden, ws.x.data() + row * hidden);
  }
}

AlignedVector<float>& SequenceClassifier::LayerOutput(Workspace& ws) const {
  const size_t ffns = layers_.front().stacked_ffns.size() + 1;  // AfterAttention's h alternates attn, out, ...
  return bottleneck_ ? ws.up : ffns % 2 == 1 ? ws.out : ws.attn;
}

std::vector<float> SequenceClassifier::Logits(std::span<const int32_t> ids) const {
  return std::move(Logits(std::span<const std::span<const int32_t>>(&ids, 1), nullptr)[0]);
}

// One team step per layer: each part takes the same rows in every step (a Linear reads whole weight matrices but
// only its part's rows), from its queries' attention through the next layer's keys and values, and only the
// attention, which reads every key and value row of a sequence, waits for the others. Three steps per layer (rows,
// then heads of the attention, then rows) had left 2 threads waiting 9% of each layer, one step 4%. Rows rather than
// output columns: splitting columns hands each part's outputs to the other before every row-wise op, and on the 2-core
// VMs that traffic cost more than the halved weight reads saved (docs/performance.md).
// The last layer's rows after the attention feed only the pooler, which reads each sequence's first ([CLS]) row:
// from there on each row is computed alone, so those rows go on by themselves, to the same values. A calibration
// (observer_) sees every row, as Hugging Face's model computes them all.
std::vector<std::vector<float>> SequenceClassifier::Logits(std::span<const std::span<const int32_t>> batch,
                                                           Team* team_or_null) const {
  Team alone(1);
  Team& team = team_or_null ? *team_or_null : alone;
  thread_local Workspace this_threads;
  Workspace& ws = this_threads;  // the lead's, for every part: a thread_local named in a lambda is the caller's own
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
  Size(ws, team.size());
  AlignedVector<float>& output = LayerOutput(ws);
  const int layers = static_cast<int>(layers_.size()), full_layers = observer_ ? layers : layers - 1;
  ForRows(team, ws.rows(), [&](int part, int first, int n) {
    Embed(batch, ws, first, n, part);
    AttentionInputs(0, ws.x.data(), ws, first, n);
  });
  for (int l = 0; l < full_layers; ++l) {
    ForRows(team, ws.rows(), [&](int part, int first, int n) {
      Attend(l, ws, first, n, part);
      AfterAttention(layers_[static_cast<size_t>(l)], ws, first, n);
      if (l + 1 < layers) AttentionInputs(l + 1, output.data(), ws, first, n);
    });
    ws.x.swap(output);
  }
  if (full_layers < layers) {  // the last layer's [CLS] rows
    const int count = static_cast<int>(batch.size());
    ForRows(team, count, [&](int part, int first, int n) {  // here a part's sequences
      for (int s = first; s < first + n; ++s) Attend(layers - 1, ws, ws.starts[s], 1, part);
    });
    const size_t inner = static_cast<size_t>(InnerSize(config_)), hidden = static_cast<size_t>(config_.hidden_size);
    for (int s = 0; s < count; ++s) {  // row starts[s] >= s: no row still to move is overwritten
      const size_t from = static_cast<size_t>(ws.starts[s]);
      auto move_row = [&](AlignedVector<float>& buffer, size_t width) {
        std::memmove(buffer.data() + s * width, buffer.data() + from * width, width * sizeof(float));
      };
      move_row(ws.context, inner);
      move_row(ws.x, hidden);
      if (bottleneck_) move_row(ws.layer_input, inner);
    }
    std::iota(ws.starts.begin(), ws.starts.end(), 0);
    ForRows(team, count, [&](int, int first, int n) { AfterAttention(layers_.back(), ws, first, n); });
    ws.x.swap(output);
  }
  const int hidden = config_.hidden_size, count = static_cast<int>(batch.size());
  AlignedVector<float>& pooled = ws.pooled;  // the [CLS] row of each sequence
  pooled.resize(static_cast<size_t>(count) * hidden);
  for (int s = 0; s < count; ++s)
    std::copy_n(&ws.x[static_cast<size_t>(ws.starts[s]) * hidden], hidden, &pooled[static_cast<size_t>(s) * hidden]);
  const float* features = pooled.data();
  if (config_.has_pooler) {
    // Into up, free after the last layer and at least count rows long: swapping pooled and up instead left up a
    // count-row buffer, which the next pass's Size reallocated and zeroed.
    float* pooler_out = ws.up.data();
    Apply(pooler_, pooled.data(), pooler_out, count);
    k_.tanh_f32(pooler_out, pooled.size());
    features = pooler_out;
  }
  std::vector<float> logits(static_cast<size_t>(count) * classifier_.out);
  Apply(classifier_, features, logits.data(), count);
  std::vector<std::vector<float>> result(batch.size());
  for (int s = 0; s < count; ++s)
    result[s].assign(logits.begin() + s * classifier_.out, logits.begin() + (s + 1) * classifier_.out);
  return result;
}

}  // namespace flatbert
