#include "serving/scheduler_policy.h"

#include "perftco/names.h"

namespace perftco::serving {

const std::vector<SchedulerPolicy>& SchedulerPolicies() {
  // Sources: vLLM v1 vllm/v1/core/sched/scheduler.py (running requests first, then waiting ones
  // within max_num_batched_tokens and max_num_seqs; no new admissions in a step that preempted);
  // Orca (Yu et al., OSDI 2022: iteration-level scheduling, whole prompts); Sarathi-Serve
  // (Agrawal et al., OSDI 2024: stall-free batching, decodes first, then chunks of prompts within
  // a small token budget; 512 is the budget the paper uses for strict latency targets).
  static const std::vector<SchedulerPolicy> kTable = {
      {"vllm-v1",
       "continuous batching as vLLM v1: decodes first, chunked prefill within the token budget, "
       "max sequences, preempts the newest request when KV runs out",
       true, false, false, 0},
      {"sarathi",
       "Sarathi-Serve stall-free batching: decodes first, then prompt chunks within a small token "
       "budget (default 512)",
       true, false, true, 512},
      {"orca", "Orca iteration-level batching: decodes plus whole prompts (no chunking)", false,
       false, true, 0},
      {"static",
       "static batching (a baseline): fill an empty replica, prefill the batch, decode until "
       "every sequence ends",
       true, true, true, 0},
  };
  return kTable;
}

Result<const SchedulerPolicy*> FindSchedulerPolicy(const std::string& name) {
  std::vector<std::string> names;
  for (const SchedulerPolicy& p : SchedulerPolicies()) {
    if (p.name == ToLower(name)) return &p;
    names.push_back(p.name);
  }
  return Status::Error("unknown scheduler '" + name + "': did you mean '" +
                       ClosestNames(name, names, 1).front() + "'? (" + JoinNames(names) + ")");
}

}  // namespace perftco::serving
