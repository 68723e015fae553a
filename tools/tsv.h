#pragma once
// Raw TSV as ../shared/data writes it: no quoting, fields never contain tabs or line breaks.
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

}  // namespace flatbert::tools
