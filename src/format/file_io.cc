#include "format/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "flatbert/error.hpp"
#include "flatbert/limits.hpp"

namespace flatbert {

RegularFile::RegularFile(const std::string& path, const char* what) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer; on a regular file it changes nothing.
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd_ < 0) throw Error(std::string("cannot open ") + what + " '" + path + "': " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    throw Error(std::string(what) + " '" + path + "' is not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > SIZE_MAX) {
    ::close(fd_);
    throw Error(std::string(what) + " '" + path + "' is " + std::to_string(st.st_size) +
                " bytes, more than this build can address");
  }
  size_ = static_cast<size_t>(st.st_size);
}

RegularFile::~RegularFile() { ::close(fd_); }

std::string ReadRegularFile(const std::string& path, const char* what, size_t max_bytes) {
  const RegularFile file(path, what);
  if (file.size() > max_bytes)
    throw Error(std::string(what) + " '" + path + "' is " + std::to_string(file.size()) + " bytes, the limit is " +
                std::to_string(max_bytes));
  std::string bytes(file.size(), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(file.fd(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(std::string("cannot read ") + what + " '" + path + "': " + std::strerror(errno));
    if (n == 0) throw Error(std::string(what) + " '" + path + "' shrank while being read");
    done += static_cast<size_t>(n);
  }
  return bytes;
}

nlohmann::ordered_json ParseJson(std::string_view text, const std::string& what, size_t max_values) {
  using json = nlohmann::ordered_json;
  // The callback sees each value, key, and array or object as it opens (with the number of containers around it)
  // before the parser keeps it.
  size_t values = 0;
  auto limit = [&](int depth, json::parse_event_t event, json&) {
    const bool opens = event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
    if (opens && depth >= kMaxJsonDepth)
      throw Error(what + " is nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    if ((opens || event == json::parse_event_t::key || event == json::parse_event_t::value) && ++values > max_values)
      throw Error(what + " holds more than " + std::to_string(max_values) + " JSON values");
    return true;
  };
  try {
    return json::parse(text, limit);
  } catch (const json::exception& e) {
    throw Error(what + " is not valid JSON: " + e.what());
  }
}

nlohmann::ordered_json ReadJsonFile(const std::string& path, size_t max_bytes, size_t max_values) {
  return ParseJson(ReadRegularFile(path, "JSON file", max_bytes), "'" + path + "'", max_values);
}

std::vector<std::string> ReadVocabFile(const std::string& path) {
  const std::string text = ReadRegularFile(path, "vocabulary", kMaxVocabBytes);
  const size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  if (lines > kMaxVocabTokens)
    throw Error("vocabulary '" + path + "' has " + std::to_string(lines) + " lines; a model has at most " +
                std::to_string(kMaxVocabTokens) + " tokens");
  std::vector<std::string> vocab;
  vocab.reserve(lines + 1);  // a last line without its line break
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const size_t stop = end > start && text[end - 1] == '\r' ? end - 1 : end;
    vocab.emplace_back(text, start, stop - start);
    start = end + 1;
  }
  return vocab;
}

}  // namespace flatbert
