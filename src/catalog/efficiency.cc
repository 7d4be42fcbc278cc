#include "perftco/efficiency.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <utility>

#include "perftco/yaml_fields.h"

namespace perftco {

const std::vector<std::string>& Efficiency::FittableNames() {
  static const std::vector<std::string> kNames = {
      "gemm_compute",    "gemm_compute_fp8", "gemm_compute_fp4", "attention_compute",
      "memory",          "comm_bandwidth",   "comm_latency_us",  "step_overhead_ms",
      "seq_overhead_us", "moe_imbalance"};
  return kNames;
}

double Efficiency::Get(const std::string& name) const {
  if (name == "gemm_compute") return gemm_compute;
  if (name == "gemm_compute_fp8") return gemm_compute_fp8;
  if (name == "gemm_compute_fp4") return gemm_compute_fp4;
  if (name == "attention_compute") return attention_compute;
  if (name == "memory") return memory;
  if (name == "comm_bandwidth") return comm_bandwidth;
  if (name == "comm_latency_us") return comm_latency.value() * 1e6;
  if (name == "step_overhead_ms") return step_overhead.value() * 1e3;
  if (name == "seq_overhead_us") return seq_overhead.value() * 1e6;
  if (name == "moe_imbalance") return moe_imbalance;
  assert(false && "unknown efficiency parameter");
  return 0.0;
}

void Efficiency::Set(const std::string& name, double v) {
  if (name == "gemm_compute")
    gemm_compute = v;
  else if (name == "gemm_compute_fp8")
    gemm_compute_fp8 = v;
  else if (name == "gemm_compute_fp4")
    gemm_compute_fp4 = v;
  else if (name == "attention_compute")
    attention_compute = v;
  else if (name == "memory")
    memory = v;
  else if (name == "comm_bandwidth")
    comm_bandwidth = v;
  else if (name == "comm_latency_us")
    comm_latency = Microseconds(v);
  else if (name == "step_overhead_ms")
    step_overhead = Milliseconds(v);
  else if (name == "seq_overhead_us")
    seq_overhead = Microseconds(v);
  else if (name == "moe_imbalance")
    moe_imbalance = v;
  else
    assert(false && "unknown efficiency parameter");
}

namespace {

// Reads the parameters present in `node` (each {value, source} or a bare number) over `e`.
Status ReadParams(const YAML::Node& node, const std::string& where, Efficiency* e) {
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    const auto& names = Efficiency::FittableNames();
    if (std::find(names.begin(), names.end(), key) == names.end()) {
      return Status::Error(where + ": unknown efficiency parameter '" + key + "'");
    }
    double v = 0;
    try {
      v = kv.second.IsMap() ? kv.second["value"].as<double>() : kv.second.as<double>();
    } catch (const YAML::Exception&) {
      return Status::Error(where + ": field '" + key + "' is not a number");
    }
    if (!(v > 0) || !std::isfinite(v)) {
      return Status::Error(where + ": field '" + key + "' must be positive");
    }
    e->Set(key, v);
  }
  return Status::Ok();
}

// interval_80: {throughput: [low, high, points], latency: [...], basis: text}
Status ReadBands(const YAML::Node& node, const std::string& where, ErrorBands* b) {
  const auto band = [&](const char* key, ErrorBand* out) -> Status {
    const YAML::Node v = node[key];
    if (!v) return Status::Ok();
    try {
      if (!v.IsSequence() || v.size() != 3) throw YAML::Exception(YAML::Mark(), "");
      out->low = v[0].as<double>();
      out->high = v[1].as<double>();
      out->points = v[2].as<int>();
    } catch (const YAML::Exception&) {
      return Status::Error(where + ": '" + key + "' must be [low, high, points]");
    }
    if (!(out->low > 0 && out->low <= out->high && std::isfinite(out->high)) || out->points < 0) {
      return Status::Error(where + ": '" + key + "' needs 0 < low <= high and points >= 0");
    }
    return Status::Ok();
  };
  PERFTCO_RETURN_IF_ERROR(band("throughput", &b->throughput));
  PERFTCO_RETURN_IF_ERROR(band("latency", &b->latency));
  if (node["basis"]) b->basis = node["basis"].as<std::string>();
  return Status::Ok();
}

Status ReadFileUnguarded(const std::string& path, bool fitted, Efficiency* defaults,
                         std::map<std::string, Efficiency>* families,
                         std::map<std::string, bool>* fitted_flags,
                         std::map<std::string, ErrorBands>* bands = nullptr,
                         ErrorBands* unfitted_bands = nullptr) {
  PERFTCO_ASSIGN_OR_RETURN(
      YAML::Node root,
      LoadYamlFile(path, "data file", "set PERFTCO_DATA_DIR to perftco's data directory"));
  if (root["defaults"]) PERFTCO_RETURN_IF_ERROR(ReadParams(root["defaults"], path, defaults));
  if (root["families"]) {
    for (const auto& fam : root["families"]) {
      const std::string name = fam.first.as<std::string>();
      auto it = families->find(name);
      Efficiency e = it != families->end() ? it->second : *defaults;
      const YAML::Node params = fam.second["params"] ? fam.second["params"] : fam.second;
      PERFTCO_RETURN_IF_ERROR(ReadParams(params, path + ": family " + name, &e));
      (*families)[name] = e;
      if (fitted) (*fitted_flags)[name] = true;
      if (bands && fam.second["interval_80"]) {
        PERFTCO_RETURN_IF_ERROR(ReadBands(fam.second["interval_80"],
                                          path + ": family " + name + ": interval_80",
                                          &(*bands)[name]));
      }
    }
  }
  if (unfitted_bands && root["interval_80_unfitted"]) {
    PERFTCO_RETURN_IF_ERROR(
        ReadBands(root["interval_80_unfitted"], path + ": interval_80_unfitted", unfitted_bands));
  }
  return Status::Ok();
}

template <typename... Args>
Status ReadFile(const std::string& path, Args&&... args) {
  return GuardYaml(path, [&] { return ReadFileUnguarded(path, std::forward<Args>(args)...); });
}

}  // namespace

Result<EfficiencyTable> EfficiencyTable::Load(const std::string& data_dir) {
  EfficiencyTable t;
  const std::string priors = data_dir + "/calibration/priors.yaml";
  PERFTCO_RETURN_IF_ERROR(ReadFile(priors, false, &t.defaults_, &t.families_, &t.fitted_));
  const std::string fitted = data_dir + "/calibration/fitted.yaml";
  if (std::filesystem::exists(fitted)) {
    Efficiency unused = t.defaults_;
    PERFTCO_RETURN_IF_ERROR(
        ReadFile(fitted, true, &unused, &t.families_, &t.fitted_, &t.bands_, &t.unfitted_bands_));
  }
  return t;
}

Result<EfficiencyTable> EfficiencyTable::LoadPriors(const std::string& data_dir) {
  EfficiencyTable t;
  PERFTCO_RETURN_IF_ERROR(ReadFile(data_dir + "/calibration/priors.yaml", false, &t.defaults_,
                                   &t.families_, &t.fitted_));
  return t;
}

Efficiency EfficiencyTable::For(const std::string& family) const {
  auto it = families_.find(family);
  return it == families_.end() ? defaults_ : it->second;
}

const ErrorBands& EfficiencyTable::BandsFor(const std::string& family) const {
  static const ErrorBands kUnknown;
  auto it = bands_.find(family);
  if (it != bands_.end()) return it->second;
  return IsFitted(family) ? kUnknown : unfitted_bands_;
}

}  // namespace perftco
