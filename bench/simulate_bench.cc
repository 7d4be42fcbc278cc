// Speed of the serving simulator (issue 3 goals): 1,000,000 chat requests over 8 replicas and
// 100,000 reasoning requests, each in at most 5 s on one core. Counters: simulated requests,
// engine events and decode iterations per second of wall time.
#include <benchmark/benchmark.h>

#include "perftco/catalog.h"
#include "perftco/rate_search.h"
#include "perftco/setup.h"
#include "perftco/simulate.h"

namespace perftco {
namespace {

// Llama-3.1-70B in fp8 on 8 replicas of 8 x H100 (tp8), as in the goal.
const Setup& EightReplicas() {
  static const std::shared_ptr<Setup> s = [] {
    const Catalog catalog = Catalog::Load(PERFTCO_BENCH_DATA_DIR).value();
    const EfficiencyTable table = EfficiencyTable::Load(PERFTCO_BENCH_DATA_DIR).value();
    SetupOptions o;
    o.model = "llama-3.1-70b";
    o.hardware = "h100-sxm";
    o.tp = 8;
    o.chips = 64;
    o.precision = "fp8";
    return BuildSetup(catalog, table, o).value();
  }();
  return *s;
}

void Run(benchmark::State& state, const char* preset, double rate, bool exact) {
  const Setup& setup = EightReplicas();
  WorkloadOptions w;
  w.workload = preset;
  w.rate = rate;
  w.requests = state.range(0);
  ServingOptions o;
  o.exact_steps = exact;
  double events = 0, steps = 0, requests = 0;
  for (auto _ : state) {
    auto src = MakeRequestSource(w, LimitsFor(*setup.cost)).value();
    const SimulationSummary s = RunSimulation(*setup.cost, o, *src).value();
    events += static_cast<double>(s.events);
    steps += static_cast<double>(s.steps);
    requests += static_cast<double>(s.requests);
  }
  state.counters["requests/s"] = benchmark::Counter(requests, benchmark::Counter::kIsRate);
  state.counters["events/s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.counters["steps/s"] = benchmark::Counter(steps, benchmark::Counter::kIsRate);
}

// Chat at 80 requests/s: 90% of what the 8 replicas finish (about 89/s at 256 sequences each).
void BM_SimulateChat8Replicas(benchmark::State& state) { Run(state, "chat", 80, false); }
BENCHMARK(BM_SimulateChat8Replicas)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

// Reasoning (about 11,000 output tokens) at 3.5 requests/s over the same 8 replicas.
void BM_SimulateReasoning8Replicas(benchmark::State& state) { Run(state, "reasoning", 3.5, false); }
BENCHMARK(BM_SimulateReasoning8Replicas)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(1);

// The same chat load stepped one iteration at a time, for comparison.
void BM_SimulateChatExactSteps(benchmark::State& state) { Run(state, "chat", 80, true); }
BENCHMARK(BM_SimulateChatExactSteps)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(1);

// MLPerf Interactive limits for the 8 replicas (p99 TTFT 450 ms, TPOT 40 ms: the llama2-70b
// interactive rules): the whole latency-bounded search over 10,000-request chat runs. Counters:
// simulations in the search, the rate found.
void BM_RateSearchInteractive8Replicas(benchmark::State& state) {
  const Setup& setup = EightReplicas();
  WorkloadOptions w;
  w.workload = "chat";
  w.requests = state.range(0);
  LatencyLimits limits;
  limits.ttft_p99 = Milliseconds(450);
  limits.tpot_p99 = Milliseconds(40);
  RateSearchOptions options;
  options.start_rate = 10;
  double trials = 0, rate = 0;
  for (auto _ : state) {
    auto trial = [&](double r) -> Result<SimulationSummary> {
      WorkloadOptions at = w;
      at.rate = r;
      PERFTCO_ASSIGN_OR_RETURN(std::unique_ptr<RequestSource> src,
                               MakeRequestSource(at, LimitsFor(*setup.cost)));
      return RunSimulation(*setup.cost, ServingOptions(), *src);
    };
    const RateSearchResult r = FindMaxRate(trial, limits, options).value();
    trials = r.trials;
    rate = r.rate;
  }
  state.counters["simulations"] = trials;
  state.counters["rate"] = rate;
}
BENCHMARK(BM_RateSearchInteractive8Replicas)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace
}  // namespace perftco
