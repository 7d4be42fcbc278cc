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

TEST(Measured, ReadsDisaggregatedPoolsAndLatencyLimits) {
  auto points = ReadMeasuredFile(kData + "/disagg.csv");
  ASSERT_TRUE(points.ok()) << points.status().message();
  ASSERT_EQ(points->size(), 2u);
  const MeasuredPoint& a = (*points)[0];
  EXPECT_TRUE(a.disagg);
  EXPECT_EQ(a.prefill.chips, 16);
  EXPECT_EQ(a.prefill.workers, 2);
  EXPECT_EQ(a.prefill.tp, 8);
  EXPECT_FALSE(a.prefill.ep.has_value());
  EXPECT_EQ(a.prefill.dp_attention, false);
  EXPECT_EQ(a.decode.chips, 8);
  EXPECT_EQ(a.decode.workers, 1);
  ASSERT_TRUE(a.ttft_p99_limit_ms.has_value());
  EXPECT_DOUBLE_EQ(*a.ttft_p99_limit_ms, 2000);
  EXPECT_DOUBLE_EQ(*a.tpot_p99_limit_ms, 200);
  const MeasuredPoint& b = (*points)[1];
  EXPECT_FALSE(b.prefill.chips.has_value());
  EXPECT_FALSE(b.prefill.dp_attention.has_value());
  EXPECT_EQ(b.spec_decoding, "mtp");
  EXPECT_FALSE(b.ttft_p99_limit_ms.has_value());
}

TEST(Measured, PoolTpWithoutWorkersIsNamed) {
  auto points = ReadMeasuredFile(kData + "/bad_pool.csv");
  ASSERT_FALSE(points.ok());
  const std::string m = points.status().message();
  EXPECT_NE(m.find("bad_pool.csv:2"), std::string::npos) << m;
  EXPECT_NE(m.find("prefill_tp is given without prefill_workers"), std::string::npos) << m;
}

TEST(Measured, PoolsMustAddUpToTheChips) {
  auto points = ReadMeasuredFile(kData + "/bad_pool_sum.csv");
  ASSERT_FALSE(points.ok());
  EXPECT_NE(points.status().message().find("is not num_chips 16"), std::string::npos)
      << points.status().message();
}

TEST(Measured, NegativeLatencyLimitIsRefused) {
  auto points = ReadMeasuredFile(kData + "/bad_limit.csv");
  ASSERT_FALSE(points.ok());
  EXPECT_NE(points.status().message().find("must be positive"), std::string::npos)
      << points.status().message();
}

TEST(Measured, MissingPathIsAClearError) { EXPECT_FALSE(ReadMeasured("/no/such/place").ok()); }

}  // namespace
}  // namespace perftco
