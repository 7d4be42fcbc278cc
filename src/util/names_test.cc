#include "perftco/names.h"

#include <gtest/gtest.h>

#include "perftco/precision.h"
#include "perftco/text_table.h"

namespace perftco {
namespace {

TEST(Names, EditDistanceCountsSingleEdits) {
  EXPECT_EQ(EditDistance("h100", "h100"), 0);
  EXPECT_EQ(EditDistance("h100", "H100"), 0);
  EXPECT_EQ(EditDistance("h100", "h200"), 1);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
}

TEST(Names, ClosestNamesPutsNearestFirst) {
  const std::vector<std::string> names = {"mi300x", "h100-sxm", "h200-sxm", "b200"};
  const auto closest = ClosestNames("h100", names, 2);
  ASSERT_EQ(closest.size(), 2u);
  EXPECT_EQ(closest[0], "h100-sxm");
}

TEST(Precision, ParsesAliasesAndRejectsUnknown) {
  EXPECT_EQ(*ParsePrecision("BF16"), Precision::kBf16);
  EXPECT_EQ(*ParsePrecision("nvfp4"), Precision::kFp4);
  EXPECT_EQ(*ParsePrecision("e4m3"), Precision::kFp8);
  EXPECT_FALSE(ParsePrecision("fp7").ok());
  EXPECT_DOUBLE_EQ(BytesPerElement(Precision::kFp4), 0.5);
}

TEST(TextTable, AlignsColumns) {
  TextTable t({"name", "value"});
  t.AddRow({"a", "1.5"});
  t.AddRow({"longer", "10.25"});
  const std::string out = t.Render();
  EXPECT_NE(out.find("longer  10.25"), std::string::npos);
  EXPECT_NE(out.find("a         1.5"), std::string::npos);
}

}  // namespace
}  // namespace perftco
