#include "serving/step_timer.h"

#include <gtest/gtest.h>

#include "serving/test_support.h"

namespace perftco::serving {
namespace {

using perftco::testing::Options;
using perftco::testing::SetupFor;

double Direct(const CostModel& c, int64_t n, double ctx) {
  BatchShape s;
  s.decode_seqs = n;
  s.decode_ctx_sum = ctx;
  return c.Step(s).time.value();
}

// Every step of every window must match the cost model evaluated on its own, for a dense model,
// an MoE with sliding-window layers (gpt-oss) and an MLA model.
TEST(StepTimer, DecodeLinesMatchEveryStepTheyStandFor) {
  const std::vector<SetupOptions> setups = {Options("llama-3.1-8b", "h100-sxm", 1, 1),
                                            Options("gpt-oss-20b", "h100-sxm", 1, 1),
                                            Options("deepseek-v3", "h200-sxm", 8, 8, "fp8")};
  for (const SetupOptions& o : setups) {
    auto setup = SetupFor(o);
    StepTimer timer(*setup->cost);
    for (int64_t n : {1, 7, 64, 250}) {
      for (double per_seq : {100.0, 1500.0, 30000.0}) {
        int64_t k = 5000;
        double t0 = 0, dt = 0;
        const double c0 = per_seq * static_cast<double>(n);
        timer.DecodeLine(n, c0, &k, &t0, &dt);
        ASSERT_GE(k, 1);
        for (int64_t j = 0; j < k; j += std::max<int64_t>(1, k / 97)) {
          const double want = Direct(*setup->cost, n, c0 + static_cast<double>(n * j));
          EXPECT_NEAR((t0 + dt * j) / want, 1.0, 1e-8) << o.model << " n=" << n << " j=" << j;
        }
      }
    }
  }
}

TEST(StepTimer, SlidingWindowKinksShortenTheWindowInsteadOfBendingTheLine) {
  // gpt-oss alternates full and 128-token sliding-window attention: the decode time's slope
  // changes where contexts pass the window. A window across that point must stop before it.
  auto setup = SetupFor(Options("gpt-oss-20b", "h100-sxm", 1, 1));
  StepTimer timer(*setup->cost);
  const int64_t n = 32;
  const double c0 = 100.0 * n;  // every context 100 tokens, below the 128-token window
  int64_t k = 1000;
  double t0 = 0, dt = 0;
  timer.DecodeLine(n, c0, &k, &t0, &dt);
  EXPECT_LT(k, 1000);
  EXPECT_GE(k, 1);
}

TEST(StepTimer, SteadyStateNeedsNoNewEvaluations) {
  auto setup = SetupFor(Options("llama-3.1-8b", "h100-sxm", 1, 1));
  StepTimer timer(*setup->cost);
  int64_t k = 100;
  double t0, dt;
  timer.DecodeLine(64, 64 * 1000.0, &k, &t0, &dt);
  const int64_t after_first = timer.evaluations();
  for (int i = 0; i < 50; ++i) {
    int64_t kk = 20;
    timer.DecodeLine(64, 64 * (1000.0 + i), &kk, &t0, &dt);
    EXPECT_EQ(kk, 20);
  }
  EXPECT_EQ(timer.evaluations(), after_first);
}

}  // namespace
}  // namespace perftco::serving
