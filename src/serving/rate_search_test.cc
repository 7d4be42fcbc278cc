// The latency-bounded rate search: it brackets the limit, meets it within tolerance, is
// deterministic, and says clearly when no rate can meet the limits.
#include "perftco/rate_search.h"

#include <gtest/gtest.h>

#include "serving/test_support.h"

namespace perftco {
namespace {

// p99 TTFT of an M/M/1-like queue: 100 ms unloaded, unbounded as the rate nears 10/s.
SimulationSummary Queue(double rate) {
  SimulationSummary s;
  s.ttft.p99 = Seconds(rate < 10 ? 0.1 / (1 - rate / 10) : 1e9);
  s.tpot.p99 = Milliseconds(20);
  return s;
}

TEST(RateSearch, BracketsAndBisectsToTheRateWhereTheLimitBinds) {
  LatencyLimits limits;
  limits.ttft_p99 = Milliseconds(450);  // met up to rate 10 (1 - 0.1 / 0.45) = 7.78
  const double boundary = 10 * (1 - 0.1 / 0.45);
  for (double start : {0.01, 1.0, 9.5, 500.0}) {
    RateSearchOptions o;
    o.start_rate = start;
    auto r = FindMaxRate([](double rate) -> Result<SimulationSummary> { return Queue(rate); },
                         limits, o);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_LE(r->rate, boundary) << start;
    EXPECT_GT(r->failing_rate, boundary) << start;
    EXPECT_LE(r->failing_rate - r->rate, o.relative_tolerance * r->rate) << start;
    EXPECT_TRUE(limits.Met(r->summary));
    EXPECT_EQ(r->binding, "TTFT");
  }
}

TEST(RateSearch, ALimitBelowTheUnloadedLatencyIsAClearError) {
  LatencyLimits limits;
  limits.ttft_p99 = Milliseconds(50);  // the queue never goes below 100 ms
  auto r =
      FindMaxRate([](double rate) -> Result<SimulationSummary> { return Queue(rate); }, limits);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("below what the system reaches unloaded"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("p99 TTFT 100"), std::string::npos) << r.status().message();
  auto none = FindMaxRate([](double rate) -> Result<SimulationSummary> { return Queue(rate); },
                          LatencyLimits());
  EXPECT_NE(none.status().message().find("needs a p99 TTFT or TPOT limit"), std::string::npos);
}

TEST(RateSearch, OnTheSimulatorItMeetsTheLimitsAndIsByteIdenticalPerSeed) {
  auto setup = testing::SetupFor(testing::Options("llama-3.1-8b", "h100-sxm", 1, 1));
  auto trial = [&](double rate) -> Result<SimulationSummary> {
    WorkloadOptions w;
    w.input_len = "fixed:1000";
    w.output_len = "fixed:200";
    w.requests = 300;
    w.rate = rate;
    w.seed = 7;
    return testing::Simulate(*setup->cost, w, ServingOptions());
  };
  LatencyLimits limits;
  limits.ttft_p99 = Milliseconds(500);
  limits.tpot_p99 = Milliseconds(30);
  auto a = FindMaxRate(trial, limits);
  auto b = FindMaxRate(trial, limits);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(b.ok());
  EXPECT_LE(a->summary.ttft.p99, limits.ttft_p99);
  EXPECT_LE(a->summary.tpot.p99, limits.tpot_p99);
  auto broken = trial(a->failing_rate);
  ASSERT_TRUE(broken.ok());
  EXPECT_FALSE(limits.Met(*broken));
  EXPECT_LE(a->failing_rate - a->rate, 0.01 * a->rate);
  EXPECT_EQ(SummaryJson(a->summary).dump(), SummaryJson(b->summary).dump());
  EXPECT_EQ(a->rate, b->rate);
  // A tighter TPOT limit can only lower the rate.
  LatencyLimits tighter = limits;
  tighter.tpot_p99 = Milliseconds(20);
  auto c = FindMaxRate(trial, tighter);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_LT(c->rate, a->rate);
}

TEST(RateSearch, PublishedLimitsComeFromTheBenchmarkRules) {
  auto t = LatencyLimitTable::Load(PERFTCO_TEST_DATA_DIR);
  ASSERT_TRUE(t.ok()) << t.status().message();
  const auto* server = t->Find("llama-2-70b", "server");
  ASSERT_NE(server, nullptr);
  EXPECT_DOUBLE_EQ(server->limits.ttft_p99.value(), 2.0);
  EXPECT_DOUBLE_EQ(server->limits.tpot_p99.value(), 0.2);
  const auto* interactive = t->Find("llama-2-70b", "interactive");
  ASSERT_NE(interactive, nullptr);
  EXPECT_DOUBLE_EQ(interactive->limits.ttft_p99.value(), 0.45);
  EXPECT_DOUBLE_EQ(interactive->limits.tpot_p99.value(), 0.04);
  EXPECT_EQ(t->Find("gpt-j-6b", "server"), nullptr);
}

}  // namespace
}  // namespace perftco
