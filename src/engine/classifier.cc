#include "flatbert/classifier.hpp"

#include <algorithm>

#include "engine/sequence_classifier.h"
#include "engine/model_text.h"
#include "format/model_file.h"

namespace flatbert {
struct Classifier::Impl {
  explicit Impl(ModelFile f) : file(std::move(f)), text(ModelTextEncoder(file)), network(file, BestKernels()) {
    for (const flatbuffers::String* s : *file.meta().labels()) labels.push_back(s->str());
  }
  ModelFile file;
  TextEncoder text;
  SequenceClassifier network;
  std::vector<std::string> labels;
};

Classifier::Classifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Classifier::Classifier(Classifier&&) noexcept = default;
Classifier& Classifier::operator=(Classifier&&) noexcept = default;
Classifier::~Classifier() = default;

Classifier Classifier::Load(const std::string& path) {
  return Classifier(std::make_unique<Impl>(ModelFile::Open(path)));
}

const std::vector<std::string>& Classifier::labels() const { return impl_->labels; }
size_t Classifier::file_size() const { return impl_->file.file_size(); }
bool Classifier::multi_label() const { return impl_->file.config().problem_type == fb::ProblemType::MultiLabel; }

std::vector<int32_t> Classifier::Encode(std::string_view text) const {
  return impl_->text.Encode(text);
}

std::vector<float> Classifier::LogitsForIds(const std::vector<int32_t>& ids) const {
  return impl_->network.Logits(ids);
}

Prediction Classifier::Classify(std::string_view text) const {
  Prediction p;
  const std::vector<int32_t> ids = Encode(text);
  if (ids.size() <= 2) throw Error("empty text: nothing to classify");
  p.num_tokens = static_cast<int>(ids.size());
  p.probs = LogitsForIds(ids);
  if (multi_label()) {
    ReferenceKernels().sigmoid_f32(p.probs.data(), p.probs.size());
  } else {
    ReferenceKernels().softmax_f32(p.probs.data(), 1, static_cast<int>(p.probs.size()));
  }
  p.label = static_cast<int>(std::max_element(p.probs.begin(), p.probs.end()) - p.probs.begin());
  return p;
}

}  // namespace flatbert
