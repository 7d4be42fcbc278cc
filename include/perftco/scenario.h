// Scenario files (scenarios/*.yaml): a named, runnable question with its setup and workloads.
#ifndef PERFTCO_SCENARIO_H_
#define PERFTCO_SCENARIO_H_

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "perftco/estimate.h"
#include "perftco/setup.h"

namespace perftco {

struct WorkloadSpec {
  std::string name;
  int64_t isl = 0;
  int64_t osl = 0;
};

// A scenario of kind `workload-comparison`: several workloads on one setup at one TPOT target.
struct WorkloadComparisonScenario {
  std::string name;
  std::string description;
  SetupOptions setup;
  Seconds tpot_slo;
  std::vector<WorkloadSpec> workloads;  // the first is the baseline of the ratios
};

// Reads a scenario file. Unknown keys fail naming the key and the closest valid one.
Result<YAML::Node> LoadScenarioYaml(const std::string& path);
std::string ScenarioKind(const YAML::Node& root);
Result<WorkloadComparisonScenario> ParseWorkloadComparison(const YAML::Node& root,
                                                           const std::string& path);
// The setup keys every scenario kind accepts (model, hardware, chips, tp, ..., engine).
const std::vector<std::string>& ScenarioSetupKeys();
// Reads the setup keys (model, hardware, chips, tp, pp, ep, precision, ...) of a scenario.
Status ParseSetupKeys(const YAML::Node& root, const std::string& path, SetupOptions* out);

// One workload's result at the TPOT target.
struct WorkloadResult {
  WorkloadSpec workload;
  int64_t max_batch = 0;  // by KV capacity
  int64_t batch = 0;      // largest within the TPOT target
  EstimatePoint point;    // at that batch
  double kv_gb_per_sequence = 0;
  double chip_seconds_per_query = 0;
};

Result<std::vector<WorkloadResult>> CompareWorkloads(const CostModel& cost,
                                                     const std::vector<WorkloadSpec>& workloads,
                                                     Seconds tpot_slo);

}  // namespace perftco

#endif  // PERFTCO_SCENARIO_H_
