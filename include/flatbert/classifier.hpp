#pragma once
// flatbert C++ API: load a .fbm model and classify raw text.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "flatbert/error.hpp"
#include "flatbert/limits.hpp"

namespace flatbert {

struct Prediction {
  int label = -1;            // index into Classifier::labels()
  std::vector<float> probs;  // softmax over labels; for a multi-label model, a sigmoid per label
  int num_tokens = 0;        // including [CLS] and [SEP], after truncation
};

// A text's prediction in a batch, or the message Classify throws for it.
struct Outcome {
  Prediction prediction;
  std::string error;
};

class ThreadPool;

// Texts per forward pass in ClassifyBatch: their token rows go through the GEMMs together.
inline constexpr size_t kBatchTexts = 8;

class Classifier {
 public:
  // Maps and verifies the model; throws Error naming what is wrong.
  static Classifier Load(const std::string& path);
  Classifier(Classifier&&) noexcept;
  Classifier& operator=(Classifier&&) noexcept;
  ~Classifier();

  // Throws Error for invalid UTF-8, text over kMaxTextBytes, or text with no tokens (empty, whitespace only).
  Prediction Classify(std::string_view text) const;
  // Classifies texts in forward passes of up to kBatchTexts texts, their token rows one after another (no padding),
  // which gives more tweets per second than one at a time. With a pool of N threads: N texts or more go N passes
  // at a time, one per thread (fewer texts per pass when that keeps every thread busy); fewer than N texts go
  // in one pass that the N threads share (at most one per core), each taking a share of every layer's rows,
  // which makes one text faster on a model as large as MobileBERT (a bert-tiny layer is too short to split: its
  // passes run one per thread). Without a pool, passes run on the calling thread. Each prediction is bit-identical to
  // Classify's whatever the pool; a text that Classify would refuse gets its message and leaves the others alone.
  // Results are in the order of texts. Throws only what the pool throws. Callers on several threads may share a
  // pool: their calls take turns on it (ThreadPool::ParallelFor).
  std::vector<Outcome> ClassifyBatch(std::span<const std::string_view> texts, ThreadPool* pool = nullptr) const;
  // The ids the model sees: the model's tweet normalizer, then the tokenizer, truncated to max_length.
  std::vector<int32_t> Encode(std::string_view text) const;
  std::vector<float> LogitsForIds(const std::vector<int32_t>& ids) const;

  const std::vector<std::string>& labels() const;
  // Labels are independent (Hugging Face's problem_type multi_label_classification): probs don't sum to 1, and
  // every label with probability >= 0.5 applies.
  bool multi_label() const;
  size_t file_size() const;

 private:
  struct Impl;
  explicit Classifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace flatbert
