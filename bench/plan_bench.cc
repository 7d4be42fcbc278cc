// Speed of the parallel-plan paths the serving simulator and `perftco plan` sit on: a pipeline
// step and a speculative step (one more Stage evaluation each), and a whole layout search.
#include <benchmark/benchmark.h>

#include "perftco/catalog.h"
#include "perftco/compare.h"
#include "perftco/cost_model.h"
#include "perftco/serving_plan.h"
#include "perftco/sweep.h"

namespace perftco {
namespace {

const Catalog& PlanBenchCatalog() {
  static const Catalog* c = new Catalog(Catalog::Load(PERFTCO_BENCH_DATA_DIR).value());
  return *c;
}

BatchShape MixedBatch() {
  BatchShape s;
  for (int i = 0; i < 128; ++i) s.AddDecode(2000 + i);
  s.AddPrefillChunk(0, 512, true);
  return s;
}

void BM_PipelineStep(benchmark::State& state) {
  const CostModel c(*PlanBenchCatalog().FindModel("llama-3.1-405b"),
                    *PlanBenchCatalog().FindHardware("h100-sxm"), ParallelPlan{.tp = 8, .pp = 2},
                    Precisions(), Efficiency());
  const BatchShape s = MixedBatch();
  for (auto _ : state) benchmark::DoNotOptimize(c.Step(s).time);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PipelineStep);

void BM_SpeculativeMtpStep(benchmark::State& state) {
  SpeculativeDecoding spec;
  spec.kind = DraftKind::kMtp;
  spec.tokens = 2;
  spec.acceptance = 0.85;
  const CostModel c(*PlanBenchCatalog().FindModel("deepseek-v3"),
                    *PlanBenchCatalog().FindHardware("h200-sxm"),
                    ParallelPlan{.tp = 8, .ep = 8, .dp_attention = true},
                    Precisions{Precision::kFp8, Precision::kFp8, Precision::kFp8}, Efficiency(),
                    EngineMemory(), spec);
  const BatchShape s = MixedBatch();
  for (auto _ : state) benchmark::DoNotOptimize(c.Step(s).time);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SpeculativeMtpStep);

// A full `perftco plan` search: DeepSeek-R1 on one GB200 NVL72 rack, fp8 and fp4, at a target.
void BM_PlanSearchDeepSeekGb200(benchmark::State& state) {
  const EfficiencyTable table = EfficiencyTable::Load(PERFTCO_BENCH_DATA_DIR).value();
  PlanSearchOptions o;
  o.base.model = "deepseek-r1";
  o.base.hardware = "gb200";
  o.base.kv_precision = "fp8";
  o.precisions = {"fp8", "fp4"};
  o.chips = 72;
  o.isl = 1000;
  o.osl = 10000;
  o.tpot_slo = Milliseconds(50);
  int64_t layouts = 0;
  for (auto _ : state) {
    auto r = SearchPlans(PlanBenchCatalog(), table, o);
    layouts += static_cast<int64_t>(r->feasible.size() + r->rejected.size());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(layouts);
  state.SetLabel("items = layouts evaluated");
}
BENCHMARK(BM_PlanSearchDeepSeekGb200)->Unit(benchmark::kMillisecond);

// `perftco compare` over the whole catalog: every system at its best layout (a plan search per
// system within its scale-up domain) for Llama 3.1 70B in fp8 at a 50 ms TPOT target. Goal: 1 s.
void BM_CompareCatalogWithLayoutSearch(benchmark::State& state) {
  const EfficiencyTable table = EfficiencyTable::Load(PERFTCO_BENCH_DATA_DIR).value();
  const EconomicsData data = EconomicsData::Load(PERFTCO_BENCH_DATA_DIR).value();
  std::vector<std::string> names;
  for (const Hardware& hw : PlanBenchCatalog().hardware()) names.push_back(hw.name);
  SetupOptions base;
  base.model = "llama-3.1-70b";
  base.precision = "fp8";
  const SloWorkload w{1000, 1000, Milliseconds(50)};
  for (auto _ : state) {
    auto rows = CompareSystems(PlanBenchCatalog(), table, data, EconomicsOptions(), base, names, w);
    benchmark::DoNotOptimize(rows);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(names.size()));
  state.SetLabel("items = systems");
}
BENCHMARK(BM_CompareCatalogWithLayoutSearch)->Unit(benchmark::kMillisecond);

// An estimate sweep of 100,000 points on 2 threads (Llama 3.1 8B on one H100: 20 prompt x 20
// output lengths x batches 1-250; about a fifth do not fit and come back with the reason).
// Goal: 30 s.
void BM_Sweep100kEstimates(benchmark::State& state) {
  const EfficiencyTable table = EfficiencyTable::Load(PERFTCO_BENCH_DATA_DIR).value();
  const EconomicsData data = EconomicsData::Load(PERFTCO_BENCH_DATA_DIR).value();
  std::string lengths, batches;
  for (int k = 1; k <= 20; ++k) lengths += (k > 1 ? "," : "") + std::to_string(100 * k);
  for (int b = 1; b <= 250; ++b) batches += (b > 1 ? "," : "") + std::to_string(b);
  const SweepSpec spec =
      ParseSweep(YAML::Load("kind: sweep\nname: bench\nbase: {model: llama-3.1-8b, hardware: "
                            "h100-sxm}\ngrid:\n  isl: [" +
                            lengths + "]\n  osl: [" + lengths + "]\n  batch: [" + batches + "]\n"),
                 "bench")
          .value();
  for (auto _ : state) {
    auto rows = RunSweep(PlanBenchCatalog(), table, data, spec, 2, {}, nullptr);
    benchmark::DoNotOptimize(rows);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(spec.points));
  state.SetLabel("items = points, 2 threads");
}
BENCHMARK(BM_Sweep100kEstimates)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

}  // namespace
}  // namespace perftco
