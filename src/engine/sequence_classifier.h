#pragma once
// A BERT or MobileBERT sequence classifier (embeddings, encoder, pooler, classifier): the forward pass for a batch
// of unpadded sequences, their token rows one after another (the Linears and norms take the rows together, the
// attention and the embeddings each sequence alone), optionally shared by a team of threads, its units bound as
// format/arch.h describes them.
// Weights point into the mmapped model file.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <span>
#include <utility>
#include <vector>

#include "engine/team.h"
#include "engine/weights.h"
#include "format/model_file.h"
#include "kernels/aligned_vector.h"
#include "kernels/kernels.h"

namespace flatbert {

struct FfnWeights {
  Linear intermediate, output;
  Norm output_norm;
};

struct LayerWeights {
  Linear query, key, value, attention_output;
  Norm attention_norm;
  FfnWeights ffn;  // the layer's own FFN: intermediate.dense, output.dense, output.LayerNorm
  std::vector<FfnWeights> stacked_ffns;  // MobileBERT's extra FFNs, run before `ffn`
  // MobileBERT bottleneck
  Linear bottleneck_input, bottleneck_attention, output_bottleneck;
  Norm bottleneck_input_norm, bottleneck_attention_norm, output_bottleneck_norm;
};

class SequenceClassifier {
 public:
  SequenceClassifier(const ModelFile& file, const Kernels& kernels);
  // Class logits for token ids ([CLS] ... [SEP]); ids.size() must be in [1, max_positions].
  std::vector<float> Logits(std::span<const int32_t> ids) const;
  // Logits of each sequence, bit-identical to Logits of each alone: every kernel computes a row the same way
  // whichever rows surround it. With a team (led by the calling thread), the rows are split among its parts, one
  // step per layer; the logits are the same bit for bit.
  std::vector<std::vector<float>> Logits(std::span<const std::span<const int32_t>> batch, Team* team = nullptr) const;

  // What one token costs the encoder's Linears: what decides whether a team pays off.
  int64_t encoder_multiply_adds_per_token() const { return encoder_multiply_adds_per_token_; }

  // Called with every Linear's input before it is applied (for calibration: convert/calibrate.h).
  using InputObserver = std::function<void(const Linear& linear, const float* x, int rows)>;
  void set_input_observer(InputObserver observer) { observer_ = std::move(observer); }

 private:
  struct Workspace;
  // Every Linear in the order Logits applies them.
  std::vector<Linear*> LinearsInOrder();
  // The buffers of ws for its rows and a team of `parts`.
  void Size(Workspace& ws, int parts) const;
  size_t EmbeddingInputWidth() const;
  // The steps of a forward pass, each on rows [first, first + n) (a part's; `part` picks its scratch).
  void Embed(std::span<const std::span<const int32_t>> batch, Workspace& ws, int first, int n, int part) const;
  void AttentionInputs(int layer, const float* x, Workspace& ws, int first, int n) const;
  void Attend(int layer, Workspace& ws, int first, int n, int part) const;
  void AfterAttention(const LayerWeights& layer, Workspace& ws, int first, int n) const;
  // The buffer AfterAttention leaves the layer's output in.
  AlignedVector<float>& LayerOutput(Workspace& ws) const;
  // x = norm(x + residual), residual null for none.
  void ApplyNorm(const Norm& norm, float* x, int rows, int cols, const float* residual = nullptr) const {
    norm.Apply(k_, config_.norm, x, residual, rows, cols);
  }
  // y = act(x W^T + b); int8 Linears apply act in the GEMM's epilogue.
  void Apply(const Linear& linear, const float* x, float* y, int rows, Activation act = Activation::kNone) const;
  // Linears that read the same x: int8 ones with the same input scale quantize it once.
  void ApplyToSameInput(std::initializer_list<std::pair<const Linear*, float*>> outputs, const float* x, int rows,
                        Activation act = Activation::kNone) const;
  // A row step of the team: fn(part, first, count) on each part's rows of [0, rows).
  template <typename Fn>
  static void ForRows(Team& team, int rows, const Fn& fn);

  const fb::ArchConfigT& config_;  // the file's
  const Kernels& k_;
  bool mobile_;
  bool bottleneck_;        // MobileBERT's bottleneck Linears (use_bottleneck)
  Activation activation_;  // the FFNs' hidden_act
  LookupTable word_embeddings_, position_embeddings_;
  const float* token_type_embeddings_;
  Linear embedding_transformation_;
  Norm embedding_norm_;
  std::vector<LayerWeights> layers_;
  Linear pooler_, classifier_;
  int64_t encoder_multiply_adds_per_token_ = 0;
  InputObserver observer_;
};

}  // namespace flatbert
