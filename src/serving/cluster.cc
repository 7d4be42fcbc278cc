#include "serving/cluster.h"

#include <algorithm>

namespace perftco::serving {

Cluster::Cluster(const CostModel& cost, const ServingOptions& o, RequestSource& source,
                 std::vector<SimObserver*> observers)
    : cost_(cost),
      o_(o),
      source_(source),
      observers_(std::move(observers)),
      timer_(cost),
      network_(cost.hardware(), cost.efficiency()),
      metrics_(cost.plan().replicas, o.slo_ttft, o.slo_tpot) {}

Result<std::unique_ptr<Cluster>> Cluster::Make(const CostModel& cost, const ServingOptions& o,
                                               RequestSource& source,
                                               std::vector<SimObserver*> observers) {
  PERFTCO_ASSIGN_OR_RETURN(const SchedulerPolicy* policy, FindSchedulerPolicy(o.scheduler));
  std::unique_ptr<Cluster> c(new Cluster(cost, o, source, std::move(observers)));
  PERFTCO_ASSIGN_OR_RETURN(c->router_, MakeRouter(o.router));
  PERFTCO_ASSIGN_OR_RETURN(c->decode_router_, MakeRouter(o.router));
  const int replicas = cost.plan().replicas;
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
  const MemoryBudget mem = cost.Memory();
  c->blocks_per_replica_ = mem.kv_token_capacity / rc.block_size;
  if (c->blocks_per_replica_ < 1) {
    return Status::Error("no KV cache left on " + cost.hardware().name + " for " +
                         cost.model().name + ": use more chips per replica or fp8 weights");
  }
  c->kv_token_capacity_ = c->blocks_per_replica_ * rc.block_size;
  rc.total_blocks = c->blocks_per_replica_;
  rc.prefix_caching = o.prefix_caching;
  rc.exact_steps = o.exact_steps;
  c->kv_bytes_per_token_per_chip_ = mem.kv_bytes_per_token_per_chip.value();
  rc.block_bytes_per_chip = c->kv_bytes_per_token_per_chip_ * rc.block_size;
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
  if (o.prefill_replicas < 0 || (o.prefill_replicas > 0 && o.prefill_replicas >= replicas)) {
    return Status::Error("--prefill-replicas " + std::to_string(o.prefill_replicas) +
                         " leaves no decode replica out of " + std::to_string(replicas) +
                         ": lower it or add chips");
  }
  for (int i = 0; i < replicas; ++i) {
    ReplicaConfig r = rc;
    if (o.prefill_replicas > 0) {
      r.role = i < o.prefill_replicas ? ReplicaRole::kPrefill : ReplicaRole::kDecode;
    }
    c->replicas_.push_back(std::make_unique<Replica>(i, r, &c->timer_, &c->sim_, c.get()));
    Replica* rep = c->replicas_.back().get();
    (r.role == ReplicaRole::kDecode ? c->decode_pool_ : c->prefill_pool_).push_back(rep);
  }
  c->link_free_.assign(static_cast<size_t>(replicas), 0.0);
  return c;
}

Status Cluster::Route(const Request& r, double now) {
  const int64_t tokens = r.input_tokens + r.output_tokens;
  if (r.input_tokens < 1 || r.output_tokens < 1) {
    return Status::Error(source_.Where(r) + ": input and output tokens must be at least 1");
  }
  if (tokens > kv_token_capacity_) {
    return Status::Error(source_.Where(r) + ": a request of " + std::to_string(tokens) +
                         " tokens needs more KV cache than one replica holds (" +
                         std::to_string(kv_token_capacity_) + " tokens)");
  }
  const size_t i = router_->Pick(r, prefill_pool_, now);
  Replica* target = prefill_pool_[i];
  metrics_.Arrived(now);
  for (SimObserver* o : observers_) o->OnArrival(r, target->index());
  Sequence s;
  s.req = r;
  s.prefill_replica = target->index();
  target->Enqueue(std::move(s), now);
  return Status::Ok();
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
  r.decode_replica = o_.prefill_replicas > 0 ? replica : -1;
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
  const size_t i = decode_router_->Pick(s.req, decode_pool_, t);
  const int to = decode_pool_[i]->index();
  // The prompt's KV, each chip sending its own share to its peer in parallel.
  const int64_t kv_tokens = s.req.input_tokens + s.generated - 1;
  const double per_chip = static_cast<double>(kv_tokens) * kv_bytes_per_token_per_chip_;
  const int chips = cost_.plan().ChipsPerReplica();
  const int domain = std::max(1, cost_.hardware().scale_up.domain_chips);
  const bool crosses = (replica * chips) / domain != (to * chips) / domain || chips > domain;
  const double seconds = network_.PointToPoint(Bytes(per_chip), crosses).value();
  // One transfer at a time per replica's links.
  const double start =
      std::max({t, link_free_[static_cast<size_t>(replica)], link_free_[static_cast<size_t>(to)]});
  const double end = start + seconds;
  link_free_[static_cast<size_t>(replica)] = link_free_[static_cast<size_t>(to)] = end;
  uint64_t id;
  if (!free_transfers_.empty()) {
    id = free_transfers_.back();
    free_transfers_.pop_back();
  } else {
    id = transfer_slots_.size();
    transfer_slots_.emplace_back();
  }
  transfer_slots_[id] = Transfer{replica, to, slot, per_chip * chips};
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
  s.replicas = cost_.plan().replicas;
  s.prefill_replicas = o_.prefill_replicas;
  s.chips = cost_.plan().Chips();
  s.exact_steps = o_.exact_steps;
  s.max_seqs = o_.max_seqs;
  s.token_budget = token_budget_;
  s.kv_blocks_per_replica = blocks_per_replica_;
  s.block_size = std::max(1, cost_.engine().block_size);
  metrics_.Fill(&s);
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
