#include "perftco/scaling_law.h"

#include <cmath>

namespace perftco {

ScalingLawFit ScalingLawFit::EpochChinchilla() {
  ScalingLawFit f;
  f.e = 1.8172;
  f.a = 482.01;
  f.b = 2085.43;
  f.alpha = 0.3478;
  f.beta = 0.3658;
  f.source = "Besiroglu et al. 2024 (Epoch AI), Chinchilla replication, arXiv:2404.10102";
  return f;
}

double PredictedLoss(const ScalingLawFit& f, double params, double tokens) {
  return f.e + f.a / std::pow(params, f.alpha) + f.b / std::pow(tokens, f.beta);
}

Result<ComputeOptimal> ComputeOptimalFor(const ScalingLawFit& f, double flops) {
  if (!(flops > 0) || !std::isfinite(flops)) {
    return Status::Error("the compute budget must be a positive number of FLOPs");
  }
  if (!(f.a > 0 && f.b > 0 && f.alpha > 0 && f.beta > 0)) {
    return Status::Error("the scaling-law fit needs positive A, B, alpha and beta");
  }
  const double s = f.alpha + f.beta;
  const double g = std::pow(f.alpha * f.a / (f.beta * f.b), 1.0 / s);
  ComputeOptimal o;
  o.flops = flops;
  o.params = g * std::pow(flops / 6.0, f.beta / s);
  o.tokens = flops / 6.0 / o.params;
  o.loss = PredictedLoss(f, o.params, o.tokens);
  return o;
}

}  // namespace perftco
