#include "flatbert/classifier.hpp"

#include <algorithm>
#include <thread>

#include "flatbert/thread_pool.hpp"

#include "engine/sequence_classifier.h"
#include "engine/model_text.h"
#include "format/model_file.h"

namespace flatbert {
struct Classifier::Impl {
  explicit Impl(ModelFile f) : file(std::move(f)), text(ModelTextEncoder(file)), network(file, BestKernels()) {}
  // The ids Classify classifies, or an Error for a text without tokens.
  std::vector<int32_t> EncodeForClassify(std::string_view text) const;
  // Softmax (sigmoid for a multi-label model) and the label.
  Prediction Predict(std::vector<float> logits, int num_tokens) const;
  // One forward pass of texts into outcomes, on `team` (led by this thread) when not null.
  void ClassifyPass(std::span<const std::string_view> texts, Outcome* outcomes, Team* team) const;

  ModelFile file;
  TextEncoder text;
  SequenceClassifier network;
};

Classifier::Classifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Classifier::Classifier(Classifier&&) noexcept = default;
Classifier& Classifier::operator=(Classifier&&) noexcept = default;
Classifier::~Classifier() = default;

Classifier Classifier::Load(const std::string& path) {
  return Classifier(std::make_unique<Impl>(ModelFile::Open(path)));
}

const std::vector<std::string>& Classifier::labels() const { return impl_->file.labels(); }
size_t Classifier::file_size() const { return impl_->file.file_size(); }
bool Classifier::multi_label() const { return impl_->file.config().problem_type == fb::ProblemType::MultiLabel; }

std::vector<int32_t> Classifier::Encode(std::string_view text) const {
  return impl_->text.Encode(text);
}

std::vector<float> Classifier::LogitsForIds(const std::vector<int32_t>& ids) const {
  return impl_->network.Logits(ids);
}

std::vector<int32_t> Classifier::Impl::EncodeForClassify(std::string_view input) const {
  std::vector<int32_t> ids = text.Encode(input);
  if (ids.size() <= 2) throw Error("empty text: nothing to classify");
  return ids;
}

Prediction Classifier::Impl::Predict(std::vector<float> logits, int num_tokens) const {
  Prediction p;
  p.num_tokens = num_tokens;
  p.probs = std::move(logits);
  if (file.config().problem_type == fb::ProblemType::MultiLabel) {
    ReferenceKernels().sigmoid_f32(p.probs.data(), p.probs.size());
  } else {
    ReferenceKernels().softmax_f32(p.probs.data(), 1, static_cast<int>(p.probs.size()));
  }
  p.label = static_cast<int>(std::max_element(p.probs.begin(), p.probs.end()) - p.probs.begin());
  return p;
}

Prediction Classifier::Classify(std::string_view text) const {
  const std::vector<int32_t> ids = impl_->EncodeForClassify(text);
  return impl_->Predict(impl_->network.Logits(ids), static_cast<int>(ids.size()));
}

void Classifier::Impl::ClassifyPass(std::span<const std::string_view> texts, Outcome* outcomes, Team* team) const {
  std::vector<std::vector<int32_t>> ids;
  std::vector<Outcome*> encoded;  // the outcome of each entry of ids
  for (size_t i = 0; i < texts.size(); ++i) {
    try {
      ids.push_back(EncodeForClassify(texts[i]));
      encoded.push_back(&outcomes[i]);
    } catch (const std::exception& e) {  // flatbert::Error, and std::bad_alloc for this text alone
      outcomes[i].error = e.what();
    }
  }
  const std::vector<std::span<const int32_t>> batch(ids.begin(), ids.end());
  try {
    std::vector<std::vector<float>> logits = network.Logits(batch, team);
    for (size_t j = 0; j < ids.size(); ++j)
      encoded[j]->prediction = Predict(std::move(logits[j]), static_cast<int>(ids[j].size()));
  } catch (const std::exception&) {  // out of memory for the whole pass: each text alone, each with its own error
    for (size_t j = 0; j < ids.size(); ++j) {
      try {
        encoded[j]->prediction = Predict(network.Logits(ids[j]), static_cast<int>(ids[j].size()));
      } catch (const std::exception& e) {
        encoded[j]->error = e.what();
      }
    }
  }
}

std::vector<Outcome> Classifier::ClassifyBatch(std::span<const std::string_view> texts, ThreadPool* pool) const {
  std::vector<Outcome> outcomes(texts.size());
  const size_t threads = pool ? static_cast<size_t>(pool->size()) : 1;
  // Too few texts for one per thread: the threads share one pass, at most one part per core (parts spin), when
  // the model's layers are long enough to split: bert-tiny (0.4M multiply-adds per token) took 0.160 ms per tweet
  // on two threads against 0.138 ms on one, MobileBERT (20M) 4.9 ms against 7.5 ms (docs/performance.md).
  constexpr int64_t kTeamMultiplyAddsPerToken = 4'000'000;
  const size_t parts = std::min<size_t>(threads, std::max(1u, std::thread::hardware_concurrency()));
  if (parts > 1 && texts.size() < threads &&
      impl_->network.encoder_multiply_adds_per_token() >= kTeamMultiplyAddsPerToken) {
    RunTeam(*pool, static_cast<int>(parts), [&](Team& team) { impl_->ClassifyPass(texts, outcomes.data(), &team); });
    return outcomes;
  }
  const size_t per_pass = std::clamp((texts.size() + threads - 1) / threads, size_t{1}, kBatchTexts);
  const size_t passes = (texts.size() + per_pass - 1) / per_pass;
  auto run_pass = [&](size_t p) {
    const size_t first = p * per_pass, count = std::min(per_pass, texts.size() - first);
    impl_->ClassifyPass(texts.subspan(first, count), outcomes.data() + first, nullptr);
  };
  if (pool) {
    pool->ParallelFor(passes, run_pass);
  } else {
    for (size_t p = 0; p < passes; ++p) run_pass(p);
  }
  return outcomes;
}

}  // namespace flatbert
