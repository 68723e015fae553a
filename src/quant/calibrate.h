#pragma once
// int8-static calibration: run the fp32 model over sample texts, record the largest |input| of every Linear.
#include <map>
#include <string>
#include <vector>

#include "format/model_writer.h"

namespace flatbert {

// Linear weight name -> input scale (max |x| over every token of `texts` / 127), for QuantOptions::input_scales.
// `model` holds F32 tensors. Empty texts are skipped; throws Error when no text has a token.
std::map<std::string, float> CalibrateInputScales(const ModelContents& model, const std::vector<std::string>& texts);

}  // namespace flatbert
