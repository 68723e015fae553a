#pragma once
// JSON as every flatbert reader parses it (JSONL rows, config.json, tokenizer files, safetensors headers).
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "flatbert/error.hpp"
#include "flatbert/limits.hpp"

namespace flatbert {

// Nested at most kMaxJsonDepth levels: deeper input is refused while parsing, before it is built. Throws Error
// naming `what` for text that is not JSON or is nested deeper.
nlohmann::ordered_json ParseJson(std::string_view text, const std::string& what);

}  // namespace flatbert
