// One model replica: iteration-level execution, its scheduler, and its paged KV cache.
#ifndef PERFTCO_SRC_SERVING_REPLICA_H_
#define PERFTCO_SRC_SERVING_REPLICA_H_

#include <cstdint>
#include <deque>
#include <queue>
#include <vector>

#include "engine/simulator.h"
#include "perftco/simulate.h"
#include "serving/kv_cache.h"
#include "serving/scheduler_policy.h"
#include "serving/sequence.h"
#include "serving/step_timer.h"

namespace perftco::serving {

enum class ReplicaRole { kMixed, kPrefill, kDecode };

struct ReplicaConfig {
  const SchedulerPolicy* policy = nullptr;
  ReplicaRole role = ReplicaRole::kMixed;
  int64_t token_budget = 8192;
  int64_t max_seqs = 256;
  int block_size = 16;
  int64_t total_blocks = 0;
  bool prefix_caching = false;
  bool swap = false;
  double swap_capacity_bytes = 0;  // per chip
  double block_bytes_per_chip = 0;
  double host_link_bytes_per_s = 0;
  bool exact_steps = false;
};

// What a replica tells the cluster. Errors stop the run.
class ReplicaHost {
 public:
  virtual ~ReplicaHost() = default;
  // `s` finished at t; the replica frees its slot after the call.
  virtual Status OnFinished(int replica, const Sequence& s, double t) = 0;
  // Disaggregated prefill replica: `s` (in slot `slot`) is prefilled; its KV stays until the
  // cluster calls TakeHandedOff.
  virtual Status OnHandoff(int replica, int slot, const Sequence& s, double t) = 0;
  virtual void OnPreempted(int replica, const Sequence& s, double t) = 0;
  // The gap before the first token after a preemption (an inter-token latency).
  virtual void OnResumeGap(double gap) = 0;
  virtual void OnSegment(const ReplicaSegment& segment) = 0;
  virtual void OnWaitingChanged(int delta, double t) = 0;
};

// The scheduling loop of every step, for every policy:
//   1. decodes: each running decode sequence gets one token and, every block_size tokens, a new
//      KV block; when blocks run out the newest running sequence is preempted (vLLM);
//   2. running prompts continue with chunks within the token budget;
//   3. queued work is admitted in order (swapped-out sequences before new ones) while the token
//      budget, max_seqs and free blocks allow; prefix-cache hits skip their tokens.
// When a step has no prompt work, no preemption and nothing admissible, the batch stays the same
// until the next finish, KV boundary or arrival, and the replica plans the whole window at once
// (StepTimer::DecodeLine); an arrival cuts the window at the next step boundary.
// Decode sequences are kept as an aggregate (count, context sum, histogram of block offsets, heap
// of finish iterations), so a step costs O(log n), not O(n).
class Replica : public engine::Actor {
 public:
  Replica(int index, const ReplicaConfig& config, StepTimer* timer, engine::Simulator* sim,
          ReplicaHost* host);

  // A request arrives (kWaiting, needs prefill) or a KV arrives from a prefill replica
  // (kv_elsewhere). Starts an idle replica; cuts a fast-forward window at its next step.
  void Enqueue(Sequence s, double now);
  // Disaggregation: frees the KV of a handed-off sequence and returns it.
  Sequence TakeHandedOff(int slot, double now);
  Status OnEvent(engine::Simulator& sim, uint64_t tag) override;

  int index() const { return index_; }
  // Requests here and not finished or handed off (router load).
  int64_t outstanding() const { return outstanding_; }
  // Fraction of KV blocks in use at `now` (router load), counting a window's progress.
  double KvLoad(double now) const;
  int64_t iterations() const { return iter_; }
  int64_t preemptions() const { return preemptions_; }
  int64_t swaps() const { return swaps_; }
  int64_t recomputed_tokens() const { return recomputed_tokens_; }
  int64_t prompt_tokens() const { return prompt_tokens_; }
  int64_t cache_hit_tokens() const { return cache_hit_tokens_; }
  const KvCache& kv() const { return kv_; }

 private:
  struct Chunk {
    int32_t slot;
    int64_t before;
    int64_t tokens;
    bool final;
  };
  // The step or window in flight.
  struct Plan {
    bool active = false;
    double t0 = 0;
    int64_t iter0 = 0;
    int64_t k = 0;         // steps
    double step_time = 0;  // of step 0 (plus extra)
    double slope = 0;      // step j takes step_time + slope j
    double extra = 0;      // swap transfer time, in step 0 (single steps only)
    int64_t decode_seqs = 0;
    double decode_ctx = 0;  // of step 0
    int64_t prefill_tokens = 0;
    double kv_start = 0;
    std::vector<Chunk> chunks;
    std::vector<double> rejoin_waits;  // swapped-in or transferred: time since their last token
  };
  struct FinishEntry {
    int64_t iter;
    uint64_t order;
    int32_t slot;
    uint64_t version;
    bool operator>(const FinishEntry& o) const {
      return iter > o.iter || (iter == o.iter && order > o.order);
    }
  };

  // Scheduling.
  Status Build(double now);
  Status Commit(double now);
  void CutWindow(double now);
  double Elapsed(int64_t steps) const;        // seconds of the first `steps` of the plan
  int64_t StepsDoneBy(double elapsed) const;  // largest k with Elapsed(k) <= elapsed
  // Sequence bookkeeping.
  int32_t NewSlot(Sequence s);
  void FreeSlot(int32_t slot);
  void RunningAppend(int32_t slot);
  void RunningRemove(int32_t slot);
  void JoinDecode(int32_t slot);
  // Materialises a decode sequence's progress and blocks; `allocated` when this step's block
  // need has already been taken.
  void LeaveDecode(int32_t slot, bool allocated);
  void Preempt(int32_t slot, bool decode_allocated, double now);
  void Admitted(Sequence& s, double now);
  // Runs the admission loop (phase 3); returns false when it stopped for want of blocks.
  void Admit(double now, int64_t* budget);
  // Drops stale entries from the top of the finish heap.
  void CleanFinishes();
  Status Finish(int32_t slot, double now);
  void ReleaseKv(Sequence& s, int64_t kv_tokens);
  void RegisterFullBlocks(Sequence& s, int64_t kv_tokens);
  uint64_t BlockKey(const Request& r, int64_t block) const;
  // Decode-aggregate KV: blocks needed by the step starting after `iter` iterations, and over
  // `steps` steps from there; the most steps from `iter` whose needs fit in `free` blocks.
  int64_t DecodeNeed(int64_t iter) const;
  int64_t DecodeNeedOver(int64_t iter, int64_t steps) const;
  int64_t DecodeStepsWithin(int64_t iter, int64_t free) const;
  int Residue(int64_t x) const {
    const int64_t r = x % block_;
    return static_cast<int>(r < 0 ? r + block_ : r);
  }
  int64_t Blocks(int64_t tokens) const { return (tokens + block_ - 1) / block_; }
  void Schedule(double at);

  int index_;
  ReplicaConfig c_;
  int64_t block_;
  StepTimer* timer_;
  engine::Simulator* sim_;
  ReplicaHost* host_;
  KvCache kv_;

  std::vector<Sequence> slots_;
  std::vector<int32_t> free_slots_;
  int32_t run_head_ = -1, run_tail_ = -1;
  int64_t running_ = 0;
  std::vector<int32_t> prefilling_;  // admission order
  std::vector<int32_t> static_ready_;
  std::deque<int32_t> waiting_;
  std::deque<int32_t> swapped_;
  int64_t outstanding_ = 0;

  // Decode aggregate.
  int64_t iter_ = 0;
  int64_t decode_n_ = 0;
  int64_t decode_z_sum_ = 0;
  std::vector<int64_t> residue_count_;  // by z mod block size
  std::priority_queue<FinishEntry, std::vector<FinishEntry>, std::greater<FinishEntry>> finishes_;
  uint64_t order_ = 0;
  uint64_t next_version_ = 0;
  std::vector<int32_t> scratch_;

  Plan plan_;
  uint64_t version_ = 0;  // of the one live event
  bool event_pending_ = false;
  double swap_used_ = 0;  // bytes per chip in host memory

  int64_t preemptions_ = 0, swaps_ = 0, recomputed_tokens_ = 0;
  int64_t prompt_tokens_ = 0, cache_hit_tokens_ = 0;
};

}  // namespace perftco::serving

#endif  // PERFTCO_SRC_SERVING_REPLICA_H_
