// tools/rows: every row has a value for each of the reader's columns, whatever its format or fault, and lines of text
// are refused where a column is required.
#include "tools/rows.h"

#include <gtest/gtest.h>

#include <sstream>

#include "flatbert/error.hpp"

namespace flatbert::tools {
namespace {

std::vector<Row> ReadAll(const std::string& input, const std::vector<Column>& columns) {
  std::istringstream in(input);
  RowReader reader(in, RowFormat::kAuto, "text", columns);
  std::vector<Row> rows;
  for (Row row; reader.Next(row);) rows.push_back(row);
  return rows;
}

TEST(RowReaderTest, EveryRowHasAValuePerColumn) {
  const std::vector<Column> columns = {{"lang", false}, {"polarity", false}};
  for (const std::string& input :
       {std::string("a tweet\n\nbad \xff\n"), std::string("text\tlang\nx\ten\ny\n\n"),
        std::string("{\"text\": \"x\", \"lang\": \"en\"}\n{\"lang\": \"en\"}\nnot json\n")}) {
    const std::vector<Row> rows = ReadAll(input, columns);
    ASSERT_EQ(rows.size(), 3u) << input;
    for (const Row& row : rows) EXPECT_EQ(row.fields.size(), columns.size()) << input << " row " << row.number;
  }
  EXPECT_EQ(ReadAll("text\tlang\nx\ten\n", columns)[0].fields, (std::vector<std::string>{"en", ""}));
  EXPECT_EQ(ReadAll("a tweet\n", columns)[0].fields, (std::vector<std::string>{"", ""}));
}

TEST(RowReaderTest, LinesOfTextHaveNoRequiredColumn) {
  try {
    ReadAll("a tweet\n", {{"lang", false}, {"polarity", true}});
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "the input is lines of text, without the column 'polarity' that a TSV header or JSONL rows give");
  }
  EXPECT_TRUE(ReadAll("", {{"polarity", true}}).empty());  // no rows, no format to refuse
}

}  // namespace
}  // namespace flatbert::tools
