// The catalog's other data files; the first input byte picks which one the rest replaces:
// a price file, the datacenter assumptions or CPU servers, engines.yaml, speculative.yaml, the
// model index, the calibration priors or fit, or the latency limits. Each is read by the loader
// perftco reads it with, from a scratch copy of the data directory.
#include <yaml-cpp/yaml.h>

#include <array>
#include <filesystem>
#include <fstream>

#include "fuzz_support.h"
#include "perftco/catalog.h"
#include "perftco/economics_data.h"
#include "perftco/efficiency.h"
#include "perftco/rate_search.h"

using namespace perftco;
namespace fs = std::filesystem;

namespace {

// The model index cut to its first entry.
const std::string& OneModelIndex() {
  static const std::string text = [] {
    const YAML::Node index = YAML::LoadFile(fs::path(fuzz::DataDir()) / "models/index.yaml");
    YAML::Node one;
    one.push_back(index[0]);
    return YAML::Dump(one) + "\n";
  }();
  return text;
}

// A small data directory: one accelerator, the first model of the index, and the real
// engines, speculative, calibration and latency files (the harness overwrites one of them).
const fs::path& SmallDataDir() {
  static const fs::path dir = [] {
    const fs::path real = fuzz::DataDir();
    const fs::path d = fuzz::ScratchDir() / "data";
    fs::create_directories(d / "hardware");
    fs::create_directories(d / "models");
    fs::create_directories(d / "calibration");
    for (const char* f :
         {"hardware/h100-sxm.yaml", "engines.yaml", "speculative.yaml", "calibration/priors.yaml",
          "calibration/fitted.yaml", "latency_limits.yaml"}) {
      fs::copy_file(real / f, d / f, fs::copy_options::overwrite_existing);
    }
    std::ofstream(d / "models/index.yaml") << OneModelIndex();
    const std::string model = YAML::Load(OneModelIndex())[0]["file"].as<std::string>();
    fs::copy_file(real / "models" / model, d / "models" / model,
                  fs::copy_options::overwrite_existing);
    return d;
  }();
  return dir;
}

// Restores the file the previous input replaced.
void Restore(const std::string& relative) {
  fs::copy_file(fs::path(fuzz::DataDir()) / relative, SmallDataDir() / relative,
                fs::copy_options::overwrite_existing);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t* body = data + 1;
  const size_t n = size - 1;
  switch (data[0] % 9) {
    case 0:
      (void)LoadPriceFile(fuzz::WriteInput(body, n, "prices.yaml"));
      break;
    case 1:
      (void)LoadAssumptions(fuzz::WriteInput(body, n, "assumptions.yaml"));
      break;
    case 2:
      (void)LoadCpuServers(fuzz::WriteInput(body, n, "cpu_servers.yaml"));
      break;
    case 3:
    case 4:
    case 5: {
      static const std::array<const char*, 3> kFiles = {"engines.yaml", "speculative.yaml",
                                                        "models/index.yaml"};
      const char* file = kFiles[data[0] % 9 - 3];
      fuzz::WriteInput(body, n, SmallDataDir() / file);
      (void)Catalog::Load(SmallDataDir().string());
      if (data[0] % 9 == 5) {
        std::ofstream(SmallDataDir() / file) << OneModelIndex();
      } else {
        Restore(file);
      }
      break;
    }
    case 6:
      fuzz::WriteInput(body, n, SmallDataDir() / "calibration/priors.yaml");
      (void)EfficiencyTable::LoadPriors(SmallDataDir().string());
      break;
    case 7:
      Restore("calibration/priors.yaml");
      fuzz::WriteInput(body, n, SmallDataDir() / "calibration/fitted.yaml");
      (void)EfficiencyTable::Load(SmallDataDir().string());
      break;
    case 8:
      fuzz::WriteInput(body, n, SmallDataDir() / "latency_limits.yaml");
      (void)LatencyLimitTable::Load(SmallDataDir().string());
      break;
  }
  return 0;
}
