// Scenario kinds built on the plan search (scenarios/*.yaml, run by `perftco run`):
//   smallest-slice            the fewest chips of each system that hold a model, per precision;
//   interactivity-comparison  systems (and models) compared at equal tokens per second per user,
//                             each with its best layout, as throughput per chip.
#ifndef PERFTCO_PLAN_SCENARIO_H_
#define PERFTCO_PLAN_SCENARIO_H_

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "perftco/catalog.h"
#include "perftco/economics_data.h"
#include "perftco/efficiency.h"
#include "perftco/serving_plan.h"
#include "perftco/tco.h"

namespace perftco {

// kind: smallest-slice.
struct SmallestSliceScenario {
  std::string name;
  std::string description;
  SetupOptions base;                    // model, engine, kv precision (hardware per row)
  std::vector<std::string> hardware;    // empty in the file: every catalog system
  std::vector<std::string> precisions;  // weight formats
  int64_t isl = 1000;
  int64_t osl = 1000;
  int64_t min_batch = 1;  // sequences of isl + osl the slice must hold besides the weights
  int max_chips = 4096;
};

struct SliceRow {
  std::string hardware;
  std::string precision;
  Status status;  // why no slice up to max_chips holds the model
  std::optional<SmallestSlice> slice;
  Precision compute = Precision::kBf16;  // the format the matrix units run (fp4 -> fp8 on Hopper)
};

struct SmallestSliceReport {
  SmallestSliceScenario scenario;
  ModelConfig model;
  std::vector<SliceRow> rows;  // hardware-major, in scenario order, then precision
};

Result<SmallestSliceScenario> ParseSmallestSlice(const Catalog& catalog, const YAML::Node& root,
                                                 const std::string& path);
Result<SmallestSliceReport> RunSmallestSlice(const Catalog& catalog, const EfficiencyTable& table,
                                             const SmallestSliceScenario& scenario);

// kind: interactivity-comparison.
struct SystemSpec {
  std::string label;
  std::string hardware;
  int chips = 0;
  std::string precision;
  std::string note;        // what this system changes (printed with the explanation)
  std::string compare_to;  // label of the system its ratios are explained against (default: the
                           // previous one)
};

struct InteractivityScenario {
  std::string name;
  std::string description;
  std::vector<std::string> models;
  SetupOptions base;  // engine, kv precision, speculation
  int64_t isl = 0;
  int64_t osl = 0;
  std::vector<double> targets;      // tokens per second per user
  std::vector<SystemSpec> systems;  // the first is the baseline of the ratios
};

struct SystemResult {
  SystemSpec spec;
  Status status;  // the search failed (nothing fits)
  std::optional<PlanSearchResult> search;
  ChipEconomics chip;
  // Over the feasible layouts: the fewest chips per replica, and that replica's KV capacity.
  int smallest_replica = 0;
  std::string smallest_plan;
  int64_t smallest_max_batch = 0;
  // One per target: the best layout (or why none meets the target).
  std::vector<std::optional<LayoutAtTarget>> at_target;
  std::vector<std::string> misses;
  std::vector<std::optional<TokenEconomics>> money;
};

struct ModelComparison {
  std::string model;      // canonical catalog name
  std::string requested;  // as the scenario names it (an alias such as deepseek-r1)
  std::vector<SystemResult> systems;
};

struct InteractivityReport {
  InteractivityScenario scenario;
  std::vector<ModelComparison> models;
};

Result<InteractivityScenario> ParseInteractivityComparison(const YAML::Node& root,
                                                           const std::string& path);
// `economics` (optional, borrowed) prices every point at the default TCO assumptions.
Result<InteractivityReport> RunInteractivityComparison(const Catalog& catalog,
                                                       const EfficiencyTable& table,
                                                       const InteractivityScenario& scenario,
                                                       const EconomicsData* economics);

}  // namespace perftco

#endif  // PERFTCO_PLAN_SCENARIO_H_
