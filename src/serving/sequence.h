// One request's state inside a replica.
#ifndef PERFTCO_SRC_SERVING_SEQUENCE_H_
#define PERFTCO_SRC_SERVING_SEQUENCE_H_

#include <cstdint>
#include <vector>

#include "perftco/workload.h"

namespace perftco::serving {

enum class Phase : uint8_t {
  kWaiting,      // queued for (re)admission; prefill needed unless kv_elsewhere
  kPrefill,      // running, prompt (or recompute) chunks left
  kStaticReady,  // static batching: prefilled, waiting for the rest of its batch
  kDecode,       // running, one token per step (tracked in the replica's decode aggregate)
  kSwapped,      // preempted by swap: KV in host memory
  kHandedOff,    // disaggregated: prefilled here, KV being sent to a decode replica
};

struct Sequence {
  Request req;
  Phase phase = Phase::kWaiting;
  // Progress. `generated` and `private_blocks` are exact except in kDecode, where the replica's
  // decode aggregate derives them from the iteration count (Replica::LeaveDecode).
  int64_t generated = 0;       // output tokens produced so far
  int64_t computed = 0;        // tokens whose KV is computed in this admission (prefill phase)
  int64_t target = 0;          // tokens to prefill: prompt + generated at (re)admission
  int64_t private_blocks = 0;  // blocks held without a content key
  std::vector<uint64_t> cached_keys;  // prefix-cache blocks held, from position 0, in order
  bool kv_elsewhere = false;          // waiting with its KV in host memory or on a prefill replica
  int64_t swapped_blocks = 0;
  // Decode aggregate: context at the step starting after `i` iterations is z + i.
  int64_t z = 0;
  int64_t base_iter = 0;
  int64_t base_generated = 0;
  uint64_t version = 0;  // of its finish-heap entry; 0 = none (never reused)
  // Running list (admission order), as slot indices; -1 = none.
  int32_t prev = -1, next = -1;
  // Timing and accounting.
  double first_scheduled = -1, first_token = -1, last_token = -1, waiting_since = 0;
  double queue = 0;
  int preemptions = 0;
  int64_t cached_tokens = 0;
  int prefill_replica = -1;
  double kv_transferred = 0;  // bytes
  bool admitted_once = false;
};

}  // namespace perftco::serving

#endif  // PERFTCO_SRC_SERVING_SEQUENCE_H_
