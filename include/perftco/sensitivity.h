// Sensitivity: how much each input moves throughput, latency and dollars per token, as
// elasticities d ln(output) / d ln(input) by central differences (docs/models/sensitivity.md).
#ifndef PERFTCO_SENSITIVITY_H_
#define PERFTCO_SENSITIVITY_H_

#include <optional>
#include <string>
#include <vector>

#include "perftco/economics_data.h"
#include "perftco/setup.h"
#include "perftco/tco.h"

namespace perftco {

struct SensitivityOptions {
  int64_t isl = 1000;
  int64_t osl = 1000;
  int64_t batch = 0;  // 0: the largest that fits, found again for every perturbed input
  double step = 0.1;  // relative perturbation each way (0 < step < 1)
  EconomicsOptions economics;
};

// One input's effect. Elasticities are nullopt where the output is unknown (no price) or
// undefined (the perturbed setup fails, e.g. no batch fits with less HBM).
struct Sensitivity {
  std::string input;  // "HBM bandwidth", "efficiency: memory", "electricity price", ...
  std::string kind;   // "hardware", "efficiency", "economics"
  double base = 0;    // the input's value, in `unit`
  std::string unit;
  std::optional<double> throughput;  // output tokens/s per chip
  std::optional<double> tpot;
  std::optional<double> ttft;
  std::optional<double> owned_usd_per_million;   // $ per million output tokens, owned
  std::optional<double> rented_usd_per_million;  // ... rented
};

struct SensitivityReport {
  int64_t batch = 0;  // of the unperturbed setup
  double throughput = 0, tpot_s = 0, ttft_s = 0;
  std::optional<double> owned_usd_per_million, rented_usd_per_million;
  std::vector<Sensitivity> inputs;  // in a fixed order: hardware, efficiency, economics
};

// Perturbs every input of `setup` and of the economics by +-step and reports the elasticities.
// Fails on invalid options or when the unperturbed setup has no batch that fits.
Result<SensitivityReport> ComputeSensitivity(const Setup& setup, const EconomicsData& economics,
                                             const SensitivityOptions& options);

}  // namespace perftco

#endif  // PERFTCO_SENSITIVITY_H_
