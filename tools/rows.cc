#include "rows.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iostream>
#include <utility>

#include "flatbert/error.hpp"
#include "flatbert/json.hpp"
#include "flatbert/limits.hpp"

namespace flatbert::tools {
namespace {

// Raw TSV as ../shared/data writes it: no quoting, fields never contain tabs or line breaks.
std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> fields;
  for (size_t start = 0;;) {
    const size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
    if (tab == std::string_view::npos) return fields;
    start = tab + 1;
  }
}

}  // namespace

RowFormat ParseRowFormat(const std::string& name) {
  if (name == "auto") return RowFormat::kAuto;
  if (name == "text") return RowFormat::kText;
  if (name == "tsv") return RowFormat::kTsv;
  if (name == "jsonl") return RowFormat::kJsonl;
  throw Error("unknown input format '" + name + "' (auto, text, tsv, jsonl)");
}

// Lines of a stream, holding at most kMaxTextBytes + 1 bytes of one line (the + 1 tells a line that is exactly
// at the limit from a longer one) and a read buffer.
class RowReader::LineReader {
 public:
  explicit LineReader(std::istream& in) : in_(in), buffer_(64 << 10) {}

  // The next line without its \n and a trailing \r; false at the end. `length` is the line's full length: when it
  // is over kMaxTextBytes, `line` holds only its first bytes and the rest was skipped.
  bool Next(std::string& line, uint64_t& length) {
    line.clear();
    length = 0;
    for (bool any = false;; any = true) {
      if (pos_ == end_ && !Fill()) return any;
      const char* start = buffer_.data() + pos_;
      const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - pos_));
      const size_t n = newline ? static_cast<size_t>(newline - start) : end_ - pos_;
      line.append(start, std::min(n, kMaxTextBytes + 1 - line.size()));
      length += n;
      pos_ += n;
      bytes_ += n;
      if (newline) {
        ++pos_;
        ++bytes_;
        if (length == line.size() && !line.empty() && line.back() == '\r') {
          line.pop_back();
          --length;
        }
        return true;
      }
    }
  }
  uint64_t bytes_read() const { return bytes_; }

 private:
  bool Fill() {
    if (in_.bad()) throw Error("cannot read the input");
    in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    if (in_.bad()) throw Error("cannot read the input");
    pos_ = 0;
    end_ = static_cast<size_t>(in_.gcount());
    return end_ > 0;
  }

  std::istream& in_;
  std::vector<char> buffer_;
  size_t pos_ = 0, end_ = 0;
  uint64_t bytes_ = 0;
};

RowReader::RowReader(std::istream& in, RowFormat format, std::string text_column, std::vector<Column> columns)
    : lines_(std::make_unique<LineReader>(in)),
      format_(format),
      text_column_(std::move(text_column)),
      columns_(std::move(columns)) {}

RowReader::~RowReader() = default;

uint64_t RowReader::bytes_read() const { return lines_->bytes_read(); }

void RowReader::ReadHeader(const std::string& line) {
  const std::vector<std::string_view> header = SplitTabs(line);
  auto index_of = [&](std::string_view name) -> long {
    const auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : it - header.begin();
  };
  text_index_ = index_of(text_column_);
  if (text_index_ < 0) throw Error("TSV header has no column '" + text_column_ + "'");
  for (const char* name : {"id", "tweet_id"})
    if (const long i = index_of(name); i >= 0) id_index_ = i;
  for (const Column& c : columns_) {
    column_indices_.push_back(index_of(c.name));
    if (c.required && column_indices_.back() < 0) throw Error("TSV header has no column '" + c.name + "'");
  }
  header_fields_ = header.size();
}

void RowReader::ReadTsv(const std::string& line, Row& row) const {
  const std::vector<std::string_view> fields = SplitTabs(line);
  if (fields.size() != header_fields_) {
    row.error =
        "TSV row has " + std::to_string(fields.size()) + " fields, header has " + std::to_string(header_fields_);
    return;
  }
  row.text = fields[static_cast<size_t>(text_index_)];
  if (id_index_ >= 0) row.id = std::string(fields[static_cast<size_t>(id_index_)]);
  for (long i : column_indices_) row.fields.emplace_back(i >= 0 ? fields[static_cast<size_t>(i)] : "");
}

void RowReader::ReadJsonl(const std::string& line, Row& row) const {
  if (line.empty()) {
    row.error = "empty line";
    return;
  }
  nlohmann::ordered_json j;
  try {
    j = ParseJson(line, "JSONL row", kMaxJsonRowValues);
  } catch (const Error& e) {
    row.error = e.what();
    return;
  }
  auto string_field = [&](const std::string& name) -> const nlohmann::ordered_json* {
    const auto it = j.find(name);
    return it != j.end() && it->is_string() ? &*it : nullptr;
  };
  const nlohmann::ordered_json* text = j.is_object() ? string_field(text_column_) : nullptr;
  if (!text) {
    row.error = "JSONL row has no string \"" + text_column_ + "\" field";
    return;
  }
  row.text = text->get<std::string>();
  if (const auto id = j.find("id"); id != j.end()) row.id = *id;
  for (const Column& c : columns_) {
    const nlohmann::ordered_json* value = string_field(c.name);
    if (!value && c.required) {
      row.error = "JSONL row has no string \"" + c.name + "\" field";
      return;
    }
    row.fields.push_back(value ? value->get<std::string>() : "");
  }
}

bool RowReader::Next(Row& row) {
  std::string line;
  uint64_t length = 0;
  for (;;) {
    if (!lines_->Next(line, length)) return false;
    // A UTF-8 byte order mark, as some editors and spreadsheets begin a file with: read past it, as Python's
    // utf-8-sig does, or the first line is neither JSON nor the TSV header it names.
    if (std::exchange(at_start_, false) && line.starts_with("\xEF\xBB\xBF")) {
      line.erase(0, 3);
      length -= 3;
    }
    if (format_ == RowFormat::kAuto)
      format_ = line.starts_with("{")                  ? RowFormat::kJsonl
                : line.find('\t') != std::string::npos ? RowFormat::kTsv
                                                       : RowFormat::kText;
    if (format_ == RowFormat::kText && rows_ == 0)
      for (const Column& c : columns_)
        if (c.required)
          throw Error("the input is lines of text, without the column '" + c.name +
                      "' that a TSV header or JSONL rows give");
    if (format_ != RowFormat::kTsv || header_read_) break;
    if (length > kMaxTextBytes) throw Error("TSV header is over the " + std::to_string(kMaxTextBytes) + "-byte limit");
    ReadHeader(line);
    header_read_ = true;
  }
  row = Row{};
  row.number = ++rows_;
  if (length > kMaxTextBytes) {
    row.error = "line of " + std::to_string(length) + " bytes skipped: the limit is " + std::to_string(kMaxTextBytes);
  } else if (format_ == RowFormat::kText) {
    row.text = std::move(line);
  } else if (format_ == RowFormat::kTsv) {
    ReadTsv(line, row);
  } else {
    ReadJsonl(line, row);
  }
  row.fields.resize(columns_.size());
  return true;
}

InputFile::InputFile(const std::string& path) {
  if (path == "-") {
    in_ = &std::cin;
    return;
  }
  struct stat st {};
  const bool known = ::stat(path.c_str(), &st) == 0;
  if (known && S_ISDIR(st.st_mode)) throw Error("input '" + path + "' is a directory");  // it opens, and reads fail
  auto file = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*file) throw Error("cannot open input '" + path + "': " + std::strerror(errno));
  if (known && S_ISREG(st.st_mode)) size_ = static_cast<uint64_t>(st.st_size);
  owned_ = std::move(file);
  in_ = owned_.get();
}

void ForEachBlock(RowReader& reader, const std::function<void(std::vector<Row>& block)>& process) {
  std::vector<Row> block;
  size_t bytes = 0;
  for (Row row; reader.Next(row);) {
    bytes += row.text.size();
    block.push_back(std::move(row));
    if (block.size() == kBlockRows || bytes >= kBlockBytes) {
      process(block);
      block.clear();
      bytes = 0;
    }
  }
  if (!block.empty()) process(block);
}

Outcome ClassifyRow(const Classifier& model, const Row& row) {
  Outcome outcome;
  if (!row.error.empty()) {
    outcome.error = row.error;
    return outcome;
  }
  try {
    outcome.prediction = model.Classify(row.text);
  } catch (const std::exception& e) {  // flatbert::Error, and std::bad_alloc for this row alone
    outcome.error = e.what();
  }
  return outcome;
}

std::vector<Outcome> ClassifyRows(const Classifier& model, const std::vector<Row>& rows, ThreadPool& pool) {
  std::vector<std::string_view> texts;
  std::vector<size_t> readable;  // the rows texts come from
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].error.empty()) continue;
    texts.push_back(rows[i].text);
    readable.push_back(i);
  }
  std::vector<Outcome> classified = model.ClassifyBatch(texts, &pool), outcomes(rows.size());
  for (size_t j = 0; j < readable.size(); ++j) outcomes[readable[j]] = std::move(classified[j]);
  for (size_t i = 0; i < rows.size(); ++i)
    if (!rows[i].error.empty()) outcomes[i].error = rows[i].error;
  return outcomes;
}

}  // namespace flatbert::tools
