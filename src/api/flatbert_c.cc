#include "flatbert/flatbert.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <string>

#include "flatbert/classifier.hpp"

struct flatbert_model {
  flatbert::Classifier classifier;
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
    return new flatbert_model{flatbert::Classifier::Load(path ? path : "")};
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

int flatbert_classify(const flatbert_model* model, const char* text, size_t len, float* probs, size_t probs_len,
                      char* err, size_t err_size) {
  if (!model || (!text && len > 0)) {
    SetError(err, err_size, "null model or text");
    return -1;
  }
  const size_t labels = model->classifier.labels().size();
  if (probs && probs_len < labels) {
    const std::string message = "probs holds " + std::to_string(probs_len) + " floats; the model has " +
                                std::to_string(labels) + " labels";
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

}  // extern "C"
