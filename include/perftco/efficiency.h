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

 private:
  Efficiency defaults_;
  std::map<std::string, Efficiency> families_;
  std::map<std::string, bool> fitted_;
};

}  // namespace perftco

#endif  // PERFTCO_EFFICIENCY_H_
