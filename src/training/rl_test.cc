#include "perftco/rl.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "training_test_fixtures.h"

namespace perftco {
namespace {

using training_testing::Cat;
using training_testing::Eff;
using training_testing::Trainer;

std::shared_ptr<Setup> Pool(int chips, int tp) {
  return BuildRolloutPool(Cat(), Eff(), "llama-3.1-8b", "h100-sxm", chips, tp, "bf16", 16384, 16)
      .value();
}

RlConfig SmallConfig() {
  RlConfig c;
  c.prompts = 8;
  c.samples_per_prompt = 4;
  c.prompt_tokens = 500;
  c.lengths.mean_tokens = 2000;
  c.lengths.sigma = 0.6;
  c.lengths.max_tokens = 8192;
  c.pass_rate = 0.3;
  c.usd_per_chip_hour = 4.0;
  c.seed = 7;
  return c;
}

double SplitSum(const RlStepResult& r) {
  return r.split_generation + r.split_verification + r.split_training + r.split_sync;
}

TEST(RolloutLengths, AreSeededLongTailedAndCapped) {
  RolloutLengths d;
  d.mean_tokens = 8000;
  d.sigma = 0.6;
  d.max_tokens = 1 << 20;
  const std::vector<int64_t> a = SampleRolloutLengths(d, 20000, 3).value();
  const double mean = std::accumulate(a.begin(), a.end(), 0.0) / static_cast<double>(a.size());
  EXPECT_NEAR(mean / 8000, 1.0, 0.03);
  std::vector<int64_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_GT(sorted[19800], 2.5 * sorted[10000]);  // p99 well above the median: a long tail
  EXPECT_EQ(a, SampleRolloutLengths(d, 20000, 3).value());
  EXPECT_NE(a, SampleRolloutLengths(d, 20000, 4).value());
  d.max_tokens = 12000;
  const std::vector<int64_t> capped = SampleRolloutLengths(d, 5000, 3).value();
  for (int64_t x : capped) EXPECT_LE(x, 12000);
  d.max_tokens = 100;
  EXPECT_FALSE(SampleRolloutLengths(d, 10, 1).ok());
}

TEST(RolloutGenerator, SynchronousGenerationWaitsForTheLongestRollout) {
  const CostModelRolloutGenerator gen(Pool(8, 1));
  RolloutBatch b;
  b.prompt_tokens = 500;
  b.output_tokens = {200, 300, 250, 6000, 180, 220, 310, 190};
  const GenerationResult g = gen.Generate(b).value();
  RolloutBatch alone = b;
  alone.output_tokens = {6000};
  EXPECT_GE(g.time.value(), gen.Generate(alone).value().time.value() * 0.999);
  EXPECT_DOUBLE_EQ(g.time.value(), g.finish[3].value());
  EXPECT_GT(g.occupancy, 0.0);
  EXPECT_LT(g.occupancy, 1.0);
  b.output_tokens = {};
  EXPECT_FALSE(gen.Generate(b).ok());
}

TEST(RlStep, SplitSumsToTheStep) {
  const CostModelRolloutGenerator gen(Pool(8, 1));
  const TrainingModel trainer = Trainer("llama-3.1-8b", "h100-sxm");
  RlConfig c = SmallConfig();
  const RlStepResult shared = SimulateRlStep(c, gen, trainer, 8, PlanConstraints()).value();
  EXPECT_NEAR(SplitSum(shared), 1.0, 1e-12);
  EXPECT_NEAR((shared.generation.on_path + shared.verification.on_path + shared.training.on_path +
               shared.sync.on_path)
                  .value(),
              shared.step_time.value(), 1e-9);
  c.pools = PoolLayout::kSplit;
  for (RlPipeline p : {RlPipeline::kSynchronous, RlPipeline::kOneStepAsync}) {
    c.pipeline = p;
    const RlStepResult r = SimulateRlStep(c, gen, trainer, 8, PlanConstraints()).value();
    EXPECT_NEAR(SplitSum(r), 1.0, 1e-12);
    EXPECT_GT(r.usd_per_kept_token, 0.0);
    EXPECT_EQ(r.total_chips, 16);
  }
}

TEST(RlStep, WithEveryRolloutPassingAndOneSamplePerPromptItIsGeneratePlusTrain) {
  const CostModelRolloutGenerator gen(Pool(8, 1));
  const TrainingModel trainer = Trainer("llama-3.1-8b", "h100-sxm");
  RlConfig c = SmallConfig();
  c.prompts = 16;
  c.samples_per_prompt = 1;
  c.pass_rate = 1.0;
  c.keep = KeepRule::kPassing;
  c.verifier.per_sample = Seconds(0);
  c.verifier.sandbox_startup = Seconds(0);
  c.logprob_passes = 0;
  const RlStepResult r = SimulateRlStep(c, gen, trainer, 8, PlanConstraints()).value();
  EXPECT_EQ(r.kept, 16);

  // The same rollouts generated on their own, and the same samples trained on their own.
  const std::vector<int64_t> lengths = SampleRolloutLengths(c.lengths, 16, c.seed).value();
  RolloutBatch b;
  b.prompt_tokens = c.prompt_tokens;
  b.output_tokens = lengths;
  const Seconds generate = gen.Generate(b).value().time;
  double sum_sq = 0;
  for (int64_t n : lengths) sum_sq += std::pow(c.prompt_tokens + n, 2.0);
  TrainingWorkload w;
  w.seq_len = std::llround(std::sqrt(sum_sq / 16));
  w.global_batch_tokens = 16.0 * static_cast<double>(w.seq_len);
  const Seconds train = SearchPlan(trainer, 8, w, PlanConstraints()).value().step_time;
  const Seconds sync = WeightSyncTime(trainer, gen.setup(), PoolLayout::kShared);
  EXPECT_NEAR(r.step_time.value(), (generate + train + sync).value(), 1e-9);
  EXPECT_EQ(r.verification.on_path.value(), 0.0);
}

TEST(RlStep, OneStepAsyncOverlapsGenerationWithTraining) {
  const CostModelRolloutGenerator gen(Pool(8, 1));
  const TrainingModel trainer = Trainer("llama-3.1-8b", "h100-sxm");
  RlConfig c = SmallConfig();
  c.pools = PoolLayout::kSplit;
  const RlStepResult sync = SimulateRlStep(c, gen, trainer, 8, PlanConstraints()).value();
  c.pipeline = RlPipeline::kOneStepAsync;
  const RlStepResult async = SimulateRlStep(c, gen, trainer, 8, PlanConstraints()).value();
  EXPECT_LT(async.step_time.value(), sync.step_time.value());
  EXPECT_NEAR(async.step_time.value(),
              std::max(async.generation.busy.value() + sync.verification.on_path.value(),
                       async.training.busy.value()) +
                  async.sync.busy.value(),
              1e-9);
}

TEST(RlStep, IsDeterministicForASeed) {
  const CostModelRolloutGenerator gen(Pool(8, 1));
  const TrainingModel trainer = Trainer("llama-3.1-8b", "h100-sxm");
  RlConfig c = SmallConfig();
  const RlStepResult a = SimulateRlStep(c, gen, trainer, 8, PlanConstraints()).value();
  const RlStepResult b = SimulateRlStep(c, gen, trainer, 8, PlanConstraints()).value();
  EXPECT_EQ(a.step_time.value(), b.step_time.value());
  EXPECT_EQ(a.kept, b.kept);
  c.seed = 8;
  const RlStepResult other = SimulateRlStep(c, gen, trainer, 8, PlanConstraints()).value();
  EXPECT_NE(a.generated_tokens, other.generated_tokens);
}

TEST(RlStep, KeepRulesFilterAsDocumented) {
  const CostModelRolloutGenerator gen(Pool(8, 1));
  const TrainingModel trainer = Trainer("llama-3.1-8b", "h100-sxm");
  RlConfig c = SmallConfig();
  c.keep = KeepRule::kPassing;
  const RlStepResult passing = SimulateRlStep(c, gen, trainer, 8, PlanConstraints()).value();
  EXPECT_EQ(passing.kept, passing.passed);
  c.keep = KeepRule::kGrpoGroups;
  const RlStepResult grpo = SimulateRlStep(c, gen, trainer, 8, PlanConstraints()).value();
  EXPECT_EQ(grpo.kept, grpo.groups_kept * c.samples_per_prompt);
  // Everything passes: every group is uniform, GRPO keeps nothing.
  c.pass_rate = 1.0;
  const Result<RlStepResult> none = SimulateRlStep(c, gen, trainer, 8, PlanConstraints());
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no rollout was kept"), std::string::npos);
}

TEST(RlStep, RejectsBadConfigurations) {
  const CostModelRolloutGenerator gen(Pool(8, 1));
  const TrainingModel trainer = Trainer("llama-3.1-8b", "h100-sxm");
  RlConfig c = SmallConfig();
  c.pass_rate = 1.5;
  EXPECT_FALSE(SimulateRlStep(c, gen, trainer, 8, PlanConstraints()).ok());
  c = SmallConfig();
  c.samples_per_prompt = 1;
  EXPECT_NE(SimulateRlStep(c, gen, trainer, 8, PlanConstraints())
                .status()
                .message()
                .find("at least 2 samples"),
            std::string::npos);
  c = SmallConfig();
  c.pipeline = RlPipeline::kOneStepAsync;
  EXPECT_NE(SimulateRlStep(c, gen, trainer, 8, PlanConstraints()).status().message().find("split"),
            std::string::npos);
  c = SmallConfig();
  EXPECT_NE(
      SimulateRlStep(c, gen, trainer, 16, PlanConstraints()).status().message().find("must equal"),
      std::string::npos);
}

TEST(RlStep, StragglersLeaveGenerationSlotsIdle) {
  const CostModelRolloutGenerator gen(Pool(8, 1));
  const TrainingModel trainer = Trainer("llama-3.1-8b", "h100-sxm");
  RlConfig c = SmallConfig();
  c.lengths.sigma = 0.0;  // all rollouts equally long
  const double even = SimulateRlStep(c, gen, trainer, 8, PlanConstraints())->generation_occupancy;
  c.lengths.sigma = 1.0;
  const double skewed = SimulateRlStep(c, gen, trainer, 8, PlanConstraints())->generation_occupancy;
  EXPECT_GT(even, 0.95);
  EXPECT_LT(skewed, even);
}

}  // namespace
}  // namespace perftco
