// Text and Markdown renderings of validation and calibration results (CLI only).
#ifndef PERFTCO_TOOLS_CLI_VALIDATE_REPORT_H_
#define PERFTCO_TOOLS_CLI_VALIDATE_REPORT_H_

#include <string>

#include "perftco/calibration.h"
#include "perftco/validation.h"

namespace perftco::cli {

// Summary tables: overall, throughput, by metric / hardware / model / source / regime, and the
// unmodelled points grouped by reason.
std::string SummaryText(const ValidationReport& r, const std::string& data);
// Share of modelled points whose measurement lies in the 80% range of their prediction
// (EfficiencyTable::BandsFor), for the fitted scenarios (in-sample) and the simulated ones.
struct BandCoverage {
  int fitted_inside = 0, fitted = 0, simulated_inside = 0, simulated = 0;
};
BandCoverage CoverageOf(const ValidationReport& r, const EfficiencyTable& table);
std::string CoverageText(const BandCoverage& c);
// docs/models/accuracy.md: the same tables in Markdown with the calibration record.
std::string AccuracyMarkdown(const ValidationReport& r, const EfficiencyTable& table,
                             const std::string& data);
// The fit per family and the out-of-sample errors of each hold-out scheme run.
std::string CalibrationText(const CalibrationResult& r);
// The "Out-of-sample error" section of docs/models/accuracy.md: per scheme the median and p90
// |error|, per family, and each scheme's groups worst first.
std::string HoldoutMarkdown(const CalibrationResult& r);

}  // namespace perftco::cli

#endif  // PERFTCO_TOOLS_CLI_VALIDATE_REPORT_H_
