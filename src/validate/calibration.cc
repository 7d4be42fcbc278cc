#include "perftco/calibration.h"

#include <algorithm>
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

CalibrationResult Calibrate(const std::vector<PreparedPoint>& points, const EfficiencyTable& priors,
                            const CalibrationOptions& options) {
  CalibrationResult result;
  result.folds = options.folds;
  std::map<std::string, std::vector<const PreparedPoint*>> by_family;
  for (const auto& p : points) {
    // Fit on static-batch and offline throughput; simulated points stay out-of-sample checks of
    // the serving simulator (and would cost minutes per fit).
    if (NeedsSimulation(p.point)) continue;
    if (p.unmodelled.empty() && PredictPoint(p, priors.For(p.family)).ok()) {
      by_family[p.family].push_back(&p);
    }
  }
  // Folds by configuration: sorted by hash so that folds mix sources and models.
  auto fold_of = [&](const PreparedPoint* p) {
    return static_cast<int>(Fnv1a(p->config) % static_cast<uint64_t>(options.folds));
  };
  std::vector<double> prior_all, fit_all, cv_all, cv_tp;
  for (auto& [family, fam_points] : by_family) {
    FamilyFit fit;
    fit.family = family;
    fit.prior = priors.For(family);
    fit.points = static_cast<int>(fam_points.size());
    std::set<std::string> configs;
    for (const auto* p : fam_points) configs.insert(p->config);
    fit.configs = static_cast<int>(configs.size());
    fit.fitted_params = ParamsFor(fam_points, options);
    // The full fit (set 0) and the k cross-validation fits, `threads` at a time.
    std::vector<std::vector<const PreparedPoint*>> train_sets(1, fam_points);
    std::vector<std::vector<const PreparedPoint*>> held(options.folds);
    for (int k = 0; k < options.folds; ++k) {
      std::vector<const PreparedPoint*> train;
      for (const auto* p : fam_points) (fold_of(p) == k ? held[k] : train).push_back(p);
      train_sets.push_back(std::move(train));
    }
    std::vector<Efficiency> fits(train_sets.size());
    const size_t threads = static_cast<size_t>(std::max(1, options.threads));
    for (size_t start = 0; start < train_sets.size(); start += threads) {
      std::vector<std::future<Efficiency>> running;
      for (size_t j = start; j < std::min(train_sets.size(), start + threads); ++j) {
        running.push_back(std::async(std::launch::async, [&, j] {
          return train_sets[j].empty()
                     ? fit.prior
                     : FitFamily(train_sets[j], fit.prior, fit.fitted_params, options);
        }));
      }
      for (size_t j = 0; j < running.size(); ++j) fits[start + j] = running[j].get();
    }
    fit.fitted = fits[0];
    const auto prior_err = SignedErrors(fam_points, fit.prior);
    const auto fit_err = SignedErrors(fam_points, fit.fitted);
    std::vector<double> cv_err;
    for (int k = 0; k < options.folds; ++k) {
      const auto e = SignedErrors(held[k], fits[k + 1]);
      cv_err.insert(cv_err.end(), e.begin(), e.end());
      const auto t = SignedErrors(held[k], fits[k + 1], /*throughput_only=*/true);
      cv_tp.insert(cv_tp.end(), t.begin(), t.end());
    }
    fit.prior_error = ComputeErrorStats(prior_err);
    fit.in_sample = ComputeErrorStats(fit_err);
    fit.cross_validated = ComputeErrorStats(cv_err);
    prior_all.insert(prior_all.end(), prior_err.begin(), prior_err.end());
    fit_all.insert(fit_all.end(), fit_err.begin(), fit_err.end());
    cv_all.insert(cv_all.end(), cv_err.begin(), cv_err.end());
    result.points += fit.points;
    result.families.push_back(std::move(fit));
  }
  result.prior_overall = ComputeErrorStats(prior_all);
  result.in_sample_overall = ComputeErrorStats(fit_all);
  result.cv_overall = ComputeErrorStats(cv_all);
  result.cv_throughput = ComputeErrorStats(cv_tp);
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
     << "Nelder-Mead; " << r.folds << "-fold cross-validation grouped by configuration\"\n"
     << "points: " << r.points << "\n"
     << "cv_median_abs_pct_error: " << r.cv_overall.median_abs_pct << "\n"
     << "families:\n";
  for (const auto& f : r.families) {
    os << "  " << f.family << ":\n"
       << "    points: " << f.points << "\n"
       << "    configs: " << f.configs << "\n"
       << "    prior_median_abs_pct_error: " << f.prior_error.median_abs_pct << "\n"
       << "    fit_median_abs_pct_error: " << f.in_sample.median_abs_pct << "\n"
       << "    cv_median_abs_pct_error: " << f.cross_validated.median_abs_pct << "\n"
       << "    params:\n";
    for (const auto& name : f.fitted_params) {
      os << "      " << name << ": " << f.fitted.Get(name) << "\n";
    }
  }
  return os.str();
}

}  // namespace perftco
