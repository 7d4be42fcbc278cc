// Speed of the training module: one step evaluation sits inside the plan search, a plan search
// inside sweeps, and an RL step generates every rollout step by step.
#include <benchmark/benchmark.h>

#include "perftco/catalog.h"
#include "perftco/rl.h"
#include "perftco/training.h"

namespace perftco {
namespace {

const Catalog& TrainingBenchCatalog() {
  static const Catalog* c = new Catalog(Catalog::Load(PERFTCO_BENCH_DATA_DIR).value());
  return *c;
}
const EfficiencyTable& TrainingBenchEfficiency() {
  static const EfficiencyTable* t =
      new EfficiencyTable(EfficiencyTable::Load(PERFTCO_BENCH_DATA_DIR).value());
  return *t;
}

TrainingModel BenchTrainer(const char* model, const char* hw) {
  const Hardware h = *TrainingBenchCatalog().FindHardware(hw);
  return TrainingModel(*TrainingBenchCatalog().FindModel(model), h,
                       TrainingBenchEfficiency().For(h.family));
}

void BM_TrainingStep(benchmark::State& state) {
  const TrainingModel tm = BenchTrainer("llama-3.1-405b", "h100-sxm");
  TrainingPlan p;
  p.dp = 128;
  p.tp = 8;
  p.pp = 16;
  p.schedule = PipelineSchedule::kInterleaved;
  p.virtual_stages = 4;
  p.recompute = 0.5;
  TrainingWorkload w;
  w.seq_len = 8192;
  w.global_batch_tokens = 2048.0 * 8192;
  for (auto _ : state) benchmark::DoNotOptimize(tm.StepUnchecked(p, w).ok());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TrainingStep);

void BM_PlanSearch(benchmark::State& state, const char* model, int chips, int64_t seq) {
  const TrainingModel tm = BenchTrainer(model, "h100-sxm");
  TrainingWorkload w;
  w.seq_len = seq;
  w.global_batch_tokens = 16777216.0;
  for (auto _ : state) benchmark::DoNotOptimize(SearchPlan(tm, chips, w, {}).ok());
}
BENCHMARK_CAPTURE(BM_PlanSearch, llama405b_16k_gpus, "llama-3.1-405b", 16384, 8192)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_PlanSearch, deepseek_v3_2k_gpus_128k, "deepseek-v3", 2048, 131072)
    ->Unit(benchmark::kMillisecond);

void BM_RlStep(benchmark::State& state) {
  const TrainingModel tm = BenchTrainer("llama-3.1-70b", "h100-sxm");
  const auto pool = BuildRolloutPool(TrainingBenchCatalog(), TrainingBenchEfficiency(),
                                     "llama-3.1-70b", "h100-sxm", 64, 8, "bf16", 33768, 16);
  const CostModelRolloutGenerator gen(pool.value());
  RlConfig c;
  c.usd_per_chip_hour = 4.76;
  for (auto _ : state) benchmark::DoNotOptimize(SimulateRlStep(c, gen, tm, 64, {}).ok());
}
BENCHMARK(BM_RlStep)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace perftco
