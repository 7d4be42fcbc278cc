#include "perftco/estimate.h"

#include <gtest/gtest.h>

#include "perftco/scenario.h"
#include "perftco/setup.h"
#include "test_fixtures.h"

namespace perftco {
namespace {

using testing::RepoCatalog;

std::shared_ptr<Setup> SetupFor(SetupOptions o) {
  auto table = EfficiencyTable::Load(PERFTCO_TEST_DATA_DIR);
  auto s = BuildSetup(RepoCatalog(), *table, o);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : nullptr;
}

SetupOptions Llama70bFp8() {
  SetupOptions o;
  o.model = "llama-3.1-70b";
  o.hardware = "h100-sxm";
  o.chips = 8;
  o.tp = 8;
  o.precision = "fp8";
  return o;
}

TEST(Estimate, TpotGrowsWithBatchAndThroughputToo) {
  auto s = SetupFor(Llama70bFp8());
  auto small = EstimateBatch(*s->cost, 1000, 1000, 8);
  auto large = EstimateBatch(*s->cost, 1000, 1000, 128);
  ASSERT_TRUE(small.ok() && large.ok());
  EXPECT_GT(large->tpot, small->tpot);
  EXPECT_GT(large->output_tokens_per_s, 4 * small->output_tokens_per_s);
  EXPECT_NEAR(large->request_latency.value(), large->ttft.value() + 999 * large->tpot.value(),
              1e-9);
}

TEST(Estimate, FastDecodeSumAgreesWithStepByStepSum) {
  auto s = SetupFor(Llama70bFp8());
  for (int64_t batch : {1, 64, 512}) {
    for (int64_t osl : {100, 1000, 11000}) {
      auto p = EstimateBatch(*s->cost, 1000, osl, batch);
      if (!p.ok()) continue;  // batch beyond KV capacity at this length
      const double exact = ExactDecodeTimeForTest(*s->cost, 1000, osl, batch).value();
      const double fast = (p->request_latency - p->ttft).value();
      EXPECT_NEAR(fast / exact, 1.0, 1e-3) << batch << " " << osl;
    }
  }
}

TEST(Estimate, FastPrefillAgreesWithStepByStepCost) {
  auto s = SetupFor(Llama70bFp8());
  for (int64_t batch : {1, 100, 700}) {
    for (int64_t isl : {128, 2000, 20000}) {
      auto p = EstimateBatch(*s->cost, isl, 100, batch, /*enforce_limits=*/false);
      ASSERT_TRUE(p.ok());
      const double exact = ExactPrefillTimeForTest(*s->cost, isl, batch).value();
      EXPECT_NEAR(p->ttft.value() / exact, 1.0, 0.01) << batch << " " << isl;
    }
  }
}

TEST(Estimate, PipelinedPrefillPaysTheDrainOfItsLastStep) {
  SetupOptions o = Llama70bFp8();
  o.tp = 2;
  o.pp = 4;
  auto s = SetupFor(o);
  for (int64_t batch : {1, 100}) {
    auto p = EstimateBatch(*s->cost, 2000, 100, batch);
    ASSERT_TRUE(p.ok());
    const double exact = ExactPrefillTimeForTest(*s->cost, 2000, batch).value();
    EXPECT_NEAR(p->ttft.value() / exact, 1.0, 0.01) << batch;
  }
  // One prompt alone is one micro-batch: it passes the 4 stages one after another, so its TTFT
  // is 4 stage times and the hops, period and latency alike.
  BatchShape one;
  one.AddPrefillChunk(0, 2000, true);
  const StepCost alone = s->cost->Step(one);
  EXPECT_DOUBLE_EQ(alone.latency.value(), alone.time.value());
  EXPECT_GT(alone.time - alone.overhead, alone.stage_time * 4.0);
  EXPECT_NEAR(EstimateBatch(*s->cost, 2000, 100, 1)->ttft.value(), alone.latency.value(), 1e-12);
  // Four prompts fill the four stages: back-to-back steps come every 4 stage times, but the
  // last micro-batch still needs its trip through the stages: latency 7 stage times (and hops).
  BatchShape four;
  for (int i = 0; i < 4; ++i) four.AddPrefillChunk(0, 2000, true);
  const StepCost full = s->cost->Step(four);
  EXPECT_EQ(full.micro_batches, 4);
  EXPECT_GT(full.latency - full.overhead, full.stage_time * 7.0);
  EXPECT_LT(full.time - full.overhead, full.stage_time * 4.0 * 1.05);
}

TEST(Estimate, TpotGrowsWithContext) {
  auto s = SetupFor(Llama70bFp8());
  EXPECT_GT(EstimateBatch(*s->cost, 8000, 1000, 32)->tpot,
            EstimateBatch(*s->cost, 1000, 1000, 32)->tpot);
}

TEST(Estimate, LargestBatchForTpotMeetsTheTargetAndOneMoreDoesNot) {
  auto s = SetupFor(Llama70bFp8());
  const Seconds slo = Milliseconds(25);
  auto b = LargestBatchForTpot(*s->cost, 1000, 1000, slo);
  ASSERT_TRUE(b.ok()) << b.status().message();
  BatchShape at, above;
  for (int64_t i = 0; i < *b; ++i) at.AddDecode(1500);
  for (int64_t i = 0; i <= *b; ++i) above.AddDecode(1500);
  EXPECT_LE(s->cost->Step(at).time, slo);
  if (*b < s->cost->MaxSequences(2000)) {
    EXPECT_GT(s->cost->Step(above).time, slo);
  }
  EXPECT_FALSE(LargestBatchForTpot(*s->cost, 1000, 1000, Microseconds(10)).ok());
}

TEST(Estimate, RejectsBadLengthsAndBatchesThatDoNotFit) {
  auto s = SetupFor(Llama70bFp8());
  EXPECT_FALSE(EstimateBatch(*s->cost, 0, 100, 1).ok());
  EXPECT_FALSE(EstimateBatch(*s->cost, 100, -5, 1).ok());
  EXPECT_FALSE(EstimateBatch(*s->cost, 100, 100, 0).ok());
  EXPECT_FALSE(EstimateBatch(*s->cost, 100, 100, 1000000).ok());
  EXPECT_FALSE(EstimateBatch(*s->cost, 200000, 100, 1).ok());  // beyond 128k context
}

TEST(Estimate, ReasoningCostsMoreThanChatPerQuery) {
  auto s = SetupFor(Llama70bFp8());
  auto rows = CompareWorkloads(*s->cost, {{"chat", 1000, 1000}, {"reasoning", 1000, 11000}},
                               Milliseconds(30));
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  const auto& chat = (*rows)[0];
  const auto& reason = (*rows)[1];
  EXPECT_NEAR(static_cast<double>(chat.max_batch) / reason.max_batch, 6.0, 0.3);
  EXPECT_GT(reason.chip_seconds_per_query, 11.0 * chat.chip_seconds_per_query);
}

TEST(Setup, RejectsBadOptionsWithOneLine) {
  SetupOptions o = Llama70bFp8();
  auto table = EfficiencyTable::Load(PERFTCO_TEST_DATA_DIR);
  o.tp = 3;
  o.chips = 3;
  EXPECT_FALSE(BuildSetup(RepoCatalog(), *table, o).ok());
  o = Llama70bFp8();
  o.chips = 12;
  EXPECT_FALSE(BuildSetup(RepoCatalog(), *table, o).ok());
  o = Llama70bFp8();
  o.precision = "fp7";
  EXPECT_FALSE(BuildSetup(RepoCatalog(), *table, o).ok());
  o = Llama70bFp8();
  o.hardware = "h1000";
  auto bad = BuildSetup(RepoCatalog(), *table, o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find('\n'), std::string::npos);
}

}  // namespace
}  // namespace perftco
