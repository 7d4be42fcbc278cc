#include "perftco/serving_plan.h"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <tuple>

#include "perftco/limits.h"

namespace perftco {
namespace {

// Builds the Setup of one layout from a base resolved once (names, engine, efficiency and
// speculation looked up a single time; each layout only constructs its cost model).
class LayoutFactory {
 public:
  static Result<LayoutFactory> Create(const Catalog& catalog, const EfficiencyTable& table,
                                      const SetupOptions& base) {
    LayoutFactory f;
    f.base_ = base;
    PERFTCO_ASSIGN_OR_RETURN(f.model_, catalog.FindModel(base.model));
    PERFTCO_ASSIGN_OR_RETURN(f.hardware_, catalog.FindHardware(base.hardware));
    if (!f.model_.unsupported.empty()) {
      return Status::Error(f.model_.name + " cannot be predicted: " + f.model_.unsupported);
    }
    PERFTCO_ASSIGN_OR_RETURN(f.engine_, ResolveEngine(catalog, base));
    if (base.micro_batches < 0) {
      return Status::Error("--micro-batches must be at least 1 (or 0 for one per stage)");
    }
    PERFTCO_ASSIGN_OR_RETURN(f.base_.precision,
                             ResolveWeightPrecision(base.precision, f.model_, f.hardware_));
    PERFTCO_RETURN_IF_ERROR(ResolvePrecisions(f.base_).status());  // fail early on bad names
    PERFTCO_ASSIGN_OR_RETURN(f.spec_, ResolveSpeculative(catalog, f.model_, f.engine_, base));
    f.efficiency_ = table.For(f.hardware_.family);
    return f;
  }

  // A validated, fitting layout, or the reason it is not.
  Result<std::shared_ptr<Setup>> Make(ParallelPlan plan, const std::string& precision) const {
    if (plan.pp > 1) plan.micro_batches = base_.micro_batches;
    PERFTCO_RETURN_IF_ERROR(ValidatePlan(plan, model_, hardware_));
    auto setup = std::make_shared<Setup>();
    setup->model = model_;
    setup->hardware = hardware_;
    setup->plan = plan;
    SetupOptions asked = base_;
    PERFTCO_ASSIGN_OR_RETURN(asked.precision, ResolveWeightPrecision(precision, model_, hardware_));
    PERFTCO_ASSIGN_OR_RETURN(setup->precisions, ResolvePrecisions(asked));
    const Precisions& p = setup->precisions;
    setup->engine = engine_;
    setup->efficiency = efficiency_;
    setup->speculative = spec_;
    setup->cost =
        std::make_unique<CostModel>(model_, hardware_, plan, p, efficiency_, engine_, spec_);
    PERFTCO_RETURN_IF_ERROR(setup->cost->Fits());
    return setup;
  }

  const ModelConfig& model() const { return model_; }
  const std::string& precision() const { return base_.precision; }  // resolved to a format
  const Hardware& hardware() const { return hardware_; }

 private:
  SetupOptions base_;
  ModelConfig model_;
  Hardware hardware_;
  EngineMemory engine_;
  Efficiency efficiency_;
  SpeculativeDecoding spec_;
};

bool IsPowerOfTwo(int v) { return v > 0 && (v & (v - 1)) == 0; }

// Tensor-parallel sizes worth trying on `chips`: with all_divisors, every divisor of the heads
// within the domain (for the smallest slice); else powers of two, the domain and the budget.
// Beyond the domain, whole domains (only with dp-attention, for MoE models).
std::vector<int> TpCandidates(const ModelConfig& m, const Hardware& hw, int chips,
                              bool all_divisors) {
  const int domain = std::max(1, hw.scale_up.domain_chips);
  std::set<int> tps;
  for (int t = 1; t <= std::min(domain, chips); ++t) {
    const bool natural = IsPowerOfTwo(t) || t == domain || t == chips;
    const bool divides = m.heads % t == 0;
    if (all_divisors ? (divides || (m.IsMoe() && natural)) : natural) tps.insert(t);
  }
  if (m.IsMoe()) {
    for (int t = 2 * domain; t <= chips; t *= 2) tps.insert(t);
  }
  return {tps.begin(), tps.end()};
}

std::vector<int> PpCandidates(const ModelConfig& m, int tp, int chips) {
  std::set<int> pps;
  const int most = std::min(m.layers, chips / tp);
  for (int p = 1; p <= most; p *= 2) pps.insert(p);
  if (chips % tp == 0 && chips / tp <= m.layers) pps.insert(chips / tp);
  return {pps.begin(), pps.end()};
}

// (ep, dp_attention) pairs for a tensor-parallel size.
std::vector<std::pair<int, bool>> ExpertCandidates(const ModelConfig& m, const Hardware& hw,
                                                   int tp) {
  std::vector<std::pair<int, bool>> out;
  const bool beyond_domain = tp > std::max(1, hw.scale_up.domain_chips);
  std::vector<int> eps = {1};
  if (m.IsMoe()) {
    const int g = std::gcd(tp, m.moe.num_experts);
    if (g > 1) eps.push_back(g);
  }
  for (int ep : eps) {
    if (!beyond_domain) out.emplace_back(ep, false);
    if (m.IsMoe() && tp > 1) out.emplace_back(ep, true);
  }
  return out;
}

std::vector<int64_t> CurveBatches(int64_t max_batch) {
  std::vector<int64_t> b;
  for (int64_t x = 1; x < max_batch; x *= 2) b.push_back(x);
  b.push_back(max_batch);
  return b;
}

// Ranking key, smaller first.
auto RankKey(const LayoutResult& l, bool with_slo) {
  const EstimatePoint* p = l.Ranked(with_slo);
  return std::make_tuple(p ? 0 : 1, p ? -p->output_tokens_per_s_per_chip : 0.0,
                         l.setup->plan.ChipsPerReplica(), l.setup->plan.ToString(), l.precision);
}

}  // namespace

const EstimatePoint* LayoutResult::Ranked(bool with_slo) const {
  if (with_slo) return at_slo ? &*at_slo : nullptr;
  return curve.empty() ? nullptr : &curve.back();
}

std::vector<size_t> ParetoFront(const std::vector<std::pair<double, double>>& points) {
  std::vector<size_t> order(points.size());
  std::iota(order.begin(), order.end(), 0);
  // Highest x first; among equal x the highest y first; then index for determinism.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (points[a].first != points[b].first) return points[a].first > points[b].first;
    return points[a].second > points[b].second;
  });
  std::vector<size_t> front;
  double best_y = -std::numeric_limits<double>::infinity();
  for (size_t i : order) {
    if (points[i].second > best_y) {
      front.push_back(i);
      best_y = points[i].second;
    }
  }
  std::reverse(front.begin(), front.end());
  return front;
}

Throughput PointThroughput(const ParallelPlan& plan, const EstimatePoint& point, int64_t isl) {
  Throughput t;
  t.output_tokens_per_s_per_chip = point.output_tokens_per_s_per_chip;
  const double prefill_chip_seconds = point.ttft.value() * plan.ChipsPerReplica();
  if (prefill_chip_seconds > 0) {
    t.input_tokens_per_s_per_chip = static_cast<double>(point.batch * isl) / prefill_chip_seconds;
  }
  t.chips = plan.Chips();
  return t;
}

Throughput PointThroughput(const LayoutResult& layout, const EstimatePoint& point, int64_t isl) {
  Throughput t = PointThroughput(layout.setup->plan, point, isl);
  t.chips = layout.chips_used;
  return t;
}

Result<LayoutAtTarget> BestAtTpot(const PlanSearchResult& result, Seconds tpot_slo) {
  if (tpot_slo.value() <= 0) return Status::Error("the TPOT target must be positive");
  const int64_t isl = result.options.isl;
  const int64_t osl = result.options.osl;
  std::optional<LayoutAtTarget> best;
  std::string fastest;
  Seconds fastest_tpot(-1);
  for (size_t i = 0; i < result.feasible.size(); ++i) {
    const LayoutResult& l = result.feasible[i];
    const CostModel& cost = *l.setup->cost;
    auto batch = LargestBatchForTpot(cost, isl, osl, tpot_slo);
    if (!batch.ok()) {
      if (!l.curve.empty() && (fastest_tpot.value() < 0 || l.curve.front().tpot < fastest_tpot)) {
        fastest_tpot = l.curve.front().tpot;
        fastest = l.setup->plan.ToString() + " " + l.precision;
      }
      continue;
    }
    PERFTCO_ASSIGN_OR_RETURN(EstimatePoint p, EstimateBatch(cost, isl, osl, *batch));
    auto key = [&](const LayoutAtTarget& t) {
      const LayoutResult& r = result.feasible[t.layout];
      return std::make_tuple(-t.point.output_tokens_per_s_per_chip, r.setup->plan.ChipsPerReplica(),
                             r.setup->plan.ToString(), r.precision);
    };
    LayoutAtTarget candidate{i, p};
    if (!best || key(candidate) < key(*best)) best = candidate;
  }
  if (!best) {
    std::ostringstream os;
    os << "no layout of " << result.model.name << " on " << result.options.chips << " x "
       << result.hardware.name << " meets TPOT " << tpot_slo.value() * 1e3 << " ms";
    if (fastest_tpot.value() > 0) {
      os << ": the fastest, " << fastest << ", takes " << fastest_tpot.value() * 1e3
         << " ms per token at batch 1";
    }
    os << ": relax the target or add chips";
    return Status::Error(os.str());
  }
  return *best;
}

Result<PlanSearchResult> SearchPlans(const Catalog& catalog, const EfficiencyTable& table,
                                     const PlanSearchOptions& o) {
  if (o.chips < 1) return Status::Error("--chips must be positive (the chip budget)");
  PERFTCO_RETURN_IF_ERROR(CheckChips(o.chips));
  if (o.isl <= 0 || o.osl <= 0) {
    return Status::Error("--isl and --osl must be positive (got " + std::to_string(o.isl) +
                         " and " + std::to_string(o.osl) + ")");
  }
  if (o.tpot_slo && o.tpot_slo->value() <= 0) {
    return Status::Error("--tpot-slo-ms must be positive");
  }
  PERFTCO_ASSIGN_OR_RETURN(LayoutFactory factory, LayoutFactory::Create(catalog, table, o.base));
  const ModelConfig& m = factory.model();
  const Hardware& hw = factory.hardware();
  if (m.max_context > 0 && o.isl + o.osl > m.max_context) {
    return Status::Error("isl + osl = " + std::to_string(o.isl + o.osl) + " exceeds the " +
                         std::to_string(m.max_context) + "-token context of " + m.name);
  }
  std::vector<std::string> precisions;
  for (const auto& asked : o.precisions.empty() ? std::vector{o.base.precision} : o.precisions) {
    PERFTCO_ASSIGN_OR_RETURN(std::string p, ResolveWeightPrecision(asked, m, hw));
    if (std::find(precisions.begin(), precisions.end(), p) == precisions.end()) {
      precisions.push_back(p);
    }
  }

  PlanSearchResult r;
  r.options = o;
  r.model = m;
  r.hardware = hw;
  const bool with_slo = o.tpot_slo.has_value();
  for (const std::string& precision : precisions) {
    for (int tp : TpCandidates(m, hw, o.chips, /*all_divisors=*/false)) {
      for (int pp : PpCandidates(m, tp, o.chips)) {
        for (auto [ep, dpa] : ExpertCandidates(m, hw, tp)) {
          ParallelPlan plan{.tp = tp, .pp = pp, .ep = ep, .dp_attention = dpa};
          plan.replicas = std::max(1, o.chips / plan.ChipsPerReplica());
          auto setup = factory.Make(plan, precision);
          if (!setup.ok()) {
            r.rejected.push_back({plan, precision, setup.status().message()});
            continue;
          }
          LayoutResult l;
          l.setup = *setup;
          l.precision = precision;
          l.chips_used = plan.Chips();
          const CostModel& cost = *l.setup->cost;
          l.max_batch = cost.MaxSequences(o.isl + o.osl);
          if (l.max_batch < 1) {
            r.rejected.push_back({plan, precision,
                                  "no room for the KV cache of one sequence of " +
                                      std::to_string(o.isl + o.osl) + " tokens"});
            continue;
          }
          for (int64_t b : CurveBatches(l.max_batch)) {
            PERFTCO_ASSIGN_OR_RETURN(EstimatePoint p, EstimateBatch(cost, o.isl, o.osl, b));
            l.curve.push_back(std::move(p));
          }
          if (with_slo) {
            auto batch = LargestBatchForTpot(cost, o.isl, o.osl, *o.tpot_slo);
            if (batch.ok()) {
              PERFTCO_ASSIGN_OR_RETURN(EstimatePoint p, EstimateBatch(cost, o.isl, o.osl, *batch));
              l.at_slo = std::move(p);
            } else {
              l.slo_miss = batch.status().message();
            }
          }
          r.feasible.push_back(std::move(l));
        }
      }
    }
  }
  if (r.feasible.empty()) {
    std::map<std::string, int> reasons;
    for (const auto& x : r.rejected) ++reasons[x.reason];
    std::string common;
    int most = 0;
    for (const auto& [reason, n] : reasons) {
      if (n > most) {
        most = n;
        common = reason;
      }
    }
    return Status::Error("no layout of " + m.name + " fits on " + std::to_string(o.chips) + " x " +
                         hw.name + " (" + std::to_string(r.rejected.size()) +
                         " tried); most common reason: " + common);
  }
  std::stable_sort(r.feasible.begin(), r.feasible.end(),
                   [&](const LayoutResult& a, const LayoutResult& b) {
                     return RankKey(a, with_slo) < RankKey(b, with_slo);
                   });
  r.has_best = r.feasible.front().Ranked(with_slo) != nullptr;

  // The Pareto front over every evaluated point of every layout.
  std::vector<std::pair<double, double>> xy;
  std::vector<std::pair<size_t, const EstimatePoint*>> where;
  for (size_t i = 0; i < r.feasible.size(); ++i) {
    const LayoutResult& l = r.feasible[i];
    for (const EstimatePoint& p : l.curve) {
      xy.emplace_back(p.tokens_per_s_per_user, p.output_tokens_per_s_per_chip);
      where.emplace_back(i, &p);
    }
    if (l.at_slo) {
      xy.emplace_back(l.at_slo->tokens_per_s_per_user, l.at_slo->output_tokens_per_s_per_chip);
      where.emplace_back(i, &*l.at_slo);
    }
  }
  for (size_t k : ParetoFront(xy)) {
    FrontPoint f;
    f.layout = where[k].first;
    f.point = *where[k].second;
    if (o.chip_economics) {
      f.money = TokenCosts(*o.chip_economics, PointThroughput(r.feasible[f.layout], f.point, o.isl),
                           o.margin);
    }
    r.pareto.push_back(std::move(f));
  }
  if (r.has_best && o.chip_economics) {
    const LayoutResult& best = r.feasible.front();
    r.best_money = TokenCosts(*o.chip_economics,
                              PointThroughput(best, *best.Ranked(with_slo), o.isl), o.margin);
  }
  return r;
}

Result<SmallestSlice> FindSmallestSlice(const Catalog& catalog, const EfficiencyTable& table,
                                        const SetupOptions& base, int64_t isl, int64_t osl,
                                        int64_t min_batch, int max_chips) {
  PERFTCO_RETURN_IF_ERROR(CheckChips(max_chips, "the chip limit"));
  if (isl <= 0 || osl <= 0 || min_batch < 1 || max_chips < 1) {
    return Status::Error("the smallest slice needs positive isl, osl, batch and chip limit");
  }
  PERFTCO_ASSIGN_OR_RETURN(LayoutFactory factory, LayoutFactory::Create(catalog, table, base));
  const ModelConfig& m = factory.model();
  const Hardware& hw = factory.hardware();
  const int64_t context = isl + osl;
  // Holds the model and min_batch sequences: fit is monotone in pp (each stage holds fewer
  // layers and has more room for KV), so the fewest stages come from a binary search.
  auto holds = [&](const ParallelPlan& plan) -> std::shared_ptr<Setup> {
    auto s = factory.Make(plan, factory.precision());
    if (!s.ok() || (*s)->cost->MaxSequences(context) < min_batch) return nullptr;
    return *s;
  };
  std::optional<LayoutResult> best;
  Seconds best_tpot;
  for (int tp : TpCandidates(m, hw, max_chips, /*all_divisors=*/true)) {
    for (auto [ep, dpa] : ExpertCandidates(m, hw, tp)) {
      ParallelPlan plan{.tp = tp, .pp = 1, .ep = ep, .dp_attention = dpa};
      if (!ValidatePlan(plan, m, hw).ok()) continue;
      int lo = 1;
      int hi = std::min(m.layers, max_chips / tp);
      if (best) hi = std::min(hi, best->setup->plan.ChipsPerReplica() / tp);
      if (hi < 1) continue;
      plan.pp = hi;
      if (!holds(plan)) continue;
      while (lo < hi) {
        plan.pp = lo + (hi - lo) / 2;
        if (holds(plan)) {
          hi = plan.pp;
        } else {
          lo = plan.pp + 1;
        }
      }
      plan.pp = lo;
      std::shared_ptr<Setup> setup = holds(plan);
      PERFTCO_ASSIGN_OR_RETURN(EstimatePoint one, EstimateBatch(*setup->cost, isl, osl, 1));
      const int chips = plan.ChipsPerReplica();
      const bool better = !best || chips < best->setup->plan.ChipsPerReplica() ||
                          (chips == best->setup->plan.ChipsPerReplica() && one.tpot < best_tpot);
      if (!better) continue;
      LayoutResult l;
      l.setup = setup;
      l.precision = factory.precision();
      l.chips_used = chips;
      l.max_batch = setup->cost->MaxSequences(context);
      l.curve.push_back(one);
      best = std::move(l);
      best_tpot = one.tpot;
    }
  }
  if (!best) {
    return Status::Error(m.name + " does not fit on up to " + std::to_string(max_chips) + " x " +
                         hw.name + " at " + factory.precision() + " with room for " +
                         std::to_string(min_batch) + " sequence(s) of " + std::to_string(context) +
                         " tokens");
  }
  return SmallestSlice{std::move(*best)};
}

}  // namespace perftco
