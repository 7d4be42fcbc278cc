#include "perftco/scaling_law.h"

#include <gtest/gtest.h>

#include <cmath>

namespace perftco {
namespace {

TEST(ScalingLaw, ComputeOptimalSpendsTheBudgetAndMinimisesLossAlongTheIsoFlopCurve) {
  const ScalingLawFit fit = ScalingLawFit::EpochChinchilla();
  for (double c : {1e21, 5.76e23, 3.8e25, 1e27}) {
    const ComputeOptimal o = ComputeOptimalFor(fit, c).value();
    EXPECT_NEAR(SixNd(o.params, o.tokens) / c, 1.0, 1e-12);
    EXPECT_NEAR(o.loss, PredictedLoss(fit, o.params, o.tokens), 1e-12);
    for (double f : {0.5, 0.8, 1.25, 2.0}) {
      const double n = o.params * f;
      EXPECT_GT(PredictedLoss(fit, n, c / (6 * n)), o.loss) << c << " x" << f;
    }
  }
}

TEST(ScalingLaw, ChinchillasBudgetGivesAboutTwentyTokensPerParameter) {
  // Chinchilla: 70B parameters on 1.4T tokens, C = 6ND = 5.88e23. Besiroglu et al. report that
  // their refit is consistent with Hoffmann et al.'s 20 tokens per parameter.
  const ComputeOptimal o = ComputeOptimalFor(ScalingLawFit::EpochChinchilla(), 5.88e23).value();
  EXPECT_GT(o.TokensPerParam(), 15);
  EXPECT_LT(o.TokensPerParam(), 35);
  EXPECT_GT(o.params, 40e9);
  EXPECT_LT(o.params, 90e9);
  // The exponent a = beta / (alpha + beta) = 0.5126: N* grows a little faster than sqrt(C).
  const ComputeOptimal big = ComputeOptimalFor(ScalingLawFit::EpochChinchilla(), 5.88e25).value();
  EXPECT_NEAR(big.params / o.params, std::pow(100.0, 0.3658 / (0.3478 + 0.3658)), 1e-9);
}

TEST(ScalingLaw, LossFallsWithParametersAndTokensTowardsTheIrreducibleTerm) {
  const ScalingLawFit fit = ScalingLawFit::EpochChinchilla();
  EXPECT_GT(PredictedLoss(fit, 1e9, 1e12), PredictedLoss(fit, 1e10, 1e12));
  EXPECT_GT(PredictedLoss(fit, 1e10, 1e11), PredictedLoss(fit, 1e10, 1e12));
  EXPECT_NEAR(PredictedLoss(fit, 1e30, 1e30), fit.e, 1e-6);
}

TEST(ScalingLaw, RejectsNonPositiveBudgets) {
  EXPECT_FALSE(ComputeOptimalFor(ScalingLawFit::EpochChinchilla(), 0).ok());
  EXPECT_FALSE(ComputeOptimalFor(ScalingLawFit::EpochChinchilla(), -5).ok());
  EXPECT_FALSE(ComputeOptimalFor(ScalingLawFit(), 1e24).ok());
}

}  // namespace
}  // namespace perftco
