#pragma once
#include <string>

namespace flatbert::tools {

// --model if given, else $FLATBERT_MODEL, else models/default.fbm beside the binary's parent directory
// (build/flatbert -> models/default.fbm) or share/flatbert/models/default.fbm for an installed binary.
std::string ResolveModel(const std::string& given);

}  // namespace flatbert::tools
