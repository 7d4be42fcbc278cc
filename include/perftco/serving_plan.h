// Serving layouts of a model on a chip budget: enumerate every parallel plan the model and the
// system allow, evaluate each with the cost model, and pick (`perftco plan`, the plan scenarios,
// and the serving simulator's choice of plan). docs/models/parallelism.md, "Plan search".
#ifndef PERFTCO_SERVING_PLAN_H_
#define PERFTCO_SERVING_PLAN_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "perftco/catalog.h"
#include "perftco/efficiency.h"
#include "perftco/estimate.h"
#include "perftco/setup.h"
#include "perftco/token_cost.h"

namespace perftco {

struct PlanSearchOptions {
  // Model, hardware, engine, KV format, speculative decoding and micro-batches; its chips, tp,
  // pp, ep and dp_attention are what the search chooses and are ignored.
  SetupOptions base;
  int chips = 0;  // the budget; a layout uses tp x pp x replicas <= chips
  int64_t isl = 0;
  int64_t osl = 0;
  std::optional<Seconds> tpot_slo;      // none: best at the largest batch that fits
  std::vector<std::string> precisions;  // weight formats to try; empty: base.precision
  // Economics of the reported points (optional, borrowed): $/M tokens on this chip's TCO.
  const ChipEconomics* chip_economics = nullptr;
  double margin = 0;
};

// One layout, evaluated: its memory and its throughput-interactivity curve.
struct LayoutResult {
  std::shared_ptr<Setup> setup;  // plan (replicas filled), precisions, the cost model
  std::string precision;         // the weight format as asked ("fp8", "fp4", ...)
  int chips_used = 0;
  int64_t max_batch = 0;                // sequences of isl + osl one replica holds
  std::vector<EstimatePoint> curve;     // batches 1, 2, 4, ... and max_batch
  std::optional<EstimatePoint> at_slo;  // the largest batch within the TPOT target
  std::string slo_miss;                 // why no batch meets the target (when at_slo is empty)

  // The point this layout is ranked by: at_slo with a target, else the largest batch.
  const EstimatePoint* Ranked(bool with_slo) const;
};

// A layout the search could not use, and why (ValidatePlan's or the memory check's reason).
struct RejectedLayout {
  ParallelPlan plan;
  std::string precision;
  std::string reason;
};

// A point on the Pareto front of throughput per chip against tokens per second per user.
struct FrontPoint {
  size_t layout = 0;  // index into PlanSearchResult::feasible
  EstimatePoint point;
  std::optional<TokenEconomics> money;
};

struct PlanSearchResult {
  PlanSearchOptions options;
  ModelConfig model;
  Hardware hardware;
  std::vector<LayoutResult> feasible;  // ranked: best first
  std::vector<RejectedLayout> rejected;
  bool has_best = false;  // some layout meets the target (or, without one, any fits)
  std::optional<TokenEconomics> best_money;  // of feasible[0]'s ranked point
  std::vector<FrontPoint> pareto;            // rising tokens/s/user, falling throughput/chip
};

// Enumerates tp (powers of two within the domain, the domain, the budget; whole domains with
// dp-attention), pp (powers of two and what fills the budget, up to the layers), ep (1 and the
// largest that divides tp and the experts) and dp-attention (MoE models) for each precision;
// keeps the layouts that pass ValidatePlan and hold at least one sequence of isl + osl tokens.
// Fails on bad options, or when no layout is feasible (naming the most common reason).
Result<PlanSearchResult> SearchPlans(const Catalog& catalog, const EfficiencyTable& table,
                                     const PlanSearchOptions& options);

// The best feasible layout at a TPOT target: each layout's largest batch within it, the highest
// output throughput per chip wins (ties: fewer chips per replica, then the plan's name). Fails
// when no layout meets the target, with the fastest batch-1 TPOT found.
struct LayoutAtTarget {
  size_t layout = 0;
  EstimatePoint point;
};
Result<LayoutAtTarget> BestAtTpot(const PlanSearchResult& result, Seconds tpot_slo);

// Prefill/decode disaggregation (xPyD) on the chip budget, from the layouts of an aggregated
// search: x prefill workers of one layout beside y decode workers of another (same weight and KV
// formats). A prefill worker's rate is the best B / TTFT(B) over its batch curve within the TTFT
// target (less the KV transfer); a decode worker's B / (osl x TPOT(B)) at the largest batch within
// the TPOT target, decoding only. The system serves min(x Rp, y Rd) requests/s on x cp + y cd
// chips (DistServe, OSDI 2024: each phase placed and parallelised on its own, ranked by goodput
// per chip). docs/models/parallelism.md, "Disaggregated plans".
struct DisaggChoice {
  size_t prefill_layout = 0, decode_layout = 0;  // indices into PlanSearchResult::feasible
  int prefill_workers = 0, decode_workers = 0;
  int prefill_chips = 0, decode_chips = 0;
  int64_t prefill_batch = 0, decode_batch = 0;  // prompts per prefill step, decode sequences
  double requests_per_s = 0;
  double output_tokens_per_s_per_chip = 0;
  double prefill_utilization = 0, decode_utilization = 0;  // of the pool's capacity
  Seconds ttft;  // prefill of its batch plus the KV transfer
  Seconds tpot;
  Seconds kv_transfer;
  std::string Name(const PlanSearchResult& r) const;  // "2 x tp4 prefill + 1 x tp8 decode"
};
struct DisaggComparison {
  std::optional<DisaggChoice> disaggregated;  // the best xPyD, when one meets the targets
  // The best aggregated layout at the same targets, under continuous batching: TTFT one prompt's
  // prefill, TPOT the decode step plus the prefills worked in between (batch / osl per step).
  std::optional<size_t> aggregated_layout;
  std::optional<EstimatePoint> aggregated_point;
  int64_t combinations = 0;                              // xPyD candidates evaluated
  std::string Verdict(const PlanSearchResult& r) const;  // which wins, by how much
};
// Fails when the search has no feasible layout; the comparison may hold neither side when no
// layout meets the targets.
Result<DisaggComparison> CompareDisaggregated(const PlanSearchResult& result,
                                              std::optional<Seconds> ttft_slo,
                                              std::optional<Seconds> tpot_slo);

// Indices of the points not dominated in (x, y), both to be maximised, sorted by rising x.
std::vector<size_t> ParetoFront(const std::vector<std::pair<double, double>>& points);

// The throughput a point of `plan` stands for, per chip (prefill rate from its TTFT); chips: the
// plan's.
Throughput PointThroughput(const ParallelPlan& plan, const EstimatePoint& point, int64_t isl);
// The same for a layout of the search (chips: those it uses).
Throughput PointThroughput(const LayoutResult& layout, const EstimatePoint& point, int64_t isl);

// The smallest slice of a system that holds the model: the fewest chips per replica over every
// layout the search would consider, holding `min_batch` sequences of isl + osl tokens. Ties go to
// the faster batch-1 TPOT. Fails when no layout up to `max_chips` holds it.
struct SmallestSlice {
  LayoutResult layout;  // curve holds the batch-1 point; max_batch at that size
};
Result<SmallestSlice> FindSmallestSlice(const Catalog& catalog, const EfficiencyTable& table,
                                        const SetupOptions& base, int64_t isl, int64_t osl,
                                        int64_t min_batch, int max_chips);

}  // namespace perftco

#endif  // PERFTCO_SERVING_PLAN_H_
