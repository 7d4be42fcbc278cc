// The economics scenario kinds of scenarios/*.yaml: each parses its file, computes its numbers
// here, and leaves the printing to the front end (tools/cli/economics_scenarios.cc).
//
//   model-size-cost           a large and a small model on one system, with and without margin
//   memory-per-dollar         HBM capacity and bandwidth per dollar across systems
//   fleet-tokens-per-person   a share of a vendor's yearly shipments serving the world
//   datacenter-consolidation  old CPU servers replaced, freed power filled with AI systems
//   workload-cost             workloads on one setup at one TPOT target, in dollars
#ifndef PERFTCO_ECONOMICS_SCENARIO_H_
#define PERFTCO_ECONOMICS_SCENARIO_H_

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "perftco/catalog.h"
#include "perftco/compare.h"
#include "perftco/datacenter.h"
#include "perftco/economics_data.h"
#include "perftco/efficiency.h"
#include "perftco/scenario.h"

namespace perftco {

// Everything a scenario computation reads.
struct EconomicsContext {
  const Catalog& catalog;
  const EfficiencyTable& efficiency;
  const EconomicsData& data;
};

// An explicit, changeable assumption of a scenario, with where it came from.
struct ScenarioAssumption {
  double value = 0;
  std::string source;  // empty for a stated assumption without a source
  std::string date;
  std::string note;
};

// ---- model-size-cost ----
struct ModelSizeCostScenario {
  std::string name, description;
  SetupOptions base;                // hardware, precisions (model filled per row)
  std::vector<std::string> models;  // the first is the baseline of the ratios
  SloWorkload workload;
  std::vector<double> margins;  // gross margins to price the baseline with
  EconomicsOptions economics;
};
struct ModelSizeCostResult {
  ModelSizeCostScenario scenario;
  std::vector<SystemComparison> rows;  // one per model, in scenario order
};
Result<ModelSizeCostResult> RunModelSizeCost(const EconomicsContext& ctx, const YAML::Node& root,
                                             const std::string& path);

// ---- memory-per-dollar ----
struct MemoryPerDollarScenario {
  std::string name, description;
  std::vector<std::string> hardware;  // empty: the whole catalog
  std::string focus;                  // the system the claim is about
  EconomicsOptions economics;
};
struct MemoryRow {
  std::string hardware;
  double hbm_gb = 0;
  double hbm_tbps = 0;
  ChipEconomics chip;
  MemoryValue value;
};
// The price at which `focus` would lead one ranking (ties included).
struct BreakEven {
  std::string metric;  // e.g. "HBM GB per 1000 USD at purchase"
  std::string leader;  // the current leader without the focus system
  double leader_value = 0;
  double focus_price = 0;  // USD per chip (purchase, system price) or USD per chip-hour (rental)
};
struct MemoryPerDollarResult {
  MemoryPerDollarScenario scenario;
  std::vector<MemoryRow> rows;        // catalog order
  std::vector<BreakEven> break_even;  // only when the focus price is unknown
};
Result<MemoryPerDollarResult> RunMemoryPerDollar(const EconomicsContext& ctx,
                                                 const YAML::Node& root, const std::string& path);

// ---- fleet-tokens-per-person ----
struct FleetTokensScenario {
  std::string name, description;
  SetupOptions base;  // model, hardware, precisions
  SloWorkload workload;
  ScenarioAssumption shipments;    // chips shipped per year
  ScenarioAssumption share;        // fraction of the shipments serving
  ScenarioAssumption utilisation;  // average load / throughput at the TPOT target
  ScenarioAssumption population;
  double claim_tokens_per_s_per_person = 0;
  EconomicsOptions economics;
};
struct FleetTokensResult {
  FleetTokensScenario scenario;
  SystemComparison system;
  double serving_chips = 0;
  double fleet_output_tokens_per_s = 0;
  double output_tokens_per_s_per_person = 0;
  double required_tokens_per_s_per_chip = 0;  // for the claim, at the same utilisation
  double ceiling_tokens_per_s_per_chip = 0;   // peak FLOP/s / (2 x active parameters)
  double ceiling_tokens_per_s_per_person = 0;
  std::optional<Dollars> yearly_cost;  // owned TCO of the serving chips
};
Result<FleetTokensResult> RunFleetTokens(const EconomicsContext& ctx, const YAML::Node& root,
                                         const std::string& path);

// ---- datacenter-consolidation ----
struct ReplacementOption {
  CpuServerSpec server;  // with per_core_perf filled (from data or the scenario)
  std::string per_core_note;
};
struct ConsolidationScenario {
  std::string name, description;
  SiteSpec site;
  CpuServerSpec old_server;
  int64_t old_count = 0;  // 0: as many as the site can power
  std::vector<ReplacementOption> replacements;
  double claim_old_servers_per_new = 0;
  SetupOptions ai_base;
  SloWorkload ai_workload;
  EconomicsOptions economics;
};
struct ConsolidationResult {
  ConsolidationScenario scenario;
  SystemComparison ai;
  AiSystemSpec ai_system;
  std::vector<SitePlan> plans;  // one per replacement
};
Result<ConsolidationResult> RunConsolidation(const EconomicsContext& ctx, const YAML::Node& root,
                                             const std::string& path);

// ---- workload-cost ----
struct WorkloadCostResult {
  WorkloadComparisonScenario scenario;
  EconomicsOptions economics;
  std::shared_ptr<Setup> setup;
  std::vector<WorkloadResult> rows;
  ChipEconomics chip;
  std::vector<TokenEconomics> tokens;  // per row
};
Result<WorkloadCostResult> RunWorkloadCost(const EconomicsContext& ctx, const YAML::Node& root,
                                           const std::string& path);

// The scenario kinds above, for dispatch and error messages.
const std::vector<std::string>& EconomicsScenarioKinds();

}  // namespace perftco

#endif  // PERFTCO_ECONOMICS_SCENARIO_H_
