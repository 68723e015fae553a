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

// The object {key_of(i): value_of(i)} for i in [0, count), whose keys the caller knows to be distinct (a model's
// labels, their indices), appended in order: ordered_json's operator[] compares each new key with every earlier
// one, and the 65,536 probabilities of a prediction took 3.4 s to print that way.
template <typename KeyOf, typename ValueOf>
nlohmann::ordered_json ObjectOfDistinctKeys(size_t count, const KeyOf& key_of, const ValueOf& value_of) {
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  nlohmann::ordered_json::object_t::Container& members = object.get_ref<nlohmann::ordered_json::object_t&>();
  members.reserve(count);
  for (size_t i = 0; i < count; ++i) members.emplace_back(key_of(i), value_of(i));
  return object;
}

}  // namespace flatbert
