// Scheduler policies, registered by name: what differs between vLLM v1, Orca, Sarathi-Serve and
// static batching is captured by a few switches that the replica's one scheduling loop obeys.
#ifndef PERFTCO_SRC_SERVING_SCHEDULER_POLICY_H_
#define PERFTCO_SRC_SERVING_SCHEDULER_POLICY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "perftco/status.h"

namespace perftco::serving {

struct SchedulerPolicy {
  const char* name;
  const char* description;
  // Prompts may be split over steps to fill the token budget (chunked prefill).
  bool chunked_prefill;
  // Admit only into an empty replica, reserve KV for the whole output at admission, and start
  // decoding only when every prompt of the batch is prefilled; the batch runs to its end.
  bool static_batching;
  // Admit new requests in a step that preempted one (vLLM v1 does not).
  bool admit_after_preemption;
  // Token budget per step when the user gives none; 0 = the engine's max_batched_tokens.
  int64_t default_token_budget;
};

// The table, in --help order.
const std::vector<SchedulerPolicy>& SchedulerPolicies();
// Errors: unknown name, with the closest.
Result<const SchedulerPolicy*> FindSchedulerPolicy(const std::string& name);

}  // namespace perftco::serving

#endif  // PERFTCO_SRC_SERVING_SCHEDULER_POLICY_H_
