#include "serving/replica.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#include "perftco/random.h"

namespace perftco::serving {

Replica::Replica(int index, const ReplicaConfig& config, StepTimer* timer, engine::Simulator* sim,
                 ReplicaHost* host)
    : index_(index),
      c_(config),
      block_(std::max(1, config.block_size)),
      timer_(timer),
      sim_(sim),
      host_(host),
      kv_(config.total_blocks, config.prefix_caching),
      residue_count_(static_cast<size_t>(block_), 0) {}

void Replica::Schedule(double at) {
  ++version_;
  event_pending_ = true;
  sim_->Schedule(Seconds(at), this, version_);
}

// ---- Sequence bookkeeping ----

int32_t Replica::NewSlot(Sequence s) {
  if (!free_slots_.empty()) {
    const int32_t slot = free_slots_.back();
    free_slots_.pop_back();
    slots_[static_cast<size_t>(slot)] = std::move(s);
    return slot;
  }
  slots_.push_back(std::move(s));
  return static_cast<int32_t>(slots_.size() - 1);
}

void Replica::FreeSlot(int32_t slot) {
  Sequence& s = slots_[static_cast<size_t>(slot)];
  s.cached_keys.clear();
  s.version = 0;
  free_slots_.push_back(slot);
}

void Replica::RunningAppend(int32_t slot) {
  Sequence& s = slots_[static_cast<size_t>(slot)];
  s.prev = run_tail_;
  s.next = -1;
  if (run_tail_ >= 0) {
    slots_[static_cast<size_t>(run_tail_)].next = slot;
  } else {
    run_head_ = slot;
  }
  run_tail_ = slot;
  ++running_;
}

void Replica::RunningRemove(int32_t slot) {
  Sequence& s = slots_[static_cast<size_t>(slot)];
  if (s.prev >= 0) {
    slots_[static_cast<size_t>(s.prev)].next = s.next;
  } else {
    run_head_ = s.next;
  }
  if (s.next >= 0) {
    slots_[static_cast<size_t>(s.next)].prev = s.prev;
  } else {
    run_tail_ = s.prev;
  }
  s.prev = s.next = -1;
  --running_;
}

void Replica::JoinDecode(int32_t slot) {
  Sequence& s = slots_[static_cast<size_t>(slot)];
  s.phase = Phase::kDecode;
  s.base_iter = iter_;
  s.base_generated = s.generated;
  // The step starting after i iterations reads z + i keys: prompt + tokens generated so far.
  s.z = s.req.input_tokens + s.generated - iter_;
  ++decode_n_;
  decode_z_sum_ += s.z;
  ++residue_count_[static_cast<size_t>(Residue(s.z))];
  s.version = ++next_version_;
  finishes_.push(FinishEntry{iter_ + s.req.output_tokens - s.generated, order_++, slot, s.version});
}

void Replica::LeaveDecode(int32_t slot, bool allocated) {
  Sequence& s = slots_[static_cast<size_t>(slot)];
  assert(s.phase == Phase::kDecode);
  s.generated = s.base_generated + (iter_ - s.base_iter);
  // Blocks hold the KV of z + i - 1 tokens after i iterations, one more token once this step's
  // need is allocated.
  const int64_t held = Blocks(s.z + iter_ - (allocated ? 0 : 1));
  s.private_blocks = held - static_cast<int64_t>(s.cached_keys.size());
  --decode_n_;
  decode_z_sum_ -= s.z;
  --residue_count_[static_cast<size_t>(Residue(s.z))];
  s.version = 0;
}

void Replica::CleanFinishes() {
  while (!finishes_.empty()) {
    const FinishEntry& top = finishes_.top();
    const Sequence& s = slots_[static_cast<size_t>(top.slot)];
    if (s.version == top.version && s.phase == Phase::kDecode) return;
    finishes_.pop();
  }
}

uint64_t Replica::BlockKey(const Request& r, int64_t block) const {
  const uint64_t j = static_cast<uint64_t>(block);
  if (r.prefix_id != 0 && (block + 1) * block_ <= r.prefix_tokens) {
    return Mix64(Mix64(r.prefix_id ^ 0x5bd1e9955bd1e995ULL) + j);
  }
  const uint64_t space = r.session != 0 ? Mix64(r.session ^ 0x27d4eb2f165667c5ULL)
                                        : Mix64(r.id ^ 0x165667b19e3779f9ULL);
  return Mix64(space + j);
}

void Replica::RegisterFullBlocks(Sequence& s, int64_t kv_tokens) {
  const size_t full = static_cast<size_t>(kv_tokens / block_);
  while (s.cached_keys.size() < full && s.private_blocks > 0) {
    const uint64_t key = BlockKey(s.req, static_cast<int64_t>(s.cached_keys.size()));
    kv_.Register(key);  // either way the sequence now references a cached block
    --s.private_blocks;
    s.cached_keys.push_back(key);
  }
}

void Replica::ReleaseKv(Sequence& s, int64_t kv_tokens) {
  if (kv_.prefix_caching() && c_.role != ReplicaRole::kDecode) RegisterFullBlocks(s, kv_tokens);
  // Last blocks first, so that a prompt's tail is evicted before its head (vLLM frees in
  // reverse order for the same reason).
  for (auto it = s.cached_keys.rbegin(); it != s.cached_keys.rend(); ++it) kv_.ReleaseCached(*it);
  kv_.Release(s.private_blocks);
  s.cached_keys.clear();
  s.private_blocks = 0;
}

// ---- Decode-aggregate KV arithmetic ----

int64_t Replica::DecodeNeed(int64_t iter) const {
  // A sequence needs a new block when the KV it already holds, z + iter - 1 tokens, fills
  // whole blocks: z = 1 - iter (mod block).
  return residue_count_[static_cast<size_t>(Residue(1 - iter))];
}

int64_t Replica::DecodeNeedOver(int64_t iter, int64_t steps) const {
  if (steps <= 0) return 0;
  int64_t sum = (steps / block_) * decode_n_;
  for (int64_t j = 0; j < steps % block_; ++j) sum += DecodeNeed(iter + j);
  return sum;
}

int64_t Replica::DecodeStepsWithin(int64_t iter, int64_t free) const {
  if (decode_n_ == 0) return std::numeric_limits<int64_t>::max() / 4;
  // Every block_ steps each sequence takes exactly one block.
  const int64_t cycles = free / decode_n_;
  int64_t left = free - cycles * decode_n_;
  int64_t k = cycles * block_;
  for (int64_t j = 0; j < block_; ++j) {
    const int64_t need = DecodeNeed(iter + j);
    if (need > left) break;
    left -= need;
    ++k;
  }
  return k;
}

// ---- Windows ----

double Replica::Elapsed(int64_t steps) const {
  const double k = static_cast<double>(steps);
  return k * plan_.step_time + plan_.slope * k * (k - 1.0) / 2.0;
}

int64_t Replica::StepsDoneBy(double elapsed) const {
  const int64_t kmax = plan_.k;
  if (elapsed <= 0) return 0;
  double k;
  const double t0 = plan_.step_time, d = plan_.slope;
  if (std::abs(d) <= 1e-15 * t0) {
    k = elapsed / t0;
  } else {
    const double b = t0 - d / 2.0;
    const double disc = b * b + 2.0 * d * elapsed;
    k = disc < 0 ? static_cast<double>(kmax) : (-b + std::sqrt(disc)) / d;
  }
  int64_t ki = std::isfinite(k)
                   ? static_cast<int64_t>(std::clamp(std::floor(k), 0.0, static_cast<double>(kmax)))
                   : kmax;
  while (ki < kmax && Elapsed(ki + 1) <= elapsed) ++ki;
  while (ki > 0 && Elapsed(ki) > elapsed) --ki;
  return ki;
}

void Replica::CutWindow(double now) {
  if (plan_.k <= 1) return;
  const int64_t done = StepsDoneBy(now - plan_.t0);
  const int64_t k = std::min(plan_.k, std::max<int64_t>(1, done + 1));
  if (k < plan_.k) {
    plan_.k = k;
    Schedule(plan_.t0 + Elapsed(k));
  }
}

double Replica::KvLoad(double now) const {
  if (kv_.total() <= 0) return 0.0;
  double used = static_cast<double>(kv_.used());
  if (plan_.active && plan_.k > 1) {
    const int64_t done = StepsDoneBy(now - plan_.t0);
    used += static_cast<double>(DecodeNeedOver(plan_.iter0 + 1, std::min(done, plan_.k - 1)));
  }
  return used / static_cast<double>(kv_.total());
}

// ---- Arrivals and hand-offs ----

void Replica::Enqueue(Sequence s, double now) {
  s.phase = Phase::kWaiting;
  s.waiting_since = now;
  if (!s.kv_elsewhere) {
    s.computed = 0;
    s.target = s.req.input_tokens + s.generated;
  }
  const int32_t slot = NewSlot(std::move(s));
  waiting_.push_back(slot);
  ++outstanding_;
  host_->OnWaitingChanged(+1, now);
  if (plan_.active) {
    CutWindow(now);
  } else if (!event_pending_) {
    // A wake event at `now`, not an immediate step: requests arriving at the same instant
    // join the same first step.
    Schedule(now);
  }
}

Sequence Replica::TakeHandedOff(int32_t slot, double now) {
  Sequence s = std::move(slots_[static_cast<size_t>(slot)]);
  assert(s.phase == Phase::kHandedOff);
  ReleaseKv(s, s.req.input_tokens + s.generated - 1);
  FreeSlot(slot);
  if (!plan_.active && !event_pending_ && (!waiting_.empty() || !swapped_.empty())) {
    Schedule(now);
  }
  return s;
}

// ---- Preemption and finishing ----

void Replica::Preempt(int32_t slot, bool decode_allocated, double now) {
  Sequence& s = slots_[static_cast<size_t>(slot)];
  const bool was_decode = s.phase == Phase::kDecode;
  assert(was_decode || s.phase == Phase::kPrefill);
  RunningRemove(slot);
  int64_t kv_tokens;
  if (was_decode) {
    LeaveDecode(slot, decode_allocated);
    if (decode_allocated) {
      --plan_.decode_seqs;
      plan_.decode_ctx -= static_cast<double>(s.z + iter_);
    }
    kv_tokens = s.req.input_tokens + s.generated - 1;
    s.last_token = now;
  } else {
    prefilling_.erase(std::find(prefilling_.begin(), prefilling_.end(), slot));
    kv_tokens = s.computed;
  }
  ++s.preemptions;
  ++preemptions_;
  host_->OnPreempted(index_, s, now);
  s.waiting_since = now;
  host_->OnWaitingChanged(+1, now);
  const int64_t blocks = s.private_blocks + static_cast<int64_t>(s.cached_keys.size());
  const double bytes = static_cast<double>(blocks) * c_.block_bytes_per_chip;
  if (c_.swap && was_decode && swap_used_ + bytes <= c_.swap_capacity_bytes) {
    // Swap: the KV goes to host memory over the host link, every chip its own share.
    swap_used_ += bytes;
    plan_.extra += bytes / c_.host_link_bytes_per_s;
    ++swaps_;
    for (auto it = s.cached_keys.rbegin(); it != s.cached_keys.rend(); ++it) {
      kv_.ReleaseCached(*it);
    }
    kv_.Release(s.private_blocks);
    s.cached_keys.clear();
    s.private_blocks = 0;
    s.swapped_blocks = blocks;
    s.phase = Phase::kSwapped;
    swapped_.push_back(slot);
    return;
  }
  // Recompute (vLLM v1): drop the KV, queue first, prefill prompt + generated tokens again.
  ReleaseKv(s, kv_tokens);
  s.computed = 0;
  s.target = s.req.input_tokens + s.generated;
  s.phase = Phase::kWaiting;
  waiting_.push_front(slot);
}

Status Replica::Finish(int32_t slot, double now) {
  Sequence& s = slots_[static_cast<size_t>(slot)];
  if (s.phase == Phase::kDecode) {
    LeaveDecode(slot, false);
    s.last_token = now;
  }
  assert(s.generated == s.req.output_tokens);
  RunningRemove(slot);
  ReleaseKv(s, s.req.input_tokens + s.generated - 1);
  --outstanding_;
  const Status st = host_->OnFinished(index_, s, now);
  FreeSlot(slot);
  return st;
}

// ---- One step or window ----

void Replica::Admitted(Sequence& s, double now) {
  s.queue += now - s.waiting_since;
  if (s.first_scheduled < 0) s.first_scheduled = now;
  host_->OnWaitingChanged(-1, now);
}

void Replica::Admit(double now, int64_t* budget) {
  Plan& p = plan_;
  // Swapped-out sequences come back before anything new (vLLM v0 did the same).
  while (!swapped_.empty() && *budget > 0 && running_ < c_.max_seqs) {
    const int32_t slot = swapped_.front();
    Sequence& s = slots_[static_cast<size_t>(slot)];
    const int64_t need = Blocks(s.req.input_tokens + s.generated);  // KV + this step's token
    if (need > kv_.free()) return;
    kv_.Allocate(need);
    swapped_.pop_front();
    const double bytes = static_cast<double>(s.swapped_blocks) * c_.block_bytes_per_chip;
    swap_used_ -= bytes;
    p.extra += bytes / c_.host_link_bytes_per_s;
    s.swapped_blocks = 0;
    s.private_blocks = need;
    p.rejoin_waits.push_back(now - s.last_token);
    Admitted(s, now);
    RunningAppend(slot);
    JoinDecode(slot);
    ++p.decode_seqs;
    p.decode_ctx += static_cast<double>(s.z + iter_);
    *budget -= 1;
  }
  if (!swapped_.empty()) return;
  const bool statik = c_.policy->static_batching;
  int64_t static_left = kv_.free();
  while (!waiting_.empty() && *budget > 0 && running_ < c_.max_seqs) {
    const int32_t slot = waiting_.front();
    Sequence& s = slots_[static_cast<size_t>(slot)];
    if (s.kv_elsewhere) {
      // KV from a prefill replica: it decodes from this step on.
      const int64_t need = Blocks(s.req.input_tokens + s.generated);
      if (need > kv_.free()) return;
      kv_.Allocate(need);
      waiting_.pop_front();
      s.kv_elsewhere = false;
      s.private_blocks = need;
      p.rejoin_waits.push_back(now - s.last_token);
      Admitted(s, now);
      RunningAppend(slot);
      JoinDecode(slot);
      ++p.decode_seqs;
      p.decode_ctx += static_cast<double>(s.z + iter_);
      *budget -= 1;
      continue;
    }
    // Prefix-cache hits: whole blocks, leaving at least the last token to compute.
    int64_t hits = 0, evictable_hits = 0;
    if (kv_.prefix_caching() && !statik) {
      const int64_t max_hits = (s.target - 1) / block_;
      for (; hits < max_hits; ++hits) {
        bool evictable = false;
        if (!kv_.Contains(BlockKey(s.req, hits), &evictable)) break;
        if (evictable) ++evictable_hits;
      }
    }
    const int64_t start = hits * block_;
    const int64_t remaining = s.target - start;
    int64_t chunk;
    if (c_.policy->chunked_prefill) {
      chunk = std::min(remaining, *budget);
    } else {
      // A whole prompt, alone in a step if it is larger than the budget.
      if (remaining > *budget && p.prefill_tokens > 0) return;
      chunk = remaining;
    }
    const int64_t new_blocks = Blocks(start + chunk) - hits;
    if (new_blocks + evictable_hits > kv_.free()) return;
    if (statik) {
      // Reserve the whole sequence: a static batch never runs out of KV.
      const int64_t reserve = Blocks(s.req.input_tokens + s.req.output_tokens);
      if (reserve > static_left) return;
      static_left -= reserve;
    }
    waiting_.pop_front();
    for (int64_t j = 0; j < hits; ++j) {
      const uint64_t key = BlockKey(s.req, j);
      kv_.Acquire(key);
      s.cached_keys.push_back(key);
    }
    kv_.Allocate(new_blocks);
    s.private_blocks = new_blocks;
    if (!s.admitted_once) {
      s.admitted_once = true;
      s.cached_tokens = start;
      prompt_tokens_ += s.req.input_tokens;
      cache_hit_tokens_ += start;
    } else {
      recomputed_tokens_ += remaining;
    }
    s.computed = start;
    s.phase = Phase::kPrefill;
    Admitted(s, now);
    prefilling_.push_back(slot);
    RunningAppend(slot);
    p.chunks.push_back(Chunk{slot, start, chunk, start + chunk == s.target});
    p.prefill_tokens += chunk;
    *budget -= chunk;
  }
}

Status Replica::Build(double now) {
  Plan& p = plan_;
  p.active = false;
  p.t0 = now;
  p.iter0 = iter_;
  p.k = 0;
  p.extra = 0;
  p.slope = 0;
  p.prefill_tokens = 0;
  p.chunks.clear();
  p.rejoin_waits.clear();
  int64_t budget = c_.token_budget;
  bool preempted = false;

  // 1. Decodes, preempting the newest running sequence while their blocks do not fit.
  int64_t need = DecodeNeed(iter_);
  while (need > kv_.free()) {
    assert(run_tail_ >= 0);
    Preempt(run_tail_, false, now);
    preempted = true;
    need = DecodeNeed(iter_);
  }
  kv_.Allocate(need);
  p.decode_seqs = decode_n_;
  p.decode_ctx = static_cast<double>(decode_z_sum_ + decode_n_ * iter_);
  budget -= decode_n_;

  // 2. Prompts already running continue.
  scratch_.assign(prefilling_.begin(), prefilling_.end());
  for (int32_t slot : scratch_) {
    if (budget <= 0) break;
    Sequence& s = slots_[static_cast<size_t>(slot)];
    if (s.phase != Phase::kPrefill) continue;  // preempted meanwhile
    const int64_t left = s.target - s.computed;
    const int64_t chunk = c_.policy->chunked_prefill ? std::min(left, budget) : left;
    const int64_t held = s.private_blocks + static_cast<int64_t>(s.cached_keys.size());
    const int64_t blocks = Blocks(s.computed + chunk) - held;
    bool self = false;
    while (blocks > kv_.free()) {
      const int32_t victim = run_tail_;
      Preempt(victim, true, now);
      preempted = true;
      if (victim == slot) {
        self = true;
        break;
      }
    }
    if (self) continue;
    kv_.Allocate(blocks);
    s.private_blocks += blocks;
    p.chunks.push_back(Chunk{slot, s.computed, chunk, s.computed + chunk == s.target});
    p.prefill_tokens += chunk;
    budget -= chunk;
  }

  // 3. Admissions.
  const bool statik = c_.policy->static_batching;
  const bool static_busy = statik && (running_ > 0 || !static_ready_.empty());
  if (!static_busy && (!preempted || c_.policy->admit_after_preemption)) Admit(now, &budget);
  if (p.decode_seqs == 0 && p.chunks.empty() && preempted && !static_busy) {
    // Everything was preempted: the rule against admitting after a preemption would stall.
    Admit(now, &budget);
  }

  if (p.decode_seqs == 0 && p.chunks.empty()) {
    assert(p.extra == 0.0);
    return Status::Ok();  // idle until an arrival or a hand-off wakes it
  }

  // 4. Time: one step, or a window of identical decode-only steps.
  int64_t k = 1;
  double t0 = 0, slope = 0;
  const bool window = p.chunks.empty() && !preempted && p.extra == 0.0;
  if (window && !c_.exact_steps) {
    CleanFinishes();
    assert(!finishes_.empty());
    k = finishes_.top().iter - iter_;
    k = std::min(k, 1 + DecodeStepsWithin(iter_ + 1, kv_.free()));
    k = std::max<int64_t>(1, k);
    timer_->DecodeLine(p.decode_seqs, p.decode_ctx, &k, &t0, &slope);
  } else {
    BatchShape shape;
    shape.decode_seqs = p.decode_seqs;
    shape.decode_ctx_sum = p.decode_ctx;
    for (const Chunk& ch : p.chunks) shape.AddPrefillChunk(ch.before, ch.tokens, ch.final);
    t0 = timer_->Time(shape);
  }
  p.k = k;
  p.step_time = t0 + p.extra;
  p.slope = slope;
  p.kv_start = static_cast<double>(kv_.used());
  p.active = true;
  Schedule(now + Elapsed(k));
  return Status::Ok();
}

Status Replica::Commit(double now) {
  Plan& p = plan_;
  const int64_t k = p.k;
  if (k > 1) kv_.Allocate(DecodeNeedOver(p.iter0 + 1, k - 1));
  iter_ = p.iter0 + k;
  p.active = false;

  ReplicaSegment seg;
  seg.replica = index_;
  seg.start = Seconds(p.t0);
  seg.end = Seconds(now);
  seg.steps = k;
  seg.step_time = Seconds(p.step_time);
  seg.step_slope = Seconds(p.slope);
  seg.decode_seqs = p.decode_seqs;
  seg.rejoined = static_cast<int64_t>(p.rejoin_waits.size());
  // Their next token comes at the end of the first step: the gap includes the wait before it.
  for (double wait : p.rejoin_waits) host_->OnResumeGap(wait + p.step_time);
  seg.prefill_tokens = p.prefill_tokens;
  seg.new_tokens = p.decode_seqs * k;
  seg.running = running_;
  seg.waiting = static_cast<int64_t>(waiting_.size() + swapped_.size());
  const double total = static_cast<double>(std::max<int64_t>(1, kv_.total()));
  seg.kv_used_start = p.kv_start / total;
  seg.kv_used_end = static_cast<double>(kv_.used()) / total;

  const bool statik = c_.policy->static_batching;
  for (const Chunk& ch : p.chunks) {
    Sequence& s = slots_[static_cast<size_t>(ch.slot)];
    s.computed += ch.tokens;
    if (kv_.prefix_caching()) RegisterFullBlocks(s, s.computed);
    if (!ch.final) continue;
    ++seg.new_tokens;
    prefilling_.erase(std::find(prefilling_.begin(), prefilling_.end(), ch.slot));
    s.generated += 1;
    if (s.first_token < 0) {
      s.first_token = now;
    } else if (s.last_token >= 0) {
      host_->OnResumeGap(now - s.last_token);
    }
    s.last_token = now;
    if (s.generated >= s.req.output_tokens) {
      PERFTCO_RETURN_IF_ERROR(Finish(ch.slot, now));
    } else if (c_.role == ReplicaRole::kPrefill) {
      s.phase = Phase::kHandedOff;
      RunningRemove(ch.slot);
      --outstanding_;
      PERFTCO_RETURN_IF_ERROR(host_->OnHandoff(index_, ch.slot, s, now));
    } else if (statik) {
      s.phase = Phase::kStaticReady;
      static_ready_.push_back(ch.slot);
    } else {
      JoinDecode(ch.slot);
    }
  }
  if (statik && prefilling_.empty() && !static_ready_.empty()) {
    for (int32_t slot : static_ready_) JoinDecode(slot);
    static_ready_.clear();
  }
  host_->OnSegment(seg);

  while (true) {
    CleanFinishes();
    if (finishes_.empty() || finishes_.top().iter > iter_) break;
    const int32_t slot = finishes_.top().slot;
    finishes_.pop();
    PERFTCO_RETURN_IF_ERROR(Finish(slot, now));
  }
  return Status::Ok();
}

Status Replica::OnEvent(engine::Simulator& sim, uint64_t tag) {
  if (tag != version_) return Status::Ok();  // a cut window's old end
  event_pending_ = false;
  const double now = sim.now().value();
  if (plan_.active) PERFTCO_RETURN_IF_ERROR(Commit(now));
  return Build(now);
}

}  // namespace perftco::serving
