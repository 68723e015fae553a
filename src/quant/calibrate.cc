#include "quant/calibrate.h"

#include <algorithm>
#include <cmath>

#include "engine/encoder.h"
#include "flatbert/error.hpp"
#include "format/model_file.h"
#include "quant/quantize.h"
#include "tokenizer/model_text.h"

namespace flatbert {

std::map<std::string, float> CalibrateInputScales(const ModelContents& model, const std::vector<std::string>& texts) {
  const std::vector<uint8_t> bytes = SerializeModel(Quantize(model, QuantMode::kF32));  // packed for the engine
  const ModelFile file = ModelFile::FromBytes(bytes.data(), bytes.size(), "calibration model");
  Encoder encoder(file, BestKernels());
  const ModelText model_text(file);

  std::map<std::string, float> max_abs;
  encoder.set_input_observer([&](const Linear& linear, const float* x, int rows) {
    float& m = max_abs[linear.name];
    for (size_t i = 0; i < static_cast<size_t>(rows) * static_cast<size_t>(linear.in); ++i) m = std::max(m, std::fabs(x[i]));
  });
  size_t used = 0;
  for (const std::string& text : texts) {
    const std::vector<int32_t> ids = model_text.Encode(text);
    if (ids.size() <= 2) continue;
    encoder.Logits(ids);
    ++used;
  }
  if (used == 0) throw Error("calibration: none of the " + std::to_string(texts.size()) + " texts has a token");
  std::map<std::string, float> scales;
  for (const auto& [name, m] : max_abs) scales[name] = m > 0.f ? m / 127.f : 1.f;
  return scales;
}

}  // namespace flatbert
