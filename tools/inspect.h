#pragma once
#include <string>

namespace flatbert::tools {

// Prints a model's config, labels, tokenizer, normalizer and tensors; verify: also checks every tensor's checksum.
// A Hugging Face checkpoint directory: its settings as convert reads them (DescribeCheckpoint).
int RunInspect(const std::string& path, bool as_json, bool verify);

}  // namespace flatbert::tools
