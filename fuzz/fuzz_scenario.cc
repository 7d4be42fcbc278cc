// A scenario file: LoadScenarioYaml, then every scenario kind's parser on it, each inside the
// same GuardYaml that `perftco run` puts around a scenario (so a yaml-cpp exception is the
// one-line error the user sees; any other escape, or a sanitizer report, is a crash). Running
// a parsed scenario is left to the tests: runs take from milliseconds to minutes.
#include "fuzz_support.h"
#include "perftco/catalog.h"
#include "perftco/plan_scenario.h"
#include "perftco/scenario.h"
#include "perftco/simulate.h"
#include "perftco/sweep.h"
#include "perftco/tco.h"
#include "perftco/training_scenario.h"
#include "perftco/yaml_fields.h"

using namespace perftco;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Catalog catalog = Catalog::Load(fuzz::DataDir()).value();
  const std::string path = fuzz::WriteInput(data, size, "scenario.yaml");
  auto loaded = LoadScenarioYaml(path);
  if (!loaded.ok()) return 0;
  const YAML::Node& root = *loaded;
  auto guard = [&](auto parse) { (void)GuardYaml(path, [&] { return Status(parse().status()); }); };
  (void)ScenarioKind(root);
  guard([&] { return ParseWorkloadComparison(root, path); });
  guard([&] { return ParseSimulateScenario(root, path); });
  guard([&] { return ParseSweep(root, path); });
  guard([&] { return ParseRlScenario(root, path); });
  guard([&] { return ParseClusterComparison(root, path); });
  guard([&] { return ParseReliabilityScenario(root, path); });
  guard([&] { return ParseValidationScenario(root, path, fuzz::DataDir()); });
  guard([&] { return ParseSmallestSlice(catalog, root, path); });
  guard([&] { return ParseInteractivityComparison(root, path); });
  (void)GuardYaml(path, [&] {
    SetupOptions setup;
    PERFTCO_RETURN_IF_ERROR(ParseSetupKeys(root, path, &setup));
    EconomicsOptions economics;
    if (root.IsMap() && root["economics"]) {
      PERFTCO_RETURN_IF_ERROR(ParseEconomicsOptions(root["economics"], path, &economics));
    }
    return Status::Ok();
  });
  return 0;
}
