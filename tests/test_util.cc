#include "test_util.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace flatbert::testing {

std::string GoldenDir(const std::string& model) { return std::string(FLATBERT_GOLDEN_DIR) + "/" + model; }

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("flatbert_test_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace flatbert::testing
