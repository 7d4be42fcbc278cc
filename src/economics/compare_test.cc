#include "perftco/compare.h"

#include <gtest/gtest.h>

namespace perftco {
namespace {

struct Fixture {
  Catalog catalog = Catalog::Load(PERFTCO_TEST_DATA_DIR).value();
  EfficiencyTable table = EfficiencyTable::Load(PERFTCO_TEST_DATA_DIR).value();
  EconomicsData data = EconomicsData::Load(PERFTCO_TEST_DATA_DIR).value();
};

const Fixture& F() {
  static const Fixture* f = new Fixture();
  return *f;
}

SetupOptions Base(const char* model, const char* precision) {
  SetupOptions o;
  o.model = model;
  o.precision = precision;
  return o;
}

TEST(Compare, BestPlanBeatsEveryTensorParallelSizeAtTheTarget) {
  const SloWorkload w{1000, 1000, Milliseconds(50)};
  auto at = BestPlanAtSlo(F().catalog, F().table, Base("llama-3.1-70b", "bf16"), "h100-sxm", w);
  ASSERT_TRUE(at.ok()) << at.status().message();
  ParallelPlan one = at->setup->plan;
  one.replicas = 1;
  EXPECT_NE(at->plan_note.find(one.ToString()), std::string::npos);
  // No plain tensor-parallel layout in the 8-GPU domain does better per chip at the target.
  for (int tp : {1, 2, 4, 8}) {
    SetupOptions o = Base("llama-3.1-70b", "bf16");
    o.hardware = "h100-sxm";
    o.chips = tp;
    o.tp = tp;
    auto s = BuildSetup(F().catalog, F().table, o);
    if (!s.ok()) continue;
    auto batch = LargestBatchForTpot(*(*s)->cost, 1000, 1000, Milliseconds(50));
    if (!batch.ok()) continue;
    const EstimatePoint p = EstimateBatch(*(*s)->cost, 1000, 1000, *batch).value();
    EXPECT_GE(at->throughput.output_tokens_per_s_per_chip,
              p.output_tokens_per_s_per_chip * (1 - 1e-9))
        << "tp" << tp;
  }
  at = BestPlanAtSlo(F().catalog, F().table, Base("llama-3.1-8b", "bf16"), "h100-sxm", w);
  ASSERT_TRUE(at.ok());
  EXPECT_GT(at->throughput.input_tokens_per_s_per_chip,
            at->throughput.output_tokens_per_s_per_chip);
  // A model that fits nowhere in the domain fails with the reason.
  auto none = BestPlanAtSlo(F().catalog, F().table, Base("llama-3.1-405b", "bf16"), "l40s", w);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("l40s"), std::string::npos);
}

TEST(Compare, RanksByOwnedCostThenRentedThenUnserved) {
  const SloWorkload w{1000, 1000, Milliseconds(50)};
  auto rows =
      CompareSystems(F().catalog, F().table, F().data, EconomicsOptions(),
                     Base("llama-3.1-8b", "fp8"), {"mi355x", "h100-sxm", "tpu-v5e", "b200"}, w);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 4u);
  // h100-sxm and b200 have owned costs, tpu-v5e only a rental price, mi355x neither.
  EXPECT_TRUE((*rows)[0].tokens.owned_per_million_output);
  EXPECT_TRUE((*rows)[1].tokens.owned_per_million_output);
  EXPECT_LE((*rows)[0].tokens.owned_per_million_output->value(),
            (*rows)[1].tokens.owned_per_million_output->value());
  EXPECT_EQ((*rows)[2].hardware, "tpu-v5e");
  EXPECT_EQ((*rows)[3].hardware, "mi355x");
  EXPECT_EQ((*rows)[3].rank, 0);
  EXPECT_FALSE((*rows)[3].tokens.missing.empty());
  // $/M tokens is the chip-hour cost over tokens per chip-hour.
  const SystemComparison& top = (*rows)[0];
  EXPECT_NEAR(top.tokens.owned_per_million_output->value(),
              top.chip.owned_per_hour->Total().value() * 1e6 /
                  (top.at_slo->throughput.output_tokens_per_s_per_chip * 3600),
              1e-9);
}

TEST(Compare, UnknownSystemOrModelFailsWithOneLine) {
  const SloWorkload w{1000, 1000, Milliseconds(50)};
  auto rows = CompareSystems(F().catalog, F().table, F().data, EconomicsOptions(),
                             Base("llama-3.1-8b", "fp8"), {"h100-sxm", "h10"}, w);
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("h10"), std::string::npos);
  rows = CompareSystems(F().catalog, F().table, F().data, EconomicsOptions(),
                        Base("llama-9b", "fp8"), {"h100-sxm"}, w);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().message().find('\n'), std::string::npos);
}

}  // namespace
}  // namespace perftco
