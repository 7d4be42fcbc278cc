// Latency-bounded serving: the highest request rate at which the event simulation still meets
// p99 TTFT and TPOT limits (MLPerf Server and Interactive), found by bracketing and bisection.
// docs/models/serving-simulator.md has the method and its tolerance.
#ifndef PERFTCO_RATE_SEARCH_H_
#define PERFTCO_RATE_SEARCH_H_

#include <functional>
#include <string>

#include "perftco/simulate.h"

namespace perftco {

struct RateSearchOptions {
  double start_rate = 1.0;           // requests/s of the first trial
  double relative_tolerance = 0.01;  // stop when the bracket's width is below this share
  int max_trials = 60;
};

struct RateSearchResult {
  double rate = 0;            // the highest rate found to meet the limits
  double failing_rate = 0;    // the lowest rate found to break them
  SimulationSummary summary;  // the run at `rate`
  int trials = 0;
  std::string binding;  // which limit the failing rate broke: "TTFT", "TPOT" or both
};

// One simulation at a request rate. It must be deterministic (a fixed seed and request count),
// so that the search is.
using RateTrial = std::function<Result<SimulationSummary>(double rate)>;

// Doubles or halves from options.start_rate until the limits are met at one rate and broken at
// the next, then bisects. Errors: no limit given; a limit below what the system reaches unloaded
// (the limits are broken even at start_rate / 2^20), naming the p99 it reaches there; a trial's
// error; limits met even at start_rate x 2^40 (say so: the workload never loads the system).
Result<RateSearchResult> FindMaxRate(const RateTrial& trial, const LatencyLimits& limits,
                                     const RateSearchOptions& options = {});

// Published latency limits of a benchmark: MLPerf Inference (loadgen/mlperf.conf) for the models
// it runs, in data/latency_limits.yaml. `scenario` is "server" or "interactive".
struct LatencyLimitTable {
  struct Entry {
    std::string model, scenario;
    LatencyLimits limits;
    std::string source;
  };
  std::vector<Entry> entries;
  static Result<LatencyLimitTable> Load(const std::string& data_dir);
  // The entry for a catalog model name and scenario; nullptr when the benchmark has none.
  const Entry* Find(const std::string& model, const std::string& scenario) const;
};

}  // namespace perftco

#endif  // PERFTCO_RATE_SEARCH_H_
