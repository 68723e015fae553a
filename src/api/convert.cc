#include "flatbert/convert.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "api/describe.h"
#include "convert/calibrate.h"
#include "convert/hf_convert.h"
#include "convert/hf_export.h"
#include "convert/quantize.h"
#include "flatbert/tokenizer.hpp"
#include "format/model_contents.h"
#include "format/model_file.h"

namespace flatbert {

std::vector<std::string> QuantModeNames() {
  std::vector<std::string> names;
  for (QuantMode mode : kQuantModes) names.push_back(QuantModeName(mode));
  return names;
}

ConvertReport ConvertModel(const std::string& source, const std::string& output, const ConvertOptions& options) {
  auto progress = [&](const std::string& step) {
    if (options.progress) options.progress(step);
  };
  const bool keep = options.quant == kKeepWeights;
  const bool from_directory = std::filesystem::is_directory(source);
  if (keep && from_directory)
    throw Error("--quant keep rewrites a .fbm; a Hugging Face directory needs a weight format");
  const QuantMode mode = keep ? QuantMode::kF32 : ParseQuantMode(options.quant);
  if ((!keep && mode == QuantMode::kInt8Static) != !options.calibration_texts.empty())
    throw Error("calibration texts go with --quant int8-static, and only with it");
  if (options.group_size != QuantOptions{}.group_size && (keep || !HasWeightGroups(mode)))
    throw Error("a group size goes with --quant int4 or mixed, and only with them (" + options.quant +
                " has no groups)");
  progress("reading " + source);
  ConvertReport report;
  HfReport hf;
  ModelContents model = from_directory ? ConvertHuggingFace(source, &hf) : ReadContents(ModelFile::Open(source));
  report.unread_keys = std::move(hf.unread_keys);
  report.unused_tensors = std::move(hf.unused_tensors);
  if (!keep) {
    QuantOptions quant;
    quant.group_size = options.group_size;
    if (mode == QuantMode::kInt8Static) {
      progress("calibrating input scales on " + std::to_string(options.calibration_texts.size()) + " texts");
      Calibration calibration = CalibrateInputScales(model, options.calibration_texts);
      for (size_t i = 0; i < calibration.errors.size(); ++i)
        if (!calibration.errors[i].empty()) report.skipped_texts.emplace_back(i, std::move(calibration.errors[i]));
      quant.input_scales = std::move(calibration.input_scales);
    }
    progress("quantizing weights: " + options.quant);
    model = Quantize(std::move(model), mode, quant);
  }
  WriteModel(model, output);
  const ModelFile written = ModelFile::Open(output);
  written.VerifyChecksums();
  report.tensors = model.tensors.size();
  report.file_bytes = written.file_size();
  return report;
}

void ExportModel(const std::string& model_path, const std::string& output_dir) {
  ExportHuggingFace(Dequantize(ReadContents(ModelFile::Open(model_path))), output_dir);
}

std::string DescribeCheckpoint(const std::string& directory) {
  HfReport report;
  const ModelContents settings = ReadHfSettings(directory, &report);
  nlohmann::ordered_json j = {{"directory", directory}};
  j.update(DescribeSettings(settings));
  j["unread_keys"] = report.unread_keys;
  j["weights"] = nullptr;
  if (const std::optional<HfWeights> weights = ReadHfWeights(directory, settings))
    j["weights"] = {{"file", "model.safetensors"},
                    {"tensors", weights->tensors},
                    {"unprefixed", weights->unprefixed},
                    {"missing", weights->missing},
                    {"misshapen", weights->misshapen}};
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Tokenizer HuggingFaceTokenizer(const std::string& directory, const EncodeOptions& options) {
  HfTokenizer hf = ReadHfTokenizer(directory);
  return Tokenizer::FromTokens(std::move(hf.vocab), hf.lowercase, hf.strip_accents, options);
}

}  // namespace flatbert
