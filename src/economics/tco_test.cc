#include "perftco/tco.h"

#include <gtest/gtest.h>

#include <cmath>

#include "test_economics.h"

namespace perftco {
namespace {

using testing::RoundData;
using testing::TestChip;

TEST(CapitalRecoveryFactor, IsStraightLineAtZeroRateAndRepaysThePrincipal) {
  EXPECT_DOUBLE_EQ(CapitalRecoveryFactor(0, 5), 0.2);
  const double r = 0.1, n = 5;
  const double crf = CapitalRecoveryFactor(r, n);
  EXPECT_NEAR(crf, 0.26379748, 1e-8);  // 0.1 / (1 - 1.1^-5)
  double present_value = 0;
  for (int year = 1; year <= n; ++year) present_value += crf / std::pow(1 + r, year);
  EXPECT_NEAR(present_value, 1.0, 1e-12);
}

TEST(Tco, HandComputedCaseMatchesEveryPart) {
  const EconomicsData data = RoundData();
  auto c = EvaluateChip(TestChip(), data, EconomicsOptions());
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_TRUE(c->owned_per_hour);
  const TcoBreakdown& t = *c->owned_per_hour;
  const double h = 8760;
  // System 80,000 / 8 = 10,000 per chip over 4 years.
  EXPECT_NEAR(t.server.value(), 10000.0 / 4 / h, 1e-12);
  // Network: 10,000 x 0.2 / 0.8 = 2,500.
  EXPECT_NEAR(t.network.value(), 2500.0 / 4 / h, 1e-12);
  EXPECT_NEAR(t.storage.value(), 500.0 / 4 / h, 1e-12);
  // 8 kW / 8 = 1 kW per chip: 10 M$/MW x 0.001 MW = 10,000 over 10 years.
  EXPECT_NEAR(t.datacenter.value(), 10000.0 / 10 / h, 1e-12);
  // 1 kW x 0.8 x 1.5 x 0.10 $/kWh.
  EXPECT_NEAR(t.power.value(), 0.12, 1e-12);
  // 5% of (10,000 + 2,500 + 500) per year.
  EXPECT_NEAR(t.maintenance.value(), 650.0 / h, 1e-12);
  EXPECT_NEAR(t.facility_opex.value(), 100.0 / h, 1e-12);
  EXPECT_NEAR(t.Total().value(), (2500 + 625 + 125 + 1000 + 650 + 100) / h + 0.12, 1e-12);
  EXPECT_NEAR(c->average_facility_power->value(), 1000 * 0.8 * 1.5, 1e-9);
  EXPECT_NEAR(c->provisioned_facility_power->value(), 1500, 1e-9);
  EXPECT_EQ(c->rental_per_hour->value(), 2.0);
  EXPECT_TRUE(c->missing.empty());
}

TEST(Tco, CostOfCapitalRaisesOnlyTheRecoveredParts) {
  const EconomicsData data = RoundData();
  EconomicsOptions o;
  o.assumptions["cost_of_capital"] = 0.1;
  auto straight = EvaluateChip(TestChip(), data, EconomicsOptions());
  auto annuity = EvaluateChip(TestChip(), data, o);
  ASSERT_TRUE(straight.ok() && annuity.ok());
  const double ratio = CapitalRecoveryFactor(0.1, 4) / CapitalRecoveryFactor(0, 4);
  EXPECT_NEAR(annuity->owned_per_hour->server.value(),
              straight->owned_per_hour->server.value() * ratio, 1e-12);
  EXPECT_EQ(annuity->owned_per_hour->power.value(), straight->owned_per_hour->power.value());
  EXPECT_EQ(annuity->assumptions.sources.at("cost_of_capital").source, "override");
}

TEST(Tco, ChipPriceOverrideAddsTheServerFactorAndSystemPriceDoesNot) {
  const EconomicsData data = RoundData();
  EconomicsOptions chip;
  chip.all_chips.chip_price_usd = 4000;
  auto c = EvaluateChip(TestChip("mystery-chip"), data, chip);
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(c->server_capex->value(), 6000);  // 4000 x 1.5
  EconomicsOptions system;
  system.per_hardware["mystery-chip"].system_price_usd_per_chip = 4000;
  c = EvaluateChip(TestChip("mystery-chip"), data, system);
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(c->server_capex->value(), 4000);
  // Power from the TDP (500 W) x the price file's factor (2).
  EXPECT_DOUBLE_EQ(c->it_power->value(), 1000);
}

TEST(Tco, TdpOverrideKeepsTheSystemsHostOverhead) {
  // test-chip: 1000 W per chip from its system (TDP 500 W); a 750 W TDP scales it to 1500 W.
  EconomicsOptions o;
  o.all_chips.tdp_w = 750;
  auto c = EvaluateChip(TestChip(), RoundData(), o);
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(c->it_power->value(), 1500);
  o = EconomicsOptions();
  o.all_chips.system_power_w_per_chip = 1200;
  c = EvaluateChip(TestChip(), RoundData(), o);
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(c->it_power->value(), 1200);
  EXPECT_NEAR(c->owned_per_hour->power.value(), 1.2 * 0.8 * 1.5 * 0.10, 1e-12);
}

TEST(Tco, UnknownPriceIsReportedNotInvented) {
  const EconomicsData data = RoundData();
  auto c = EvaluateChip(TestChip("mystery-chip"), data, EconomicsOptions());
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->server_capex);
  EXPECT_FALSE(c->owned_per_hour);
  EXPECT_FALSE(c->rental_per_hour);
  ASSERT_EQ(c->missing.size(), 2u);
  EXPECT_NE(c->missing[0].find("not public"), std::string::npos);
  EXPECT_NE(c->missing[1].find("not offered"), std::string::npos);
  // A chip without any price file: everything unknown, each said once.
  c = EvaluateChip(TestChip("no-file-chip"), data, EconomicsOptions());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->missing.size(), 3u);
  EXPECT_NE(c->missing[2].find("no price file"), std::string::npos);
}

TEST(Tco, BadOptionsGiveOneLineErrors) {
  const EconomicsData data = RoundData();
  auto expect_error = [&](EconomicsOptions o, const std::string& want) {
    auto c = EvaluateChip(TestChip(), data, o);
    ASSERT_FALSE(c.ok()) << want;
    EXPECT_NE(c.status().message().find(want), std::string::npos) << c.status().message();
    EXPECT_EQ(c.status().message().find('\n'), std::string::npos);
  };
  EconomicsOptions o;
  o.all_chips.chip_price_usd = -5;
  expect_error(o, "chip_price_usd must be positive");
  o = EconomicsOptions();
  o.all_chips.rental_usd_per_chip_hour = 0;
  expect_error(o, "rental_usd_per_chip_hour must be positive");
  o = EconomicsOptions();
  o.assumptions["depreciation_years"] = 0;
  expect_error(o, "depreciation_years must be in (0, 100]");
  o = EconomicsOptions();
  o.assumptions["pue"] = 0.9;
  expect_error(o, "PUE cannot be below 1");
  o = EconomicsOptions();
  o.assumptions["electricity_usd_per_kwh"] = -0.1;
  expect_error(o, "electricity_usd_per_kwh must be >= 0");
  o = EconomicsOptions();
  o.assumptions["puee"] = 1.2;
  expect_error(o, "did you mean 'pue'");
  o = EconomicsOptions();
  o.margin = 1.0;
  expect_error(o, "margin must be in [0, 1)");
}

TEST(Tco, ScenarioEconomicsKeysParseAndRejectTypos) {
  EconomicsOptions o;
  YAML::Node n = YAML::Load(
      "{pue: 1.1, margin: 0.5, rental_usd_per_chip_hour: 3, hardware: {trn2: {chip_price_usd: "
      "5000}}}");
  ASSERT_TRUE(ParseEconomicsOptions(n, "s.yaml", &o).ok());
  EXPECT_EQ(o.assumptions.at("pue"), 1.1);
  EXPECT_EQ(o.margin, 0.5);
  EXPECT_EQ(*o.all_chips.rental_usd_per_chip_hour, 3);
  EXPECT_EQ(*o.For("trn2").chip_price_usd, 5000);
  EXPECT_EQ(*o.For("trn2").rental_usd_per_chip_hour, 3);
  EconomicsOptions bad;
  Status s = ParseEconomicsOptions(YAML::Load("{depreciation_year: 4}"), "s.yaml", &bad);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("did you mean 'depreciation_years'"), std::string::npos);
  s = ParseEconomicsOptions(YAML::Load("{pue: 0.5}"), "s.yaml", &bad);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("s.yaml: pue must be"), std::string::npos);
}

// Ranges: the cheapest and dearest sourced figures give the low and high TCO; an override holds
// its input fixed; no range in the file gives the point.
TEST(TcoRange, BoundsFollowTheSourcedRangesAndOverridesHold) {
  EconomicsData data = testing::RoundData();
  auto point = EvaluateChipRange(testing::TestChip(), data, EconomicsOptions());
  ASSERT_TRUE(point.ok()) << point.status().message();
  EXPECT_EQ(point->low.owned_per_hour->Total().value(),
            point->high.owned_per_hour->Total().value());

  HardwarePrices p = *data.prices.Find("test-chip");
  p.system_usd->low = 40000;  // half the system price: server, network, maintenance halve
  p.system_usd->high = 160000;
  p.rental_usd_per_chip_hour->low = 1.0;
  p.rental_usd_per_chip_hour->high = 3.0;
  EconomicsData ranged;
  ranged.assumptions = data.assumptions;
  ranged.prices.Add(p);
  auto r = EvaluateChipRange(testing::TestChip(), ranged, EconomicsOptions());
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto typical = EvaluateChip(testing::TestChip(), ranged, EconomicsOptions());
  const double h = 8760;
  EXPECT_NEAR(r->low.owned_per_hour->server.value(), 5000.0 / 4 / h, 1e-12);
  EXPECT_NEAR(r->high.owned_per_hour->server.value(), 20000.0 / 4 / h, 1e-12);
  EXPECT_LT(r->low.owned_per_hour->Total(), typical->owned_per_hour->Total());
  EXPECT_GT(r->high.owned_per_hour->Total(), typical->owned_per_hour->Total());
  EXPECT_EQ(r->low.rental_per_hour->value(), 1.0);
  EXPECT_EQ(r->high.rental_per_hour->value(), 3.0);
  // The power has no range: the same in both.
  EXPECT_EQ(r->low.it_power->value(), r->high.it_power->value());

  EconomicsOptions o;
  o.all_chips.rental_usd_per_chip_hour = 2.5;
  auto held = EvaluateChipRange(testing::TestChip(), ranged, o);
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->low.rental_per_hour->value(), 2.5);
  EXPECT_EQ(held->high.rental_per_hour->value(), 2.5);
}

}  // namespace
}  // namespace perftco
