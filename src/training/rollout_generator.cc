#include "perftco/rollout_generator.h"

#include <algorithm>
#include <deque>

namespace perftco {
namespace {

struct Running {
  size_t index;       // in the batch
  int64_t generated;  // output tokens so far
  int64_t target;
};

// Prefill of `count` prompts of `prompt` tokens, in chunks of the engine's token budget.
Seconds PrefillTime(const CostModel& cost, int64_t count, int64_t prompt) {
  const int64_t budget = std::max<int64_t>(1, cost.engine().max_batched_tokens);
  Seconds t;
  BatchShape shape;
  int64_t in_shape = 0;
  for (int64_t i = 0; i < count; ++i) {
    int64_t done = 0;
    while (done < prompt) {
      const int64_t room = budget - in_shape;
      const int64_t chunk = std::min(room, prompt - done);
      shape.AddPrefillChunk(done, chunk, done + chunk == prompt);
      done += chunk;
      in_shape += chunk;
      if (in_shape >= budget) {
        t += cost.Step(shape).time;
        shape = BatchShape();
        in_shape = 0;
      }
    }
  }
  if (in_shape > 0) t += cost.Step(shape).time;
  return t;
}

}  // namespace

CostModelRolloutGenerator::CostModelRolloutGenerator(std::shared_ptr<const Setup> setup)
    : setup_(std::move(setup)) {}

int CostModelRolloutGenerator::Chips() const { return setup_->plan.Chips(); }

std::string CostModelRolloutGenerator::Describe() const {
  return std::to_string(setup_->plan.Chips()) + " x " + setup_->hardware.name + " (" +
         setup_->plan.ToString() + ", " + std::string(PrecisionName(setup_->precisions.weights)) +
         ")";
}

Result<GenerationResult> CostModelRolloutGenerator::Generate(const RolloutBatch& batch) const {
  if (batch.output_tokens.empty()) return Status::Error("no rollouts to generate");
  if (batch.prompt_tokens < 1) return Status::Error("prompt length must be positive");
  int64_t longest = 0;
  for (int64_t n : batch.output_tokens) {
    if (n < 1) return Status::Error("rollout lengths must be positive");
    longest = std::max(longest, n);
  }
  const CostModel& cost = *setup_->cost;
  const int64_t slots = cost.MaxSequences(batch.prompt_tokens + longest);
  if (slots < 1) {
    return Status::Error("one rollout of " + std::to_string(batch.prompt_tokens + longest) +
                         " tokens does not fit the KV cache of one " + Describe() +
                         " replica: raise the rollout tp or shorten the rollouts");
  }
  const int replicas = std::max(1, setup_->plan.replicas);
  GenerationResult out;
  out.finish.assign(batch.output_tokens.size(), Seconds(0));
  out.slots_per_replica = slots;
  double occupied = 0;  // sum over replicas of running-sequence-seconds
  double capacity = 0;  // sum over replicas of the sequences it could run at once
  for (int r = 0; r < replicas; ++r) {
    std::deque<size_t> waiting;
    for (size_t i = static_cast<size_t>(r); i < batch.output_tokens.size();
         i += static_cast<size_t>(replicas)) {
      waiting.push_back(i);
    }
    if (waiting.empty()) continue;
    capacity += static_cast<double>(std::min<int64_t>(slots, static_cast<int64_t>(waiting.size())));
    Seconds now;
    std::vector<Running> running;
    auto admit = [&] {
      int64_t admitted = 0;
      while (!waiting.empty() && static_cast<int64_t>(running.size()) < slots) {
        const size_t i = waiting.front();
        waiting.pop_front();
        running.push_back({i, 0, batch.output_tokens[i]});
        ++admitted;
      }
      // Prefill produces each admitted rollout's first token.
      if (admitted > 0) {
        const Seconds t = PrefillTime(cost, admitted, batch.prompt_tokens);
        occupied += static_cast<double>(running.size()) * t.value();
        now += t;
        for (auto& s : running) {
          if (s.generated == 0) s.generated = 1;
        }
      }
    };
    admit();
    while (!running.empty()) {
      // Retire finished rollouts, then refill their slots.
      bool retired = false;
      for (size_t k = 0; k < running.size();) {
        if (running[k].generated >= running[k].target) {
          out.finish[running[k].index] = now;
          running[k] = running.back();
          running.pop_back();
          retired = true;
        } else {
          ++k;
        }
      }
      if (retired) admit();
      if (running.empty()) break;
      int64_t steps = kStride;
      for (const auto& s : running) steps = std::min(steps, s.target - s.generated);
      BatchShape shape;
      for (const auto& s : running) {
        // Context at the middle of the stretch.
        shape.AddDecode(batch.prompt_tokens + s.generated + steps / 2);
      }
      const Seconds t = cost.Step(shape).time * static_cast<double>(steps);
      occupied += static_cast<double>(running.size()) * t.value();
      now += t;
      for (auto& s : running) s.generated += steps;
    }
    out.time = std::max(out.time, now);
  }
  if (out.time.value() > 0) {
    out.occupancy = occupied / (out.time.value() * capacity);
  }
  return out;
}

}  // namespace perftco
