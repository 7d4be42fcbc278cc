// The catalog: every accelerator and model perftco knows, loaded from the data directory.
#ifndef PERFTCO_CATALOG_H_
#define PERFTCO_CATALOG_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "perftco/engine_config.h"
#include "perftco/hardware.h"
#include "perftco/model.h"
#include "perftco/status.h"

namespace perftco {

// The data directory: $PERFTCO_DATA_DIR if set, else the source tree's data/ (compiled in).
std::string DefaultDataDir();

class Catalog {
 public:
  // Loads data_dir/hardware/*.yaml, data_dir/models/index.yaml, data_dir/engines.yaml and
  // data_dir/speculative.yaml. Fails on the first malformed file, naming it and the field.
  static Result<Catalog> Load(const std::string& data_dir);

  // Finds by name or alias, case-insensitively. Unknown names fail with the closest names.
  Result<Hardware> FindHardware(const std::string& name) const;
  // A name, alias, or a path to a config.json (anything containing '/' or ending in .json).
  Result<ModelConfig> FindModel(const std::string& name_or_path) const;

  // Engine presets from data/engines.yaml ("default", "vllm", "tensorrt-llm", ...).
  Result<EngineMemory> FindEngine(const std::string& name) const;

  // Acceptance of each drafted position (the first entry for the first draft; the last entry
  // holds beyond the list) for a draft method ("mtp", "eagle", "draft-model"), from
  // data/speculative.yaml. Fails on an unknown method.
  Result<std::vector<double>> DraftAcceptance(std::string_view method) const;

  const std::vector<Hardware>& hardware() const { return hardware_; }
  const std::vector<ModelConfig>& models() const { return models_; }
  const std::string& data_dir() const { return data_dir_; }

 private:
  std::string data_dir_;
  std::vector<Hardware> hardware_;   // sorted by name
  std::vector<ModelConfig> models_;  // in index order
  std::vector<EngineMemory> engines_;
  std::map<std::string, std::vector<double>, std::less<>> draft_acceptance_;
};

}  // namespace perftco

#endif  // PERFTCO_CATALOG_H_
