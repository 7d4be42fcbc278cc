// A sweep file (`perftco sweep FILE.yaml`): the parser, the first and last points' fields, and
// the first point's evaluation when the sweep is an estimate one.
#include "fuzz_support.h"
#include "perftco/economics_data.h"
#include "perftco/scenario.h"
#include "perftco/sweep.h"

using namespace perftco;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Catalog catalog = Catalog::Load(fuzz::DataDir()).value();
  static const EfficiencyTable table = EfficiencyTable::Load(fuzz::DataDir()).value();
  static const EconomicsData economics = EconomicsData::Load(fuzz::DataDir()).value();
  const std::string path = fuzz::WriteInput(data, size, "sweep.yaml");
  auto root = LoadScenarioYaml(path);
  if (!root.ok()) return 0;
  auto spec = ParseSweep(*root, path);
  if (!spec.ok() || spec->points == 0) return 0;
  (void)SweepPoint(*spec, spec->points - 1);
  if (spec->mode == SweepMode::kEstimate) {
    const SweepRow row = EvaluateSweepPoint(catalog, table, economics, *spec, 0);
    if (row.cells.empty()) fuzz::Fail("an evaluated point has no cells");
  }
  return 0;
}
