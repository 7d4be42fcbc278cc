// Exhaustive search over training plans: the fastest one that fits in memory.
#include <algorithm>
#include <vector>

#include "perftco/limits.h"
#include "perftco/training.h"

namespace perftco {
namespace {

std::vector<int> PowersOfTwoUpTo(int limit) {
  std::vector<int> v;
  for (int x = 1; x <= limit; x *= 2) v.push_back(x);
  return v;
}

// `values`, or just the constraint's value when it is set.
std::vector<int> Choices(const std::optional<int>& fixed, std::vector<int> values) {
  if (fixed) return {*fixed};
  return values;
}

// Chunks per stage the interleaved schedule is tried with (Llama 3 405B ran 8 one-layer chunks).
const std::vector<int> kInterleavedChunks = {2, 4, 8};

}  // namespace

Result<TrainingStep> SearchPlan(const TrainingModel& tm, int chips, const TrainingWorkload& w,
                                const PlanConstraints& c) {
  if (chips < 1) return Status::Error("--chips must be positive");
  PERFTCO_RETURN_IF_ERROR(CheckChips(chips));
  const ModelConfig& m = tm.model();
  const Hardware& hw = tm.hardware();

  std::vector<int> tps;
  for (int t : PowersOfTwoUpTo(std::max(1, hw.scale_up.domain_chips))) {
    if (m.heads % t == 0) tps.push_back(t);
  }
  std::vector<int> pps = PowersOfTwoUpTo(std::min(m.layers, 128));
  std::vector<int> cps = {1};
  // Context parallelism pays off only for long sequences (Llama 3 used it from 128K tokens).
  if (w.seq_len >= 16384) cps = PowersOfTwoUpTo(32);
  std::vector<int> eps = {1};
  if (m.IsMoe()) eps = PowersOfTwoUpTo(m.moe.num_experts);
  const std::vector<int> zeros = Choices(c.zero_stage, {0, 1, 2, 3});
  const std::vector<int> mbs = Choices(c.micro_batch, {1, 2, 4});
  std::vector<double> rcs = {0.0, 0.25, 0.5, 0.75, 1.0};
  if (c.recompute) rcs = {*c.recompute};

  bool any_valid = false;
  Status first_invalid;
  std::optional<TrainingStep> best;
  std::optional<TrainingStep> closest;  // smallest memory overshoot, for the error
  for (int tp : Choices(c.tp, tps)) {
    for (int pp : Choices(c.pp, pps)) {
      for (int cp : Choices(c.cp, cps)) {
        const int model_chips = tp * pp * cp;
        if (model_chips <= 0 || chips % model_chips != 0) continue;
        const int dp = chips / model_chips;
        if (c.dp && *c.dp != dp) continue;
        std::vector<std::pair<PipelineSchedule, int>> schedules;
        if (c.schedule) {
          if (*c.schedule == PipelineSchedule::k1F1B) {
            schedules.push_back({PipelineSchedule::k1F1B, 1});
          } else {
            for (int v : Choices(c.virtual_stages, kInterleavedChunks)) {
              schedules.push_back({PipelineSchedule::kInterleaved, v});
            }
          }
        } else if (c.virtual_stages) {
          schedules.push_back(
              {*c.virtual_stages > 1 ? PipelineSchedule::kInterleaved : PipelineSchedule::k1F1B,
               *c.virtual_stages});
        } else {
          schedules.push_back({PipelineSchedule::k1F1B, 1});
          if (pp > 1) {
            for (int v : kInterleavedChunks)
              schedules.push_back({PipelineSchedule::kInterleaved, v});
          }
        }
        for (int ep : Choices(c.ep, eps)) {
          for (const auto& [schedule, v] : schedules) {
            for (int zero : zeros) {
              for (int mb : mbs) {
                for (double rc : rcs) {
                  TrainingPlan p;
                  p.dp = dp;
                  p.tp = tp;
                  p.pp = pp;
                  p.cp = cp;
                  p.ep = ep;
                  p.zero_stage = zero;
                  p.schedule = schedule;
                  p.virtual_stages = v;
                  p.micro_batch = mb;
                  p.recompute = rc;
                  Result<TrainingStep> r = tm.StepUnchecked(p, w);
                  if (!r.ok()) {
                    if (first_invalid.ok()) first_invalid = r.status();
                    continue;
                  }
                  any_valid = true;
                  const TrainingStep& st = r.value();
                  // Rounding the batch up to whole micro-batches may not change the problem.
                  if (st.tokens_per_step >
                      1.1 * w.global_batch_tokens + static_cast<double>(w.seq_len)) {
                    continue;
                  }
                  if (!st.memory.Fits()) {
                    const double over = st.memory.total / st.memory.usable;
                    if (!closest || over < closest->memory.total / closest->memory.usable) {
                      closest = st;
                    }
                    continue;
                  }
                  if (!best || st.tokens_per_s > best->tokens_per_s * (1.0 + 1e-9)) best = st;
                }
              }
            }
          }
        }
      }
    }
  }
  if (best) return *best;
  if (!any_valid) {
    if (!first_invalid.ok()) return first_invalid;
    return Status::Error("no plan of tp x pp x cp divides " + std::to_string(chips) +
                         " chips under the given constraints: change --chips or the plan flags");
  }
  if (!closest) {
    return Status::Error("every plan for " + std::to_string(chips) +
                         " chips rounds the global "
                         "batch up by more than 10%: choose a batch divisible by the data-parallel "
                         "size, or another chip count");
  }
  return Status::Error("no plan on " + std::to_string(chips) + " chips fits in memory; closest: " +
                       tm.MemoryError(closest->plan, closest->memory).message());
}

}  // namespace perftco
