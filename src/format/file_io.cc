#include "format/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "flatbert/error.hpp"
#include "flatbert/limits.hpp"
#include "flatbert/output_file.hpp"
#include "tokenizer/unicode.h"

namespace flatbert {

RegularFile::RegularFile(const std::string& path, const char* what, size_t max_bytes) {
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
  if (size_ > max_bytes) {
    ::close(fd_);
    throw Error(std::string(what) + " '" + path + "' is " + std::to_string(size_) + " bytes, the limit is " +
                std::to_string(max_bytes));
  }
}

RegularFile::~RegularFile() { ::close(fd_); }

void CreateOutputDirectory(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) throw Error("cannot create the directory '" + path + "': " + ec.message());
}

namespace {

// The descriptor a path names by number (/dev/stdout, /dev/fd/N, /proc/self/fd/N), else -1: written through, as
// opening it anew would truncate or overwrite what the process writes there itself (a shell's `> file`).
int NamedDescriptor(const std::string& path) {
  if (path == "/dev/stdout") return STDOUT_FILENO;
  if (path == "/dev/stderr") return STDERR_FILENO;
  for (std::string_view prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    if (!path.starts_with(prefix) || path.size() == prefix.size() || path.size() > prefix.size() + 4) continue;
    const std::string_view digits = std::string_view(path).substr(prefix.size());
    if (std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::stoi(std::string(digits));
  }
  return -1;
}

}  // namespace

void WriteOutputFile(const std::string& path, const std::vector<std::string_view>& pieces) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);  // through symlinks
  const bool in_place =
      path.starts_with("/dev/") || path.starts_with("/proc/") || (fs::exists(status) && !fs::is_regular_file(status));
  std::string target = path;  // what is renamed over: the file a symlink names
  if (!in_place) {
    const fs::path resolved = fs::weakly_canonical(path, ec);
    if (!ec) target = resolved.string();
  }
  const std::string written = in_place ? path : target + ".tmp";
  const int named = NamedDescriptor(path);  // under /dev or /proc, so in place
  const auto fail = [&](int error, bool created) {
    if (created && !in_place) ::unlink(written.c_str());
    throw Error("cannot write '" + path + "': " + std::strerror(error));
  };
  if (named == STDOUT_FILENO) std::fflush(stdout);  // what the process printed first stays first
  const int fd = named >= 0 ? ::dup(named) : ::open(written.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) fail(errno, false);
  for (std::string_view piece : pieces)
    while (!piece.empty()) {
      const ssize_t n = ::write(fd, piece.data(), piece.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int error = errno;
        ::close(fd);
        fail(error, true);
      }
      piece.remove_prefix(static_cast<size_t>(n));
    }
  if (::close(fd) != 0) fail(errno, true);
  if (!in_place && std::rename(written.c_str(), target.c_str()) != 0) fail(errno, true);
}

std::string ReadBytes(const RegularFile& file, const std::string& path, const char* what, size_t offset, size_t count) {
  std::string bytes(count, '\0');
  size_t done = 0;
  while (done < count) {
    const ssize_t n = ::pread(file.fd(), bytes.data() + done, count - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(std::string("cannot read ") + what + " '" + path + "': " + std::strerror(errno));
    if (n == 0) throw Error(std::string(what) + " '" + path + "' shrank while being read");
    done += static_cast<size_t>(n);
  }
  return bytes;
}

std::string ReadRegularFile(const std::string& path, const char* what, size_t max_bytes) {
  const RegularFile file(path, what, max_bytes);
  return ReadBytes(file, path, what, 0, file.size());
}

namespace {

using json = nlohmann::ordered_json;

// json::parse's tree, built through the SAX interface so that each open object keeps a hash of its keys:
// ordered_json finds a key by comparing it with every earlier one, so json::parse took n^2 / 2 comparisons for an
// object of n keys (a tokenizer.json of 119,547 tokens 7.7 s, a 448 KB serve request 0.8 s of a worker). A key that
// repeats keeps its first place and takes its last value, as with json::parse. Depth and values are counted as
// they open, before they are built.
class TreeBuilder {
 public:
  TreeBuilder(const std::string& what, size_t max_values) : what_(what), max_values_(max_values) {}
  json Take() { return std::move(root_); }

  bool null() { return Add(nullptr); }
  bool boolean(bool value) { return Add(value); }
  bool number_integer(json::number_integer_t value) { return Add(value); }
  bool number_unsigned(json::number_unsigned_t value) { return Add(value); }
  bool number_float(json::number_float_t value, const std::string&) { return Add(value); }
  bool string(std::string& value) { return Add(std::move(value)); }
  bool binary(json::binary_t& value) { return Add(std::move(value)); }
  bool start_object(size_t) { return Open(json::object()); }
  bool start_array(size_t) { return Open(json::array()); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }
  bool key(std::string& key);
  bool parse_error(size_t, const std::string&, const nlohmann::detail::exception& e) {
    throw Error(what_ + " is not valid JSON: " + e.what());
  }

 private:
  using Members = json::object_t::Container;  // an object's (key, value) pairs in order
  // An object's keys by their index in its members.
  struct KeyHash {
    const Members* members;
    size_t operator()(size_t i) const { return std::hash<std::string>()((*members)[i].first); }
  };
  struct KeyEqual {
    const Members* members;
    bool operator()(size_t a, size_t b) const { return (*members)[a].first == (*members)[b].first; }
  };
  struct OpenContainer {
    json* value;
    std::unordered_set<size_t, KeyHash, KeyEqual> keys;  // objects only
    json* slot = nullptr;                                // an object's member whose value comes next
  };

  void Count() {
    if (++values_ > max_values_)
      throw Error(what_ + " holds more than " + std::to_string(max_values_) + " JSON values");
  }
  // Where the next value goes. open_ points at containers inside their parents, which stays valid: a parent grows
  // only after the container in it has closed.
  json* Place(json&& value) {
    if (open_.empty()) return &(root_ = std::move(value));
    OpenContainer& top = open_.back();
    if (top.value->is_array()) return &top.value->emplace_back(std::move(value));
    return &(*top.slot = std::move(value));
  }
  template <typename T>
  bool Add(T&& value) {
    Count();
    Place(json(std::forward<T>(value)));
    return true;
  }
  bool Open(json&& container) {
    if (open_.size() >= static_cast<size_t>(kMaxJsonDepth))
      throw Error(what_ + " is nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    Count();
    json* value = Place(std::move(container));
    const Members* members = value->is_object() ? &value->get_ref<json::object_t&>() : nullptr;
    open_.push_back({value, std::unordered_set<size_t, KeyHash, KeyEqual>(0, KeyHash{members}, KeyEqual{members})});
    return true;
  }
  bool Close() {
    open_.pop_back();
    return true;
  }

  const std::string& what_;
  const size_t max_values_;
  size_t values_ = 0;
  json root_;
  std::vector<OpenContainer> open_;
};

bool TreeBuilder::key(std::string& key) {
  Count();
  OpenContainer& top = open_.back();
  Members& members = top.value->get_ref<json::object_t&>();
  members.emplace_back(std::move(key), nullptr);  // Members' own emplace_back: no search
  const auto [first, added] = top.keys.insert(members.size() - 1);
  if (!added) members.pop_back();
  top.slot = &members[*first].second;
  return true;
}

}  // namespace

nlohmann::ordered_json ParseJson(std::string_view text, const std::string& what, size_t max_values) {
  TreeBuilder builder(what, max_values);
  json::sax_parse(text, &builder);
  return builder.Take();
}

nlohmann::ordered_json ReadJsonFile(const std::string& path, size_t max_bytes, size_t max_values) {
  return ParseJson(ReadRegularFile(path, "JSON file", max_bytes), "'" + path + "'", max_values);
}

std::vector<std::string> ReadVocabFile(const std::string& path) {
  const std::string text = ReadRegularFile(path, "vocabulary", kMaxVocabBytes);
  // Lines as Python's text mode reads them, as transformers' load_vocab does: "\n", "\r\n" and a lone "\r" each end
  // one; and numbered from 1.
  const auto for_each_line = [&](auto&& line) {
    const std::string_view all(text);
    for (size_t start = 0, number = 1; start < all.size(); ++number) {
      const size_t end = std::min(all.find_first_of("\r\n", start), all.size());
      line(all.substr(start, end - start), number);
      start = end + (all.compare(end, 2, "\r\n") == 0 ? 2 : 1);
    }
  };
  size_t lines = 0;
  for_each_line([&](std::string_view, size_t) { ++lines; });
  if (lines > kMaxVocabTokens)
    throw Error("vocabulary '" + path + "' has " + std::to_string(lines) + " lines; a model has at most " +
                std::to_string(kMaxVocabTokens) + " tokens");
  std::vector<std::string> vocab;
  vocab.reserve(lines);
  std::u32string code_points;
  for_each_line([&](std::string_view token, size_t number) {
    if (!unicode::Decode(token, code_points))  // Python cannot read such a file
      throw Error("vocabulary '" + path + "': line " + std::to_string(number) + " is not valid UTF-8");
    vocab.emplace_back(token);
  });
  return vocab;
}

}  // namespace flatbert
