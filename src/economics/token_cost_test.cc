#include "perftco/token_cost.h"

#include <gtest/gtest.h>

#include "test_economics.h"

namespace perftco {
namespace {

using testing::RoundData;
using testing::TestChip;

ChipEconomics Chip(const char* name = "test-chip") {
  return EvaluateChip(TestChip(name), RoundData(), EconomicsOptions()).value();
}

TEST(TokenCost, DollarsPerTokenScaleInverselyWithThroughput) {
  const ChipEconomics chip = Chip();
  Throughput slow, fast;
  slow.output_tokens_per_s_per_chip = 250;
  fast.output_tokens_per_s_per_chip = 1000;
  const TokenEconomics a = TokenCosts(chip, slow, 0);
  const TokenEconomics b = TokenCosts(chip, fast, 0);
  ASSERT_TRUE(a.owned_per_million_output && b.owned_per_million_output);
  EXPECT_NEAR(a.owned_per_million_output->value() / b.owned_per_million_output->value(), 4.0,
              1e-12);
  EXPECT_NEAR(a.rented_per_million_output->value() / b.rented_per_million_output->value(), 4.0,
              1e-12);
  // By hand: 2 USD per chip-hour at 1000 tokens/s = 3.6M tokens per hour -> 0.5556 USD per M.
  EXPECT_NEAR(b.rented_per_million_output->value(), 2.0 / 3.6, 1e-12);
  EXPECT_NEAR(a.energy_per_output_token->value() / b.energy_per_output_token->value(), 4.0, 1e-12);
  EXPECT_NEAR(b.output_tokens_per_s_per_mw.value() / a.output_tokens_per_s_per_mw.value(), 4.0,
              1e-12);
}

TEST(TokenCost, MarginIdentityHolds) {
  for (double m : {0.0, 0.5, 0.6, 0.7, 0.95}) {
    const Dollars cost(1.37);
    const Dollars price = PriceWithMargin(cost, m);
    EXPECT_NEAR((price - cost) / price, m, 1e-12) << m;
  }
  Throughput t;
  t.output_tokens_per_s_per_chip = 500;
  const TokenEconomics e = TokenCosts(Chip(), t, 0.6);
  EXPECT_NEAR(e.owned_price_per_million_output->value() * 0.4, e.owned_per_million_output->value(),
              1e-12);
}

TEST(TokenCost, EnergyAndPowerDensityByHand) {
  Throughput t;
  t.output_tokens_per_s_per_chip = 1200;
  t.input_tokens_per_s_per_chip = 12000;
  t.chips = 8;
  const TokenEconomics e = TokenCosts(Chip(), t, 0);
  // Average facility draw 1 kW x 0.8 x 1.5 = 1200 W over 1200 tokens/s: 1 J per token.
  EXPECT_NEAR(e.energy_per_output_token->value(), 1.0, 1e-12);
  // Provisioned 1500 W per chip: 666.67 chips per MW x 1200 tokens/s.
  EXPECT_NEAR(*e.output_tokens_per_s_per_mw, 1200.0 / 1500.0 * 1e6, 1e-6);
  EXPECT_NEAR(e.owned_per_million_input->value() * 10, e.owned_per_million_output->value(), 1e-12);
  EXPECT_NEAR(e.facility_power_all_chips->value(), 8 * 1500, 1e-9);
}

TEST(TokenCost, UnknownPricesStayUnknown) {
  Throughput t;
  t.output_tokens_per_s_per_chip = 1000;
  const TokenEconomics e = TokenCosts(Chip("mystery-chip"), t, 0.5);
  EXPECT_FALSE(e.owned_per_million_output);
  EXPECT_FALSE(e.rented_per_million_output);
  EXPECT_FALSE(e.owned_price_per_million_output);
  EXPECT_TRUE(e.energy_per_output_token);  // power is known from the TDP
  EXPECT_EQ(e.missing.size(), 2u);
}

TEST(MemoryPerDollar, ByHand) {
  const MemoryValue v = MemoryPerDollar(TestChip(), Chip());
  // 100 GB and 4 TB/s for a 10,000 USD system share, or 2 USD per hour.
  EXPECT_NEAR(*v.hbm_gb_per_kusd, 10.0, 1e-12);
  EXPECT_NEAR(*v.hbm_tbps_per_kusd, 0.4, 1e-12);
  EXPECT_NEAR(*v.hbm_gb_per_usd_hour, 50.0, 1e-12);
  EXPECT_NEAR(*v.hbm_tbps_per_usd_hour, 2.0, 1e-12);
  const MemoryValue u = MemoryPerDollar(TestChip("mystery-chip"), Chip("mystery-chip"));
  EXPECT_FALSE(u.hbm_gb_per_kusd);
  EXPECT_FALSE(u.hbm_gb_per_usd_hour);
}

}  // namespace
}  // namespace perftco
