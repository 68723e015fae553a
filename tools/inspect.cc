#include "inspect.h"

#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "exit_codes.h"
#include "flatbert/error.hpp"
#include "format/model_file.h"

namespace flatbert::tools {
namespace {

using json = nlohmann::ordered_json;

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

// How a tensor's scales apply: "per row", "groups of 32", plus a calibrated input scale (int8-static).
std::string QuantText(const fb::QuantParams* q) {
  if (!q) return "";
  std::string text = q->group_size() > 0 ? "groups of " + std::to_string(q->group_size()) : "per row";
  if (q->input_scale() > 0.f) text += ", static input scale " + std::to_string(q->input_scale());
  return text;
}

}  // namespace

int RunInspect(const std::string& path, bool as_json, bool verify) {
  const ModelFile file = ModelFile::Open(path);
  const fb::Model& m = file.meta();
  const fb::ArchConfig& c = *m.config();
  json j;
  j["file"] = path;
  j["file_bytes"] = file.file_size();
  j["format_version"] = m.format_version();
  j["description"] = m.description() ? m.description()->str() : "";
  j["config"] = {{"arch", fb::EnumNameArch(c.arch())},
                 {"vocab_size", c.vocab_size()},
                 {"hidden_size", c.hidden_size()},
                 {"intermediate_size", c.intermediate_size()},
                 {"num_layers", c.num_layers()},
                 {"num_heads", c.num_heads()},
                 {"max_positions", c.max_positions()},
                 {"norm", fb::EnumNameNormType(c.norm())},
                 {"activation", fb::EnumNameActivation(c.activation())}};
  if (c.arch() == fb::Arch::MobileBert)
    j["config"].update({{"embedding_size", c.embedding_size()},
                        {"trigram_input", c.trigram_input()},
                        {"use_bottleneck", c.use_bottleneck()},
                        {"intra_bottleneck_size", c.intra_bottleneck_size()},
                        {"key_query_shared_bottleneck", c.key_query_shared_bottleneck()},
                        {"num_feedforward_networks", c.num_feedforward_networks()},
                        {"pooler_activation", c.pooler_activation()}});
  for (const auto* l : *m.labels()) j["labels"].push_back(l->str());
  j["tokenizer"] = {{"vocab_size", m.tokenizer()->vocab()->size()},
                    {"lowercase", m.tokenizer()->lowercase()},
                    {"strip_accents", m.tokenizer()->strip_accents()},
                    {"max_length", m.tokenizer()->max_length()}};
  j["normalizer"] = nullptr;
  if (const auto* n = m.normalizer())
    j["normalizer"] = {{"replace_mentions", n->replace_mentions()},
                       {"replace_urls", n->replace_urls()},
                       {"unescape_html", n->unescape_html()},
                       {"collapse_whitespace", n->collapse_whitespace()}};
  uint64_t params = 0, bytes = 0;
  std::map<std::string, uint64_t> bytes_by_dtype;
  for (const fb::Tensor* t : *m.tensors()) {
    const TensorView view = file.tensor(t->name()->str());  // the verifier gave every tensor a shape
    params += static_cast<uint64_t>(view.numel());
    bytes += t->size();
    bytes_by_dtype[DTypeName(t->dtype())] += t->size();
    j["tensors"].push_back({{"name", t->name()->str()},
                            {"dtype", DTypeName(t->dtype())},
                            {"shape", ShapeText(view.shape)},
                            {"bytes", t->size()},
                            {"quant", QuantText(t->quant())}});
  }
  j["parameters"] = params;
  j["tensor_bytes"] = bytes;
  j["tensor_bytes_by_dtype"] = bytes_by_dtype;
  if (verify) {
    const size_t checked = file.VerifyChecksums();  // throws naming the first tensor that does not match
    if (checked == 0)
      throw Error("'" + path +
                  "' stores no checksums (written before they existed); rewrite it with "
                  "`flatbert convert " +
                  path + " -o NEW.fbm --quant keep`");
    j["checksums_verified"] = checked;
  }
  if (as_json) {
    std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
    return kExitOk;
  }
  auto text = [](const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); };
  std::printf("%s: flatbert model v%u, %.2f MB\n", path.c_str(), m.format_version(), file.file_size() / 1e6);
  std::printf("  %s\n", j["description"].get<std::string>().c_str());
  std::printf("config     %s\n", text(j["config"]).c_str());
  std::printf("labels     %s\n", text(j["labels"]).c_str());
  std::printf("tokenizer  %s\n", text(j["tokenizer"]).c_str());
  std::printf("normalizer %s\n", text(j["normalizer"]).c_str());
  std::printf("tensors    %zu, %.2fM parameters, %.2f MB %s\n", j["tensors"].size(), params / 1e6, bytes / 1e6,
              text(j["tensor_bytes_by_dtype"]).c_str());
  for (const auto& t : j["tensors"])
    std::printf("  %-62s %-4s %-12s %10llu  %s\n", t["name"].get<std::string>().c_str(),
                t["dtype"].get<std::string>().c_str(), t["shape"].get<std::string>().c_str(),
                static_cast<unsigned long long>(t["bytes"].get<uint64_t>()), t["quant"].get<std::string>().c_str());
  if (verify) std::printf("checksums  %zu tensors verified\n", j["checksums_verified"].get<size_t>());
  return kExitOk;
}

}  // namespace flatbert::tools
