#pragma once
// Every flatbert failure is a flatbert::Error whose message says what was expected and what was found.
#include <stdexcept>
#include <string>

namespace flatbert {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace flatbert
