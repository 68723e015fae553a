#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace flatbert::testing {

std::string GoldenDir(const std::string& model);
// A temporary file path unique to this test process; removed by the caller.
std::string TempPath(const std::string& name);
std::vector<uint8_t> ReadBytes(const std::string& path);
void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace flatbert::testing
