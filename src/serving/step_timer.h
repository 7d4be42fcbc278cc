// Step times from the cost model, with the fast-forward's linear pieces.
//
// Between two events a replica's batch is fixed: n decode sequences whose context sum grows by n
// every step. The cost model's step time is piecewise linear in that sum (each operator is the
// maximum of two affine functions of it, a sliding window a minimum), so a window of K steps is
// one line where it holds no kink. DecodeLine finds that line from a few evaluations, checks it at
// interior points, and shortens the window until the check passes; verified lines are kept per n
// and extended, so steady state costs no evaluations at all. docs/models/serving-simulator.md
// discusses the error.
#ifndef PERFTCO_SRC_SERVING_STEP_TIMER_H_
#define PERFTCO_SRC_SERVING_STEP_TIMER_H_

#include <cstdint>
#include <vector>

#include "perftco/cost_model.h"

namespace perftco::serving {

class StepTimer {
 public:
  explicit StepTimer(const CostModel& cost) : cost_(cost) {}

  // Seconds of one step of `shape`; with speculative decoding, per token a decode sequence
  // advances (the verification step over the expected tokens per step).
  double Time(const BatchShape& shape);
  // For a decode-only batch of n sequences with context sum c0 at step 0 (c0 + n j at step j):
  // sets t0 and dt so that step j takes t0 + dt j, verified for j in [0, *k - 1]. Shortens *k
  // (to at least 1) where the step time is not linear over the whole window.
  void DecodeLine(int64_t n, double c0, int64_t* k, double* t0, double* dt);

  int64_t evaluations() const { return evaluations_; }

  // Relative tolerance of the linearity check: far below any summary's precision, far above the
  // rounding noise of one step evaluation.
  static constexpr double kLinearTolerance = 1e-9;

 private:
  struct Line {
    double lo = 0, hi = -1;  // verified over [lo, hi] of the context sum
    double a = 0, b = 0;     // time = a + b x sum
  };
  double Decode(int64_t n, double ctx_sum);
  // Fits a line through the ends of [lo, hi] and checks three interior points.
  bool Verify(int64_t n, double lo, double hi, Line* out);

  const CostModel& cost_;
  std::vector<Line> lines_;  // by decode sequence count
  int64_t evaluations_ = 0;
};

}  // namespace perftco::serving

#endif  // PERFTCO_SRC_SERVING_STEP_TIMER_H_
