// One model and workload across systems: throughput per chip at a TPOT target with each system's
// best layout, then its economics. Used by `perftco compare` and the economics scenarios.
#ifndef PERFTCO_COMPARE_H_
#define PERFTCO_COMPARE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "perftco/catalog.h"
#include "perftco/economics_data.h"
#include "perftco/efficiency.h"
#include "perftco/estimate.h"
#include "perftco/setup.h"
#include "perftco/tco.h"
#include "perftco/token_cost.h"

namespace perftco {

// The workload and latency target systems are compared at.
struct SloWorkload {
  int64_t isl = 0;
  int64_t osl = 0;
  Seconds tpot_slo;
};

// One system at the target with the plan chosen for it.
struct SystemAtSlo {
  std::shared_ptr<Setup> setup;  // the layout, its replicas filling one scale-up domain
  std::string plan_note;         // which plan and why
  int64_t batch = 0;             // largest within the TPOT target
  EstimatePoint point;
  Throughput throughput;  // per chip, output and prefill
};

// A system's best layout at the target: the plan search (serving_plan.h) over tp, pp, ep and
// dp-attention within one scale-up domain, ranked by output tokens/s per chip at the largest
// batch within the TPOT target (for one system, the lowest $ per token). `base` gives the model,
// precisions and engine (its hardware, chips and layout are chosen). Fails with the search's
// reason when no layout fits or meets the target.
Result<SystemAtSlo> BestPlanAtSlo(const Catalog& catalog, const EfficiencyTable& table,
                                  SetupOptions base, const std::string& hardware,
                                  const SloWorkload& workload);

// A system's row in a comparison.
struct SystemComparison {
  std::string hardware;  // canonical name
  Status status;         // why it has no throughput (does not fit, misses the target)
  std::optional<SystemAtSlo> at_slo;
  ChipEconomics chip;
  TokenEconomics tokens;  // empty when status failed
  // $/M output tokens over the family's 80% throughput band and the sourced price ranges
  // (TokenCostsOverRange); empty when status failed.
  TokenCostRange cost_range;
  MemoryValue memory;
  int rank = 0;  // 1 = cheapest owned $/M output tokens; 0 = not ranked
};

// Evaluates one system: throughput at the target (BestPlanAtSlo) and economics. Fails on an
// unknown hardware name or invalid economics options; a system that cannot serve the workload is
// returned with a failed status.
Result<SystemComparison> EvaluateSystem(const Catalog& catalog, const EfficiencyTable& table,
                                        const EconomicsData& data, const EconomicsOptions& options,
                                        const SetupOptions& base, const std::string& hardware,
                                        const SloWorkload& workload);

// EvaluateSystem for each name, ranked: by owned $/M output tokens, then (owned cost unknown) by
// rented $/M output tokens, then the systems that could not serve; ties by name.
Result<std::vector<SystemComparison>> CompareSystems(
    const Catalog& catalog, const EfficiencyTable& table, const EconomicsData& data,
    const EconomicsOptions& options, const SetupOptions& base,
    const std::vector<std::string>& hardware, const SloWorkload& workload);

}  // namespace perftco

#endif  // PERFTCO_COMPARE_H_
