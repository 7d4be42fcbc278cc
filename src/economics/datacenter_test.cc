#include "perftco/datacenter.h"

#include <gtest/gtest.h>

namespace perftco {
namespace {

CpuServerSpec Server(const char* name, int cores, double watts, double perf) {
  CpuServerSpec s;
  s.name = name;
  s.cores = cores;
  s.power = Watts(watts);
  s.per_core_perf = perf;
  return s;
}

AiSystemSpec Rack() {
  AiSystemSpec ai;
  ai.hardware = "test-rack";
  ai.chips_per_system = 72;
  ai.it_power_per_system = Watts(120e3);
  ai.output_tokens_per_s_per_chip = 1000;
  ai.owned_per_chip_hour = Dollars(2);
  return ai;
}

TEST(Datacenter, SixOldServersPerNewOneByHand) {
  // 24 cores at perf 1 vs 144 cores at perf 1: six old servers per new one.
  SiteSpec site{Watts(100e6), 1.25};
  CpuFleet old{Server("old", 24, 300, 1.0), 60000};
  auto p = PlanSite(site, old, Server("new", 144, 600, 1.0), Rack());
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->new_count, 10000);
  EXPECT_DOUBLE_EQ(p->old_servers_per_new, 6.0);
  EXPECT_DOUBLE_EQ(p->old_it.value(), 18e6);
  EXPECT_DOUBLE_EQ(p->new_it.value(), 6e6);
  EXPECT_DOUBLE_EQ(p->freed_facility.value(), 12e6 * 1.25);
  EXPECT_DOUBLE_EQ(p->remaining_facility.value(), 100e6 - 22.5e6);
  // One rack draws 150 kW at the facility: 100 in the freed 15 MW, 516 in the 77.5 MW left.
  EXPECT_EQ(p->systems_in_freed, 100);
  EXPECT_EQ(p->systems_in_remaining, 516);
  EXPECT_EQ(p->systems_total, 616);  // floor(92.5 MW / 150 kW)
  EXPECT_DOUBLE_EQ(p->output_tokens_per_s, 616.0 * 72 * 1000);
  EXPECT_DOUBLE_EQ(p->ai_yearly_cost->value(), 616.0 * 72 * 2 * 8760);
}

TEST(Datacenter, PowerIsConservedAcrossManyCases) {
  for (double budget_mw : {1.0, 7.3, 100.0}) {
    for (double pue : {1.0, 1.1, 1.58}) {
      for (int64_t count : {1, 1000, 5000}) {
        SiteSpec site{Watts(budget_mw * 1e6), pue};
        CpuFleet old{Server("old", 24, 270, 65.4), count};
        if (old.server.power.value() * count * pue > site.budget.value()) continue;
        auto p = PlanSite(site, old, Server("new", 128, 450, 78.3), Rack());
        ASSERT_TRUE(p.ok()) << p.status().message();
        // Freed + used <= budget, and the parts add up.
        EXPECT_LE((p->new_facility + p->ai_facility).value(), site.budget.value() * (1 + 1e-12));
        EXPECT_GE(p->unused_facility.value(), -1e-6);
        EXPECT_NEAR((p->new_facility + p->ai_facility + p->unused_facility).value(),
                    site.budget.value(), 1e-6);
        EXPECT_NEAR((p->freed_facility + p->remaining_facility).value(), p->ai_budget.value(),
                    1e-6);
        EXPECT_GE(p->systems_total, p->systems_in_freed + p->systems_in_remaining);
        // The replacement does at least the old fleet's work.
        EXPECT_GE(p->new_count * 128 * 78.3, count * 24 * 65.4 * (1 - 1e-12));
      }
    }
  }
}

TEST(Datacenter, FleetFillingSiteFitsExactly) {
  SiteSpec site{Watts(100e6), 1.58};
  const CpuServerSpec s = Server("old", 24, 270, 65.4);
  const int64_t n = FleetFillingSite(site, s);
  EXPECT_LE(n * 270 * 1.58, 100e6);
  EXPECT_GT((n + 1) * 270 * 1.58, 100e6);
}

TEST(Datacenter, BadInputGivesOneLine) {
  SiteSpec site{Watts(1e6), 1.2};
  CpuFleet old{Server("old", 24, 270, 65.4), 10};
  auto expect = [](const Result<SitePlan>& r, const std::string& want) {
    ASSERT_FALSE(r.ok()) << want;
    EXPECT_NE(r.status().message().find(want), std::string::npos) << r.status().message();
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
  };
  expect(PlanSite(SiteSpec{Watts(1e6), 0.9}, old, Server("new", 128, 450, 78), Rack()),
         "PUE cannot be below 1");
  CpuFleet huge{Server("old", 24, 270, 65.4), 100000};
  expect(PlanSite(site, huge, Server("new", 128, 450, 78), Rack()), "more than the 1 MW budget");
  CpuServerSpec unknown = Server("new", 192, 500, 1);
  unknown.per_core_perf.reset();
  unknown.per_core_unknown = "not published";
  expect(PlanSite(site, old, unknown, Rack()), "--new-per-core-perf");
  expect(PlanSite(SiteSpec{Watts(0), 1.2}, old, Server("new", 128, 450, 78), Rack()),
         "budget must be positive");
}

}  // namespace
}  // namespace perftco
