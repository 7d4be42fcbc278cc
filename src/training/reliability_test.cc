#include "perftco/reliability.h"

#include <gtest/gtest.h>

#include <cmath>

namespace perftco {
namespace {

TEST(Reliability, DefaultFailureRateIsLlama3s419InterruptionsIn54DaysOn16384Gpus) {
  EXPECT_NEAR(kLlama3FailuresPerChipHour * 16384 * 54 * 24, 419.0, 1e-9);
}

TEST(Reliability, DalyIntervalMinimisesLostTime) {
  for (double mtbf_h : {0.2, 3.0, 40.0}) {
    const Seconds m(mtbf_h * 3600);
    const Seconds delta(30), restart(600);
    const Seconds daly = DalyInterval(delta, m);
    // The interval with the least wall time per unit of work, by a fine scan.
    double best_tau = 0, best = 1e300;
    for (double tau = 1; tau < 20 * m.value(); tau *= 1.001) {
      const double w = WallPerUsefulTime(Seconds(tau), delta, restart, m);
      if (w < best) {
        best = w;
        best_tau = tau;
      }
    }
    EXPECT_NEAR(daly.value() / best_tau, 1.0, 0.01) << mtbf_h;
    const double at_daly = WallPerUsefulTime(daly, delta, restart, m);
    EXPECT_NEAR(at_daly / best, 1.0, 1e-4) << mtbf_h;
    for (double f : {0.5, 0.8, 1.25, 2.0}) {
      EXPECT_GT(WallPerUsefulTime(daly * f, delta, restart, m), at_daly) << mtbf_h << " x" << f;
    }
  }
}

TEST(Reliability, YoungAndDalyAgreeWhenCheckpointsAreCheap) {
  const Seconds m(3 * 3600.0), delta(3);
  EXPECT_NEAR(DalyInterval(delta, m) / YoungInterval(delta, m), 1.0, 0.02);
  EXPECT_NEAR(YoungInterval(delta, m).value(), std::sqrt(2.0 * 3 * 3 * 3600.0), 1e-9);
  // A checkpoint longer than two MTBFs: Daly checkpoints once per MTBF.
  EXPECT_DOUBLE_EQ(DalyInterval(Seconds(8000), Seconds(3600)).value(), 3600.0);
}

TEST(Reliability, GoodputFallsAsTheClusterGrows) {
  ReliabilityParams p;
  const Bytes ckpt(5.7e12);
  double previous = 1.0;
  for (int chips : {1024, 16384, 100000, 400000}) {
    const ReliabilityResult r = EvaluateReliability(p, chips, ckpt, Seconds(86400 * 30)).value();
    EXPECT_LT(r.goodput, previous) << chips;
    EXPECT_GT(r.wall_time.value(), 86400.0 * 30);
    previous = r.goodput;
  }
  // Llama 3 reported more than 90% effective training time at 16,384 GPUs.
  const ReliabilityResult llama = EvaluateReliability(p, 16384, ckpt, Seconds(86400)).value();
  EXPECT_GT(llama.goodput, 0.85);
  EXPECT_NEAR(llama.mtbf.value() / 3600, 54.0 * 24 / 419, 1e-9);
}

TEST(Reliability, WithoutFailuresOnlyCheckpointsCost) {
  ReliabilityParams p;
  p.failures = false;
  p.interval = Seconds(3600);
  const ReliabilityResult r = EvaluateReliability(p, 100000, Bytes(2e12), Seconds(7200)).value();
  EXPECT_NEAR(r.goodput, 3600.0 / (3600.0 + 1.0), 1e-12);  // 2 TB at 2 TB/s per hour
  EXPECT_EQ(r.expected_failures, 0.0);
}

TEST(Reliability, RejectsBadInputs) {
  ReliabilityParams p;
  EXPECT_FALSE(EvaluateReliability(p, 0, Bytes(1e12), Seconds(1)).ok());
  p.failures_per_chip_hour = -1;
  EXPECT_FALSE(EvaluateReliability(p, 8, Bytes(1e12), Seconds(1)).ok());
  p = ReliabilityParams();
  p.storage_bandwidth = BytesPerSecond(0);
  EXPECT_FALSE(EvaluateReliability(p, 8, Bytes(1e12), Seconds(1)).ok());
  p = ReliabilityParams();
  p.interval = Seconds(0);
  EXPECT_FALSE(EvaluateReliability(p, 8, Bytes(1e12), Seconds(1)).ok());
  // A job that fails far faster than it restarts has no finite wall time.
  p = ReliabilityParams();
  p.failures_per_chip_hour = 1.0;
  const Result<ReliabilityResult> r = EvaluateReliability(p, 1000000, Bytes(1e12), Seconds(1));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("fails faster"), std::string::npos);
}

}  // namespace
}  // namespace perftco
