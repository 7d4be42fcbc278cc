// Generating RL rollouts on a pool of inference replicas: the interface the RL loop calls, and a
// step-by-step implementation over the roofline cost model.
//
// The interface is small on purpose so that a discrete-event serving simulator can replace the
// analytical generator without touching the RL loop: it takes the prompts' length and every
// rollout's output length, and returns when each rollout finishes.
#ifndef PERFTCO_ROLLOUT_GENERATOR_H_
#define PERFTCO_ROLLOUT_GENERATOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "perftco/setup.h"
#include "perftco/status.h"
#include "perftco/units.h"

namespace perftco {

// All rollouts of one RL step, issued together at time 0.
struct RolloutBatch {
  int64_t prompt_tokens = 0;
  std::vector<int64_t> output_tokens;  // one entry per rollout
};

struct GenerationResult {
  Seconds time;                 // until the last rollout finishes
  std::vector<Seconds> finish;  // per rollout, in the batch's order
  // Mean running sequences over `time`, as a fraction of what the replicas could run at once
  // (their slots, or their share of the batch if smaller): low when stragglers run alone.
  double occupancy = 0;
  int64_t slots_per_replica = 0;
};

class RolloutGenerator {
 public:
  virtual ~RolloutGenerator() = default;
  // Errors: an empty batch, non-positive lengths, or rollouts that do not fit one replica.
  virtual Result<GenerationResult> Generate(const RolloutBatch& batch) const = 0;
  virtual int Chips() const = 0;
  virtual std::string Describe() const = 0;
  // The replicas' model, hardware and plan (weight sync and reports read it).
  virtual const Setup& setup() const = 0;
};

// Replicas of a Setup running continuous batching without preemption: rollouts go round-robin
// to the replicas in batch order; each replica admits as many as fit its KV cache at the longest
// context, prefills them, then decodes one token per running sequence per step, admitting a
// waiting rollout whenever one finishes. Step times come from CostModel::Step, evaluated once per
// stretch of at most `kStride` steps between finishes (context grows linearly inside a stretch).
class CostModelRolloutGenerator : public RolloutGenerator {
 public:
  static constexpr int64_t kStride = 64;
  // `setup` must have been built by BuildSetup (its cost model checked to fit).
  explicit CostModelRolloutGenerator(std::shared_ptr<const Setup> setup);
  Result<GenerationResult> Generate(const RolloutBatch& batch) const override;
  int Chips() const override;
  std::string Describe() const override;
  const Setup& setup() const override { return *setup_; }

 private:
  std::shared_ptr<const Setup> setup_;  // shared with the caller that built it
};

}  // namespace perftco

#endif  // PERFTCO_ROLLOUT_GENERATOR_H_
