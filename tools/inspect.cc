#include "inspect.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "exit_codes.h"
#include "flatbert/convert.hpp"
#include "flatbert/error.hpp"
#include "flatbert/model_info.hpp"

namespace flatbert::tools {

namespace {

using json = nlohmann::ordered_json;

std::string Text(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

void PrintSettings(const json& j) {
  std::printf("config     %s\n", Text(j["config"]).c_str());
  std::printf("labels     %s\n", Text(j["labels"]).c_str());
  std::printf("tokenizer  %s\n", Text(j["tokenizer"]).c_str());
  std::printf("normalizer %s\n", Text(j["normalizer"]).c_str());
}

int InspectCheckpoint(const std::string& path, bool as_json, bool verify) {
  if (verify) throw Error("--verify checks a .fbm's checksums; '" + path + "' is a checkpoint directory");
  const std::string description = DescribeCheckpoint(path);
  if (as_json) {
    std::cout << description << '\n';
    return kExitOk;
  }
  const json j = json::parse(description);
  std::printf("%s: Hugging Face checkpoint, as flatbert convert reads it\n", path.c_str());
  PrintSettings(j);
  std::printf("unread     %s\n", Text(j["unread_keys"]).c_str());
  const json& weights = j["weights"];
  if (weights.is_null()) {
    std::printf("weights    no model.safetensors (python/hf_to_safetensors.py writes one from pytorch_model.bin)\n");
    return kExitOk;
  }
  std::printf("weights    model.safetensors, %zu tensors: ", weights["tensors"].get<size_t>());
  std::vector<std::string> absent;  // beyond the head that fine-tuning adds
  bool head = true;
  for (const json& name : weights["missing"]) {
    if (name.get<std::string>().starts_with("classifier."))
      head = false;
    else
      absent.push_back(name.get<std::string>());
  }
  std::vector<std::string> problems;
  if (weights["unprefixed"].get<bool>())
    problems.push_back(head ? "a classifier head beside an encoder whose names lack the head's prefix: transformers "
                              "refuses such a file as corrupted, and so do convert and finetune.py"
                            : "a base model's (the encoder's names lack a head's prefix, as AutoModel saves them)");
  if (!head)
    problems.push_back("no classifier head (fine-tune it first: python/finetune.py --init " + path + " --out OUT)");
  if (!absent.empty())
    problems.push_back(std::to_string(absent.size()) + " of the classifier's tensors absent, e.g. " + absent[0]);
  const json& misshapen = weights["misshapen"];
  if (!misshapen.empty())
    problems.push_back(std::to_string(misshapen.size()) + " of another shape, e.g. " + misshapen[0].get<std::string>());
  std::string said;
  for (const std::string& problem : problems) said += (said.empty() ? "" : "; ") + problem;
  std::printf("%s\n", problems.empty() ? "all the classifier needs" : said.c_str());
  return kExitOk;
}

}  // namespace

int RunInspect(const std::string& path, bool as_json, bool verify) {
  if (std::filesystem::is_directory(path)) return InspectCheckpoint(path, as_json, verify);
  const std::string description = DescribeModel(path, verify);
  if (as_json) {
    std::cout << description << '\n';
    return kExitOk;
  }
  const json j = json::parse(description);
  std::printf("%s: flatbert model v%u, %.2f MB\n", path.c_str(), j["format_version"].get<unsigned>(),
              j["file_bytes"].get<double>() / 1e6);
  std::printf("  %s\n", j["description"].get<std::string>().c_str());
  PrintSettings(j);
  std::printf("tensors    %zu, %.2fM parameters, %.2f MB %s\n", j["tensors"].size(),
              j["parameters"].get<double>() / 1e6, j["tensor_bytes"].get<double>() / 1e6,
              Text(j["tensor_bytes_by_dtype"]).c_str());
  for (const auto& t : j["tensors"])
    std::printf("  %-62s %-4s %-12s %-6s %10llu  %s\n", t["name"].get<std::string>().c_str(),
                t["dtype"].get<std::string>().c_str(), t["shape"].get<std::string>().c_str(),
                t["role"].get<std::string>().c_str(), static_cast<unsigned long long>(t["bytes"].get<uint64_t>()),
                t["quant"].get<std::string>().c_str());
  if (verify) std::printf("checksums  %zu tensors verified\n", j["checksums_verified"].get<size_t>());
  return kExitOk;
}

}  // namespace flatbert::tools
