#include "perftco/estimate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <utility>

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
  // Llama: full attention. gpt-oss-120b: every other layer has a 128-token window, which fills
  // during a decode from a short prompt (a breakpoint in the step time the sum must find).
  SetupOptions gpt_oss = Llama70bFp8();
  gpt_oss.model = "gpt-oss-120b";
  gpt_oss.precision = "native";
  for (const SetupOptions& o : {Llama70bFp8(), gpt_oss}) {
    auto s = SetupFor(o);
    ASSERT_NE(s, nullptr);
    for (int64_t isl : {20, 1000}) {
      for (int64_t batch : {1, 64, 512}) {
        for (int64_t osl : {2, 9, 100, 1000, 11000}) {
          auto p = EstimateBatch(*s->cost, isl, osl, batch);
          if (!p.ok()) continue;  // batch beyond KV capacity at this length
          const double exact = ExactDecodeTimeForTest(*s->cost, isl, osl, batch).value();
          const double fast = (p->request_latency - p->ttft).value();
          EXPECT_NEAR(fast / exact, 1.0, 1e-6)
              << o.model << " " << isl << " " << batch << " " << osl;
        }
      }
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

// The chips of issue 12, item 6: each serves a model it can hold, end to end through the catalog,
// the committed efficiency table and the cost model.
const char* const kIssue12Chips[] = {"h100-nvl", "h100-pcie", "h200-nvl",    "b300",
                                     "gb300",    "mi350x",    "arc-pro-b60", "h800-sxm"};

// Output tokens per second of a batch of 16 chat requests (1000 in, 200 out).
double Throughput(const SetupOptions& o) {
  auto s = SetupFor(o);
  if (!s) return 0;
  auto p = EstimateBatch(*s->cost, 1000, 200, 16);
  EXPECT_TRUE(p.ok()) << o.hardware << ": " << p.status().message();
  return p.ok() ? p->output_tokens_per_s : 0;
}

TEST(Estimate, EveryIssue12ChipServesLlama8bOnOneChip) {
  for (const char* hw : kIssue12Chips) {
    const double tps = Throughput(testing::Options("llama-3.1-8b", hw, 1, 1, "bf16"));
    EXPECT_TRUE(std::isfinite(tps)) << hw;
    EXPECT_GT(tps, 0) << hw;
  }
}

TEST(Estimate, EveryIssue12ChipServesLlama70bFp8WhereItFits) {
  // 70.6 B parameters at fp8 are 71 GB of weights: one chip of 94 GB or more holds them, the
  // 80 GB parts need two, the 24 GB Arc Pro B60 eight.
  const std::pair<const char*, int> kPlans[] = {
      {"h100-nvl", 1}, {"h200-nvl", 1},  {"b300", 1},     {"gb300", 1},
      {"mi350x", 1},   {"h100-pcie", 2}, {"h800-sxm", 2}, {"arc-pro-b60", 8}};
  for (const auto& [hw, tp] : kPlans) {
    const double tps = Throughput(testing::Options("llama-3.1-70b", hw, tp, tp, "fp8"));
    EXPECT_TRUE(std::isfinite(tps)) << hw;
    EXPECT_GT(tps, 0) << hw;
  }
}

TEST(Estimate, H100NvlDecodeLiesBetweenH100PcieAndH200) {
  // Same Hopper die and efficiency family; decode of an 8B model is bound by memory bandwidth:
  // 2.0 TB/s (PCIe) < 3.9 TB/s (NVL) < 4.8 TB/s (H200 SXM).
  const double pcie = Throughput(testing::Options("llama-3.1-8b", "h100-pcie", 1, 1, "bf16"));
  const double nvl = Throughput(testing::Options("llama-3.1-8b", "h100-nvl", 1, 1, "bf16"));
  const double h200 = Throughput(testing::Options("llama-3.1-8b", "h200-sxm", 1, 1, "bf16"));
  EXPECT_LT(pcie, nvl);
  EXPECT_LT(nvl, h200);
}

TEST(Estimate, B300IsAtLeastB200AtFp4AndPrefillsFaster) {
  // Same memory bandwidth (8 TB/s) and efficiency family; 14 vs 9 PFLOP/s dense FP4.
  auto b200 = SetupFor(testing::Options("llama-3.1-70b", "b200", 1, 1, "fp4"));
  auto b300 = SetupFor(testing::Options("llama-3.1-70b", "b300", 1, 1, "fp4"));
  ASSERT_TRUE(b200 && b300);
  auto p200 = EstimateBatch(*b200->cost, 4000, 200, 32);
  auto p300 = EstimateBatch(*b300->cost, 4000, 200, 32);
  ASSERT_TRUE(p200.ok() && p300.ok());
  EXPECT_GE(p300->output_tokens_per_s, p200->output_tokens_per_s);
  EXPECT_LT(p300->ttft, p200->ttft);
}

TEST(Estimate, H800TensorParallelDecodeIsSlowerThanH100ForItsNarrowerNvlink) {
  // Same compute and HBM; NVLink 200 vs 450 GB/s per direction makes tp=8 all-reduces slower.
  auto h100 = SetupFor(testing::Options("llama-3.1-70b", "h100-sxm", 8, 8, "fp8"));
  auto h800 = SetupFor(testing::Options("llama-3.1-70b", "h800-sxm", 8, 8, "fp8"));
  ASSERT_TRUE(h100 && h800);
  auto p100 = EstimateBatch(*h100->cost, 1000, 200, 64);
  auto p800 = EstimateBatch(*h800->cost, 1000, 200, 64);
  ASSERT_TRUE(p100.ok() && p800.ok());
  EXPECT_GT(p800->tpot, p100->tpot);
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
