// Compute-optimal model size and data for a training budget, from a parametric loss fit.
//
// L(N, D) = E + A / N^alpha + B / D^beta, minimised under the 6ND rule C = 6 N D (Kaplan et al.
// 2020; Hoffmann et al. 2022, eq. (4)). The default fit is Epoch AI's replication of Chinchilla's
// third approach (Besiroglu, Erdil, Barnett, You 2024, "Chinchilla Scaling: A replication
// attempt", arXiv:2404.10102): E = 1.8172, A = 482.01, B = 2085.43, alpha = 0.3478,
// beta = 0.3658. docs/models/training.md gives the closed form and its limits.
#ifndef PERFTCO_SCALING_LAW_H_
#define PERFTCO_SCALING_LAW_H_

#include <string>

#include "perftco/status.h"

namespace perftco {

struct ScalingLawFit {
  double e = 0, a = 0, b = 0, alpha = 0, beta = 0;
  std::string source;
  // Besiroglu et al. 2024 (Epoch AI), Table 1.
  static ScalingLawFit EpochChinchilla();
};

// Predicted pre-training loss (nats per token) of N parameters trained on D tokens.
double PredictedLoss(const ScalingLawFit& fit, double params, double tokens);

struct ComputeOptimal {
  double flops = 0;
  double params = 0;  // N*
  double tokens = 0;  // D* = C / (6 N*)
  double loss = 0;
  double TokensPerParam() const { return params > 0 ? tokens / params : 0; }
};

// N* = G (C/6)^(beta/(alpha+beta)), G = (alpha A / (beta B))^(1/(alpha+beta)), D* = C / (6 N*).
// Errors: a non-positive budget or fit.
Result<ComputeOptimal> ComputeOptimalFor(const ScalingLawFit& fit, double flops);

// FLOPs of training N parameters on D tokens by the 6ND rule.
inline double SixNd(double params, double tokens) { return 6.0 * params * tokens; }

}  // namespace perftco

#endif  // PERFTCO_SCALING_LAW_H_
