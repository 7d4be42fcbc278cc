// Property tests: invariants that must hold for every valid configuration, checked on seeded
// random draws over the catalog (models x chips x layouts x lengths x batches).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "perf/test_fixtures.h"
#include "perftco/compare.h"
#include "perftco/estimate.h"
#include "perftco/simulate.h"
#include "perftco/token_cost.h"
#include "perftco/workload.h"

namespace perftco {
namespace {

using testing::RepoCatalog;
using testing::RepoEfficiency;

// A random setup that builds (model fits), with its workload; `tries` draws at most.
struct Draw {
  std::shared_ptr<Setup> setup;
  int64_t isl = 0, osl = 0, batch = 0;
};

std::optional<Draw> RandomSetup(std::mt19937_64& rng) {
  const auto& models = RepoCatalog().models();
  const auto& chips = RepoCatalog().hardware();
  for (int attempt = 0; attempt < 50; ++attempt) {
    const ModelConfig& m = models[rng() % models.size()];
    const Hardware& hw = chips[rng() % chips.size()];
    const int domain = std::max(1, hw.scale_up.domain_chips);
    int tp = 1 << (rng() % 4);
    if (tp > domain) tp = domain;
    SetupOptions o;
    o.model = m.name;
    o.hardware = hw.name;
    o.tp = tp;
    o.chips = tp;
    o.precision = (rng() % 2) ? "native" : "best";
    auto setup = BuildSetup(RepoCatalog(), RepoEfficiency(), o);
    if (!setup.ok()) continue;
    Draw d;
    d.setup = *setup;
    d.isl = 1 + static_cast<int64_t>(rng() % 8192);
    d.osl = 1 + static_cast<int64_t>(rng() % 4096);
    const int64_t max = (*setup)->cost->MaxSequences(d.isl + d.osl);
    if (max < 1) continue;
    d.batch = 1 + static_cast<int64_t>(rng() % std::min<int64_t>(max, 512));
    return d;
  }
  return std::nullopt;
}

bool Finite(double v) { return std::isfinite(v); }

TEST(Property, EstimatesAreFinitePositiveAndConsistent) {
  std::mt19937_64 rng(20261207);
  int checked = 0;
  for (int i = 0; i < 200; ++i) {
    auto d = RandomSetup(rng);
    if (!d) continue;
    const CostModel& cost = *d->setup->cost;
    auto p = EstimateBatch(cost, d->isl, d->osl, d->batch);
    if (!p.ok()) continue;  // e.g. a batch the engine does not admit at once
    ++checked;
    const std::string where = d->setup->model.name + " on " + d->setup->hardware.name + " " +
                              d->setup->plan.ToString() + " isl " + std::to_string(d->isl) +
                              " osl " + std::to_string(d->osl) + " batch " +
                              std::to_string(d->batch);
    for (double v :
         {p->ttft.value(), p->tpot.value(), p->request_latency.value(), p->output_tokens_per_s,
          p->output_tokens_per_s_per_chip, p->tokens_per_s_per_user}) {
      EXPECT_TRUE(Finite(v) && v > 0) << where << ": " << v;
    }
    // Per chip is the replica's rate over its chips; per user is one sequence's decode rate.
    EXPECT_NEAR(
        p->output_tokens_per_s_per_chip * cost.plan().ChipsPerReplica() / p->output_tokens_per_s,
        1.0, 1e-6)
        << where;
    EXPECT_GE(p->request_latency.value(), p->ttft.value()) << where;
  }
  EXPECT_GE(checked, 100);
}

TEST(Property, MoreHbmNeverLowersTheLargestBatch) {
  std::mt19937_64 rng(7);
  int checked = 0;
  for (int i = 0; i < 100; ++i) {
    auto d = RandomSetup(rng);
    if (!d) continue;
    const perftco::Setup& s = *d->setup;
    Hardware bigger = s.hardware;
    bigger.hbm_capacity = bigger.hbm_capacity * 1.5;
    const CostModel more(s.model, bigger, s.plan, s.precisions, s.efficiency, s.engine,
                         s.speculative);
    EXPECT_GE(more.MaxSequences(d->isl + d->osl), s.cost->MaxSequences(d->isl + d->osl))
        << s.model.name << " on " << s.hardware.name;
    ++checked;
  }
  EXPECT_GE(checked, 50);
}

TEST(Property, DollarsPerTokenScaleInverselyWithThroughputAtFixedCost) {
  const EconomicsData data = EconomicsData::Load(PERFTCO_TEST_DATA_DIR).value();
  std::mt19937_64 rng(11);
  for (const Hardware& hw : RepoCatalog().hardware()) {
    auto chip = EvaluateChip(hw, data, EconomicsOptions());
    ASSERT_TRUE(chip.ok());
    const double rate = 10.0 + static_cast<double>(rng() % 10000);
    Throughput a, b;
    a.output_tokens_per_s_per_chip = rate;
    b.output_tokens_per_s_per_chip = 2.0 * rate;
    const TokenEconomics x = TokenCosts(*chip, a, 0.0), y = TokenCosts(*chip, b, 0.0);
    if (x.rented_per_million_output) {
      EXPECT_NEAR(x.rented_per_million_output->value() / y.rented_per_million_output->value(), 2.0,
                  1e-9)
          << hw.name;
    }
    if (x.owned_per_million_output) {
      EXPECT_NEAR(x.owned_per_million_output->value() / y.owned_per_million_output->value(), 2.0,
                  1e-9)
          << hw.name;
    }
  }
}

TEST(Property, SimulationsServeWhatWasAskedWithOrderedPercentiles) {
  std::mt19937_64 rng(3);
  int checked = 0;
  for (int i = 0; i < 12; ++i) {
    auto d = RandomSetup(rng);
    if (!d) continue;
    const CostModel& cost = *d->setup->cost;
    WorkloadOptions w;
    w.rate = 0.5 + static_cast<double>(rng() % 40);
    w.requests = 150;
    w.seed = rng();
    const int64_t isl = 1 + static_cast<int64_t>(rng() % 2000);
    const int64_t osl = 1 + static_cast<int64_t>(rng() % 500);
    w.input_len = "fixed:" + std::to_string(isl);
    w.output_len = "fixed:" + std::to_string(osl);
    auto source = MakeRequestSource(w, LimitsFor(cost));
    if (!source.ok()) continue;  // longer than the model's context or the KV cache
    auto sim = RunSimulation(cost, ServingOptions(), **source);
    if (!sim.ok()) continue;
    ++checked;
    const std::string where = d->setup->model.name + " on " + d->setup->hardware.name;
    EXPECT_EQ(sim->requests, 150) << where;
    EXPECT_EQ(sim->output_tokens, 150 * osl) << where;
    EXPECT_EQ(sim->input_tokens, 150 * isl) << where;
    for (const LatencyStats* l : {&sim->ttft, &sim->tpot, &sim->itl, &sim->e2e}) {
      EXPECT_LE(l->p50.value(), l->p90.value()) << where;
      EXPECT_LE(l->p90.value(), l->p99.value()) << where;
      EXPECT_LE(l->p99.value(), l->max.value() * (1 + 1e-12)) << where;
      EXPECT_TRUE(Finite(l->mean.value())) << where;
    }
    EXPECT_TRUE(Finite(sim->output_tokens_per_s_per_chip) && sim->output_tokens_per_s_per_chip > 0)
        << where;
  }
  EXPECT_GE(checked, 6);
}

}  // namespace
}  // namespace perftco
