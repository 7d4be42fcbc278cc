#include "perftco/economics_data.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>

#include "perftco/names.h"
#include "perftco/yaml_fields.h"

namespace perftco {
namespace fs = std::filesystem;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string Scalar(const YAML::Node& n, const char* key) {
  if (!n[key] || !n[key].IsScalar()) return "";
  return n[key].as<std::string>();
}

// Reads {value, source, date, note} and the optional range {low, high, range_note} at `node`,
// naming `field` of `file` on error. A value of 0 is valid only when `allow_zero_not_found` and
// the source says NOT FOUND; a range needs 0 < low <= value <= high.
Result<SourcedNumber> ReadSourced(const YAML::Node& node, const std::string& file,
                                  const std::string& field, bool allow_zero_not_found = false) {
  if (!node || !node.IsMap() || !node["value"] || !node["source"]) {
    return Status::Error(file + ": field '" + field + "' must be a map with 'value' and 'source'");
  }
  SourcedNumber s;
  try {
    s.value = node["value"].as<double>();
  } catch (const YAML::Exception&) {
    return Status::Error(file + ": field '" + field + ".value' is not a number");
  }
  s.source = Scalar(node, "source");
  s.date = Scalar(node, "date");
  s.note = Scalar(node, "note");
  if (s.source.empty()) return Status::Error(file + ": field '" + field + ".source' is empty");
  const bool not_found = s.source.rfind("NOT FOUND", 0) == 0;
  if (!std::isfinite(s.value) || s.value < 0 ||
      (s.value == 0 && !(allow_zero_not_found && not_found))) {
    return Status::Error(file + ": field '" + field + ".value' must be positive");
  }
  for (const char* bound : {"low", "high"}) {
    if (!node[bound]) continue;
    double v = 0;
    try {
      v = node[bound].as<double>();
    } catch (const YAML::Exception&) {
      return Status::Error(file + ": field '" + field + "." + bound + "' is not a number");
    }
    const bool low = bound[0] == 'l';
    if (!std::isfinite(v) || !(v > 0) || (low ? v > s.value : v < s.value)) {
      return Status::Error(file + ": field '" + field + "." + bound + "' must be positive and " +
                           (low ? "at most" : "at least") + " the value");
    }
    (low ? s.low : s.high) = v;
  }
  s.range_note = Scalar(node, "range_note");
  return s;
}

Result<int> ReadChips(const YAML::Node& node, const std::string& file, const std::string& field) {
  int chips = 0;
  try {
    chips = node["chips"] ? node["chips"].as<int>() : 0;
  } catch (const YAML::Exception&) {
    chips = 0;
  }
  if (chips < 1) {
    return Status::Error(file + ": field '" + field + ".chips' must be a positive integer");
  }
  return chips;
}

// `section` is {one of `known_keys`: sourced} or {unknown: reason}.
Status CheckOneOf(const YAML::Node& section, const std::string& file, const std::string& name,
                  const std::vector<std::string>& known_keys) {
  if (!section || !section.IsMap() || section.size() != 1) {
    return Status::Error(file + ": field '" + name + "' must hold exactly one of " +
                         JoinNames(known_keys) + " or unknown");
  }
  const std::string key = section.begin()->first.as<std::string>();
  if (key != "unknown" &&
      std::find(known_keys.begin(), known_keys.end(), key) == known_keys.end()) {
    return Status::Error(file + ": field '" + name + "." + key + "' is not one of " +
                         JoinNames(known_keys) + " or unknown");
  }
  if (key == "unknown" && Scalar(section, "unknown").empty()) {
    return Status::Error(file + ": field '" + name + ".unknown' must give the reason");
  }
  return Status::Ok();
}

Result<HardwarePrices> ReadPriceFile(const std::string& path) {
  PERFTCO_ASSIGN_OR_RETURN(
      YAML::Node root,
      LoadYamlFile(path, "data file", "set PERFTCO_DATA_DIR to perftco's data directory"));
  if (!root.IsMap()) return Status::Error(path + ": expected a YAML map at the top level");
  HardwarePrices p;
  p.file = path;
  p.hardware = Scalar(root, "hardware");
  if (p.hardware.empty()) return Status::Error(path + ": field 'hardware' is missing");

  const YAML::Node purchase = root["purchase"];
  PERFTCO_RETURN_IF_ERROR(CheckOneOf(purchase, path, "purchase", {"system_usd", "chip_usd"}));
  if (purchase["system_usd"]) {
    PERFTCO_ASSIGN_OR_RETURN(SourcedNumber s,
                             ReadSourced(purchase["system_usd"], path, "purchase.system_usd"));
    PERFTCO_ASSIGN_OR_RETURN(p.system_chips,
                             ReadChips(purchase["system_usd"], path, "purchase.system_usd"));
    p.system_usd = s;
  } else if (purchase["chip_usd"]) {
    PERFTCO_ASSIGN_OR_RETURN(SourcedNumber s,
                             ReadSourced(purchase["chip_usd"], path, "purchase.chip_usd"));
    p.chip_usd = s;
  } else {
    p.purchase_unknown = Scalar(purchase, "unknown");
  }

  const YAML::Node rental = root["rental"];
  PERFTCO_RETURN_IF_ERROR(CheckOneOf(rental, path, "rental", {"usd_per_chip_hour"}));
  if (rental["usd_per_chip_hour"]) {
    PERFTCO_ASSIGN_OR_RETURN(SourcedNumber s, ReadSourced(rental["usd_per_chip_hour"], path,
                                                          "rental.usd_per_chip_hour"));
    p.rental_usd_per_chip_hour = s;
  } else {
    p.rental_unknown = Scalar(rental, "unknown");
  }

  const YAML::Node power = root["power"];
  PERFTCO_RETURN_IF_ERROR(CheckOneOf(power, path, "power", {"system_kw", "chip_to_system_factor"}));
  if (power["system_kw"]) {
    PERFTCO_ASSIGN_OR_RETURN(SourcedNumber s,
                             ReadSourced(power["system_kw"], path, "power.system_kw"));
    PERFTCO_ASSIGN_OR_RETURN(p.power_chips, ReadChips(power["system_kw"], path, "power.system_kw"));
    p.system_kw = s;
  } else if (power["chip_to_system_factor"]) {
    PERFTCO_ASSIGN_OR_RETURN(SourcedNumber s, ReadSourced(power["chip_to_system_factor"], path,
                                                          "power.chip_to_system_factor"));
    if (s.value < 1) {
      return Status::Error(path +
                           ": field 'power.chip_to_system_factor.value' must be >= 1 (a "
                           "system draws at least its chips' power)");
    }
    p.chip_to_system_factor = s;
  } else {
    p.power_unknown = Scalar(power, "unknown");
  }
  return p;
}
}  // namespace

Result<HardwarePrices> LoadPriceFile(const std::string& path) {
  return GuardYaml(path, [&] { return ReadPriceFile(path); });
}

namespace {
Result<TcoAssumptions> ReadAssumptions(const std::string& path) {
  PERFTCO_ASSIGN_OR_RETURN(
      YAML::Node root,
      LoadYamlFile(path, "data file", "set PERFTCO_DATA_DIR to perftco's data directory"));
  if (!root.IsMap()) return Status::Error(path + ": expected a YAML map at the top level");
  TcoAssumptions a;
  std::vector<std::string> names;
  for (const auto& k : AssumptionKeys()) names.push_back(k.name);
  PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(root, names, path));
  for (const AssumptionKey& key : AssumptionKeys()) {
    PERFTCO_ASSIGN_OR_RETURN(SourcedNumber s,
                             ReadSourced(root[key.name], path, key.name, /*zero=*/true));
    Status valid = ValidateAssumption(key, s.value);
    if (!valid.ok()) return Status::Error(path + ": " + valid.message());
    key.set(&a, s.value);
    a.sources[key.name] = s;
  }
  return a;
}
}  // namespace

Result<TcoAssumptions> LoadAssumptions(const std::string& path) {
  return GuardYaml(path, [&] { return ReadAssumptions(path); });
}

namespace {
Result<std::vector<CpuServerSpec>> ReadCpuServers(const std::string& path) {
  PERFTCO_ASSIGN_OR_RETURN(
      YAML::Node root,
      LoadYamlFile(path, "data file", "set PERFTCO_DATA_DIR to perftco's data directory"));
  if (!root.IsSequence()) return Status::Error(path + ": expected a list of CPU servers");
  std::vector<CpuServerSpec> out;
  for (size_t i = 0; i < root.size(); ++i) {
    const YAML::Node e = root[i];
    const std::string where = path + ": entry " + std::to_string(i + 1);
    CpuServerSpec s;
    s.name = Scalar(e, "name");
    s.display_name = Scalar(e, "display_name");
    if (s.name.empty()) return Status::Error(where + ": field 'name' is missing");
    PERFTCO_ASSIGN_OR_RETURN(SourcedNumber cores, ReadSourced(e["cores"], where, "cores"));
    PERFTCO_ASSIGN_OR_RETURN(SourcedNumber power, ReadSourced(e["power_w"], where, "power_w"));
    if (cores.value != std::floor(cores.value)) {
      return Status::Error(where + ": field 'cores.value' must be an integer");
    }
    s.cores = static_cast<int>(cores.value);
    s.power = Watts(power.value);
    s.sources["cores"] = cores.source;
    s.sources["power_w"] = power.source;
    const YAML::Node perf = e["per_core_perf"];
    if (perf && perf["unknown"]) {
      s.per_core_unknown = Scalar(perf, "unknown");
      if (s.per_core_unknown.empty()) {
        return Status::Error(where + ": field 'per_core_perf.unknown' must give the reason");
      }
    } else {
      PERFTCO_ASSIGN_OR_RETURN(SourcedNumber pc, ReadSourced(perf, where, "per_core_perf"));
      s.per_core_perf = pc.value;
      s.sources["per_core_perf"] = pc.source;
    }
    out.push_back(std::move(s));
  }
  return out;
}
}  // namespace

Result<std::vector<CpuServerSpec>> LoadCpuServers(const std::string& path) {
  return GuardYaml(path, [&] { return ReadCpuServers(path); });
}

namespace {
template <double TcoAssumptions::*M>
double GetRatio(const TcoAssumptions& a) {
  return a.*M;
}
template <double TcoAssumptions::*M>
void SetRatio(TcoAssumptions* a, double v) {
  a->*M = v;
}

}  // namespace

const std::vector<AssumptionKey>& AssumptionKeys() {
  static const std::vector<AssumptionKey> kKeys = {
      {"datacenter_capex_musd_per_mw_it", "datacenter construction cost per MW of IT load", "M$/MW",
       0, false, kInf,
       [](const TcoAssumptions& a) { return a.datacenter_capex_per_mw.value() / 1e6; },
       [](TcoAssumptions* a, double v) { a->datacenter_capex_per_mw = Dollars(v * 1e6); }},
      {"facility_life_years", "years over which the datacenter capex is recovered", "years", 0,
       true, 100, [](const TcoAssumptions& a) { return a.facility_life / Years(1); },
       [](TcoAssumptions* a, double v) { a->facility_life = Years(v); }},
      {"electricity_usd_per_kwh", "electricity price", "$/kWh", 0, false, kInf,
       [](const TcoAssumptions& a) { return a.electricity_per_kwh.value(); },
       [](TcoAssumptions* a, double v) { a->electricity_per_kwh = Dollars(v); }},
      {"pue", "power usage effectiveness: facility power / IT power", "ratio", 1, false, 10,
       GetRatio<&TcoAssumptions::pue>, SetRatio<&TcoAssumptions::pue>},
      {"depreciation_years", "years over which IT equipment is recovered", "years", 0, true, 100,
       [](const TcoAssumptions& a) { return a.depreciation / Years(1); },
       [](TcoAssumptions* a, double v) { a->depreciation = Years(v); }},
      {"cost_of_capital", "yearly cost of capital of the capital-recovery annuity", "fraction", 0,
       false, 1, GetRatio<&TcoAssumptions::cost_of_capital>,
       SetRatio<&TcoAssumptions::cost_of_capital>},
      {"maintenance_fraction_per_year", "IT maintenance per year as a fraction of IT capex",
       "fraction", 0, false, 1, GetRatio<&TcoAssumptions::maintenance_fraction_per_year>,
       SetRatio<&TcoAssumptions::maintenance_fraction_per_year>},
      {"power_utilisation", "average power draw as a fraction of the system's maximum", "fraction",
       0, true, 1, GetRatio<&TcoAssumptions::power_utilisation>,
       SetRatio<&TcoAssumptions::power_utilisation>},
      {"network_fraction_of_cluster_capex", "scale-out network share of total cluster capex",
       "fraction", 0, false, 0.99, GetRatio<&TcoAssumptions::network_fraction>,
       SetRatio<&TcoAssumptions::network_fraction>},
      {"server_cost_factor", "server price per chip / chip price, for chip-only prices", "ratio", 1,
       false, 100, GetRatio<&TcoAssumptions::server_cost_factor>,
       SetRatio<&TcoAssumptions::server_cost_factor>},
      {"storage_usd_per_chip", "storage capex per chip", "$", 0, false, kInf,
       [](const TcoAssumptions& a) { return a.storage_per_chip.value(); },
       [](TcoAssumptions* a, double v) { a->storage_per_chip = Dollars(v); }},
      {"facility_opex_usd_per_kw_year", "facility operations (staff, security) per kW IT per year",
       "$/kW/yr", 0, false, kInf,
       [](const TcoAssumptions& a) { return a.facility_opex_per_kw_year.value(); },
       [](TcoAssumptions* a, double v) { a->facility_opex_per_kw_year = Dollars(v); }},
  };
  return kKeys;
}

Status ValidateAssumption(const AssumptionKey& key, double value) {
  std::ostringstream got;
  got << value;
  std::ostringstream range;
  if (key.max == kInf) {
    range << (key.min_exclusive ? "> " : ">= ") << key.min;
  } else {
    range << "in " << (key.min_exclusive ? "(" : "[") << key.min << ", " << key.max << "]";
  }
  const bool below = key.min_exclusive ? !(value > key.min) : !(value >= key.min);
  if (!std::isfinite(value) || below || value > key.max) {
    std::string why;
    if (std::string(key.name) == "pue" && value < 1) {
      why = " (facility power includes the IT power, so PUE cannot be below 1)";
    }
    return Status::Error(std::string(key.name) + " must be " + range.str() + " (got " + got.str() +
                         ")" + why);
  }
  return Status::Ok();
}

Result<PriceCatalog> PriceCatalog::Load(const std::string& data_dir) {
  PriceCatalog c;
  const fs::path dir = fs::path(data_dir) / "prices";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return c;
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    PERFTCO_ASSIGN_OR_RETURN(HardwarePrices p, LoadPriceFile(f));
    if (c.Find(p.hardware)) {
      return Status::Error(f + ": hardware '" + p.hardware + "' already has a price file");
    }
    c.entries_.push_back(std::move(p));
  }
  std::sort(
      c.entries_.begin(), c.entries_.end(),
      [](const HardwarePrices& a, const HardwarePrices& b) { return a.hardware < b.hardware; });
  return c;
}

const HardwarePrices* PriceCatalog::Find(const std::string& hardware) const {
  for (const auto& p : entries_) {
    if (p.hardware == hardware) return &p;
  }
  return nullptr;
}

Result<EconomicsData> EconomicsData::Load(const std::string& data_dir) {
  EconomicsData d;
  PERFTCO_ASSIGN_OR_RETURN(d.prices, PriceCatalog::Load(data_dir));
  PERFTCO_ASSIGN_OR_RETURN(d.assumptions,
                           LoadAssumptions(data_dir + "/datacenter/assumptions.yaml"));
  PERFTCO_ASSIGN_OR_RETURN(d.cpu_servers,
                           LoadCpuServers(data_dir + "/datacenter/cpu_servers.yaml"));
  return d;
}

Result<CpuServerSpec> EconomicsData::FindCpuServer(const std::string& name) const {
  std::vector<std::string> names;
  for (const auto& s : cpu_servers) {
    if (ToLower(s.name) == ToLower(name)) return s;
    names.push_back(s.name);
  }
  return Status::Error("unknown CPU server '" + name + "': did you mean " +
                       JoinNames(ClosestNames(name, names)) +
                       "? (see data/datacenter/cpu_servers.yaml)");
}

}  // namespace perftco
