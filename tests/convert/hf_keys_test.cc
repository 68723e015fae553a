// docs/hf-keys.md is the key table of src/convert/hf_keys.cc, rendered; FLATBERT_WRITE_DOCS=1 rewrites it.
#include "convert/hf_keys.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>

namespace flatbert {
namespace {

TEST(HfKeysTest, DocsMatchTheTable) {
  const std::string path = std::string(FLATBERT_SOURCE_DIR) + "/docs/hf-keys.md";
  const std::string expected = HfKeysMarkdown();
  if (std::getenv("FLATBERT_WRITE_DOCS")) std::ofstream(path) << expected;
  std::ifstream in(path);
  const std::string actual{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(actual, expected) << "docs/hf-keys.md differs from src/convert/hf_keys.cc: run the tests with "
                                 "FLATBERT_WRITE_DOCS=1 to rewrite it";
}

TEST(HfKeysTest, EveryRowIsUniqueAndEveryOnlyRowParses) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const HfKey& row : HfKeys()) {
    EXPECT_TRUE(seen.insert({row.file, row.key}).second) << row.file << " " << row.key;
    if (row.use == KeyUse::kOnly) {
      EXPECT_NE(std::string(row.accepted), "") << row.key;
      nlohmann::ordered_json j = nlohmann::ordered_json::object();  // its own accepted values pass the check
      std::string first = row.accepted;
      first = first.substr(0, first.find(" | "));
      const std::string key = row.key;
      if (key.find('.') == std::string::npos) {
        j[key] = nlohmann::ordered_json::parse(first);
        EXPECT_NO_THROW(CheckHfKeys(row.file, j)) << row.key;
      }
    }
  }
}

}  // namespace
}  // namespace flatbert
