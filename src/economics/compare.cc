#include "perftco/compare.h"

#include <algorithm>

namespace perftco {
namespace {

std::vector<int> CandidateTp(int domain) {
  std::vector<int> tps;
  for (int tp = 1; tp <= domain; tp *= 2) tps.push_back(tp);
  if (tps.empty() || tps.back() != domain) tps.push_back(domain);
  return tps;
}

}  // namespace

Result<SystemAtSlo> DefaultPlanAtSlo(const Catalog& catalog, const EfficiencyTable& table,
                                     SetupOptions base, const std::string& hardware,
                                     const SloWorkload& workload) {
  PERFTCO_ASSIGN_OR_RETURN(Hardware hw, catalog.FindHardware(hardware));
  base.hardware = hw.name;
  base.pp = 1;
  Status last = Status::Error("no tensor-parallel size was tried");
  for (int tp : CandidateTp(std::max(1, hw.scale_up.domain_chips))) {
    base.chips = tp;
    base.tp = tp;
    auto setup = BuildSetup(catalog, table, base);
    if (!setup.ok()) {
      last = setup.status();
      continue;
    }
    const CostModel& cost = *(*setup)->cost;
    auto batch = LargestBatchForTpot(cost, workload.isl, workload.osl, workload.tpot_slo);
    if (!batch.ok()) {
      last = Status::Error("tp" + std::to_string(tp) + ": " + batch.status().message());
      continue;
    }
    PERFTCO_ASSIGN_OR_RETURN(EstimatePoint point,
                             EstimateBatch(cost, workload.isl, workload.osl, *batch));
    SystemAtSlo s;
    s.setup = *setup;
    s.batch = *batch;
    s.point = point;
    s.plan_note = "tp" + std::to_string(tp) + ": the smallest tensor-parallel size within the " +
                  std::to_string(hw.scale_up.domain_chips) +
                  "-chip scale-up domain that fits and meets the TPOT target";
    s.throughput.output_tokens_per_s_per_chip = point.output_tokens_per_s_per_chip;
    const double prefill_chip_seconds = point.ttft.value() * cost.plan().ChipsPerReplica();
    if (prefill_chip_seconds > 0) {
      s.throughput.input_tokens_per_s_per_chip =
          static_cast<double>(point.batch * workload.isl) / prefill_chip_seconds;
    }
    s.throughput.chips = cost.plan().Chips();
    return s;
  }
  return Status::Error(hw.name + ": no plan within one scale-up domain serves " + base.model +
                       ": " + last.message());
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
  auto at = DefaultPlanAtSlo(catalog, table, base, hw.name, workload);
  if (!at.ok()) {
    row.status = at.status();
    row.tokens.missing = row.chip.missing;
    return row;
  }
  row.at_slo = std::move(at).value();
  row.tokens = TokenCosts(row.chip, row.at_slo->throughput, options.margin);
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
