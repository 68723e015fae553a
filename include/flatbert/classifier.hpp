#pragma once
// flatbert C++ API: load a .fbm model and classify raw text.
#include <cstdint>
#include <memory>
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

class Classifier {
 public:
  // Maps and verifies the model; throws Error naming what is wrong.
  static Classifier Load(const std::string& path);
  Classifier(Classifier&&) noexcept;
  Classifier& operator=(Classifier&&) noexcept;
  ~Classifier();

  // Throws Error for invalid UTF-8, text over kMaxTextBytes, or text with no tokens (empty, whitespace only).
  Prediction Classify(std::string_view text) const;
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
