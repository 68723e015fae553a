#include "flatbert/model_info.hpp"

#include <map>
#include <nlohmann/json.hpp>

#include "api/describe.h"
#include "format/arch.h"
#include "format/model_contents.h"
#include "format/model_file.h"
#include "kernels/kernels.h"

namespace flatbert {
namespace {

using json = nlohmann::ordered_json;

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += 'x';
    s += std::to_string(shape[i]);
  }
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

json DescribeSettings(const ModelContents& model) {
  const fb::ArchConfigT& c = model.config;
  json j;
  j["config"] = {{"arch", fb::EnumNameArch(c.arch)},
                 {"vocab_size", c.vocab_size},
                 {"hidden_size", c.hidden_size},
                 {"intermediate_size", c.intermediate_size},
                 {"num_layers", c.num_layers},
                 {"num_heads", c.num_heads},
                 {"max_positions", c.max_positions},
                 {"norm", fb::EnumNameNormType(c.norm)},
                 {"activation", fb::EnumNameActivation(c.activation)},
                 {"problem_type", fb::EnumNameProblemType(c.problem_type)}};
  if (c.arch == fb::Arch::MobileBert)
    j["config"].update({{"embedding_size", c.embedding_size},
                        {"trigram_input", c.trigram_input},
                        {"use_bottleneck", c.use_bottleneck},
                        {"intra_bottleneck_size", c.intra_bottleneck_size},
                        {"key_query_shared_bottleneck", c.key_query_shared_bottleneck},
                        {"num_feedforward_networks", c.num_feedforward_networks},
                        {"has_pooler", c.has_pooler}});
  j["labels"] = model.labels;
  j["tokenizer"] = {{"vocab_size", model.tokenizer.vocab.size()},
                    {"lowercase", model.tokenizer.lowercase},
                    {"strip_accents", model.tokenizer.strip_accents},
                    {"max_length", model.tokenizer.max_length}};
  j["normalizer"] = nullptr;
  if (model.has_normalizer)
    j["normalizer"] = {{"replace_mentions", model.normalizer.replace_mentions},
                       {"replace_urls", model.normalizer.replace_urls},
                       {"unescape_html", model.normalizer.unescape_html},
                       {"collapse_whitespace", model.normalizer.collapse_whitespace}};
  return j;
}

const char* Version() { return FLATBERT_VERSION; }

const char* KernelPath() { return BestKernels().name; }

std::string DescribeModel(const std::string& path, bool verify_checksums) {
  const ModelFile file = ModelFile::Open(path);
  const fb::Model& m = file.meta();
  const fb::ArchConfigT& c = file.config();
  json j;
  j["file"] = path;
  j["file_bytes"] = file.file_size();
  j["format_version"] = m.format_version();
  j["description"] = m.description() ? m.description()->str() : "";
  j.update(DescribeSettings(ReadSettings(file)));
  std::map<std::string, const TensorSpec*> specs;
  const std::vector<TensorSpec> required = RequiredTensors(c, file.num_labels());
  for (const TensorSpec& spec : required) specs[spec.name] = &spec;
  uint64_t params = 0, bytes = 0;
  std::map<std::string, uint64_t> bytes_by_dtype;
  for (const fb::Tensor* t : *m.tensors()) {
    const TensorSpec& spec = *specs.at(t->name()->str());  // the verifier found a spec for every tensor
    params += static_cast<uint64_t>(file.tensor(spec.name).numel());
    bytes += t->size();
    bytes_by_dtype[DTypeName(t->dtype())] += t->size();
    j["tensors"].push_back({{"name", spec.name},
                            {"dtype", DTypeName(t->dtype())},
                            {"shape", ShapeText(spec.shape)},
                            {"role", TensorRoleName(spec.role)},
                            {"layer", spec.layer},
                            {"bytes", t->size()},
                            {"quant", QuantText(t->quant())}});
  }
  j["parameters"] = params;
  j["tensor_bytes"] = bytes;
  j["tensor_bytes_by_dtype"] = bytes_by_dtype;
  if (verify_checksums) {
    const size_t checked = file.VerifyChecksums();  // throws naming the first tensor that does not match
    if (checked == 0)
      throw Error("'" + path +
                  "' stores no checksums (written before they existed); rewrite it with `flatbert convert " + path +
                  " -o NEW.fbm --quant keep`");
    j["checksums_verified"] = checked;
  }
  return j.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace flatbert
