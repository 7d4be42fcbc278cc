#include "engine/log_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace perftco::engine {
namespace {

TEST(LogHistogram, QuantilesAreWithinATenthOfAPercentOfTheExactOrderStatistic) {
  LogHistogram h;
  std::vector<double> v;
  for (int i = 1; i <= 100000; ++i) {
    const double x = 1e-3 * i * (1.0 + 0.37 * (i % 7));  // spread over several octaves
    v.push_back(x);
    h.Add(x);
  }
  std::sort(v.begin(), v.end());
  for (double q : {0.01, 0.5, 0.9, 0.99, 0.999}) {
    const double exact = v[static_cast<size_t>(q * static_cast<double>(v.size())) - 1];
    EXPECT_NEAR(h.Quantile(q) / exact, 1.0, 1e-3) << q;
  }
  EXPECT_DOUBLE_EQ(h.Quantile(0.0), v.front());
  EXPECT_DOUBLE_EQ(h.Quantile(1.0), v.back());
  double sum = 0;
  for (double x : v) sum += x;
  EXPECT_NEAR(h.mean(), sum / v.size(), 1e-12 * sum);
}

TEST(LogHistogram, WeightsCountAsRepeatedSamplesAndZerosAreKept) {
  LogHistogram h;
  h.Add(0.0, 50);
  h.Add(2.0, 30);
  h.Add(8.0, 20);
  EXPECT_DOUBLE_EQ(h.count(), 100);
  EXPECT_DOUBLE_EQ(h.mean(), (60.0 + 160.0) / 100);
  EXPECT_DOUBLE_EQ(h.Quantile(0.4), 0.0);
  EXPECT_NEAR(h.Quantile(0.7), 2.0, 2.0 * 1e-3);
  EXPECT_NEAR(h.Quantile(0.95), 8.0, 8.0 * 1e-3);
  LogHistogram empty;
  EXPECT_EQ(empty.Quantile(0.5), 0.0);
  EXPECT_EQ(empty.mean(), 0.0);
}

}  // namespace
}  // namespace perftco::engine
