#include "convert.h"

#include <filesystem>
#include <iostream>

#include "exit_codes.h"
#include "convert/hf_convert.h"
#include "convert/hf_export.h"
#include "format/model_file.h"
#include "format/model_contents.h"
#include "model_path.h"
#include "convert/calibrate.h"
#include "convert/quantize.h"
#include "rows.h"

namespace flatbert::tools {
namespace {

// Texts for int8-static calibration: one per line, or the text column of a TSV / JSONL file. Rows that cannot be
// read or encoded are skipped and reported; returns how many.
size_t Calibrate(const ModelContents& model, const std::string& path, QuantOptions& options) {
  InputFile input(path);
  RowReader reader(input.stream(), RowFormat::kAuto, "text");
  std::vector<std::string> texts;
  std::vector<size_t> numbers;
  std::vector<std::string> errors;
  for (Row row; reader.Next(row);) {
    if (!row.error.empty()) {
      errors.push_back("row " + std::to_string(row.number) + ": " + row.error);
      continue;
    }
    texts.push_back(std::move(row.text));
    numbers.push_back(row.number);
  }
  if (texts.empty()) throw Error("calibration file '" + path + "' has no texts");
  std::cerr << "calibrating input scales on " << texts.size() << " texts from " << path << "\n";
  Calibration calibration = CalibrateInputScales(model, texts);
  for (size_t i = 0; i < texts.size(); ++i)
    if (!calibration.errors[i].empty())
      errors.push_back("row " + std::to_string(numbers[i]) + ": " + calibration.errors[i]);
  options.input_scales = std::move(calibration.input_scales);
  for (size_t i = 0; i < errors.size() && i < 5; ++i) std::cerr << "calibration skipped " << errors[i] << "\n";
  if (!errors.empty()) std::cerr << "calibration skipped " << errors.size() << " rows of " << path << "\n";
  return errors.size();
}

}  // namespace

int RunConvert(const ConvertOptions& opt) {
  const bool keep = opt.quant == kKeepWeights;
  const bool from_directory = std::filesystem::is_directory(opt.source);
  if (keep && from_directory)
    throw Error("--quant keep rewrites a .fbm; a Hugging Face directory needs a weight format");
  const QuantMode mode = keep ? QuantMode::kF32 : ParseQuantMode(opt.quant);
  if ((!keep && mode == QuantMode::kInt8Static) != !opt.calibrate.empty())
    throw Error("--calibrate FILE goes with --quant int8-static, and only with it");
  std::cerr << "reading " << opt.source << "\n";
  HfReport report;
  ModelContents model =
      from_directory ? ConvertHuggingFace(opt.source, &report) : ReadContents(ModelFile::Open(opt.source));
  auto list = [](const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& n : names) text += (text.empty() ? "" : ", ") + n;
    return text;
  };
  if (!report.unread_keys.empty())
    std::cerr << "not read (Hugging Face's BERT code does not read them either): " << list(report.unread_keys) << "\n";
  if (!report.unused_tensors.empty())
    std::cerr << "not converted (the classifier does not use them): " << list(report.unused_tensors) << "\n";
  size_t skipped_rows = 0;
  if (!keep) {
    QuantOptions options;
    options.group_size = opt.group_size;
    if (!opt.calibrate.empty()) skipped_rows = Calibrate(model, opt.calibrate, options);
    std::cerr << "quantizing weights: " << opt.quant << "\n";
    model = Quantize(std::move(model), mode, options);
  }
  WriteModel(model, opt.output);
  const ModelFile check = ModelFile::Open(opt.output);  // verify what was written
  check.VerifyChecksums();
  std::cerr << "wrote " << opt.output << ": " << model.tensors.size() << " tensors, " << check.file_size()
            << " bytes\n";
  return skipped_rows ? kExitRowErrors : kExitOk;
}

int RunExport(const std::string& model_path, const std::string& output) {
  const ModelFile file = ModelFile::Open(ResolveModel(model_path));
  ExportHuggingFace(Dequantize(ReadContents(file)), output);
  std::cerr << "wrote " << output
            << " (config.json, vocab.txt, tokenizer_config.json, model.safetensors; fp32 weights)\n";
  return kExitOk;
}

}  // namespace flatbert::tools
