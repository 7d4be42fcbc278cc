#include "perftco/csv_table.h"

#include <gtest/gtest.h>

namespace perftco {
namespace {

TEST(CsvTable, ReadsQuotedFieldsTrimsSpacesAndNumbersLines) {
  const auto t = ParseCsv(
      "\xEF\xBB\xBF"
      "id, note ,value\n"
      "\n"
      "a,\"x, \"\"quoted\"\"\",1\n"
      "b,\"two\nlines\",2\r\n"
      "c,  spaced  ,3",
      "t.csv");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->header, (std::vector<std::string>{"id", "note", "value"}));
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_EQ(t->rows[0].cells[1], "x, \"quoted\"");
  EXPECT_EQ(t->rows[0].line, 3);
  EXPECT_EQ(t->rows[1].cells[1], "two\nlines");
  EXPECT_EQ(t->rows[1].line, 4);
  EXPECT_EQ(t->rows[2].cells[1], "spaced");
  EXPECT_EQ(t->rows[2].line, 6);
  EXPECT_EQ(t->Column("value"), 2u);
  EXPECT_FALSE(t->Column("absent"));
}

TEST(CsvTable, CommentLinesAreSkippedOnlyWhenAsked) {
  const std::string text = "# a note\nx,y\n1,2\n# another\n3,4\n";
  const auto with = ParseCsv(text, "c.csv", {.comments = true});
  ASSERT_TRUE(with.ok()) << with.status().message();
  EXPECT_EQ(with->header[0], "x");
  ASSERT_EQ(with->rows.size(), 2u);
  EXPECT_EQ(with->rows[1].line, 5);
  // Without the option the comment is the header, and the next rows have the wrong width.
  EXPECT_FALSE(ParseCsv(text, "c.csv").ok());
}

// Each malformed file is refused with the file and line named.
TEST(CsvTable, MalformedFilesNameTheFileAndLine) {
  const struct {
    const char* text;
    const char* expected;
  } cases[] = {
      {"", "e.csv: no header line"},
      {"\n\n", "e.csv: no header line"},
      {"a,b\n1,2,3\n", "e.csv:2: 3 cells but the header has 2 columns"},
      {"a,b\n1\n", "e.csv:2: 1 cells but the header has 2 columns"},
      {"a,a\n", "e.csv:1: column 'a' appears twice"},
      {"a,b\n1,x\"y\n", "e.csv:2: malformed CSV"},
      {"a,b\n1,\"x\"y\n", "e.csv:2: malformed CSV"},
      {"a,b\n1,\"open\n", "e.csv:2: malformed CSV (a quoted field is not closed)"},
  };
  for (const auto& c : cases) {
    const auto t = ParseCsv(c.text, "e.csv");
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_EQ(t.status().message().rfind(c.expected, 0), 0u)
        << "got: " << t.status().message() << "\nwanted: " << c.expected;
  }
}

TEST(CsvTable, MissingFileIsNamed) {
  const auto t = ReadCsvFile("/nonexistent/perftco.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "/nonexistent/perftco.csv: cannot open the file");
}

}  // namespace
}  // namespace perftco
