// Fitting the efficiency parameters of each hardware family to measured data: `perftco calibrate`.
//
// Method (docs/models/calibration.md): per family, minimise the mean pseudo-Huber loss of the
// log errors of the predictions over every modelled point, plus a small ridge penalty pulling each
// parameter towards its prior, with Nelder-Mead in a transformed space that keeps fractions in (0,
// 1] and times positive. The error is reported by k-fold cross-validation grouped by configuration,
// so that the variants of one configuration never sit in both the training and the held-out folds.
#ifndef PERFTCO_CALIBRATION_H_
#define PERFTCO_CALIBRATION_H_

#include <map>
#include <string>
#include <vector>

#include "perftco/efficiency.h"
#include "perftco/validation.h"

namespace perftco {

struct CalibrationOptions {
  int folds = 5;
  double prior_weight = 0.0005;      // ridge weight per parameter, in squared transformed units
  int max_evaluations = 600;         // Nelder-Mead function evaluations per fit
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
  ErrorStats cross_validated;  // each point predicted by a fit that never saw its configuration
};

struct CalibrationResult {
  std::vector<FamilyFit> families;  // sorted by family name
  ErrorStats prior_overall, in_sample_overall, cv_overall;
  ErrorStats cv_throughput;  // throughput metrics only
  int points = 0;
  int folds = 0;
};

// The parameters of `prior` fitted to `points` (all of one family, all modelled).
Efficiency FitFamily(const std::vector<const PreparedPoint*>& points, const Efficiency& prior,
                     const std::vector<std::string>& params, const CalibrationOptions& options);

// Fits every family that has modelled points and cross-validates the fit.
CalibrationResult Calibrate(const std::vector<PreparedPoint>& points, const EfficiencyTable& priors,
                            const CalibrationOptions& options);

// fitted.yaml text: per family the fitted values, the fit's errors, the date and the data version.
std::string FittedYaml(const CalibrationResult& result, const std::string& date,
                       const std::string& data_version);

}  // namespace perftco

#endif  // PERFTCO_CALIBRATION_H_
