#pragma once
// int8-static calibration: run the fp32 model over sample texts, record the largest |input| of every Linear.
#include <map>
#include <string>
#include <vector>

#include "format/model_contents.h"

namespace flatbert {

struct Calibration {
  std::map<std::string, float> input_scales;  // Linear weight name -> max |x| over every token used / 127
  std::vector<std::string> errors;            // one per text: why it was not used (invalid UTF-8, no token), or ""
};

// Input scales for QuantOptions::input_scales. `model` holds F32 tensors. Throws Error when no text is used.
Calibration CalibrateInputScales(const ModelContents& model, const std::vector<std::string>& texts);

}  // namespace flatbert
