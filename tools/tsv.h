#pragma once
// Raw TSV as ../shared/data writes it: no quoting, fields never contain tabs or line breaks.
#include <algorithm>
#include <string>
#include <vector>

namespace flatbert::tools {

inline std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> fields;
  for (size_t start = 0;;) {
    const size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}

// Index of the column called `name` in a header row, or -1.
inline long ColumnIndex(const std::vector<std::string>& header, const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  return it == header.end() ? -1 : it - header.begin();
}

}  // namespace flatbert::tools
