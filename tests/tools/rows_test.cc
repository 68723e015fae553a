// tools/rows: every row has a value for each of the reader's columns, whatever its format or fault, lines of text are
// refused where a column is required, and a byte order mark does not hide the format.
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

TEST(RowReaderTest, ReadsPastAByteOrderMark) {
  const std::string bom = "\xEF\xBB\xBF";
  const std::vector<Row> jsonl = ReadAll(bom + "{\"text\": \"x\", \"lang\": \"en\"}\n", {{"lang", true}});
  ASSERT_EQ(jsonl.size(), 1u);
  EXPECT_EQ(jsonl[0].error, "");
  EXPECT_EQ(jsonl[0].text, "x");
  EXPECT_EQ(jsonl[0].fields, std::vector<std::string>{"en"});
  const std::vector<Row> tsv = ReadAll(bom + "text\tlang\ny\ten\n", {{"lang", true}});
  ASSERT_EQ(tsv.size(), 1u);
  EXPECT_EQ(tsv[0].text, "y");
  EXPECT_EQ(ReadAll(bom + "z\n" + bom + "w\n", {})[1].text, bom + "w");  // only where the input begins
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
