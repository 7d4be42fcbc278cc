#include "perftco/catalog.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "perftco/names.h"
#include "perftco/precision.h"
#include "perftco/yaml_fields.h"

#ifndef PERFTCO_SOURCE_DATA_DIR
#define PERFTCO_SOURCE_DATA_DIR "data"
#endif

namespace perftco {
namespace fs = std::filesystem;

std::string DefaultDataDir() {
  if (const char* env = std::getenv("PERFTCO_DATA_DIR"); env && *env) return env;
  return PERFTCO_SOURCE_DATA_DIR;
}

namespace {

bool Matches(const std::string& name, const std::string& canonical,
             const std::vector<std::string>& aliases) {
  const std::string n = ToLower(name);
  if (n == ToLower(canonical)) return true;
  return std::any_of(aliases.begin(), aliases.end(),
                     [&](const std::string& a) { return n == ToLower(a); });
}

Status LoadModelIndex(const std::string& data_dir, std::vector<ModelConfig>* out) {
  const std::string index = data_dir + "/models/index.yaml";
  PERFTCO_ASSIGN_OR_RETURN(
      YAML::Node root,
      LoadYamlFile(index, "data file", "set PERFTCO_DATA_DIR to perftco's data directory"));
  if (!root.IsSequence()) return Status::Error(index + ": expected a list of models");
  for (size_t i = 0; i < root.size(); ++i) {
    const YAML::Node e = root[i];
    const std::string where = index + ": entry " + std::to_string(i + 1);
    for (const char* key : {"name", "file", "display_name", "source"}) {
      if (!e[key] || e[key].as<std::string>("").empty()) {
        return Status::Error(where + ": field '" + key + "' is missing");
      }
    }
    const std::string name = e["name"].as<std::string>();
    PERFTCO_ASSIGN_OR_RETURN(
        ModelConfig m,
        LoadModelConfigFile(data_dir + "/models/" + e["file"].as<std::string>(), name));
    m.display_name = e["display_name"].as<std::string>();
    m.source = e["source"].as<std::string>();
    try {
      if (e["aliases"]) m.aliases = e["aliases"].as<std::vector<std::string>>();
      m.published_total_params = e["published_total_params_b"].as<double>(0.0) * 1e9;
      m.published_active_params = e["published_active_params_b"].as<double>(0.0) * 1e9;
      const YAML::Node native = e["native_precision"];
      if (!native || !native["value"] || !native["source"]) {
        return Status::Error(where + " (" + name +
                             "): native_precision needs value and source (the checkpoint's "
                             "published format)");
      }
      m.native_precision = native["value"].as<std::string>();
      m.native_precision_source = native["source"].as<std::string>();
    } catch (const YAML::Exception&) {
      return Status::Error(where + " (" + name +
                           "): aliases, published params or native_precision malformed");
    }
    if (!ParsePrecision(m.native_precision).ok()) {
      return Status::Error(where + " (" + name + "): native_precision '" + m.native_precision +
                           "' is not a format: use bf16, fp16, fp8 or fp4");
    }
    out->push_back(std::move(m));
  }
  return Status::Ok();
}

Status LoadEngines(const std::string& data_dir, std::vector<EngineMemory>* out) {
  const std::string path = data_dir + "/engines.yaml";
  PERFTCO_ASSIGN_OR_RETURN(
      YAML::Node root,
      LoadYamlFile(path, "data file", "set PERFTCO_DATA_DIR to perftco's data directory"));
  for (const auto& kv : root) {
    EngineMemory e;
    e.name = kv.first.as<std::string>();
    const YAML::Node n = kv.second;
    auto num = [&](const char* key, double* v) -> Status {
      if (!n[key] || !n[key]["value"] || !n[key]["source"]) {
        return Status::Error(path + ": engine " + e.name + ": field '" + key +
                             "' needs value and source");
      }
      *v = n[key]["value"].as<double>(-1.0);
      if (*v < 0)
        return Status::Error(path + ": engine " + e.name + ": field '" + key +
                             "' must be a non-negative number");
      return Status::Ok();
    };
    double usable, reserve, tokens, seqs, block;
    PERFTCO_RETURN_IF_ERROR(num("usable_fraction", &usable));
    PERFTCO_RETURN_IF_ERROR(num("runtime_reserve_gb", &reserve));
    PERFTCO_RETURN_IF_ERROR(num("max_batched_tokens", &tokens));
    PERFTCO_RETURN_IF_ERROR(num("max_num_seqs", &seqs));
    PERFTCO_RETURN_IF_ERROR(num("block_size", &block));
    // Counts convert to integers: above 1e9 (or NaN) is refused, not cast (fuzz_data).
    if (!(tokens <= 1e9 && seqs <= 1e9 && block <= 1e9 && seqs >= 0)) {
      return Status::Error(path + ": engine " + e.name +
                           ": max_batched_tokens, max_num_seqs and block_size must be between 0 "
                           "and 1e9");
    }
    if (usable <= 0 || usable > 1 || tokens < 1 || block < 1) {
      return Status::Error(path + ": engine " + e.name +
                           ": usable_fraction must be in (0, 1], max_batched_tokens and "
                           "block_size at least 1");
    }
    e.usable_fraction = usable;
    e.fraction_of_free = n["fraction_of_free"].as<bool>(false);
    e.in_network_reduction = n["in_network_reduction"].as<bool>(true);
    e.moe_comm_overlap = n["moe_comm_overlap"].as<bool>(false);
    e.runtime_reserve = Gigabytes(reserve);
    e.max_batched_tokens = static_cast<int64_t>(tokens);
    e.max_num_seqs = static_cast<int64_t>(seqs);
    e.block_size = static_cast<int>(block);
    if (const YAML::Node spec = n["speculative_tokens"]) {
      for (const auto& [key, field] :
           {std::pair{"mtp", &e.mtp_tokens}, std::pair{"eagle", &e.eagle_tokens},
            std::pair{"draft_model", &e.draft_model_tokens}}) {
        const YAML::Node v = spec[key];
        if (!v || !v["value"] || !v["source"] || v["value"].as<int>(0) < 1) {
          return Status::Error(path + ": engine " + e.name + ": speculative_tokens." + key +
                               " needs a positive value and a source");
        }
        *field = v["value"].as<int>();
      }
    }
    out->push_back(e);
  }
  return Status::Ok();
}

// data/speculative.yaml: per draft method, the acceptance of each drafted position.
Status LoadDraftAcceptance(const std::string& data_dir,
                           std::map<std::string, std::vector<double>, std::less<>>* out) {
  const std::string path = data_dir + "/speculative.yaml";
  PERFTCO_ASSIGN_OR_RETURN(
      YAML::Node root,
      LoadYamlFile(path, "data file", "set PERFTCO_DATA_DIR to perftco's data directory"));
  for (const auto& kv : root) {
    const std::string method = kv.first.as<std::string>();
    const YAML::Node n = kv.second;
    const std::string where = path + ": " + method;
    if (!n["acceptance_by_position"] || !n["source"] || n["source"].as<std::string>("").empty()) {
      return Status::Error(where + ": needs acceptance_by_position and source");
    }
    std::vector<double> a;
    try {
      a = n["acceptance_by_position"].as<std::vector<double>>();
    } catch (const YAML::Exception&) {
      return Status::Error(where + ": acceptance_by_position must be a list of numbers");
    }
    if (a.empty() || std::any_of(a.begin(), a.end(), [](double x) { return !(x >= 0 && x < 1); })) {
      return Status::Error(where + ": acceptance_by_position must list probabilities in [0, 1)");
    }
    (*out)[method] = std::move(a);
  }
  return Status::Ok();
}

}  // namespace

Result<EngineMemory> Catalog::FindEngine(const std::string& name) const {
  std::vector<std::string> names;
  for (const auto& e : engines_) {
    if (ToLower(name) == e.name) return e;
    names.push_back(e.name);
  }
  return Status::Error("unknown engine '" + name + "': use one of " + JoinNames(names));
}

Result<std::vector<double>> Catalog::DraftAcceptance(std::string_view method) const {
  if (auto it = draft_acceptance_.find(method); it != draft_acceptance_.end()) return it->second;
  std::vector<std::string> names;
  for (const auto& [name, a] : draft_acceptance_) names.push_back(name);
  return Status::Error("no default acceptance for draft method '" + std::string(method) +
                       "' in data/speculative.yaml: use one of " + JoinNames(names));
}

Result<Catalog> Catalog::Load(const std::string& data_dir) {
  Catalog c;
  c.data_dir_ = data_dir;
  const fs::path hw_dir = fs::path(data_dir) / "hardware";
  std::error_code ec;
  if (!fs::is_directory(hw_dir, ec)) {
    return Status::Error("no hardware catalog at '" + hw_dir.string() +
                         "': set PERFTCO_DATA_DIR to perftco's data directory");
  }
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(hw_dir)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    PERFTCO_ASSIGN_OR_RETURN(Hardware hw, LoadHardwareFile(f));
    c.hardware_.push_back(std::move(hw));
  }
  PERFTCO_RETURN_IF_ERROR(GuardYaml(data_dir + "/models/index.yaml",
                                    [&] { return LoadModelIndex(data_dir, &c.models_); }));
  PERFTCO_RETURN_IF_ERROR(
      GuardYaml(data_dir + "/engines.yaml", [&] { return LoadEngines(data_dir, &c.engines_); }));
  PERFTCO_RETURN_IF_ERROR(GuardYaml(data_dir + "/speculative.yaml", [&] {
    return LoadDraftAcceptance(data_dir, &c.draft_acceptance_);
  }));
  return c;
}

Result<Hardware> Catalog::FindHardware(const std::string& name) const {
  std::vector<std::string> names;
  for (const auto& hw : hardware_) {
    if (Matches(name, hw.name, hw.aliases)) return hw;
    names.push_back(hw.name);
    for (const auto& a : hw.aliases) names.push_back(a);
  }
  return Status::Error("unknown hardware '" + name + "': did you mean " +
                       JoinNames(ClosestNames(name, names), " or ") +
                       "? (`perftco list hardware` lists all)");
}

Result<ModelConfig> Catalog::FindModel(const std::string& name_or_path) const {
  const bool is_path =
      name_or_path.find('/') != std::string::npos ||
      (name_or_path.size() > 5 && name_or_path.substr(name_or_path.size() - 5) == ".json");
  if (is_path) {
    fs::path p(name_or_path);
    const std::string label =
        p.filename() == "config.json" ? p.parent_path().filename().string() : p.stem().string();
    PERFTCO_ASSIGN_OR_RETURN(ModelConfig m, LoadModelConfigFile(name_or_path, label));
    m.display_name = label + " (" + name_or_path + ")";
    m.source = name_or_path;
    return m;
  }
  std::vector<std::string> names;
  for (const auto& m : models_) {
    if (Matches(name_or_path, m.name, m.aliases)) return m;
    names.push_back(m.name);
    for (const auto& a : m.aliases) names.push_back(a);
  }
  return Status::Error("unknown model '" + name_or_path + "': did you mean " +
                       JoinNames(ClosestNames(name_or_path, names), " or ") +
                       "? (`perftco list models` lists all; --model also takes a config.json)");
}

}  // namespace perftco
