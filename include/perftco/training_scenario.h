// Scenario kinds of the training module: parsing (scenarios/*.yaml) and running them.
//
//   rl-step                      one RL step in several pipeline / pool variants
//   training-cluster-comparison  time and cost to train one model on clusters of equal cost
//   training-reliability         goodput and lost money as the cluster grows
//   training-validation          predictions against published training runs
// The CLI prints the results (tools/cli/run_command.cc).
#ifndef PERFTCO_TRAINING_SCENARIO_H_
#define PERFTCO_TRAINING_SCENARIO_H_

#include <yaml-cpp/yaml.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "perftco/catalog.h"
#include "perftco/efficiency.h"
#include "perftco/rl.h"
#include "perftco/training.h"
#include "perftco/training_run.h"

namespace perftco {

// ---- rl-step ----
struct RlVariant {
  std::string name;
  PoolLayout pools = PoolLayout::kShared;
  RlPipeline pipeline = RlPipeline::kSynchronous;
  int chips = 0;          // shared
  int rollout_chips = 0;  // split
  int train_chips = 0;
  std::optional<int> rollout_tp;
  std::optional<KeepRule> keep;
  std::optional<double> pass_rate;
};
struct RlScenario {
  std::string name;
  std::string description;
  std::string model;
  std::string hardware;
  std::string rollout_precision = "bf16";
  std::optional<double> usd_per_chip_hour;
  RlConfig config;
  std::vector<RlVariant> variants;
};
struct RlVariantResult {
  RlVariant variant;
  RlConfig config;
  std::unique_ptr<CostModelRolloutGenerator> generator;
  RlStepResult step;
};
Result<RlScenario> ParseRlScenario(const YAML::Node& root, const std::string& path);
Result<std::vector<RlVariantResult>> RunRlScenario(const Catalog& catalog,
                                                   const EfficiencyTable& table,
                                                   const std::string& data_dir,
                                                   const RlScenario& s);

// ---- training-cluster-comparison ----
struct ClusterSpec {
  std::string name;
  std::string hardware;
  int chips = 0;              // 0: as many as `equal_cost_to` costs
  double usd_per_chip = 0;    // purchase price per chip, system share included
  std::string price_source;   // a source, or "ASSUMPTION: ..."
  std::string equal_cost_to;  // name of another cluster
  int round_to = 1;           // chips come in units of this (a rack, a server)
};
struct ClusterComparisonScenario {
  std::string name;
  std::string description;
  std::string model;
  std::string precision = "bf16";
  TrainingWorkload workload;  // train_tokens set
  ReliabilityParams reliability;
  std::vector<ClusterSpec> clusters;
};
struct ClusterResult {
  ClusterSpec cluster;
  int chips = 0;
  double capex_usd = 0;
  double chip_power_mw = 0;  // TDP x chips; 0 when the TDP is unknown
  TrainingStep step;
  TrainingRun run;
  std::unique_ptr<TrainingModel> model;
};
Result<ClusterComparisonScenario> ParseClusterComparison(const YAML::Node& root,
                                                         const std::string& path);
Result<std::vector<ClusterResult>> RunClusterComparison(const Catalog& catalog,
                                                        const EfficiencyTable& table,
                                                        const ClusterComparisonScenario& s);

// ---- training-reliability ----
struct ReliabilityScenario {
  std::string name;
  std::string description;
  std::string model;
  std::string hardware;
  TrainingWorkload workload;
  std::vector<int> chips;
  std::vector<double> restart_minutes;  // one row per (chips, restart)
  bool scale_batch_with_chips = false;  // weak scaling: the batch grows with the chips
  std::optional<double> usd_per_chip_hour;
  ReliabilityParams reliability;
};
struct ReliabilityRow {
  int chips = 0;
  double restart_minutes = 0;
  TrainingStep step;
  TrainingRun run;
};
struct ReliabilityScenarioResult {
  ChipHourPrice price;
  std::vector<ReliabilityRow> rows;
};
Result<ReliabilityScenario> ParseReliabilityScenario(const YAML::Node& root,
                                                     const std::string& path);
Result<ReliabilityScenarioResult> RunReliabilityScenario(const Catalog& catalog,
                                                         const EfficiencyTable& table,
                                                         const std::string& data_dir,
                                                         const ReliabilityScenario& s);

// ---- training-validation ----
enum class ValidationMetric { kMfu, kChipHours };
struct ValidationRun {
  std::string name;
  TrainingSetupOptions setup;
  int chips = 0;
  TrainingWorkload workload;
  PlanConstraints plan;
  ValidationMetric metric = ValidationMetric::kMfu;
  double published = 0;
  std::string source;
  std::string note;
};
struct ValidationScenario {
  std::string name;
  std::string description;
  std::vector<ValidationRun> runs;
};
struct ValidationRow {
  ValidationRun run;
  TrainingStep step;
  double predicted = 0;  // chip-hours include failures (goodput) for kChipHours
  double predicted_no_failures = 0;
  double error = 0;  // predicted / published - 1
};
Result<ValidationScenario> ParseValidationScenario(const YAML::Node& root, const std::string& path,
                                                   const std::string& data_dir);
Result<std::vector<ValidationRow>> RunValidation(const Catalog& catalog,
                                                 const EfficiencyTable& table,
                                                 const ValidationScenario& s);

}  // namespace perftco

#endif  // PERFTCO_TRAINING_SCENARIO_H_
