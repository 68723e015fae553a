#pragma once
// Reading the files a model comes from (.fbm, config.json, tokenizer_config.json, vocab.txt, model.safetensors),
// any of which may be hostile: each must be a regular file (a FIFO, device or directory is refused at once rather
// than blocking), at most a stated size, and JSON at most kMaxJsonDepth deep.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "flatbert/json.hpp"

namespace flatbert {

// An open regular file, closed on destruction. `what` names the file in errors ("model", "vocabulary", ...).
class RegularFile {
 public:
  // Throws Error when `path` cannot be opened, is not a regular file or holds more than max_bytes (by default, what
  // the build can address: a model is mapped, not read).
  RegularFile(const std::string& path, const char* what, size_t max_bytes = SIZE_MAX);
  RegularFile(const RegularFile&) = delete;
  RegularFile& operator=(const RegularFile&) = delete;
  ~RegularFile();

  int fd() const { return fd_; }
  size_t size() const { return size_; }

 private:
  int fd_ = -1;
  size_t size_ = 0;
};

// `count` bytes of an open file from `offset`; throws Error naming `path` when they cannot all be read.
std::string ReadBytes(const RegularFile& file, const std::string& path, const char* what, size_t offset, size_t count);

// The whole file; throws Error when it is not a regular file or holds more than max_bytes.
std::string ReadRegularFile(const std::string& path, const char* what, size_t max_bytes);

// A JSON file of at most max_bytes, holding at most max_values values (ParseJson).
nlohmann::ordered_json ReadJsonFile(const std::string& path, size_t max_bytes, size_t max_values);

// A vocab.txt: one token per line ("\n", "\r\n" or "\r" ends one, as in Python), valid UTF-8, at most kMaxVocabBytes.
inline constexpr size_t kMaxVocabBytes = 256 << 20;
std::vector<std::string> ReadVocabFile(const std::string& path);

}  // namespace flatbert
