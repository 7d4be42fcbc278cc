// Predicting published measurements and summarising the errors: `perftco validate`.
#ifndef PERFTCO_VALIDATION_H_
#define PERFTCO_VALIDATION_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "perftco/catalog.h"
#include "perftco/cost_model.h"
#include "perftco/efficiency.h"
#include "perftco/measured.h"
#include "perftco/rate_search.h"
#include "perftco/simulate.h"
#include "perftco/speculative.h"

namespace perftco {

// A measured point resolved against the catalog once, so that it can be predicted cheaply many
// times (calibration). `unmodelled` says why it cannot be predicted; empty when it can.
struct PreparedPoint {
  MeasuredPoint point;
  std::string unmodelled;
  std::string family;  // hardware family: the calibration group
  std::string config;  // configuration key: the cross-validation group
  std::string regime;  // batch-1, moe, long-context, or the scenario
  std::shared_ptr<const ModelConfig> model;
  std::shared_ptr<const Hardware> hardware;
  ParallelPlan plan;  // disaggregated: the prefill pool's (its replicas are the pool's workers)
  std::optional<ParallelPlan> decode_plan;  // disaggregated: the decode pool's
  LatencyLimits limits;  // latency-bounded rows: predicted at the highest rate meeting them
  Precisions precisions;
  EngineMemory engine;
  SpeculativeDecoding speculative;   // from the spec_decoding column and the notes
  std::vector<std::string> assumed;  // what the source left out and was chosen ("layout ...")
};

// How PreparePoints fills what a source leaves out.
struct PrepareOptions {
  // Weight format of rows without one: "native" (the checkpoint's, ModelConfig::native_precision)
  // or "best" (the narrowest the chip runs; ResolveWeightPrecision).
  std::string default_precision = "native";
  // With a table, rows without tp / pp / ep take the layout the plan search finds best for their
  // chips and scenario (the vendor's tuning); without one, tp = all chips.
  const EfficiencyTable* efficiency = nullptr;
  // Published limits for latency-bounded rows (`interactive`, or `server` without a rate) that
  // state none; without a table such rows are unmodelled.
  const LatencyLimitTable* latency_limits = nullptr;
};

// Resolves names, precisions, parallelism and engine settings of each point.
std::vector<PreparedPoint> PreparePoints(const Catalog& catalog,
                                         const std::vector<MeasuredPoint>& points,
                                         const PrepareOptions& options = {});

// True for points predicted by the serving simulator (closed loops, Poisson servers, offline
// TTFT) rather than by the static-batch estimate; calibration fits on the others only.
bool NeedsSimulation(const MeasuredPoint& p);

// The predicted value of the point's metric under `eff`, in the metric's unit; an error when the
// point cannot be predicted (the message says why).
Result<double> PredictPoint(const PreparedPoint& p, const Efficiency& eff);

// Error statistics of signed percentage errors.
struct ErrorStats {
  int count = 0;
  double median_abs_pct = 0;
  double p90_abs_pct = 0;  // 90th percentile of |error|, interpolated between order statistics
  double mean_abs_pct = 0;
  double median_signed_pct = 0;
  double within_10 = 0;  // share of points with |error| <= 10%
  double within_25 = 0;
};
ErrorStats ComputeErrorStats(std::vector<double> signed_errors_pct);

struct PointResult {
  const PreparedPoint* prepared = nullptr;
  bool modelled = false;
  std::string reason;  // why unmodelled
  double predicted = 0;
  double error_pct = 0;  // (predicted - measured) / measured x 100
};

struct ValidationReport {
  std::vector<PointResult> results;  // in input order
  ErrorStats overall;
  ErrorStats throughput;  // throughput metrics only (*_tok_s_per_chip, request_s_per_chip)
  std::map<std::string, ErrorStats> by_metric, by_hardware, by_model, by_source, by_regime,
      by_scenario;
  int unmodelled = 0;
  std::map<std::string, int> unmodelled_reasons;
};

// Predicts every point with the table's efficiency for its family.
ValidationReport Validate(const std::vector<PreparedPoint>& points, const EfficiencyTable& table);

// True for the metrics that measure throughput (the guarded error of the test suite).
bool IsThroughputMetric(const std::string& metric);

}  // namespace perftco

#endif  // PERFTCO_VALIDATION_H_
