#include "convert.h"

#include <iostream>

#include "exit_codes.h"
#include "flatbert/convert.hpp"
#include "model_path.h"
#include "rows.h"

namespace flatbert::tools {
namespace {

// Calibration takes each Linear's largest input, which a sample settles: the texts read stop at either limit, so a
// file of any size is held at most this large.
constexpr size_t kMaxCalibrationTexts = 100000;
constexpr size_t kMaxCalibrationBytes = size_t{64} << 20;

// The calibration rows skipped: how many, and the first few of them to show (a file of millions of bad rows would
// otherwise hold a message for each).
struct SkippedRows {
  static constexpr size_t kShown = 5;
  void Add(size_t row, const std::string& why) {
    if (shown.size() < kShown) shown.push_back("row " + std::to_string(row) + ": " + why);
    ++count;
  }
  size_t count = 0;
  std::vector<std::string> shown;
};

// Texts for int8-static calibration: one per line, or the text column of a TSV / JSONL file, up to the limits above.
// Rows that cannot be read are skipped and reported, as are those the calibration cannot encode.
std::vector<std::string> CalibrationTexts(const std::string& path, std::vector<size_t>& row_numbers,
                                          SkippedRows& skipped) {
  InputFile input(path);
  RowReader reader(input.stream(), RowFormat::kAuto, "text");
  std::vector<std::string> texts;
  size_t bytes = 0;
  for (Row row; texts.size() < kMaxCalibrationTexts && bytes < kMaxCalibrationBytes && reader.Next(row);) {
    if (!row.error.empty()) {
      skipped.Add(row.number, row.error);
      continue;
    }
    bytes += row.text.size();
    texts.push_back(std::move(row.text));
    row_numbers.push_back(row.number);
  }
  if (texts.empty()) throw Error("calibration file '" + path + "' has no texts");
  if (texts.size() == kMaxCalibrationTexts || bytes >= kMaxCalibrationBytes)
    std::cerr << "calibration reads the first " << texts.size() << " texts of " << path << " (up to row "
              << row_numbers.back() << "; at most " << kMaxCalibrationTexts << " texts or "
              << (kMaxCalibrationBytes >> 20) << " MiB)\n";
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
  SkippedRows skipped;
  if ((opt.quant == "int8-static") == opt.calibrate.empty())
    throw Error("--calibrate FILE goes with --quant int8-static, and only with it");
  if (!opt.calibrate.empty()) options.calibration_texts = CalibrationTexts(opt.calibrate, row_numbers, skipped);
  const ConvertReport report = ConvertModel(opt.source, opt.output, options);
  if (!report.unread_keys.empty())
    std::cerr << "not read (Hugging Face's BERT code does not read them either): " << List(report.unread_keys) << "\n";
  if (!report.unused_tensors.empty())
    std::cerr << "not converted (the classifier does not use them): " << List(report.unused_tensors) << "\n";
  for (const auto& [index, reason] : report.skipped_texts) skipped.Add(row_numbers[index], reason);
  for (const std::string& row : skipped.shown) std::cerr << "calibration skipped " << row << "\n";
  if (skipped.count) std::cerr << "calibration skipped " << skipped.count << " rows of " << opt.calibrate << "\n";
  std::cerr << "wrote " << opt.output << ": " << report.tensors << " tensors, " << report.file_bytes << " bytes\n";
  return skipped.count ? kExitRowErrors : kExitOk;
}

int RunExport(const std::string& model_path, const std::string& output) {
  ExportModel(ResolveModel(model_path), output);
  std::cerr << "wrote " << output
            << " (config.json, vocab.txt, tokenizer_config.json, model.safetensors; fp32 weights)\n";
  return kExitOk;
}

}  // namespace flatbert::tools
