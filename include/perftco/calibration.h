// Fitting the efficiency parameters of each hardware family to measured data: `perftco calibrate`.
//
// Method (docs/models/calibration.md): per family, minimise the mean pseudo-Huber loss of the
// log errors of the predictions over every modelled point, plus a small ridge penalty pulling each
// parameter towards its prior, with Nelder-Mead in a transformed space that keeps fractions in (0,
// 1] and times positive. The out-of-sample error is reported by held-out fits: each group of
// rows (a fold of configurations, one hardware key, one model, one source) is predicted with
// parameters fitted, from the priors, on the rows outside the group.
#ifndef PERFTCO_CALIBRATION_H_
#define PERFTCO_CALIBRATION_H_

#include <map>
#include <string>
#include <vector>

#include "perftco/efficiency.h"
#include "perftco/validation.h"

namespace perftco {

// How the held-out fits group the rows: each group is predicted by a fit that saw none of it.
enum class Holdout {
  kKFold,     // k folds of configurations (hash of the configuration key)
  kHardware,  // one hardware key (h100-sxm): its family is fitted on the family's other chips
  kModel,     // one model, in every family it appears in
  kSource,    // one source (a vendor's table)
};
// "kfold", "hardware", "model", "source": the names --holdout takes.
const char* HoldoutName(Holdout h);
// "5-fold by configuration", "leave-one-hardware-out", ...: the names reports print.
std::string HoldoutTitle(Holdout h, int folds);
// A comma-separated list of HoldoutName()s ("all" for every one); an error names the entry it
// does not know.
Result<std::vector<Holdout>> ParseHoldouts(const std::string& list);

struct CalibrationOptions {
  int folds = 5;
  std::vector<Holdout> holdouts = {Holdout::kKFold, Holdout::kHardware, Holdout::kModel,
                                   Holdout::kSource};
  double prior_weight = 0.0005;  // ridge weight per parameter, in squared transformed units
  int max_evaluations = 600;     // Nelder-Mead function evaluations per fit
  // Evaluations of the leave-one-hardware/model/source-out fits (0: max_evaluations). Fewer
  // make `calibrate` faster and the held-out error, if anything, pessimistic.
  int holdout_max_evaluations = 0;
  int min_points_for_full_fit = 40;  // below: fit only memory, gemm_compute, step_overhead
  int threads = 2;
};

struct FamilyFit {
  std::string family;
  Efficiency prior;
  Efficiency fitted;
  std::vector<std::string> fitted_params;
  int points = 0;
  int configs = 0;
  ErrorStats prior_error;      // all points, prior parameters
  ErrorStats in_sample;        // all points, fitted on all of them
  ErrorStats cross_validated;  // k-fold: each point predicted by a fit that never saw its config
  std::map<Holdout, ErrorStats> held_out;  // per scheme run, the family's held-out predictions
};

// One held-out group: its rows predicted by fits that never saw any of them.
struct HeldOutGroup {
  std::string name;  // the hardware key, model, source, or "fold 3"
  ErrorStats error;
  // Rows whose family has no rows outside the group: predicted with the family's priors.
  int points_from_priors = 0;
};

// One row predicted by a fit that never saw its group.
struct HeldOutPrediction {
  const PreparedPoint* point = nullptr;  // borrowed from Calibrate's input
  std::string group;
  double predicted = 0;  // in the metric's unit
  bool from_priors = false;
};

// The errors of one hold-out scheme over every held-out prediction.
struct HoldoutResult {
  Holdout scheme = Holdout::kKFold;
  std::vector<HeldOutPrediction> predictions;  // by family, then group
  ErrorStats all, throughput, latency;         // latency: every metric that is not a throughput
  std::vector<HeldOutGroup> groups;            // worst (largest median |error|) first
  int fits = 0;  // held-out fits run (groups x families they appear in)
  int points_from_priors = 0;
  // Groups with at least one row predicted from the priors.
  int GroupsFromPriors() const;
};

struct CalibrationResult {
  std::vector<FamilyFit> families;  // sorted by family name
  ErrorStats prior_overall, in_sample_overall, cv_overall;
  ErrorStats cv_throughput;             // throughput metrics only
  std::vector<HoldoutResult> holdouts;  // in the order of CalibrationOptions::holdouts
  int points = 0;
  int folds = 0;
  int holdout_max_evaluations = 0;  // as run (max_evaluations when the option was 0)
  // 80% ranges of measured / predicted: per fitted family from its k-fold predictions (pooled
  // over families where it has fewer than kMinBandPoints of a kind), and for families without a
  // fit from the leave-one-hardware-out predictions made with the priors.
  std::map<std::string, ErrorBands> bands;
  ErrorBands unfitted_bands;
  // Coverage of the family ranges, cross-fitted: each fold's predictions against ranges taken
  // from the other folds' (goal: near 80%).
  double band_coverage = 0;
  int band_coverage_points = 0;
  // The scheme's result; nullptr when it was not run.
  const HoldoutResult* Find(Holdout h) const;
};

// Fewest held-out predictions of one kind for a family's own range.
constexpr int kMinBandPoints = 20;

// The 10th and 90th percentiles of `ratios` (measured / predicted), interpolated.
ErrorBand BandOf(std::vector<double> ratios);

// The parameters of `prior` fitted to `points` (all of one family, all modelled).
Efficiency FitFamily(const std::vector<const PreparedPoint*>& points, const Efficiency& prior,
                     const std::vector<std::string>& params, const CalibrationOptions& options);

// Fits every family that has modelled points and runs the options' hold-out schemes. Each held-out
// fit starts from the priors, sees only rows outside its group, and decides which parameters to
// fit (min_points_for_full_fit and the per-parameter thresholds) from those rows alone. Fits run
// on options.threads threads; the result does not depend on their number. The result's
// predictions point into `points`, which must outlive it.
CalibrationResult Calibrate(const std::vector<PreparedPoint>& points, const EfficiencyTable& priors,
                            const CalibrationOptions& options);

// fitted.yaml text: per family the fitted values, the fit's errors, the date and the data version.
std::string FittedYaml(const CalibrationResult& result, const std::string& date,
                       const std::string& data_version);

}  // namespace perftco

#endif  // PERFTCO_CALIBRATION_H_
