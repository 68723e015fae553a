// libFuzzer: bytes as JSON through ParseJson, which builds its tree itself (format/file_io.cc), against the
// reference of json::parse with a callback that counts the same values and depth (what ParseJson was before it
// built its own tree, quadratic in an object's keys): the same tree, dump for dump (key order and repeated keys
// included), or the same error.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "flatbert/error.hpp"
#include "flatbert/json.hpp"

namespace {

using json = nlohmann::ordered_json;

constexpr size_t kCap = 256;

// The dump of the tree, or the error's message.
std::string Reference(std::string_view text) {
  size_t values = 0;
  auto limit = [&](int depth, json::parse_event_t event, json&) {
    const bool opens = event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
    if (opens && depth >= flatbert::kMaxJsonDepth)
      throw flatbert::Error("x is nested deeper than " + std::to_string(flatbert::kMaxJsonDepth) + " levels");
    if ((opens || event == json::parse_event_t::key || event == json::parse_event_t::value) && ++values > kCap)
      throw flatbert::Error("x holds more than " + std::to_string(kCap) + " JSON values");
    return true;
  };
  try {
    return json::parse(text, limit).dump();
  } catch (const json::exception& e) {
    return std::string("x is not valid JSON: ") + e.what();
  } catch (const flatbert::Error& e) {
    return e.what();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string built;
  try {
    built = flatbert::ParseJson(text, "x", kCap).dump();
  } catch (const flatbert::Error& e) {
    built = e.what();
  }
  if (const std::string reference = Reference(text); built != reference) {
    std::fprintf(stderr, "ParseJson gives\n%s\nthe reference\n%s\n", built.c_str(), reference.c_str());
    __builtin_trap();
  }
  return 0;
}
