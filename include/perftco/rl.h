// One step of the RL / synthetic-data loop: generate, verify, filter, train, sync weights.
//
// prompts x samples_per_prompt rollouts are generated on a rollout pool (RolloutGenerator) with
// lengths from a long-tailed distribution, verified on CPU workers as they finish, filtered by a
// pass rate and a keep rule, trained on by the training model (TrainingModel), and the new
// weights are sent back to the rollout pool. docs/models/rl.md gives the timeline equations.
#ifndef PERFTCO_RL_H_
#define PERFTCO_RL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "perftco/catalog.h"
#include "perftco/efficiency.h"
#include "perftco/rollout_generator.h"
#include "perftco/status.h"
#include "perftco/training.h"
#include "perftco/units.h"

namespace perftco {

// Output lengths: lognormal with the given mean and shape, capped (right-skewed, long tail).
struct RolloutLengths {
  double mean_tokens = 8000;
  double sigma = 0.6;          // lognormal shape: p99 / mean = exp(2.326 sigma - sigma^2 / 2)
  int64_t max_tokens = 32768;  // cap (the generation budget)
};
// n lengths drawn with `seed`; the same inputs give the same lengths on every platform.
Result<std::vector<int64_t>> SampleRolloutLengths(const RolloutLengths& d, int64_t n,
                                                  uint64_t seed);

enum class KeepRule {
  kPassing,     // train on samples that passed (rejection sampling, RFT/STaR-style)
  kGrpoGroups,  // train on every sample of a group with mixed outcomes; drop groups where all or
                // none passed, whose GRPO advantages are all zero (Yu et al. 2025, DAPO)
};
enum class RlPipeline {
  kSynchronous,   // generate, verify, train, sync, in turn (on-policy)
  kOneStepAsync,  // step k+1 generates while step k trains (one step off-policy); split pools
};
enum class PoolLayout {
  kShared,  // the same chips generate, then train (colocated)
  kSplit,   // a rollout pool and a training pool
};
std::string_view KeepRuleName(KeepRule r);
std::string_view RlPipelineName(RlPipeline p);
std::string_view PoolLayoutName(PoolLayout p);
Result<KeepRule> ParseKeepRule(std::string_view name);
Result<RlPipeline> ParseRlPipeline(std::string_view name);
Result<PoolLayout> ParsePoolLayout(std::string_view name);

// CPU verification: each sample runs in a sandbox on one worker.
struct VerifierConfig {
  Seconds per_sample = Seconds(2);       // running the tests / checking the answer
  Seconds sandbox_startup = Seconds(1);  // container or process start per sample
  int workers = 256;                     // verifications at once
  double usd_per_worker_hour = 0.05;     // one CPU core, ASSUMPTION (docs/models/rl.md)
};

struct RlConfig {
  int prompts = 32;
  int samples_per_prompt = 16;
  int64_t prompt_tokens = 1000;
  RolloutLengths lengths;
  double pass_rate = 0.2;
  // Spread of difficulty between prompts: each prompt's pass rate ~ Beta(p k, (1 - p) k) with
  // k = difficulty_concentration; 0 gives every prompt the same pass rate p.
  double difficulty_concentration = 0;
  KeepRule keep = KeepRule::kGrpoGroups;
  RlPipeline pipeline = RlPipeline::kSynchronous;
  PoolLayout pools = PoolLayout::kShared;
  VerifierConfig verifier;
  // Extra forward passes over the kept samples (reference-model log-probs for the KL term of
  // GRPO, Shao et al. 2024); run on the training chips.
  int logprob_passes = 1;
  Seconds sync_fixed;  // per-step engine weight reload overhead beyond the transfer
  double usd_per_chip_hour = 0;
  uint64_t seed = 1;
};

// The phases of a step: how long each runs, and how much of it lies on the step's critical path.
struct RlPhase {
  Seconds busy;             // how long the phase runs
  Seconds on_path;          // its share of the step time (the four sum to the step)
  double chip_seconds = 0;  // accelerator chip-seconds (verification: CPU worker-seconds)
};

struct RlStepResult {
  int64_t samples = 0;
  int64_t passed = 0;
  int64_t kept = 0;
  int64_t groups_kept = 0;
  double generated_tokens = 0;  // output tokens of all rollouts
  double kept_tokens = 0;       // output tokens of kept samples: what the loss is taken over
  double trained_tokens = 0;    // prompt + output tokens of kept samples
  int64_t longest_rollout = 0;
  double mean_rollout = 0;
  RlPhase generation, verification, training, sync;
  Seconds step_time;
  // Fractions of the step (critical path; they sum to 1).
  double split_generation = 0, split_verification = 0, split_training = 0, split_sync = 0;
  double generation_flops = 0;  // forward FLOPs of all rollouts (prompt + output)
  double training_flops = 0;    // FLOPs run for the kept samples (forward + backward + log-probs)
  double rollout_pool_utilization = 0;  // busy time / step time
  double training_pool_utilization = 0;
  double generation_occupancy = 0;  // see GenerationResult::occupancy
  int rollout_chips = 0;
  int training_chips = 0;
  int total_chips = 0;  // shared: the pool; split: both pools
  TrainingStep train_step;
  double usd_accelerators = 0;
  double usd_verifiers = 0;
  double usd_step = 0;
  double usd_per_kept_token = 0;
};

// One RL step. `generator` runs the rollouts; `trainer` and `train_chips` train on the kept
// samples with the best plan under `train_constraints`. With shared pools the generator and the
// trainer use the same chips (train_chips must equal generator.Chips()).
// Errors: bad configuration (one line each), nothing kept, or a training plan that does not fit.
Result<RlStepResult> SimulateRlStep(const RlConfig& config, const RolloutGenerator& generator,
                                    const TrainingModel& trainer, int train_chips,
                                    const PlanConstraints& train_constraints);

// The rollout pool: `chips` chips of replicas of `tp` chips (default: the smallest power of two
// within the scale-up domain that fits the model with room for at least `min_sequences`
// rollouts of `context` tokens). Errors: no such tp, or chips not a multiple of it.
Result<std::shared_ptr<Setup>> BuildRolloutPool(const Catalog& catalog,
                                                const EfficiencyTable& table,
                                                const std::string& model,
                                                const std::string& hardware, int chips,
                                                std::optional<int> tp, const std::string& precision,
                                                int64_t context, int64_t min_sequences);

// The smallest chip count, a power-of-two multiple of the scale-up domain (up to 65,536 chips),
// on which some training plan fits `w`. Errors: none up to the limit.
Result<int> SmallestTrainingPool(const TrainingModel& trainer, const TrainingWorkload& w);

// Time to move new weights from the trainer to the rollout replicas: over the scale-up network
// and HBM when the pools are shared (re-layout in place), over the scale-out network when split.
Seconds WeightSyncTime(const TrainingModel& trainer, const Setup& rollout, PoolLayout pools);

}  // namespace perftco

#endif  // PERFTCO_RL_H_
