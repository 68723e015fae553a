#pragma once
#include <string>

namespace flatbert::tools {

struct ConvertOptions {
  std::string source, output, quant = "fp32", calibrate;
  int group_size = 32;
};

// A Hugging Face directory or an fp32 .fbm to .fbm in a weight format; the written file is verified.
int RunConvert(const ConvertOptions& options);
// A .fbm to a Hugging Face directory, fp32 weights as the engine sees them.
int RunExport(const std::string& model_path, const std::string& output);

}  // namespace flatbert::tools
