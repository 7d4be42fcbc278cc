#include "perftco/compare.h"

#include <algorithm>

#include "perftco/serving_plan.h"

namespace perftco {
Result<SystemAtSlo> BestPlanAtSlo(const Catalog& catalog, const EfficiencyTable& table,
                                  SetupOptions base, const std::string& hardware,
                                  const SloWorkload& workload) {
  PERFTCO_ASSIGN_OR_RETURN(Hardware hw, catalog.FindHardware(hardware));
  PlanSearchOptions search;
  search.base = base;
  search.base.hardware = hw.name;
  search.chips = std::max(1, hw.scale_up.domain_chips);
  search.isl = workload.isl;
  search.osl = workload.osl;
  search.tpot_slo = workload.tpot_slo;
  auto layouts = SearchPlans(catalog, table, search);
  if (!layouts.ok()) {
    return Status::Error(hw.name + ": no layout within one scale-up domain serves " + base.model +
                         ": " + layouts.status().message());
  }
  auto best = BestAtTpot(*layouts, workload.tpot_slo);
  if (!best.ok()) return Status::Error(hw.name + ": " + best.status().message());
  const LayoutResult& layout = layouts->feasible[best->layout];
  SystemAtSlo s;
  s.setup = layout.setup;
  s.batch = best->point.batch;
  s.point = best->point;
  ParallelPlan one = layout.setup->plan;
  one.replicas = 1;
  s.plan_note = one.ToString() + ": the most output tokens/s per chip at the TPOT target of " +
                std::to_string(layouts->feasible.size()) + " layouts within the " +
                std::to_string(search.chips) + "-chip scale-up domain";
  s.throughput = PointThroughput(layout, best->point, workload.isl);
  return s;
}

Result<SystemComparison> EvaluateSystem(const Catalog& catalog, const EfficiencyTable& table,
                                        const EconomicsData& data, const EconomicsOptions& options,
                                        const SetupOptions& base, const std::string& hardware,
                                        const SloWorkload& workload) {
  PERFTCO_ASSIGN_OR_RETURN(Hardware hw, catalog.FindHardware(hardware));
  // The model must exist; otherwise every system would fail for the same reason.
  PERFTCO_RETURN_IF_ERROR(catalog.FindModel(base.model).status());
  SystemComparison row;
  row.hardware = hw.name;
  PERFTCO_ASSIGN_OR_RETURN(row.chip, EvaluateChip(hw, data, options));
  row.memory = MemoryPerDollar(hw, row.chip);
  auto at = BestPlanAtSlo(catalog, table, base, hw.name, workload);
  if (!at.ok()) {
    row.status = at.status();
    row.tokens.missing = row.chip.missing;
    return row;
  }
  row.at_slo = std::move(at).value();
  row.tokens = TokenCosts(row.chip, row.at_slo->throughput, options.margin);
  PERFTCO_ASSIGN_OR_RETURN(ChipEconomicsRange range, EvaluateChipRange(hw, data, options));
  const ErrorBand& band = table.BandsFor(hw.family).throughput;
  row.cost_range = TokenCostsOverRange(range, row.at_slo->throughput, band.known() ? band.low : 1.0,
                                       band.known() ? band.high : 1.0, options.margin);
  return row;
}

Result<std::vector<SystemComparison>> CompareSystems(
    const Catalog& catalog, const EfficiencyTable& table, const EconomicsData& data,
    const EconomicsOptions& options, const SetupOptions& base,
    const std::vector<std::string>& hardware, const SloWorkload& workload) {
  if (hardware.empty()) return Status::Error("--hardware lists no system");
  std::vector<SystemComparison> rows;
  for (const auto& name : hardware) {
    PERFTCO_ASSIGN_OR_RETURN(SystemComparison row,
                             EvaluateSystem(catalog, table, data, options, base, name, workload));
    for (const auto& r : rows) {
      if (r.hardware == row.hardware) {
        return Status::Error("--hardware names " + row.hardware + " twice");
      }
    }
    rows.push_back(std::move(row));
  }
  // Sort key: (group, cost): 0 owned cost known, 1 only rented known, 2 neither, 3 failed.
  auto key = [](const SystemComparison& r) {
    if (!r.status.ok()) return std::make_pair(3, 0.0);
    if (r.tokens.owned_per_million_output) {
      return std::make_pair(0, r.tokens.owned_per_million_output->value());
    }
    if (r.tokens.rented_per_million_output) {
      return std::make_pair(1, r.tokens.rented_per_million_output->value());
    }
    return std::make_pair(2, 0.0);
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
    const auto ka = key(a), kb = key(b);
    if (ka != kb) return ka < kb;
    return a.hardware < b.hardware;
  });
  int rank = 0;
  for (auto& r : rows) {
    if (r.status.ok() &&
        (r.tokens.owned_per_million_output || r.tokens.rented_per_million_output)) {
      r.rank = ++rank;
    }
  }
  return rows;
}

}  // namespace perftco
