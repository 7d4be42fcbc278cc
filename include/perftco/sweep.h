// Sweeps (`perftco sweep FILE.yaml`): a grid and/or a list of points over scenario fields, each
// evaluated with the static-batch estimate, one CSV row per point (docs/sweep.md).
#ifndef PERFTCO_SWEEP_H_
#define PERFTCO_SWEEP_H_

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "perftco/catalog.h"
#include "perftco/economics_data.h"
#include "perftco/efficiency.h"
#include "perftco/status.h"
#include "perftco/tco.h"

namespace perftco {

// How each point is evaluated: the static-batch estimate, or the serving simulation.
enum class SweepMode { kEstimate, kSimulate };

// The fields a sweep may vary. Estimate: the scenario setup keys and the workload (isl, osl,
// batch, tpot_slo_ms: the largest batch within the target instead of `batch`). Simulate: the
// keys of a `kind: simulate` scenario (arrivals, lengths, scheduler, ...), without
// disaggregation and latency-bounded searches.
const std::vector<std::string>& SweepFields(SweepMode mode = SweepMode::kEstimate);

struct SweepSpec {
  SweepMode mode = SweepMode::kEstimate;
  std::string name;
  std::string description;
  YAML::Node base;  // fields every point shares
  // The grid: every combination of the axes' values, the last axis fastest.
  std::vector<std::pair<std::string, std::vector<YAML::Node>>> grid;
  std::vector<YAML::Node> list;  // extra fields per list entry; empty: one entry of none
  EconomicsOptions economics;
  std::vector<std::string> columns;  // the varied fields, in order: grid axes, then list keys
  uint64_t points = 0;               // grid combinations x list entries
};

// The most points a sweep runs without `force`.
constexpr uint64_t kMaxSweepPointsWithoutForce = 10'000'000;

// Reads a `kind: sweep` file. Unknown fields (top level, axes, list keys) fail naming the field
// and the closest valid one; so do an empty grid axis and, without `force`, a sweep of more
// than kMaxSweepPointsWithoutForce points.
Result<SweepSpec> ParseSweep(const YAML::Node& root, const std::string& path, bool force = false);

// The fields of point `index` (0 <= index < points): base, then its grid values, then its list
// entry.
YAML::Node SweepPoint(const SweepSpec& spec, uint64_t index);

// The output columns after the varied fields.
const std::vector<std::string>& SweepResultColumns(SweepMode mode = SweepMode::kEstimate);

// One evaluated point: its varied fields' values and the results, as CSV cells. A point that
// cannot be served (does not fit, misses the target) is a row with the reason in `status`.
struct SweepRow {
  uint64_t index = 0;
  std::vector<std::string> cells;  // columns, then SweepResultColumns()
  bool ok = false;
};

SweepRow EvaluateSweepPoint(const Catalog& catalog, const EfficiencyTable& table,
                            const EconomicsData& economics, const SweepSpec& spec, uint64_t index);

// Evaluates every point not in `done` on `jobs` threads and returns all rows in index order;
// `on_row` (may be empty) sees each new row as it completes, from one thread at a time. The rows
// do not depend on `jobs`. With `limit` > 0 at most that many new points are evaluated (the
// others come back with an empty `cells`): an interrupted run, for tests of resuming. With
// `shards` > 1 only the points with index % shards == shard are evaluated (one MPI rank's
// share); the rest come back empty.
std::vector<SweepRow> RunSweep(const Catalog& catalog, const EfficiencyTable& table,
                               const EconomicsData& economics, const SweepSpec& spec, int jobs,
                               std::vector<SweepRow> done,
                               const std::function<void(const SweepRow&)>& on_row,
                               uint64_t limit = 0, uint64_t shard = 0, uint64_t shards = 1);

// The header and rows as CSV (RFC 4180 quoting), with a `pareto` column when `pareto` names two
// result columns ("x,y"; a leading '-' minimises that one): 1 on the non-dominated rows.
Result<std::string> SweepCsv(const SweepSpec& spec, const std::vector<SweepRow>& rows,
                             const std::string& pareto);

// One CSV line of cells (quoted where needed), with its newline.
std::string CsvLine(const std::vector<std::string>& cells);

}  // namespace perftco

#endif  // PERFTCO_SWEEP_H_
