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

TEST(Compare, DefaultPlanIsTheSmallestTpThatFits) {
  const SloWorkload w{1000, 1000, Milliseconds(50)};
  // Llama 3.1 70B in bf16 is ~141 GB: two 80 GB H100s are not enough with KV room, four are.
  auto at = DefaultPlanAtSlo(F().catalog, F().table, Base("llama-3.1-70b", "bf16"), "h100-sxm", w);
  ASSERT_TRUE(at.ok()) << at.status().message();
  const int tp = at->setup->plan.tp;
  EXPECT_GE(tp, 2);
  EXPECT_NE(at->plan_note.find("tp" + std::to_string(tp)), std::string::npos);
  // The next smaller power of two does not serve it.
  SetupOptions smaller = Base("llama-3.1-70b", "bf16");
  smaller.hardware = "h100-sxm";
  smaller.chips = tp / 2;
  smaller.tp = tp / 2;
  auto s = BuildSetup(F().catalog, F().table, smaller);
  if (s.ok()) {
    EXPECT_FALSE(LargestBatchForTpot(*(*s)->cost, 1000, 1000, Milliseconds(50)).ok());
  }
  // An 8B model fits one chip.
  at = DefaultPlanAtSlo(F().catalog, F().table, Base("llama-3.1-8b", "bf16"), "h100-sxm", w);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->setup->plan.tp, 1);
  EXPECT_GT(at->throughput.input_tokens_per_s_per_chip,
            at->throughput.output_tokens_per_s_per_chip);
}

TEST(Compare, RanksByOwnedCostThenRentedThenUnserved) {
  const SloWorkload w{1000, 1000, Milliseconds(50)};
  auto rows =
      CompareSystems(F().catalog, F().table, F().data, EconomicsOptions(),
                     Base("llama-3.1-8b", "fp8"), {"trn2", "h100-sxm", "tpu-v5e", "b200"}, w);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 4u);
  // h100-sxm and b200 have owned costs, tpu-v5e only a rental price, trn2 neither.
  EXPECT_TRUE((*rows)[0].tokens.owned_per_million_output);
  EXPECT_TRUE((*rows)[1].tokens.owned_per_million_output);
  EXPECT_LE((*rows)[0].tokens.owned_per_million_output->value(),
            (*rows)[1].tokens.owned_per_million_output->value());
  EXPECT_EQ((*rows)[2].hardware, "tpu-v5e");
  EXPECT_EQ((*rows)[3].hardware, "trn2");
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
