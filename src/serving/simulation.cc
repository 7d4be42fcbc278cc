// RunSimulation and the summary's JSON form.
#include "perftco/simulate.h"
#include "serving/cluster.h"
#include "serving/router.h"
#include "serving/scheduler_policy.h"

namespace perftco {

WorkloadLimits LimitsFor(const CostModel& cost) {
  WorkloadLimits l;
  l.max_context = cost.model().max_context;
  l.model_name = cost.model().name;
  const int64_t block = std::max(1, cost.engine().block_size);
  l.kv_token_capacity = cost.Memory().kv_token_capacity / block * block;
  return l;
}

Result<SimulationSummary> RunSimulation(const CostModel& cost, const ServingOptions& options,
                                        RequestSource& source,
                                        const std::vector<SimObserver*>& observers) {
  PERFTCO_ASSIGN_OR_RETURN(std::unique_ptr<serving::Cluster> cluster,
                           serving::Cluster::Make(cost, options, source, observers));
  return cluster->Run();
}

Result<SimulationSummary> RunDisaggregatedSimulation(const CostModel& prefill,
                                                     const CostModel& decode,
                                                     const ServingOptions& options,
                                                     RequestSource& source,
                                                     const std::vector<SimObserver*>& observers) {
  if (prefill.model().name != decode.model().name ||
      prefill.hardware().name != decode.hardware().name) {
    return Status::Error("the prefill and decode pools must serve one model on one kind of chip");
  }
  PERFTCO_ASSIGN_OR_RETURN(std::unique_ptr<serving::Cluster> cluster,
                           serving::Cluster::Make(prefill, options, source, observers, &decode));
  return cluster->Run();
}

std::vector<NamedEntry> Schedulers() {
  std::vector<NamedEntry> v;
  for (const auto& p : serving::SchedulerPolicies()) v.push_back({p.name, p.description});
  return v;
}

std::vector<NamedEntry> Routers() {
  std::vector<NamedEntry> v;
  for (const auto& r : serving::RouterTable()) v.push_back({r.name, r.description});
  return v;
}

namespace {

nlohmann::ordered_json StatsJson(const LatencyStats& s) {
  nlohmann::ordered_json j;
  j["mean"] = s.mean.value();
  j["p50"] = s.p50.value();
  j["p90"] = s.p90.value();
  j["p99"] = s.p99.value();
  j["max"] = s.max.value();
  return j;
}

}  // namespace

nlohmann::ordered_json SummaryJson(const SimulationSummary& s) {
  nlohmann::ordered_json j;
  j["scheduler"] = s.scheduler;
  j["router"] = s.router;
  j["replicas"] = s.replicas;
  j["prefill_replicas"] = s.prefill_replicas;
  j["chips"] = s.chips;
  j["exact_steps"] = s.exact_steps;
  j["max_seqs"] = s.max_seqs;
  j["token_budget"] = s.token_budget;
  j["kv_blocks_per_replica"] = s.kv_blocks_per_replica;
  j["block_size"] = s.block_size;
  j["requests"] = s.requests;
  j["input_tokens"] = s.input_tokens;
  j["output_tokens"] = s.output_tokens;
  j["duration_s"] = s.duration.value();
  j["requests_per_s"] = s.requests_per_s;
  j["throughput_input_tokens_per_s"] = s.throughput_input_tokens_per_s;
  j["throughput_output_tokens_per_s"] = s.throughput_output_tokens_per_s;
  j["output_tokens_per_s_per_chip"] = s.output_tokens_per_s_per_chip;
  j["ttft_s"] = StatsJson(s.ttft);
  j["tpot_s"] = StatsJson(s.tpot);
  j["itl_s"] = StatsJson(s.itl);
  j["e2e_s"] = StatsJson(s.e2e);
  j["queue_s"] = StatsJson(s.queue);
  j["preemptions"] = s.preemptions;
  j["preempted_requests"] = s.preempted_requests;
  j["swaps"] = s.swaps;
  j["recomputed_tokens"] = s.recomputed_tokens;
  j["kv_utilization_mean"] = s.kv_utilization_mean;
  j["kv_utilization_peak"] = s.kv_utilization_peak;
  j["running_mean"] = s.running_mean;
  j["decode_batch_mean"] = s.decode_batch_mean;
  j["prefix_cache_hit_rate"] = s.prefix_cache_hit_rate;
  j["kv_transfer_bytes"] = s.kv_transfer.value();
  if (s.prefill_replicas > 0) {
    nlohmann::ordered_json d;
    d["prefill_replicas"] = s.prefill_replicas;
    d["decode_replicas"] = s.replicas - s.prefill_replicas;
    d["prefill_chips"] = s.prefill_chips;
    d["decode_chips"] = s.chips - s.prefill_chips;
    d["prefill_plan"] = s.prefill_plan;
    d["decode_plan"] = s.decode_plan;
    d["prefill_kv_blocks_per_replica"] = s.prefill_kv_blocks_per_replica;
    d["prefill_busy"] = s.prefill_busy;
    d["decode_busy"] = s.decode_busy;
    d["kv_transfer_mean_s"] = s.kv_transfer_mean.value();
    d["kv_transfer_wait_s"] = s.kv_transfer_wait.value();
    j["disaggregation"] = d;
  }
  j["mean_requests_in_system"] = s.mean_requests_in_system;
  j["mean_requests_waiting"] = s.mean_requests_waiting;
  j["arrival_rate_per_s"] = s.arrival_rate_per_s;
  j["queue_growth"] = s.queue_growth;
  j["saturated"] = s.Saturated();
  j["slo_ttft_ms"] = s.slo_ttft.value() * 1e3;
  j["slo_tpot_ms"] = s.slo_tpot.value() * 1e3;
  j["requests_within_slo"] = s.requests_within_slo;
  j["goodput_requests_per_s"] = s.goodput_requests_per_s;
  j["steps"] = s.steps;
  j["events"] = s.events;
  j["step_evaluations"] = s.step_evaluations;
  return j;
}

}  // namespace perftco
