// Achieved fractions of peak and fixed overheads, per hardware family (data/calibration/).
#ifndef PERFTCO_EFFICIENCY_H_
#define PERFTCO_EFFICIENCY_H_

#include <map>
#include <string>
#include <vector>

#include "perftco/status.h"
#include "perftco/units.h"

namespace perftco {

// The few parameters that turn peak figures into achieved time. Ratios are dimensionless.
struct Efficiency {
  double gemm_compute = 0.7;       // fraction of dense 16-bit peak reached by large matmuls
  double gemm_compute_fp8 = 0.6;   // the same for fp8 / int8 matmuls (of the fp8 peak)
  double gemm_compute_fp4 = 0.5;   // the same for fp4 / int4 matmuls (of the fp4 peak)
  double attention_compute = 0.5;  // fraction of peak reached by attention (flash/paged)
  double memory = 0.8;             // fraction of HBM bandwidth reached by streaming kernels
  double comm_bandwidth = 0.75;    // fraction of scale-up link bandwidth reached by collectives
  Seconds comm_latency = Microseconds(8);   // fixed cost per collective (alpha)
  Seconds step_overhead = Milliseconds(2);  // per engine step: scheduling, sampling, launches
  Seconds seq_overhead = Microseconds(5);   // per sequence in a step: sampling, bookkeeping
  double moe_imbalance = 1.2;               // busiest expert's load over the mean (>= 1)

  // Parameter names in the order the calibrator uses them.
  static const std::vector<std::string>& FittableNames();
  double Get(const std::string& name) const;
  void Set(const std::string& name, double value);
};

// How far a prediction tends to be from a measurement: the 80% range of measured / predicted over
// held-out predictions (perftco calibrate), per kind of metric. A prediction p stands for a true
// value in [p x low, p x high] four times in five.
struct ErrorBand {
  double low = 0, high = 0;
  int points = 0;  // held-out predictions the range comes from; 0: unknown
  bool known() const { return points > 0; }
};
struct ErrorBands {
  ErrorBand throughput;  // tokens or requests per second
  ErrorBand latency;     // TTFT, TPOT, ITL, end-to-end
  std::string basis;     // which held-out predictions, e.g. "hopper, 5-fold"
};

// Efficiency for every hardware family, with a source or fit record per value.
class EfficiencyTable {
 public:
  // Reads data_dir/calibration/priors.yaml, then data_dir/calibration/fitted.yaml if present
  // (fitted values override priors family by family).
  static Result<EfficiencyTable> Load(const std::string& data_dir);
  // The priors alone (what calibration starts from).
  static Result<EfficiencyTable> LoadPriors(const std::string& data_dir);
  // The family's parameters; the defaults when the family has none.
  Efficiency For(const std::string& family) const;
  void Set(const std::string& family, const Efficiency& e) { families_[family] = e; }
  bool IsFitted(const std::string& family) const { return fitted_.count(family) > 0; }
  const std::map<std::string, Efficiency>& families() const { return families_; }
  const Efficiency& defaults() const { return defaults_; }
  // The family's error bands from fitted.yaml; for a family without a fit, those of chips
  // predicted from the priors. Unknown (points 0) when no fit has written any.
  const ErrorBands& BandsFor(const std::string& family) const;

 private:
  Efficiency defaults_;
  std::map<std::string, ErrorBands> bands_;
  ErrorBands unfitted_bands_;
  std::map<std::string, Efficiency> families_;
  std::map<std::string, bool> fitted_;
};

}  // namespace perftco

#endif  // PERFTCO_EFFICIENCY_H_
