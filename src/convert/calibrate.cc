#include "convert/calibrate.h"

#include <algorithm>
#include <cmath>

#include "engine/sequence_classifier.h"
#include "engine/model_text.h"
#include "flatbert/error.hpp"
#include "format/model_file.h"
#include "convert/quantize.h"

namespace flatbert {

Calibration CalibrateInputScales(const ModelContents& model, const std::vector<std::string>& texts) {
  const std::vector<uint8_t> bytes = SerializeModel(Quantize(model, QuantMode::kF32));  // packed for the engine
  const ModelFile file = ModelFile::FromBytes(bytes.data(), bytes.size(), "calibration model");
  SequenceClassifier network(file, BestKernels());
  const TextEncoder model_text = ModelTextEncoder(file);

  std::map<std::string, float> max_abs;
  network.set_input_observer([&](const Linear& linear, const float* x, int rows) {
    float& m = max_abs[linear.name];
    for (size_t i = 0; i < static_cast<size_t>(rows) * static_cast<size_t>(linear.in); ++i) m = std::max(m, std::fabs(x[i]));
  });
  Calibration result;
  size_t used = 0;
  for (const std::string& text : texts) {
    std::string& error = result.errors.emplace_back();
    try {
      const std::vector<int32_t> ids = model_text.Encode(text);
      if (ids.size() <= 2) throw Error("empty text: nothing to calibrate on");
      network.Logits(ids);
      ++used;
    } catch (const Error& e) {
      error = e.what();
    }
  }
  if (used == 0) throw Error("calibration: none of the " + std::to_string(texts.size()) + " texts has a token");
  for (const auto& [name, m] : max_abs) result.input_scales[name] = m > 0.f ? m / 127.f : 1.f;
  return result;
}

}  // namespace flatbert
