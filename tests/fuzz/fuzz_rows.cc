// libFuzzer: bytes as the CLI's input rows (tools/rows.cc), in each format, for the columns eval and bench ask for.
// Every input line is one row, in order (a TSV header none), and every row holds a value for each column, a bad
// row's too: bench and eval read them without checking (a text row without them had crashed both). The first byte
// picks the format and whether the columns are required.
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "flatbert/error.hpp"
#include "flatbert/limits.hpp"
#include "tools/rows.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using flatbert::tools::Column;
  using flatbert::tools::Row;
  using flatbert::tools::RowFormat;
  if (size == 0) return 0;
  const RowFormat formats[] = {RowFormat::kAuto, RowFormat::kText, RowFormat::kTsv, RowFormat::kJsonl};
  const RowFormat format = formats[data[0] % 4];
  const bool required = data[0] & 4;
  const std::vector<Column> columns = {{"polarity", required}, {"entity_id", required}, {"lang", false}};
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);

  size_t lines = 0;  // as Python splits them: each '\n' ends one, and a last one may lack it
  for (char c : input) lines += c == '\n';
  if (!input.empty() && input.back() != '\n') ++lines;
  std::istringstream in(input);
  flatbert::tools::RowReader reader(in, format, "text", columns);
  // The first line of a TSV is its header; auto takes a first line with a tab, not starting as JSON, for one. A
  // byte order mark where the input begins is read past.
  std::string_view first(input);
  if (first.starts_with("\xEF\xBB\xBF")) first.remove_prefix(3);
  const bool tsv = format == RowFormat::kTsv ||
                   (format == RowFormat::kAuto && !first.starts_with("{") && first.find('\t') < first.find('\n'));
  size_t rows = 0;
  try {
    for (Row row; reader.Next(row);) {
      if (row.number != ++rows || row.fields.size() != columns.size() || row.text.size() > flatbert::kMaxTextBytes) {
        std::fprintf(stderr, "row %zu: number %zu, %zu fields, %zu bytes of text\n", rows, row.number,
                     row.fields.size(), row.text.size());
        __builtin_trap();
      }
    }
  } catch (const flatbert::Error&) {
    return 0;  // the input cannot give rows at all: a TSV header or lines of text without a required column
  }
  if (rows != lines - (tsv && lines > 0 ? 1 : 0)) {
    std::fprintf(stderr, "%zu lines gave %zu rows\n", lines, rows);
    __builtin_trap();
  }
  return 0;
}
