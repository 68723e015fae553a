#pragma once
// Hugging Face layout (config.json + vocab.txt or tokenizer.json + model.safetensors, and tokenizer_config.json,
// special_tokens_map.json and added_tokens.json when present) -> ModelContents (fp32 tensors). Every key is read as
// convert/hf_keys.h says (docs/hf-keys.md).
#include <climits>
#include <optional>
#include <string>
#include <vector>

#include "format/model_contents.h"

namespace flatbert {

// What a conversion passed over, for the user to see.
struct HfReport {
  std::vector<std::string> unread_keys;     // "config.json: key": keys hf_keys.h does not name
  std::vector<std::string> unused_tensors;  // in model.safetensors, not part of the classifier
};

// The tokenizer of a checkpoint directory as BertTokenizerFast builds it: vocab.txt (else tokenizer.json's
// vocabulary), tokenizer_config.json (do_lower_case, strip_accents, ...), and special_tokens_map.json,
// added_tokens.json and tokenizer.json checked against them.
struct HfTokenizer {
  std::vector<std::string> vocab;
  bool lowercase = true, strip_accents = true;
  int model_max_length = INT_MAX;  // tokenizer_config.json's, INT_MAX when absent or unbounded
};
HfTokenizer ReadHfTokenizer(const std::string& directory, HfReport* report = nullptr);

// Everything ConvertHuggingFace reads but the weights, checked as it checks them: config.json (the architecture,
// labels and flatbert's own keys; any `architectures`) and the tokenizer files. The tensors are left empty.
ModelContents ReadHfSettings(const std::string& directory, HfReport* report = nullptr);

// What model.safetensors holds of the tensors the classifier of `settings` (ReadHfSettings) needs, from its header
// alone; nullopt without the file.
struct HfWeights {
  size_t tensors = 0;                  // in the file
  bool unprefixed = false;             // the encoder's names lack BaseModelPrefix: a base model's checkpoint, which
                                       // transformers (and finetune.py) load under a head by adding it
  std::vector<std::string> missing;    // the classifier's tensors the file lacks
  std::vector<std::string> misshapen;  // those it holds with another shape than config.json gives, as convert's
                                       // error names them (MisshapenTensor)
};
std::optional<HfWeights> ReadHfWeights(const std::string& directory, const ModelContents& settings);

ModelContents ConvertHuggingFace(const std::string& directory, HfReport* report = nullptr);

}  // namespace flatbert
