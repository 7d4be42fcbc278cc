// The discrete-event serving simulator: replicas with iteration-level schedulers, a paged KV cache
// with preemption and prefix caching, routers, and prefill/decode disaggregation, driven by a
// RequestSource and costed step by step by the CostModel. docs/models/serving-simulator.md has the
// semantics and the error of the fast-forward.
#ifndef PERFTCO_SIMULATE_H_
#define PERFTCO_SIMULATE_H_

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "perftco/cost_model.h"
#include "perftco/setup.h"
#include "perftco/workload.h"

namespace perftco {

// How the replicas serve. Defaults follow vLLM where it has one (cited in the docs page).
struct ServingOptions {
  std::string scheduler = "vllm-v1";  // Schedulers()
  int64_t max_seqs = 256;             // sequences running at once per replica (max_num_seqs)
  int64_t token_budget = 0;           // tokens per step; 0 = the scheduler's default
  bool prefix_caching = false;
  std::string preemption = "recompute";  // recompute or swap
  Bytes swap_space = Bytes(4 * kGiB);    // host memory per chip for swapped KV (vLLM swap_space)
  std::string router = "round-robin";    // Routers()
  int prefill_replicas = 0;              // > 0: that many replicas only prefill, the rest decode
  bool exact_steps = false;              // step every iteration (no fast-forward)
  Seconds slo_ttft;                      // goodput counts requests within both SLOs; 0 = none
  Seconds slo_tpot;
};

// One finished request, as observers see it.
struct RequestRecord {
  Request request;
  int replica = 0;          // where it was prefilled (and decoded unless disaggregated)
  int decode_replica = -1;  // disaggregated: where it was decoded
  Seconds first_scheduled;  // first admitted into a batch
  Seconds first_token;
  Seconds finish;
  Seconds queue;  // all time spent waiting in queues (incl. after preemptions)
  int preemptions = 0;
  int64_t cached_tokens = 0;  // prompt tokens served from the prefix cache at first admission
  Bytes kv_transferred;       // disaggregated: KV bytes moved to the decode replica

  Seconds Ttft() const { return first_token - request.arrival; }
  Seconds E2e() const { return finish - request.arrival; }
  // (E2E - TTFT) / (output tokens - 1); 0 for one-token outputs.
  Seconds Tpot() const {
    return request.output_tokens > 1 ? (finish - first_token) / (request.output_tokens - 1.0)
                                     : Seconds(0);
  }
};

// What one replica did between two of its boundaries: `steps` iterations, the j-th taking
// step_time + step_slope x j seconds.
struct ReplicaSegment {
  int replica = 0;
  Seconds start, end;
  int64_t steps = 0;
  Seconds step_time;
  Seconds step_slope;
  int64_t decode_seqs = 0;     // per step
  int64_t rejoined = 0;        // of those, back from swap or a KV transfer in the first step:
                               // their gap since the last token is reported on its own
  int64_t prefill_tokens = 0;  // in the (single) step
  int64_t new_tokens = 0;      // output tokens produced over the segment
  int64_t running = 0;         // sequences in the batch
  int64_t waiting = 0;
  double kv_used_start = 0;  // fraction of the replica's KV blocks
  double kv_used_end = 0;
};

// Receives what happens during a run (STYLE 6). Called on the simulating thread.
class SimObserver {
 public:
  virtual ~SimObserver() = default;
  virtual void OnArrival(const Request& r, int replica) {
    (void)r;
    (void)replica;
  }
  virtual void OnPreempted(const Request& r, int replica, Seconds t) {
    (void)r;
    (void)replica;
    (void)t;
  }
  virtual void OnFinished(const RequestRecord& r) { (void)r; }
  virtual void OnSegment(const ReplicaSegment& s) { (void)s; }
  // Every 2^16 engine events, for progress lines.
  virtual void OnProgress(Seconds now, int64_t finished) {
    (void)now;
    (void)finished;
  }
};

struct LatencyStats {
  Seconds mean, p50, p90, p99, max;
};

struct SimulationSummary {
  // Setup
  std::string scheduler;
  std::string router;
  int replicas = 0;
  int prefill_replicas = 0;
  int chips = 0;
  bool exact_steps = false;
  int64_t max_seqs = 0;
  int64_t token_budget = 0;           // tokens per step, as the scheduler applied it
  int64_t kv_blocks_per_replica = 0;  // disaggregated pools: of a decode replica
  int block_size = 0;
  // Requests and time
  int64_t requests = 0;  // finished
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  Seconds duration;  // first arrival to last finish
  double requests_per_s = 0;
  double throughput_input_tokens_per_s = 0;
  double throughput_output_tokens_per_s = 0;
  double output_tokens_per_s_per_chip = 0;
  // Latency
  LatencyStats ttft, tpot, itl, e2e, queue;
  // Pressure
  int64_t preemptions = 0;
  int64_t preempted_requests = 0;
  int64_t swaps = 0;
  int64_t recomputed_tokens = 0;   // prefill tokens spent again after recompute preemptions
  double kv_utilization_mean = 0;  // time-weighted, over replicas
  double kv_utilization_peak = 0;
  double running_mean = 0;           // sequences in a replica's batch, time-weighted
  double decode_batch_mean = 0;      // decode sequences per step
  double prefix_cache_hit_rate = 0;  // prompt tokens served from the cache / prompt tokens
  Bytes kv_transfer;
  // Disaggregation (prefill_replicas > 0): the two pools and how busy each was.
  int prefill_chips = 0;
  std::string prefill_plan, decode_plan;  // ParallelPlan::ToString of a replica of each pool
  int64_t prefill_kv_blocks_per_replica = 0;
  double prefill_busy = 0;  // share of the pool's replica-seconds spent in steps
  double decode_busy = 0;
  Seconds kv_transfer_mean;  // per request: link time of its KV transfer
  Seconds kv_transfer_wait;  // per request: mean wait for a busy link before the transfer
  // Little's law: time-averaged counts, and arrival rate x mean time, from independent tallies.
  double mean_requests_in_system = 0;
  double mean_requests_waiting = 0;
  // Past capacity: arrivals over their span (first to last), and the least-squares slope of each
  // request's queueing time over its arrival time. A steady state has a slope near 0; arrivals
  // at rate a into replicas serving s < a give about a/s - 1 (the k-th request arrives at k/a and
  // starts at about k/s), and then every latency figure grows with the run's length.
  // Saturated(): the slope is above 0.05 and the queue grew by more than a second over the run.
  double arrival_rate_per_s = 0;
  double queue_growth = 0;
  Seconds arrival_span;
  bool Saturated() const {
    return queue_growth > 0.05 && queue_growth * arrival_span.value() > 1.0;
  }
  // SLOs
  Seconds slo_ttft, slo_tpot;
  int64_t requests_within_slo = 0;
  double goodput_requests_per_s = 0;
  // Cost of the simulation itself
  int64_t steps = 0;             // engine iterations simulated (all replicas)
  int64_t events = 0;            // discrete events processed
  int64_t step_evaluations = 0;  // CostModel::Step calls
};

// Runs the source to completion on `cost`'s replicas (cost.plan().replicas of them). Errors: bad
// options (unknown scheduler or router, with the closest name; max_seqs above the token budget;
// disaggregation without a decode replica), errors of the source (malformed trace lines), a
// request the KV cache cannot hold.
Result<SimulationSummary> RunSimulation(const CostModel& cost, const ServingOptions& options,
                                        RequestSource& source,
                                        const std::vector<SimObserver*>& observers = {});

// Prefill/decode disaggregation with a layout per pool: `prefill` replicas (prefill.plan().replicas
// of them) only prefill and send each prompt's KV to one of decode.plan().replicas decode replicas
// over the scale-up link where both lie in one scale-up domain, else the scale-out network
// (docs/models/serving-simulator.md). Both cost models share model, hardware and precisions; the
// throughput per chip counts the chips of both pools. `options.prefill_replicas` must be 0.
Result<SimulationSummary> RunDisaggregatedSimulation(
    const CostModel& prefill, const CostModel& decode, const ServingOptions& options,
    RequestSource& source, const std::vector<SimObserver*>& observers = {});

// What requests on `cost` may not exceed: its model's context and one replica's KV blocks.
WorkloadLimits LimitsFor(const CostModel& cost);

// The summary as JSON: keys in a fixed order, so equal runs give byte-identical text.
nlohmann::ordered_json SummaryJson(const SimulationSummary& s);

// One pool of a disaggregated deployment: `workers` replicas of `tp` chips each (times the
// setup's pp), with expert parallelism `ep` and attention data parallelism.
struct PoolSpec {
  int workers = 0;
  int tp = 0;
  int ep = 1;
  bool dp_attention = false;
  int Chips(int pp) const { return workers * tp * pp; }
};
struct DisaggSpec {
  PoolSpec prefill, decode;
  // The --disagg text that reads back as this spec.
  std::string ToString() const;
};
// Reads "prefill=WxT,decode=WxT" (workers x tp) with optional ",prefill-ep=N", ",decode-ep=N",
// ",prefill-dp-attention", ",decode-dp-attention". Errors name the part that is wrong.
Result<DisaggSpec> ParseDisaggSpec(const std::string& text);
// `base` with one pool's layout: chips = workers x tp x pp, its tp, ep and attention DP.
SetupOptions PoolSetup(const SetupOptions& base, const PoolSpec& pool);

// p99 limits of a latency-bounded scenario (include/perftco/rate_search.h); a zero limit is not
// enforced.
struct LatencyLimits {
  Seconds ttft_p99;
  Seconds tpot_p99;
  bool Any() const { return ttft_p99.value() > 0 || tpot_p99.value() > 0; }
  bool Met(const SimulationSummary& s) const;
  std::string ToString() const;  // "p99 TTFT <= 2000 ms, p99 TPOT <= 200 ms"
};

// Everything `perftco simulate` and a `kind: simulate` scenario name.
struct SimulateOptions {
  std::string name;
  std::string description;
  SetupOptions setup;
  int replicas = 0;  // > 0: chips = replicas x tp x pp
  WorkloadOptions workload;
  ServingOptions serving;
  std::optional<DisaggSpec> disagg;  // prefill and decode pools of their own layout
  // Latency-bounded: search the highest rate meeting `limits` (the workload's rate starts the
  // search), or the published limits of `limits_from` ("server" or "interactive") for the model.
  LatencyLimits limits;
  std::string limits_from;
};

// Reads a `kind: simulate` scenario. Unknown keys fail naming the key and the closest valid one;
// a relative trace path is taken relative to the scenario file. `replicas` is left for the
// caller to apply (ApplyReplicas) after any command-line overrides.
Result<SimulateOptions> ParseSimulateScenario(const YAML::Node& root, const std::string& path);
// The keys ParseSimulateScenario accepts, for error messages.
const std::vector<std::string>& SimulateScenarioKeys();

// Applies `replicas` to the setup (chips = replicas x tp x pp); an error if --chips disagrees.
Status ApplyReplicas(int replicas, SetupOptions* setup);

// Samples the replicas' state into fixed intervals: the time series behind --timeline-csv.
class TimelineRecorder : public SimObserver {
 public:
  TimelineRecorder(int replicas, Seconds interval) : replicas_(replicas), interval_(interval) {}
  void OnSegment(const ReplicaSegment& s) override;
  // Columns: time_s (interval start), running and waiting (sequences, summed over replicas,
  // time-averaged), kv_utilization (mean over replicas), output and prefill tokens per second.
  std::string Csv() const;

 private:
  struct Bin {
    double running = 0, waiting = 0, kv = 0, output = 0, prefill = 0;
  };
  int replicas_;
  Seconds interval_;
  std::vector<Bin> bins_;
};

std::vector<NamedEntry> Schedulers();
std::vector<NamedEntry> Routers();

}  // namespace perftco

#endif  // PERFTCO_SIMULATE_H_
