#include "perftco/measured.h"

#include <gtest/gtest.h>

namespace perftco {
namespace {

const std::string kData = PERFTCO_TESTDATA_DIR "/measured";

TEST(Measured, ReadsTheVendoredCalibrationSetWithEveryColumn) {
  auto points = ReadMeasured(std::string(PERFTCO_TEST_DATA_DIR) + "/measured/calibration.csv");
  ASSERT_TRUE(points.ok()) << points.status().message();
  ASSERT_EQ(points->size(), 2777u);
  const MeasuredPoint& first = points->front();
  EXPECT_EQ(first.id, "rocmvllm-0001");
  EXPECT_EQ(first.hardware, "mi300x");
  EXPECT_EQ(first.num_chips, 8);
  EXPECT_EQ(first.tp, 8);
  EXPECT_FALSE(first.ep.has_value());
  EXPECT_EQ(first.batch_size, 1);
  EXPECT_EQ(first.metric, "e2e_s_mean");
  EXPECT_DOUBLE_EQ(first.value, 48.824);
  EXPECT_NE(first.notes.find("Supermicro"), std::string::npos);  // quoted field with commas
}

TEST(Measured, OptionalColumnsMayBeAbsent) {
  auto points = ReadMeasuredFile(kData + "/minimal.csv");
  ASSERT_TRUE(points.ok()) << points.status().message();
  ASSERT_EQ(points->size(), 3u);
  EXPECT_FALSE((*points)[0].tp.has_value());
  EXPECT_FALSE((*points)[0].batch_size.has_value());
  EXPECT_TRUE((*points)[0].kv_precision.empty());
}

TEST(Measured, MalformedValueNamesFileLineAndColumn) {
  auto points = ReadMeasuredFile(kData + "/bad_value.csv");
  ASSERT_FALSE(points.ok());
  const std::string m = points.status().message();
  EXPECT_NE(m.find("bad_value.csv:3"), std::string::npos) << m;
  EXPECT_NE(m.find("isl"), std::string::npos) << m;
}

TEST(Measured, MissingRequiredColumnIsNamed) {
  auto points = ReadMeasuredFile(kData + "/missing_column.csv");
  ASSERT_FALSE(points.ok());
  EXPECT_NE(points.status().message().find("'osl'"), std::string::npos)
      << points.status().message();
}

TEST(Measured, MissingPathIsAClearError) { EXPECT_FALSE(ReadMeasured("/no/such/place").ok()); }

}  // namespace
}  // namespace perftco
