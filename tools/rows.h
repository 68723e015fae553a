#pragma once
// Input rows for classify, eval, bench and calibration, under one policy: a row that cannot be read (a line over
// kMaxTextBytes, invalid or too deeply nested JSON, no text, the wrong number of TSV fields) or classified
// (invalid UTF-8, no tokens) keeps its number and gets its error; the others go on, in order, and the command
// exits kExitRowErrors. Reading holds at most one line of kMaxTextBytes (plus a read buffer): a longer line is
// skipped to its end.
#include <cstddef>
#include <functional>
#include <istream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "flatbert/classifier.hpp"
#include "flatbert/thread_pool.hpp"

namespace flatbert::tools {

enum class RowFormat { kAuto, kText, kTsv, kJsonl };
RowFormat ParseRowFormat(const std::string& name);  // "auto", "text", "tsv", "jsonl"

// A column of TSV input (by its header) or a field of JSONL input, read into Row::fields.
struct Column {
  std::string name;
  bool required = false;  // TSV: the header must have it; JSONL: a row without it is a bad row; text: refused
};

struct Row {
  size_t number = 0;  // 1-based; a TSV header is not a row
  std::string text;
  nlohmann::ordered_json id;        // TSV id / tweet_id column, JSONL "id": echoed back by classify
  std::vector<std::string> fields;  // the values of the reader's columns, in order; "" when absent (every row has
                                    // one per column, a bad row's too)
  std::string error;                // why the row could not be read
};

class RowReader {
 public:
  // in must outlive the reader. text_column: the TSV column or JSONL field holding the text.
  RowReader(std::istream& in, RowFormat format, std::string text_column, std::vector<Column> columns = {});
  ~RowReader();
  // The next row (with `error` set when it is bad); false at the end. Throws Error only when the input cannot
  // give rows at all: lines of text or a TSV header without a required column, or a read error.
  bool Next(Row& row);
  uint64_t bytes_read() const;

 private:
  void ReadHeader(const std::string& line);
  void ReadTsv(const std::string& line, Row& row) const;
  void ReadJsonl(const std::string& line, Row& row) const;

  class LineReader;
  std::unique_ptr<LineReader> lines_;
  RowFormat format_;
  std::string text_column_;
  std::vector<Column> columns_;
  bool at_start_ = true;  // no line read yet
  bool header_read_ = false;
  long text_index_ = -1, id_index_ = -1;
  std::vector<long> column_indices_;  // TSV: the header index of each column, or -1
  size_t header_fields_ = 0;
  size_t rows_ = 0;
};

// An input file, or stdin for "-". Throws Error when it cannot be opened.
class InputFile {
 public:
  explicit InputFile(const std::string& path);
  std::istream& stream() { return *in_; }
  uint64_t size() const { return size_; }  // 0 for stdin or a pipe

 private:
  std::unique_ptr<std::istream> owned_;
  std::istream* in_;
  uint64_t size_ = 0;
};

// Rows in blocks of at most kBlockRows rows and kBlockBytes of text, so that memory stays bounded and a block
// can be spread over threads; `process` gets each block in input order.
inline constexpr size_t kBlockRows = 256;
inline constexpr size_t kBlockBytes = size_t{8} << 20;
void ForEachBlock(RowReader& reader, const std::function<void(std::vector<Row>& block)>& process);

// A row's prediction, or why it has none: its reading error, or the classifier's. Never throws.
Outcome ClassifyRow(const Classifier& model, const Row& row);
// The same for every row, in batches on the pool (Classifier::ClassifyBatch); outcomes in row order.
std::vector<Outcome> ClassifyRows(const Classifier& model, const std::vector<Row>& rows, ThreadPool& pool);

}  // namespace flatbert::tools
