// Speed of the cost model: one step evaluation sits in the simulator's inner loop.
#include <benchmark/benchmark.h>

#include "perftco/catalog.h"
#include "perftco/cost_model.h"

namespace perftco {
namespace {

const Catalog& BenchCatalog() {
  static const Catalog* c = new Catalog(Catalog::Load(PERFTCO_BENCH_DATA_DIR).value());
  return *c;
}

void BM_DecodeStep(benchmark::State& state, const char* model, const char* hw, int tp) {
  const CostModel c(*BenchCatalog().FindModel(model), *BenchCatalog().FindHardware(hw),
                    ParallelPlan{.tp = tp}, Precisions(), Efficiency());
  BatchShape s;
  for (int i = 0; i < 128; ++i) s.AddDecode(2000 + i);
  s.AddPrefillChunk(0, 512, true);
  for (auto _ : state) benchmark::DoNotOptimize(c.Step(s).time);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_DecodeStep, llama70b_h100_tp8, "llama-3.1-70b", "h100-sxm", 8);
BENCHMARK_CAPTURE(BM_DecodeStep, deepseek_h200_tp8, "deepseek-v3", "h200-sxm", 8);

}  // namespace
}  // namespace perftco

BENCHMARK_MAIN();
