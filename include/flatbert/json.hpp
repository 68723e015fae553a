#pragma once
// JSON as every flatbert reader parses it (JSONL rows, config.json, tokenizer files, safetensors headers).
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "flatbert/error.hpp"
#include "flatbert/limits.hpp"

namespace flatbert {

// Nested at most kMaxJsonDepth levels and holding at most max_values values, keys, arrays and objects: other input
// is refused while parsing, before it is built (16 MiB of `[0,0,...` would build 300 MB of values). Every reader
// names its own cap, as the sizes of what it reads differ. Throws Error naming `what` for text that is not JSON, is
// nested deeper or holds more.
nlohmann::ordered_json ParseJson(std::string_view text, const std::string& what, size_t max_values);

}  // namespace flatbert
