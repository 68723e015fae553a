#include "model_path.h"

#include <cstdlib>
#include <filesystem>

#include "flatbert/error.hpp"

namespace flatbert::tools {

std::string ResolveModel(const std::string& given) {
  namespace fs = std::filesystem;
  if (!given.empty()) return given;
  if (const char* env = std::getenv("FLATBERT_MODEL"); env && *env) return env;
  std::error_code ec;
  const fs::path root = fs::read_symlink("/proc/self/exe", ec).parent_path().parent_path();
  for (const fs::path& candidate : {root / "models" / "default.fbm", root / "share" / "flatbert" / "models" / "default.fbm"})
    if (!ec && fs::exists(candidate)) return candidate.string();
  throw Error("no model given: pass --model FILE.fbm or set FLATBERT_MODEL");
}

}  // namespace flatbert::tools
