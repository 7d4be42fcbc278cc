// The economics catalog: what each accelerator costs to buy or rent and the power its system
// draws (data/prices/), the default TCO assumptions and the CPU servers of a site
// (data/datacenter/). Every number carries its source; a value that is not known is an explicit
// unknown with the reason, which the tools print instead of inventing a number.
#ifndef PERFTCO_ECONOMICS_DATA_H_
#define PERFTCO_ECONOMICS_DATA_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "perftco/status.h"
#include "perftco/units.h"

namespace perftco {

inline constexpr double kSecondsPerHour = 3600.0;
inline constexpr double kHoursPerYear = 8760.0;  // 365 days; the TCO amortises per calendar hour

constexpr Seconds Hours(double h) { return Seconds(h * kSecondsPerHour); }
constexpr Seconds Years(double y) { return Seconds(y * kHoursPerYear * kSecondsPerHour); }

// A catalog number and where it came from, with the range of the other sourced figures where
// there are several (unset: the value is the only one).
struct SourcedNumber {
  double value = 0;
  std::string source;
  std::string date;
  std::string note;
  std::optional<double> low, high;
  std::string range_note;  // where low and high come from

  double Low() const { return low.value_or(value); }
  double High() const { return high.value_or(value); }
};

// Prices and power of one accelerator, from data/prices/<hardware>.yaml.
struct HardwarePrices {
  std::string hardware;  // canonical name, as in data/hardware/
  std::string file;

  // Purchase: the price of a whole system (server or rack) with its chip count, or the price of
  // the chip alone (the TCO adds the server around it); neither when unknown.
  std::optional<SourcedNumber> system_usd;
  int system_chips = 0;
  std::optional<SourcedNumber> chip_usd;
  std::string purchase_unknown;  // why, when neither is known

  std::optional<SourcedNumber> rental_usd_per_chip_hour;
  std::string rental_unknown;

  // Power: a system's maximum input power with its chip count, or a factor on the chip's TDP
  // (from data/hardware/); neither when unknown.
  std::optional<SourcedNumber> system_kw;
  int power_chips = 0;
  std::optional<SourcedNumber> chip_to_system_factor;
  std::string power_unknown;
};

// Every HardwarePrices entry of data_dir/prices/.
class PriceCatalog {
 public:
  // Loads data_dir/prices/*.yaml. Fails on the first malformed file, naming it and the field;
  // a missing directory gives an empty catalog (every price then reports as unknown).
  static Result<PriceCatalog> Load(const std::string& data_dir);
  // The entry of a canonical hardware name, or nullptr.
  const HardwarePrices* Find(const std::string& hardware) const;
  const std::vector<HardwarePrices>& entries() const { return entries_; }
  void Add(HardwarePrices p) { entries_.push_back(std::move(p)); }

 private:
  std::vector<HardwarePrices> entries_;  // sorted by hardware name
};

// The assumptions of the TCO model (docs/models/economics.md). Defaults come from
// data/datacenter/assumptions.yaml; every one is overridable by name (AssumptionKeys()).
struct TcoAssumptions {
  Dollars datacenter_capex_per_mw;  // construction cost per MW of critical IT load
  Seconds facility_life;            // over which the datacenter capex is recovered
  Dollars electricity_per_kwh;
  double pue = 1.0;                          // facility power / IT power, >= 1
  Seconds depreciation;                      // over which IT equipment is recovered
  double cost_of_capital = 0;                // yearly rate of the capital-recovery annuity
  double maintenance_fraction_per_year = 0;  // of IT capex
  double power_utilisation = 1.0;            // average draw / maximum system power
  double network_fraction = 0;               // scale-out network share of total cluster capex
  double server_cost_factor = 1.0;           // server price per chip / chip price
  Dollars storage_per_chip;
  Dollars facility_opex_per_kw_year;  // staff, security, upkeep beyond power and IT upkeep
  // Key -> where the value came from (the data file's source, or "override").
  std::map<std::string, SourcedNumber> sources;
};

// One named, overridable assumption: its data/scenario key, flag text and valid range.
struct AssumptionKey {
  const char* name;         // key in assumptions.yaml and under `economics:` in scenarios
  const char* description;  // for --help
  const char* unit;
  double min;                            // smallest valid value
  bool min_exclusive;                    // min itself is invalid
  double max;                            // largest valid value (inclusive)
  double (*get)(const TcoAssumptions&);  // in the key's unit
  void (*set)(TcoAssumptions*, double);  // from the key's unit
};
// The table of assumption keys, in report order.
const std::vector<AssumptionKey>& AssumptionKeys();
// Ok, or one line naming the key, the valid range and the value given.
Status ValidateAssumption(const AssumptionKey& key, double value);

// A CPU server configuration of data/datacenter/cpu_servers.yaml.
struct CpuServerSpec {
  std::string name;
  std::string display_name;
  int cores = 0;
  Watts power;                          // per server
  std::optional<double> per_core_perf;  // single-thread SPECint (CPU2006 scale)
  std::string per_core_unknown;         // why, when unknown
  std::map<std::string, std::string> sources;
};

// One file each of the data directory (EconomicsData::Load reads them all): prices/<name>.yaml,
// datacenter/assumptions.yaml and datacenter/cpu_servers.yaml.
Result<HardwarePrices> LoadPriceFile(const std::string& path);
Result<TcoAssumptions> LoadAssumptions(const std::string& path);
Result<std::vector<CpuServerSpec>> LoadCpuServers(const std::string& path);

// Everything the economics tools read from the data directory.
struct EconomicsData {
  PriceCatalog prices;
  TcoAssumptions assumptions;
  std::vector<CpuServerSpec> cpu_servers;

  // Loads data_dir/prices/, data_dir/datacenter/assumptions.yaml and cpu_servers.yaml.
  static Result<EconomicsData> Load(const std::string& data_dir);
  // Finds a CPU server by name, case-insensitively; unknown names fail with the closest ones.
  Result<CpuServerSpec> FindCpuServer(const std::string& name) const;
};

}  // namespace perftco

#endif  // PERFTCO_ECONOMICS_DATA_H_
