#include "serving/cluster.h"

#include <algorithm>

namespace perftco::serving {

Cluster::Cluster(const CostModel& cost, const ServingOptions& o, RequestSource& source,
                 std::vector<SimObserver*> observers, const CostModel* decode_cost)
    : cost_(cost),
      o_(o),
      source_(source),
      observers_(std::move(observers)),
      decode_cost_(decode_cost),
      timer_(cost),
      network_(cost.hardware(), cost.efficiency()),
      metrics_(cost.plan().replicas + (decode_cost ? decode_cost->plan().replicas : 0), o.slo_ttft,
               o.slo_tpot) {}

Status Cluster::SizePool(const CostModel& cost, int block_size, Pool* pool) {
  const MemoryBudget mem = cost.Memory();
  pool->blocks = mem.kv_token_capacity / block_size;
  if (pool->blocks < 1) {
    return Status::Error("no KV cache left on " + cost.hardware().name + " for " +
                         cost.model().name + " at " + cost.plan().ToString() +
                         ": use more chips per replica or fp8 weights");
  }
  pool->kv_token_capacity = pool->blocks * block_size;
  pool->kv_bytes_per_token_per_chip = mem.kv_bytes_per_token_per_chip.value();
  pool->chips_per_replica = cost.plan().ChipsPerReplica();
  return Status::Ok();
}

Result<std::unique_ptr<Cluster>> Cluster::Make(const CostModel& cost, const ServingOptions& o,
                                               RequestSource& source,
                                               std::vector<SimObserver*> observers,
                                               const CostModel* decode_cost) {
  PERFTCO_ASSIGN_OR_RETURN(const SchedulerPolicy* policy, FindSchedulerPolicy(o.scheduler));
  std::unique_ptr<Cluster> c(new Cluster(cost, o, source, std::move(observers), decode_cost));
  PERFTCO_ASSIGN_OR_RETURN(c->router_, MakeRouter(o.router));
  PERFTCO_ASSIGN_OR_RETURN(c->decode_router_, MakeRouter(o.router));
  if (o.max_seqs < 1) return Status::Error("--max-seqs must be at least 1");
  if (o.token_budget < 0) return Status::Error("--token-budget must be positive");
  if (o.slo_ttft.value() < 0 || o.slo_tpot.value() < 0) {
    return Status::Error("--slo-ttft-ms and --slo-tpot-ms must not be negative");
  }
  ReplicaConfig rc;
  rc.policy = policy;
  rc.token_budget = o.token_budget > 0                 ? o.token_budget
                    : policy->default_token_budget > 0 ? policy->default_token_budget
                                                       : cost.engine().max_batched_tokens;
  if (rc.token_budget < 1) return Status::Error("the token budget must be positive");
  if (o.max_seqs > rc.token_budget) {
    return Status::Error("--max-seqs " + std::to_string(o.max_seqs) +
                         " exceeds the token budget of " + std::to_string(rc.token_budget) +
                         " tokens per step (each running sequence needs one): lower --max-seqs "
                         "or raise --token-budget");
  }
  rc.max_seqs = o.max_seqs;
  c->token_budget_ = rc.token_budget;
  rc.block_size = std::max(1, cost.engine().block_size);
  rc.prefix_caching = o.prefix_caching;
  rc.exact_steps = o.exact_steps;
  if (o.preemption == "swap") {
    rc.swap = true;
    rc.host_link_bytes_per_s = cost.hardware().host_link.value();
    if (rc.host_link_bytes_per_s <= 0) {
      return Status::Error(cost.hardware().name +
                           " has no host-link bandwidth in the catalog: "
                           "use --preemption recompute");
    }
    if (o.swap_space.value() < 0) return Status::Error("--swap-space-gb must not be negative");
    rc.swap_capacity_bytes = o.swap_space.value();
  } else if (o.preemption != "recompute") {
    return Status::Error("unknown preemption '" + o.preemption + "': use recompute or swap");
  }
  int prefill_count = cost.plan().replicas, decode_count = 0;
  if (decode_cost != nullptr) {
    if (o.prefill_replicas != 0) {
      return Status::Error("give the pools (--disagg) or --prefill-replicas, not both");
    }
    if (decode_cost->engine().block_size != cost.engine().block_size) {
      return Status::Error("the prefill and decode pools must use one KV block size");
    }
    decode_count = decode_cost->plan().replicas;
  } else if (o.prefill_replicas != 0) {
    if (o.prefill_replicas < 0 || o.prefill_replicas >= prefill_count) {
      return Status::Error("--prefill-replicas " + std::to_string(o.prefill_replicas) +
                           " leaves no decode replica out of " + std::to_string(prefill_count) +
                           ": lower it or add chips");
    }
    decode_count = prefill_count - o.prefill_replicas;
    prefill_count = o.prefill_replicas;
  }
  c->prefill_.cost = &cost;
  c->prefill_.timer = &c->timer_;
  PERFTCO_RETURN_IF_ERROR(SizePool(cost, rc.block_size, &c->prefill_));
  c->decode_ = c->prefill_;
  if (decode_cost != nullptr) {
    c->decode_timer_ = std::make_unique<StepTimer>(*decode_cost);
    c->decode_.cost = decode_cost;
    c->decode_.timer = c->decode_timer_.get();
    PERFTCO_RETURN_IF_ERROR(SizePool(*decode_cost, rc.block_size, &c->decode_));
  }
  c->decode_.first_replica = prefill_count;
  c->decode_.first_chip = prefill_count * c->prefill_.chips_per_replica;
  const int replicas = prefill_count + decode_count;
  for (int i = 0; i < replicas; ++i) {
    const bool decode = decode_count > 0 && i >= prefill_count;
    Pool& pool = decode ? c->decode_ : c->prefill_;
    ReplicaConfig r = rc;
    if (decode_count > 0) r.role = decode ? ReplicaRole::kDecode : ReplicaRole::kPrefill;
    r.total_blocks = pool.blocks;
    r.block_bytes_per_chip = pool.kv_bytes_per_token_per_chip * rc.block_size;
    c->replicas_.push_back(std::make_unique<Replica>(i, r, pool.timer, &c->sim_, c.get()));
    pool.replicas.push_back(c->replicas_.back().get());
  }
  c->link_free_.assign(static_cast<size_t>(replicas), 0.0);
  return c;
}

Status Cluster::Route(const Request& r, double now) {
  const int64_t tokens = r.input_tokens + r.output_tokens;
  if (r.input_tokens < 1 || r.output_tokens < 1) {
    return Status::Error(source_.Where(r) + ": input and output tokens must be at least 1");
  }
  const Pool& last = disaggregated() ? decode_ : prefill_;
  if (tokens > last.kv_token_capacity || r.input_tokens + 1 > prefill_.kv_token_capacity) {
    const bool in_decode = tokens > last.kv_token_capacity;
    return Status::Error(
        source_.Where(r) + ": a request of " + std::to_string(tokens) +
        " tokens needs more KV cache than one " +
        (disaggregated() ? (in_decode ? "decode " : "prefill ") : "") + "replica holds (" +
        std::to_string((in_decode ? last : prefill_).kv_token_capacity) + " tokens)");
  }
  const size_t i = router_->Pick(r, prefill_.replicas, now);
  Replica* target = prefill_.replicas[i];
  metrics_.Arrived(now);
  for (SimObserver* o : observers_) o->OnArrival(r, target->index());
  Sequence s;
  s.req = r;
  s.prefill_replica = target->index();
  target->Enqueue(std::move(s), now);
  return Status::Ok();
}

bool Cluster::Crosses(int from, int to) const {
  const int domain = std::max(1, cost_.hardware().scale_up.domain_chips);
  auto range = [&](int replica) {
    const Pool& p = PoolOf(replica);
    const int first = p.first_chip + (replica - p.first_replica) * p.chips_per_replica;
    return std::pair<int, int>(first / domain, (first + p.chips_per_replica - 1) / domain);
  };
  const auto a = range(from), b = range(to);
  return a.first != a.second || b.first != b.second || a.first != b.first;
}

Status Cluster::Arrivals::OnEvent(engine::Simulator& sim, uint64_t tag) {
  if (tag != version_) return Status::Ok();
  scheduled_ = -1;
  const double now = sim.now().value();
  // Every request due now, so that simultaneous arrivals share the replicas' next step.
  while (true) {
    PERFTCO_ASSIGN_OR_RETURN(std::optional<Seconds> t, c_->source_.PeekTime());
    if (!t) return Status::Ok();
    if (t->value() > now) {
      scheduled_ = t->value();
      sim.Schedule(*t, this, ++version_);
      return Status::Ok();
    }
    PERFTCO_RETURN_IF_ERROR(c_->Route(c_->source_.Pop(), now));
  }
}

Status Cluster::Arrivals::Poke(double now) {
  PERFTCO_ASSIGN_OR_RETURN(std::optional<Seconds> t, c_->source_.PeekTime());
  if (!t) return Status::Ok();
  const double at = std::max(now, t->value());
  if (scheduled_ >= 0 && scheduled_ <= at) return Status::Ok();
  scheduled_ = at;
  c_->sim_.Schedule(Seconds(at), this, ++version_);
  return Status::Ok();
}

Status Cluster::OnFinished(int replica, const Sequence& s, double t) {
  RequestRecord r;
  r.request = s.req;
  r.replica = s.prefill_replica >= 0 ? s.prefill_replica : replica;
  r.decode_replica = disaggregated() ? replica : -1;
  r.first_scheduled = Seconds(s.first_scheduled);
  r.first_token = Seconds(s.first_token);
  r.finish = Seconds(t);
  r.queue = Seconds(s.queue);
  r.preemptions = s.preemptions;
  r.cached_tokens = s.cached_tokens;
  r.kv_transferred = Bytes(s.kv_transferred);
  metrics_.Finished(r);
  for (SimObserver* o : observers_) o->OnFinished(r);
  source_.OnFinished(s.req, Seconds(t));
  return arrivals_.Poke(t);
}

Status Cluster::OnHandoff(int replica, int slot, const Sequence& s, double t) {
  const size_t i = decode_router_->Pick(s.req, decode_.replicas, t);
  const int to = decode_.replicas[i]->index();
  // The prompt's KV, each chip sending its own share to its peers in parallel: the side whose
  // chips hold more bytes each (the narrower layout) sets the time.
  const double kv_tokens = static_cast<double>(s.req.input_tokens + s.generated - 1);
  const double sent = kv_tokens * prefill_.kv_bytes_per_token_per_chip;
  const double received = kv_tokens * decode_.kv_bytes_per_token_per_chip;
  const double seconds =
      network_.PointToPoint(Bytes(std::max(sent, received)), Crosses(replica, to)).value();
  // One transfer at a time per replica's links.
  const double start =
      std::max({t, link_free_[static_cast<size_t>(replica)], link_free_[static_cast<size_t>(to)]});
  const double end = start + seconds;
  link_free_[static_cast<size_t>(replica)] = link_free_[static_cast<size_t>(to)] = end;
  transfer_seconds_ += seconds;
  transfer_wait_ += start - t;
  ++transfer_count_;
  uint64_t id;
  if (!free_transfers_.empty()) {
    id = free_transfers_.back();
    free_transfers_.pop_back();
  } else {
    id = transfer_slots_.size();
    transfer_slots_.emplace_back();
  }
  transfer_slots_[id] = Transfer{replica, to, slot, sent * prefill_.chips_per_replica};
  sim_.Schedule(Seconds(end), &transfers_, id);
  return Status::Ok();
}

Status Cluster::Transfers::OnEvent(engine::Simulator& sim, uint64_t tag) {
  const Transfer tr = c_->transfer_slots_[tag];
  c_->free_transfers_.push_back(tag);
  const double now = sim.now().value();
  Sequence s = c_->replicas_[static_cast<size_t>(tr.from)]->TakeHandedOff(tr.slot, now);
  s.kv_elsewhere = true;
  s.kv_transferred += tr.bytes;
  c_->replicas_[static_cast<size_t>(tr.to)]->Enqueue(std::move(s), now);
  return Status::Ok();
}

void Cluster::OnPreempted(int replica, const Sequence& s, double t) {
  for (SimObserver* o : observers_) o->OnPreempted(s.req, replica, Seconds(t));
}

void Cluster::OnSegment(const ReplicaSegment& segment) {
  if (segment.steps > 0) {
    Pool& pool = disaggregated() && segment.replica >= decode_.first_replica ? decode_ : prefill_;
    pool.busy_seconds += (segment.end - segment.start).value();
  }
  metrics_.Segment(segment);
  for (SimObserver* o : observers_) o->OnSegment(segment);
}

void Cluster::Progress::AfterEvent(const engine::Simulator& sim) {
  if ((sim.events_processed() & 0xffff) != 0) return;
  for (SimObserver* o : c_->observers_) o->OnProgress(sim.now(), c_->metrics_.finished());
}

Result<SimulationSummary> Cluster::Run() {
  if (!observers_.empty()) sim_.AddObserver(&progress_);
  PERFTCO_RETURN_IF_ERROR(arrivals_.Poke(0.0));
  PERFTCO_RETURN_IF_ERROR(sim_.Run());
  if (metrics_.arrived() == 0) return Status::Error("the workload has no requests");
  if (metrics_.finished() != metrics_.arrived()) {
    return Status::Error(
        "internal error: " + std::to_string(metrics_.arrived() - metrics_.finished()) +
        " requests never finished: please report this with the command line");
  }
  SimulationSummary s;
  s.scheduler = o_.scheduler;
  s.router = o_.router;
  s.replicas = static_cast<int>(replicas_.size());
  s.chips = 0;
  for (const auto& r : replicas_) s.chips += PoolOf(r->index()).chips_per_replica;
  s.exact_steps = o_.exact_steps;
  s.max_seqs = o_.max_seqs;
  s.token_budget = token_budget_;
  s.kv_blocks_per_replica = (disaggregated() ? decode_ : prefill_).blocks;
  s.block_size = std::max(1, cost_.engine().block_size);
  metrics_.Fill(&s);
  if (disaggregated()) {
    s.prefill_replicas = decode_.first_replica;
    s.prefill_chips = decode_.first_chip;
    auto one_replica = [](ParallelPlan p) {
      p.replicas = 1;
      return p.ToString();
    };
    s.prefill_plan = one_replica(prefill_.cost->plan());
    s.decode_plan = one_replica(decode_.cost->plan());
    s.prefill_kv_blocks_per_replica = prefill_.blocks;
    const double d = std::max(1e-30, s.duration.value());
    s.prefill_busy = prefill_.busy_seconds / (d * static_cast<double>(prefill_.replicas.size()));
    s.decode_busy = decode_.busy_seconds / (d * static_cast<double>(decode_.replicas.size()));
    if (transfer_count_ > 0) {
      s.kv_transfer_mean = Seconds(transfer_seconds_ / static_cast<double>(transfer_count_));
      s.kv_transfer_wait = Seconds(transfer_wait_ / static_cast<double>(transfer_count_));
    }
  }
  int64_t prompt = 0, hits = 0;
  for (const auto& r : replicas_) {
    s.steps += r->iterations();
    s.preemptions += r->preemptions();
    s.swaps += r->swaps();
    s.recomputed_tokens += r->recomputed_tokens();
    prompt += r->prompt_tokens();
    hits += r->cache_hit_tokens();
  }
  s.prefix_cache_hit_rate =
      prompt > 0 ? static_cast<double>(hits) / static_cast<double>(prompt) : 0.0;
  s.events = sim_.events_processed();
  s.step_evaluations = timer_.evaluations();
  return s;
}

}  // namespace perftco::serving
