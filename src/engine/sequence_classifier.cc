#include "engine/sequence_classifier.h"

#include <algorithm>
#include <cstring>

#include "flatbert/error.hpp"
#include "format/arch.h"
#include "kernels/half.h"
#include "kernels/row_quantizers.h"

namespace flatbert {
namespace {

// The verifier checked each tensor's type and layout against its role (format/arch.h), and the quantization
// parameters of int8 and int4.
const float* F32(const ModelFile& file, const std::string& name) { return file.tensor(name).f32(); }

LookupTable BindTable(const ModelFile& file, const std::string& name) {
  const TensorView t = file.tensor(name);
  LookupTable table;
  table.dtype = t.meta->dtype();
  table.data = t.data;
  if (const fb::QuantParams* q = t.meta->quant(); q && q->scales()) {
    table.scales = q->scales()->data();
    table.group = q->group_size();
  }
  table.width = static_cast<int>(t.shape[1]);
  return table;
}

Linear BindLinear(const ModelFile& file, const std::string& name) {
  const TensorView w = file.tensor(name + ".weight");
  Linear l;
  l.name = w.meta->name()->c_str();
  l.dtype = w.meta->dtype();
  l.weight = w.data;
  if (l.dtype == fb::DType::I8 || l.dtype == fb::DType::I4) {
    const fb::QuantParams& q = *w.meta->quant();
    l.scales = q.scales()->data();
    if (l.dtype == fb::DType::I8) {
      l.row_sums = q.row_sums()->data();
      l.input_scale = q.input_scale();
    } else {
      l.group = q.group_size();
    }
  }
  l.in = static_cast<int>(w.shape[1]);
  l.out = static_cast<int>(w.shape[0]);
  l.bias = F32(file, name + ".bias");
  return l;
}

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
      case Site::kWordEmbeddings: word_embeddings_ = BindTable(file, u.name + ".weight"); break;
      case Site::kPositionEmbeddings: position_embeddings_ = BindTable(file, u.name + ".weight"); break;
      case Site::kTokenTypeEmbeddings: token_type_embeddings_ = F32(file, u.name + ".weight"); break;
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
    if (linear) *linear = BindLinear(file, u.name);
    if (norm) *norm = Norm{F32(file, u.name + ".weight"), F32(file, u.name + ".bias"), u.eps};
  }
}

void SequenceClassifier::Apply(const Linear& l, const float* x, float* y, int rows, Activation act) const {
  ApplyToSameInput({{&l, y}}, x, rows, act);
}

void SequenceClassifier::ApplyToSameInput(std::initializer_list<std::pair<const Linear*, float*>> outputs, const float* x,
                               int rows, Activation act) const {
  thread_local std::vector<int8_t> xq;
  thread_local std::vector<float> x_scales;
  const Linear* quantized_for = nullptr;  // the int8 Linear whose input scale xq holds
  for (const auto& [l, y] : outputs) {
    if (observer_) observer_(*l, x, rows);
    switch (l->dtype) {
      case fb::DType::F16:
        k_.linear_f16(x, static_cast<const uint16_t*>(l->weight), l->bias, y, rows, l->out, l->in);
        break;
      case fb::DType::I8:
        if (!quantized_for || quantized_for->input_scale != l->input_scale) {
          QuantizeActivationsI8(k_, x, l->input_scale, rows, l->in, xq, x_scales);
          quantized_for = l;
        }
        k_.gemm_i8(xq.data(), x_scales.data(), static_cast<const int8_t*>(l->weight), l->scales, l->row_sums, l->bias,
                   y, rows, l->out, l->in, FusedInGemm(act) ? act : Activation::kNone);
        if (FusedInGemm(act)) continue;  // the epilogue applied act
        break;
      case fb::DType::I4:
        k_.linear_i4(x, static_cast<const uint8_t*>(l->weight), l->scales, l->group, l->bias, y, rows, l->out, l->in);
        break;
      default:
        k_.linear_f32(x, static_cast<const float*>(l->weight), l->bias, y, rows, l->out, l->in);
    }
    Activate(y, static_cast<size_t>(rows) * l->out, act);
  }
}

void SequenceClassifier::TableRow(const LookupTable& t, int32_t id, float* out) const {
  const size_t offset = static_cast<size_t>(id) * t.width;
  switch (t.dtype) {
    case fb::DType::F16:
      for (int i = 0; i < t.width; ++i) out[i] = HalfToFloat(static_cast<const uint16_t*>(t.data)[offset + i]);
      break;
    case fb::DType::I8:
      for (int i = 0; i < t.width; ++i) out[i] = static_cast<const int8_t*>(t.data)[offset + i] * t.scales[id];
      break;
    case fb::DType::I4:  // a row is whole groups, so it starts on a byte and on a scale
      DequantizeI4(static_cast<const uint8_t*>(t.data) + offset / 2, t.scales + offset / static_cast<size_t>(t.group),
                   t.group, out, static_cast<size_t>(t.width));
      break;
    default: std::memcpy(out, static_cast<const float*>(t.data) + offset, t.width * sizeof(float));
  }
}

void SequenceClassifier::ApplyNorm(const Norm& norm, float* x, int rows, int cols) const {
  if (config_.norm == fb::NormType::NoNorm) {
    k_.nonorm_f32(x, norm.gamma, norm.beta, rows, cols);
  } else {
    k_.layernorm_f32(x, norm.gamma, norm.beta, rows, cols, norm.eps);
  }
}

void SequenceClassifier::Activate(float* x, size_t n, Activation act) const {
  switch (act) {
    case Activation::kNone: break;
    case Activation::kRelu: k_.relu_f32(x, n); break;
    case Activation::kGelu: k_.gelu_f32(x, n); break;
    case Activation::kGeluTanh: k_.gelu_tanh_f32(x, n); break;
    case Activation::kQuickGelu: k_.quick_gelu_f32(x, n); break;
    case Activation::kSilu: k_.silu_f32(x, n); break;
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
    for (int t = 0; t < seq; ++t) TableRow(word_embeddings_, ids[t], &x[static_cast<size_t>(t) * hidden]);
  } else {
    // Trigram input: row t is [embedding(t+1), embedding(t), embedding(t-1)], zeros past either end.
    const size_t width = config_.trigram_input ? 3 * emb : emb;
    std::vector<float>& input = ws.input;
    input.assign(static_cast<size_t>(seq) * width, 0.f);
    for (int t = 0; t < seq; ++t) {
      float* row = &input[t * width];
      if (!config_.trigram_input) {
        TableRow(word_embeddings_, ids[t], row);
        continue;
      }
      if (t + 1 < seq) TableRow(word_embeddings_, ids[t + 1], row);
      TableRow(word_embeddings_, ids[t], row + emb);
      if (t > 0) TableRow(word_embeddings_, ids[t - 1], row + 2 * emb);
    }
    Apply(embedding_transformation_, input.data(), x.data(), seq);
  }
  ws.position.resize(static_cast<size_t>(hidden));
  for (int t = 0; t < seq; ++t) {
    float* row = &x[static_cast<size_t>(t) * hidden];
    TableRow(position_embeddings_, t, ws.position.data());
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
