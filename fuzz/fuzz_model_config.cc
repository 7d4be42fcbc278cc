// A Hugging Face config.json (data/models/*.json, or a user's file): the loader, then a setup
// on one H100 and a small estimate, whose numbers must all be finite.
#include <cmath>

#include "fuzz_support.h"
#include "perftco/catalog.h"
#include "perftco/efficiency.h"
#include "perftco/estimate.h"
#include "perftco/setup.h"

using namespace perftco;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Catalog catalog = Catalog::Load(fuzz::DataDir()).value();
  static const EfficiencyTable table = EfficiencyTable::Load(fuzz::DataDir()).value();
  const std::string path = fuzz::WriteInput(data, size, "model/config.json");
  auto m = LoadModelConfigFile(path, "fuzz");
  if (!m.ok()) return 0;
  if (!std::isfinite(m->TotalParams()) || !std::isfinite(m->ActiveParams())) {
    fuzz::Fail("a loaded config has a non-finite parameter count");
  }
  SetupOptions o;
  o.model = path;
  o.hardware = "h100-sxm";
  auto setup = BuildSetup(catalog, table, o);
  if (!setup.ok()) return 0;
  const MemoryBudget& mem = (*setup)->cost->Memory();
  if (!std::isfinite(mem.weights.value()) || !std::isfinite(mem.kv_bytes_per_token.value())) {
    fuzz::Fail("a setup has non-finite memory figures");
  }
  auto p = EstimateBatch(*(*setup)->cost, 128, 16, 1);
  if (p.ok() && !(std::isfinite(p->tpot.value()) && std::isfinite(p->ttft.value()))) {
    fuzz::Fail("an estimate is not finite");
  }
  return 0;
}
