#include "perftco/calibration.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <future>
#include <set>
#include <sstream>

namespace perftco {
namespace {

// Transforms between a parameter and the unbounded coordinate Nelder-Mead moves.
bool IsFraction(const std::string& name) {
  return name == "gemm_compute" || name == "gemm_compute_fp8" || name == "gemm_compute_fp4" ||
         name == "attention_compute" || name == "memory" || name == "comm_bandwidth";
}
double ToCoord(const std::string& name, double v) {
  if (IsFraction(name)) {
    const double p = std::clamp(v, 1e-4, 1.0 - 1e-6);
    return std::log(p / (1.0 - p));
  }
  if (name == "moe_imbalance") return std::log(std::max(1e-4, v - 1.0));
  return std::log(v);
}
double FromCoord(const std::string& name, double x) {
  if (IsFraction(name)) return 1.0 / (1.0 + std::exp(-x));
  if (name == "moe_imbalance") return 1.0 + std::exp(x);
  return std::exp(x);
}

uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Mean pseudo-Huber loss of the log errors under `eff`: quadratic below kHuberDelta (about 10%),
// linear above, so that a few configurations the model cannot represent (outliers of 2-3x) do
// not drag the parameters away from the bulk. Unpredictable points are skipped.
constexpr double kHuberDelta = 0.1;
double Loss(const std::vector<const PreparedPoint*>& points, const Efficiency& eff) {
  double sum = 0;
  int n = 0;
  for (const PreparedPoint* p : points) {
    if (p->point.value <= 0) continue;
    auto pred = PredictPoint(*p, eff);
    if (!pred.ok() || !(*pred > 0)) continue;
    const double e = std::log(*pred / p->point.value) / kHuberDelta;
    sum += kHuberDelta * kHuberDelta * (std::sqrt(1.0 + e * e) - 1.0);
    ++n;
  }
  return n ? sum / n : 0.0;
}

// Nelder-Mead minimisation of f from x0 (standard coefficients, restarts once at the optimum).
std::vector<double> NelderMead(const std::function<double(const std::vector<double>&)>& f,
                               std::vector<double> x0, int max_evals) {
  const size_t n = x0.size();
  int evals = 0;
  std::vector<double> best = x0;
  for (int restart = 0; restart < 2 && evals < max_evals; ++restart) {
    std::vector<std::vector<double>> simplex(n + 1, best);
    for (size_t i = 0; i < n; ++i) simplex[i + 1][i] += 0.5;
    std::vector<double> fv(n + 1);
    for (size_t i = 0; i <= n; ++i) fv[i] = f(simplex[i]), ++evals;
    while (evals < max_evals) {
      std::vector<size_t> order(n + 1);
      for (size_t i = 0; i <= n; ++i) order[i] = i;
      std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return fv[a] < fv[b]; });
      std::vector<std::vector<double>> s2;
      std::vector<double> f2;
      for (size_t i : order) s2.push_back(simplex[i]), f2.push_back(fv[i]);
      simplex = s2;
      fv = f2;
      if (std::fabs(fv[n] - fv[0]) < 1e-9 * (1.0 + std::fabs(fv[0]))) break;
      std::vector<double> centroid(n, 0.0);
      for (size_t i = 0; i < n; ++i)
        for (size_t d = 0; d < n; ++d) centroid[d] += simplex[i][d] / n;
      auto along = [&](double t) {
        std::vector<double> x(n);
        for (size_t d = 0; d < n; ++d) x[d] = centroid[d] + t * (simplex[n][d] - centroid[d]);
        return x;
      };
      const auto xr = along(-1.0);
      const double fr = f(xr);
      ++evals;
      if (fr < fv[0]) {
        const auto xe = along(-2.0);
        const double fe = f(xe);
        ++evals;
        if (fe < fr) {
          simplex[n] = xe, fv[n] = fe;
        } else {
          simplex[n] = xr, fv[n] = fr;
        }
      } else if (fr < fv[n - 1]) {
        simplex[n] = xr, fv[n] = fr;
      } else {
        const auto xc = fr < fv[n] ? along(-0.5) : along(0.5);
        const double fc = f(xc);
        ++evals;
        if (fc < std::min(fr, fv[n])) {
          simplex[n] = xc, fv[n] = fc;
        } else {
          for (size_t i = 1; i <= n; ++i) {
            for (size_t d = 0; d < n; ++d) {
              simplex[i][d] = simplex[0][d] + 0.5 * (simplex[i][d] - simplex[0][d]);
            }
            fv[i] = f(simplex[i]);
            ++evals;
          }
        }
      }
    }
    size_t arg = 0;
    for (size_t i = 1; i <= n; ++i) {
      if (fv[i] < fv[arg]) arg = i;
    }
    best = simplex[arg];
  }
  return best;
}

std::vector<double> SignedErrors(const std::vector<const PreparedPoint*>& points,
                                 const Efficiency& eff, bool throughput_only = false) {
  std::vector<double> out;
  for (const PreparedPoint* p : points) {
    if (throughput_only && !IsThroughputMetric(p->point.metric)) continue;
    auto pred = PredictPoint(*p, eff);
    if (!pred.ok() || p->point.value <= 0) continue;
    out.push_back((*pred - p->point.value) / p->point.value * 100.0);
  }
  return out;
}

// Which parameters a family's data can inform.
std::vector<std::string> ParamsFor(const std::vector<const PreparedPoint*>& points,
                                   const CalibrationOptions& o) {
  if (static_cast<int>(points.size()) < o.min_points_for_full_fit) {
    return {"memory", "gemm_compute", "gemm_compute_fp8", "step_overhead_ms"};
  }
  int moe = 0, multi = 0, fp8 = 0, fp4 = 0, wide = 0;
  for (const PreparedPoint* p : points) {
    moe += p->model->IsMoe();
    multi += p->plan.tp > 1;
    const Precision c =
        p->hardware->ComputePrecision(p->precisions.weights, p->precisions.activations);
    fp8 += c == Precision::kFp8 || c == Precision::kInt8;
    fp4 += c == Precision::kFp4 || c == Precision::kInt4;
    wide += c == Precision::kBf16 || c == Precision::kFp16 || c == Precision::kFp32;
  }
  std::vector<std::string> params = {"attention_compute", "memory", "step_overhead_ms",
                                     "seq_overhead_us"};
  if (wide >= 10) params.push_back("gemm_compute");
  if (fp8 >= 10) params.push_back("gemm_compute_fp8");
  if (fp4 >= 10) params.push_back("gemm_compute_fp4");
  if (multi >= 10) {
    params.push_back("comm_bandwidth");
    params.push_back("comm_latency_us");
  }
  if (moe >= 10) params.push_back("moe_imbalance");
  return params;
}

}  // namespace

Efficiency FitFamily(const std::vector<const PreparedPoint*>& points, const Efficiency& prior,
                     const std::vector<std::string>& params, const CalibrationOptions& options) {
  std::vector<double> x0;
  for (const auto& name : params) x0.push_back(ToCoord(name, prior.Get(name)));
  auto make = [&](const std::vector<double>& x) {
    Efficiency e = prior;
    for (size_t i = 0; i < params.size(); ++i) e.Set(params[i], FromCoord(params[i], x[i]));
    return e;
  };
  auto objective = [&](const std::vector<double>& x) {
    double penalty = 0;
    for (size_t i = 0; i < x.size(); ++i) penalty += (x[i] - x0[i]) * (x[i] - x0[i]);
    return Loss(points, make(x)) + options.prior_weight * penalty;
  };
  return make(NelderMead(objective, x0, options.max_evaluations));
}

const char* HoldoutName(Holdout h) {
  switch (h) {
    case Holdout::kKFold:
      return "kfold";
    case Holdout::kHardware:
      return "hardware";
    case Holdout::kModel:
      return "model";
    case Holdout::kSource:
      return "source";
  }
  return "?";
}

std::string HoldoutTitle(Holdout h, int folds) {
  if (h == Holdout::kKFold) return std::to_string(folds) + "-fold by configuration";
  return std::string("leave-one-") + HoldoutName(h) + "-out";
}

Result<std::vector<Holdout>> ParseHoldouts(const std::string& list) {
  const std::vector<Holdout> all = {Holdout::kKFold, Holdout::kHardware, Holdout::kModel,
                                    Holdout::kSource};
  if (list == "all") return all;
  std::vector<Holdout> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    auto it =
        std::find_if(all.begin(), all.end(), [&](Holdout h) { return item == HoldoutName(h); });
    if (it == all.end()) {
      return Status::Error("unknown hold-out scheme '" + item +
                           "': use kfold, hardware, model, source or all");
    }
    if (std::find(out.begin(), out.end(), *it) == out.end()) out.push_back(*it);
  }
  if (out.empty()) return Status::Error("empty hold-out list: use kfold, hardware, model, source");
  return out;
}

int HoldoutResult::GroupsFromPriors() const {
  return static_cast<int>(std::count_if(
      groups.begin(), groups.end(), [](const HeldOutGroup& g) { return g.points_from_priors; }));
}

const HoldoutResult* CalibrationResult::Find(Holdout h) const {
  for (const auto& r : holdouts) {
    if (r.scheme == h) return &r;
  }
  return nullptr;
}

namespace {

// One fit to run: a family's training rows (all of them, or those outside a held-out group).
struct FitJob {
  const FamilyFit* family = nullptr;
  std::vector<const PreparedPoint*> train;
  std::vector<std::string> params;
  int evaluations = 0;
  Efficiency fitted;
};

// Runs every job on `threads` threads, largest first so that the last ones to finish are short.
void RunFits(std::vector<FitJob>* jobs, const CalibrationOptions& options) {
  std::vector<size_t> order(jobs->size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto cost = [&](size_t i) {
    return static_cast<double>((*jobs)[i].train.size()) * (*jobs)[i].evaluations;
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return cost(a) > cost(b); });
  std::atomic<size_t> next{0};
  auto worker = [&] {
    CalibrationOptions o = options;
    for (size_t k = next++; k < order.size(); k = next++) {
      FitJob& job = (*jobs)[order[k]];
      o.max_evaluations = job.evaluations;
      job.fitted = FitFamily(job.train, job.family->prior, job.params, o);
    }
  };
  const int threads = std::max(1, std::min<int>(options.threads, static_cast<int>(jobs->size())));
  std::vector<std::future<void>> running;
  for (int t = 0; t < threads; ++t) running.push_back(std::async(std::launch::async, worker));
  for (auto& r : running) r.get();
}

// The group a row falls in under a scheme.
std::string GroupOf(Holdout h, const PreparedPoint& p, int folds) {
  switch (h) {
    case Holdout::kKFold:
      // Folds by configuration, by hash so that folds mix sources and models.
      return "fold " + std::to_string(Fnv1a(p.config) % static_cast<uint64_t>(folds));
    case Holdout::kHardware:
      return p.point.hardware;
    case Holdout::kModel:
      return p.point.model;
    case Holdout::kSource:
      return p.point.source;
  }
  return "";
}

// A group's rows in one family and the fit that predicts them (-1: none, the priors).
struct HeldOutPart {
  Holdout scheme;
  size_t family;
  std::string group;
  std::vector<const PreparedPoint*> held;
  int job = -1;
};

// One scheme's errors over its parts, each predicted by its fit (or the family's priors); also
// the family's held-out errors, into per_family (indexed like families).
HoldoutResult Summarise(Holdout h, const std::vector<HeldOutPart>& parts,
                        const std::vector<FitJob>& jobs, const std::vector<FamilyFit>& families,
                        std::vector<ErrorStats>* per_family) {
  HoldoutResult hr;
  hr.scheme = h;
  std::vector<double> all, throughput, latency;
  std::map<std::string, std::vector<double>> by_group;
  std::map<std::string, int> from_priors;
  std::vector<std::vector<double>> by_family(families.size());
  for (const HeldOutPart& part : parts) {
    if (part.scheme != h) continue;
    const bool priors = part.job < 0;
    const Efficiency& eff = priors ? families[part.family].prior : jobs[part.job].fitted;
    hr.fits += !priors;
    for (const PreparedPoint* p : part.held) {
      auto pred = PredictPoint(*p, eff);
      if (!pred.ok() || p->point.value <= 0) continue;
      hr.predictions.push_back({p, part.group, *pred, priors});
      const double e = (*pred - p->point.value) / p->point.value * 100.0;
      all.push_back(e);
      (IsThroughputMetric(p->point.metric) ? throughput : latency).push_back(e);
      by_group[part.group].push_back(e);
      by_family[part.family].push_back(e);
      from_priors[part.group] += priors;
      hr.points_from_priors += priors;
    }
  }
  hr.all = ComputeErrorStats(all);
  hr.throughput = ComputeErrorStats(throughput);
  hr.latency = ComputeErrorStats(latency);
  for (auto& [group, errors] : by_group) {
    hr.groups.push_back({group, ComputeErrorStats(errors), from_priors[group]});
  }
  std::stable_sort(hr.groups.begin(), hr.groups.end(), [](const auto& a, const auto& b) {
    return a.error.median_abs_pct > b.error.median_abs_pct;
  });
  per_family->clear();
  for (auto& errors : by_family) per_family->push_back(ComputeErrorStats(errors));
  return hr;
}

}  // namespace

ErrorBand BandOf(std::vector<double> ratios) {
  ErrorBand b;
  if (ratios.empty()) return b;
  std::sort(ratios.begin(), ratios.end());
  const auto quantile = [&](double q) {
    const double pos = q * static_cast<double>(ratios.size() - 1);
    const size_t i = static_cast<size_t>(pos);
    const double frac = pos - static_cast<double>(i);
    return i + 1 < ratios.size() ? ratios[i] * (1 - frac) + ratios[i + 1] * frac : ratios[i];
  };
  b.low = quantile(0.1);
  b.high = quantile(0.9);
  b.points = static_cast<int>(ratios.size());
  return b;
}

namespace {

// Ratios measured / predicted of `predictions`, by family and kind (0 throughput, 1 latency),
// skipping the group `skip`.
using RatiosByFamily = std::map<std::string, std::array<std::vector<double>, 2>>;
RatiosByFamily Ratios(const std::vector<HeldOutPrediction>& predictions, const std::string& skip,
                      bool priors_only) {
  RatiosByFamily out;
  for (const HeldOutPrediction& h : predictions) {
    if (h.group == skip || h.predicted <= 0 || (priors_only && !h.from_priors)) continue;
    const int kind = IsThroughputMetric(h.point->point.metric) ? 0 : 1;
    out[h.point->family][kind].push_back(h.point->point.value / h.predicted);
  }
  return out;
}

// Per family its own range where it has enough predictions of a kind, else the pooled one.
std::map<std::string, ErrorBands> FamilyBands(const RatiosByFamily& ratios,
                                              const std::string& scheme) {
  std::array<std::vector<double>, 2> pooled;
  for (const auto& [family, kinds] : ratios) {
    for (int k = 0; k < 2; ++k) pooled[k].insert(pooled[k].end(), kinds[k].begin(), kinds[k].end());
  }
  const ErrorBand pooled_band[2] = {BandOf(pooled[0]), BandOf(pooled[1])};
  std::map<std::string, ErrorBands> out;
  for (const auto& [family, kinds] : ratios) {
    ErrorBands b;
    bool own[2];
    ErrorBand* dst[2] = {&b.throughput, &b.latency};
    for (int k = 0; k < 2; ++k) {
      own[k] = static_cast<int>(kinds[k].size()) >= kMinBandPoints;
      *dst[k] = own[k] ? BandOf(kinds[k]) : pooled_band[k];
    }
    b.basis = family + ", " + scheme + (own[0] && own[1] ? "" : "; pooled over families where few");
    out[family] = b;
  }
  return out;
}

bool Inside(const ErrorBands& b, const HeldOutPrediction& h) {
  const ErrorBand& band = IsThroughputMetric(h.point->point.metric) ? b.throughput : b.latency;
  const double r = h.point->point.value / h.predicted;
  return band.known() && r >= band.low && r <= band.high;
}

void ComputeBands(CalibrationResult* r) {
  const HoldoutResult* kfold = r->Find(Holdout::kKFold);
  if (kfold == nullptr) return;
  r->bands = FamilyBands(Ratios(kfold->predictions, "", false), "k-fold");
  // Families without a fit: how far the priors are on chips that had no sibling to fit on (or,
  // without that scheme, on whole sources held out).
  for (Holdout h : {Holdout::kHardware, Holdout::kSource}) {
    const HoldoutResult* hr = r->Find(h);
    if (hr == nullptr) continue;
    const RatiosByFamily ratios = Ratios(hr->predictions, "", true);
    std::array<std::vector<double>, 2> pooled;
    for (const auto& [family, kinds] : ratios) {
      for (int k = 0; k < 2; ++k) {
        pooled[k].insert(pooled[k].end(), kinds[k].begin(), kinds[k].end());
      }
    }
    if (pooled[0].empty()) continue;
    r->unfitted_bands.throughput = BandOf(pooled[0]);
    r->unfitted_bands.latency = BandOf(pooled[1]);
    r->unfitted_bands.basis =
        std::string("no fit: chips predicted from the priors, ") + HoldoutName(h) + " held out";
    break;
  }
  // Cross-fitted coverage: each fold against ranges from the others.
  std::set<std::string> folds;
  for (const HeldOutPrediction& h : kfold->predictions) folds.insert(h.group);
  int inside = 0, total = 0;
  for (const std::string& fold : folds) {
    const auto bands = FamilyBands(Ratios(kfold->predictions, fold, false), "k-fold");
    for (const HeldOutPrediction& h : kfold->predictions) {
      if (h.group != fold || h.predicted <= 0) continue;
      auto it = bands.find(h.point->family);
      if (it == bands.end()) continue;
      ++total;
      inside += Inside(it->second, h);
    }
  }
  r->band_coverage = total > 0 ? 1.0 * inside / total : 0;
  r->band_coverage_points = total;
}

void WriteBands(std::ostream& os, const std::string& indent, const ErrorBands& b) {
  const auto band = [&](const char* name, const ErrorBand& e) {
    if (!e.known()) return;
    os << indent << "  " << name << ": [" << e.low << ", " << e.high << ", " << e.points << "]\n";
  };
  band("throughput", b.throughput);
  band("latency", b.latency);
  os << indent << "  basis: \"" << b.basis << "\"\n";
}

}  // namespace

CalibrationResult Calibrate(const std::vector<PreparedPoint>& points, const EfficiencyTable& priors,
                            const CalibrationOptions& options) {
  CalibrationResult result;
  result.folds = options.folds;
  result.holdout_max_evaluations = options.holdout_max_evaluations > 0
                                       ? options.holdout_max_evaluations
                                       : options.max_evaluations;
  std::map<std::string, std::vector<const PreparedPoint*>> by_family;
  for (const auto& p : points) {
    // Fit on static-batch and offline throughput; simulated points stay out-of-sample checks of
    // the serving simulator (and would cost minutes per fit).
    if (NeedsSimulation(p.point)) continue;
    if (p.unmodelled.empty() && PredictPoint(p, priors.For(p.family)).ok()) {
      by_family[p.family].push_back(&p);
    }
  }
  std::vector<std::vector<const PreparedPoint*>> family_points;
  for (auto& [family, fam_points] : by_family) {
    FamilyFit fit;
    fit.family = family;
    fit.prior = priors.For(family);
    fit.points = static_cast<int>(fam_points.size());
    std::set<std::string> configs;
    for (const auto* p : fam_points) configs.insert(p->config);
    fit.configs = static_cast<int>(configs.size());
    fit.fitted_params = ParamsFor(fam_points, options);
    result.points += fit.points;
    result.families.push_back(std::move(fit));
    family_points.push_back(fam_points);
  }
  // Every fit at once: per family the full fit, then per scheme and group present in the family
  // a fit on the family's rows outside the group. A family fits on its own rows only, so leaving
  // a group out of every family is the same as leaving it out of each family that has it.
  std::vector<FitJob> jobs;
  std::vector<HeldOutPart> parts;
  std::vector<size_t> full_fit(result.families.size());
  for (size_t f = 0; f < result.families.size(); ++f) {
    full_fit[f] = jobs.size();
    jobs.push_back({&result.families[f],
                    family_points[f],
                    result.families[f].fitted_params,
                    options.max_evaluations,
                    {}});
    for (Holdout h : options.holdouts) {
      std::map<std::string, std::vector<const PreparedPoint*>> held;
      for (const auto* p : family_points[f]) held[GroupOf(h, *p, options.folds)].push_back(p);
      for (auto& [group, rows] : held) {
        HeldOutPart part{h, f, group, rows, -1};
        std::vector<const PreparedPoint*> rest;
        for (const auto* p : family_points[f]) {
          if (GroupOf(h, *p, options.folds) != group) rest.push_back(p);
        }
        if (!rest.empty()) {
          part.job = static_cast<int>(jobs.size());
          const int evals =
              h == Holdout::kKFold ? options.max_evaluations : result.holdout_max_evaluations;
          jobs.push_back({&result.families[f], rest, ParamsFor(rest, options), evals, {}});
        }
        parts.push_back(std::move(part));
      }
    }
  }
  RunFits(&jobs, options);

  std::vector<double> prior_all, fit_all;
  for (size_t f = 0; f < result.families.size(); ++f) {
    FamilyFit& fit = result.families[f];
    fit.fitted = jobs[full_fit[f]].fitted;
    const auto prior_err = SignedErrors(family_points[f], fit.prior);
    const auto fit_err = SignedErrors(family_points[f], fit.fitted);
    fit.prior_error = ComputeErrorStats(prior_err);
    fit.in_sample = ComputeErrorStats(fit_err);
    prior_all.insert(prior_all.end(), prior_err.begin(), prior_err.end());
    fit_all.insert(fit_all.end(), fit_err.begin(), fit_err.end());
  }
  result.prior_overall = ComputeErrorStats(prior_all);
  result.in_sample_overall = ComputeErrorStats(fit_all);

  for (Holdout h : options.holdouts) {
    std::vector<ErrorStats> per_family;
    HoldoutResult hr = Summarise(h, parts, jobs, result.families, &per_family);
    for (size_t f = 0; f < result.families.size(); ++f) {
      result.families[f].held_out[h] = per_family[f];
      if (h == Holdout::kKFold) result.families[f].cross_validated = per_family[f];
    }
    if (h == Holdout::kKFold) {
      result.cv_overall = hr.all;
      result.cv_throughput = hr.throughput;
    }
    result.holdouts.push_back(std::move(hr));
  }
  ComputeBands(&result);
  return result;
}

std::string FittedYaml(const CalibrationResult& r, const std::string& date,
                       const std::string& data_version) {
  std::ostringstream os;
  os.precision(6);
  os << "# Efficiency parameters fitted by `perftco calibrate` (docs/models/calibration.md).\n"
     << "# Do not edit by hand: rerun the fit. Values override data/calibration/priors.yaml.\n"
     << "fit_date: \"" << date << "\"\n"
     << "data_version: \"" << data_version << "\"\n"
     << "method: \"least squares on log error, ridge towards priors (weight per parameter), "
     << "Nelder-Mead; held out: ";
  for (size_t i = 0; i < r.holdouts.size(); ++i) {
    os << (i ? ", " : "") << HoldoutTitle(r.holdouts[i].scheme, r.folds);
  }
  os << "\"\n"
     << "points: " << r.points << "\n"
     << "cv_median_abs_pct_error: " << r.cv_overall.median_abs_pct << "\n";
  // Out-of-sample errors: each group predicted by fits that never saw it (from the priors where
  // its family has no other rows).
  if (!r.holdouts.empty()) os << "holdout:\n";
  for (const auto& h : r.holdouts) {
    os << "  " << HoldoutName(h.scheme) << ":\n"
       << "    median_abs_pct_error: " << h.all.median_abs_pct << "\n"
       << "    p90_abs_pct_error: " << h.all.p90_abs_pct << "\n"
       << "    points: " << h.all.count << "\n"
       << "    groups: " << h.groups.size() << "\n"
       << "    groups_from_priors: " << h.GroupsFromPriors() << "\n";
  }
  // 80% ranges of measured / predicted (docs/models/calibration.md, "Error bars").
  if (r.band_coverage_points > 0) {
    os << "interval_80_coverage: " << r.band_coverage << "  # cross-fitted, "
       << r.band_coverage_points << " k-fold predictions\n";
  }
  if (r.unfitted_bands.throughput.known()) {
    os << "interval_80_unfitted:\n";
    WriteBands(os, "", r.unfitted_bands);
  }
  os << "families:\n";
  for (const auto& f : r.families) {
    os << "  " << f.family << ":\n"
       << "    points: " << f.points << "\n"
       << "    configs: " << f.configs << "\n"
       << "    prior_median_abs_pct_error: " << f.prior_error.median_abs_pct << "\n"
       << "    fit_median_abs_pct_error: " << f.in_sample.median_abs_pct << "\n"
       << "    cv_median_abs_pct_error: " << f.cross_validated.median_abs_pct << "\n";
    for (const auto& [h, stats] : f.held_out) {
      if (h == Holdout::kKFold) continue;
      os << "    " << HoldoutName(h) << "_holdout_median_abs_pct_error: " << stats.median_abs_pct
         << "\n";
    }
    auto band = r.bands.find(f.family);
    if (band != r.bands.end()) {
      os << "    interval_80:\n";
      WriteBands(os, "    ", band->second);
    }
    os << "    params:\n";
    for (const auto& name : f.fitted_params) {
      os << "      " << name << ": " << f.fitted.Get(name) << "\n";
    }
  }
  return os.str();
}

}  // namespace perftco
