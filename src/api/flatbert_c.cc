#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "flatbert/classifier.hpp"
#include "flatbert/flatbert.h"
#include "flatbert/limits.hpp"
#include "flatbert/thread_pool.hpp"

struct flatbert_model {
  explicit flatbert_model(flatbert::Classifier loaded) : classifier(std::move(loaded)) {}
  flatbert::Classifier classifier;
  std::mutex pool_mu;  // guards pool and pool_threads; a call holds its own reference while it runs
  std::shared_ptr<flatbert::ThreadPool> pool;
  int pool_threads = -1;  // what the pool was asked for
};

namespace {

void SetError(char* err, size_t err_size, const char* message) {
  if (!err || err_size == 0) return;
  const size_t n = std::min(err_size - 1, std::strlen(message));
  std::memcpy(err, message, n);
  err[n] = '\0';
}

}  // namespace

extern "C" {

int flatbert_abi_version(void) { return FLATBERT_ABI_VERSION; }

flatbert_model* flatbert_load(const char* path, char* err, size_t err_size) {
  try {
    return new flatbert_model(flatbert::Classifier::Load(path ? path : ""));
  } catch (const std::exception& e) {
    SetError(err, err_size, e.what());
    return nullptr;
  }
}

void flatbert_free(flatbert_model* model) { delete model; }

int flatbert_num_labels(const flatbert_model* model) {
  return model ? static_cast<int>(model->classifier.labels().size()) : 0;
}

const char* flatbert_label(const flatbert_model* model, int i) {
  if (!model || i < 0 || i >= flatbert_num_labels(model)) return nullptr;
  return model->classifier.labels()[static_cast<size_t>(i)].c_str();
}

int flatbert_multi_label(const flatbert_model* model) { return model && model->classifier.multi_label() ? 1 : 0; }

int flatbert_classify(const flatbert_model* model, const char* text, size_t len, float* probs, size_t probs_len,
                      char* err, size_t err_size) {
  if (!model || (!text && len > 0)) {
    SetError(err, err_size, "null model or text");
    return -1;
  }
  const size_t labels = model->classifier.labels().size();
  if (probs && probs_len < labels) {
    const std::string message =
        "probs holds " + std::to_string(probs_len) + " floats; the model has " + std::to_string(labels) + " labels";
    SetError(err, err_size, message.c_str());
    return -1;
  }
  try {
    const flatbert::Prediction p = model->classifier.Classify(std::string_view(text ? text : "", len));
    if (probs) std::copy(p.probs.begin(), p.probs.end(), probs);
    return p.label;
  } catch (const std::exception& e) {
    SetError(err, err_size, e.what());
    return -1;
  }
}

long flatbert_classify_batch(flatbert_model* model, const char* const* texts, const size_t* lens, size_t n, int threads,
                             int* labels, float* probs, int* num_tokens, char* errors, size_t err_size) {
  if (!model || (n > 0 && (!texts || !lens || !labels || !probs))) {
    SetError(errors, err_size, "null model, texts, lens, labels or probs");
    return -1;
  }
  const size_t num_labels = model->classifier.labels().size();
  try {
    if (threads < 0 || threads > flatbert::kMaxThreads)
      throw flatbert::Error("threads " + std::to_string(threads) + " is outside [0, " +
                            std::to_string(flatbert::kMaxThreads) + "]");
    // One thread needs no pool, so callers on several threads run side by side; callers that share the pool take
    // turns on it (ThreadPool::ParallelFor), and one that asks for another count leaves the old pool to the calls
    // still on it.
    std::shared_ptr<flatbert::ThreadPool> pool;
    if (flatbert::ThreadPool::ThreadsFor(threads) > 1) {
      std::lock_guard<std::mutex> lock(model->pool_mu);
      if (!model->pool || model->pool_threads != threads) {
        model->pool = std::make_shared<flatbert::ThreadPool>(threads);
        model->pool_threads = threads;
      }
      pool = model->pool;
    }
    std::vector<std::string_view> views(n);
    for (size_t i = 0; i < n; ++i) views[i] = texts[i] ? std::string_view(texts[i], lens[i]) : std::string_view();
    const std::vector<flatbert::Outcome> outcomes = model->classifier.ClassifyBatch(views, pool.get());
    long failed = 0;
    for (size_t i = 0; i < n; ++i) {
      const flatbert::Outcome& o = outcomes[i];  // a null text read as empty: it has an error either way
      const bool ok = o.error.empty();
      labels[i] = ok ? o.prediction.label : -1;
      if (num_tokens) num_tokens[i] = ok ? o.prediction.num_tokens : 0;
      if (ok) {
        std::copy(o.prediction.probs.begin(), o.prediction.probs.end(), probs + i * num_labels);
        continue;
      }
      std::fill(probs + i * num_labels, probs + (i + 1) * num_labels, 0.f);
      const bool null_text = !texts[i] && lens[i] > 0;
      if (errors) SetError(errors + i * err_size, err_size, null_text ? "null text" : o.error.c_str());
      ++failed;
    }
    return failed;
  } catch (const std::exception& e) {  // the pool: threads out of range, or the OS refused them
    SetError(errors, err_size, e.what());
    return -1;
  }
}

long flatbert_tokenize(const flatbert_model* model, const char* text, size_t len, int32_t* ids, size_t ids_len,
                       char* err, size_t err_size) {
  if (!model || (!text && len > 0) || (!ids && ids_len > 0)) {
    SetError(err, err_size, "null model, text or ids");
    return -1;
  }
  try {
    const std::vector<int32_t> encoded = model->classifier.Encode(std::string_view(text ? text : "", len));
    std::copy_n(encoded.begin(), std::min(encoded.size(), ids_len), ids);
    return static_cast<long>(encoded.size());
  } catch (const std::exception& e) {
    SetError(err, err_size, e.what());
    return -1;
  }
}

}  // extern "C"
