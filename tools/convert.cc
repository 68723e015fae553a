#include "convert.h"

#include <iostream>

#include "exit_codes.h"
#include "flatbert/convert.hpp"
#include "model_path.h"
#include "rows.h"

namespace flatbert::tools {
namespace {

// Texts for int8-static calibration: one per line, or the text column of a TSV / JSONL file. Rows that cannot be
// read are skipped and reported, as are those the calibration cannot encode; `skipped` counts both.
std::vector<std::string> CalibrationTexts(const std::string& path, std::vector<size_t>& row_numbers,
                                          std::vector<std::string>& skipped) {
  InputFile input(path);
  RowReader reader(input.stream(), RowFormat::kAuto, "text");
  std::vector<std::string> texts;
  for (Row row; reader.Next(row);) {
    if (!row.error.empty()) {
      skipped.push_back("row " + std::to_string(row.number) + ": " + row.error);
      continue;
    }
    texts.push_back(std::move(row.text));
    row_numbers.push_back(row.number);
  }
  if (texts.empty()) throw Error("calibration file '" + path + "' has no texts");
  return texts;
}

std::string List(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& n : names) text += (text.empty() ? "" : ", ") + n;
  return text;
}

}  // namespace

int RunConvert(const ConvertOptions& opt) {
  flatbert::ConvertOptions options;
  options.quant = opt.quant;
  options.group_size = opt.group_size;
  options.progress = [](const std::string& step) { std::cerr << step << "\n"; };
  std::vector<size_t> row_numbers;
  std::vector<std::string> skipped;
  if ((opt.quant == "int8-static") == opt.calibrate.empty())
    throw Error("--calibrate FILE goes with --quant int8-static, and only with it");
  if (!opt.calibrate.empty()) options.calibration_texts = CalibrationTexts(opt.calibrate, row_numbers, skipped);
  const ConvertReport report = ConvertModel(opt.source, opt.output, options);
  if (!report.unread_keys.empty())
    std::cerr << "not read (Hugging Face's BERT code does not read them either): " << List(report.unread_keys) << "\n";
  if (!report.unused_tensors.empty())
    std::cerr << "not converted (the classifier does not use them): " << List(report.unused_tensors) << "\n";
  for (const auto& [index, reason] : report.skipped_texts)
    skipped.push_back("row " + std::to_string(row_numbers[index]) + ": " + reason);
  for (size_t i = 0; i < skipped.size() && i < 5; ++i) std::cerr << "calibration skipped " << skipped[i] << "\n";
  if (!skipped.empty()) std::cerr << "calibration skipped " << skipped.size() << " rows of " << opt.calibrate << "\n";
  std::cerr << "wrote " << opt.output << ": " << report.tensors << " tensors, " << report.file_bytes << " bytes\n";
  return skipped.empty() ? kExitOk : kExitRowErrors;
}

int RunExport(const std::string& model_path, const std::string& output) {
  ExportModel(ResolveModel(model_path), output);
  std::cerr << "wrote " << output
            << " (config.json, vocab.txt, tokenizer_config.json, model.safetensors; fp32 weights)\n";
  return kExitOk;
}

}  // namespace flatbert::tools
