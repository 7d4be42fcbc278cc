// Total cost of ownership of one accelerator chip per hour, owned or rented.
//
// Owned: IT capex (the system price per chip, a network share and storage) and the datacenter
// capex for the chip's power are recovered as annuities at the cost of capital; power, IT
// maintenance and facility operations are added per hour. Rented: the rental price per
// chip-hour. Equations and sources: docs/models/economics.md.
#ifndef PERFTCO_TCO_H_
#define PERFTCO_TCO_H_

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "perftco/economics_data.h"
#include "perftco/hardware.h"
#include "perftco/status.h"
#include "perftco/units.h"

namespace perftco {

// Per-hardware replacements for catalog values (flags or scenario keys). Unset: the catalog's.
struct ChipOverrides {
  std::optional<double> chip_price_usd;             // the chip alone; the server is added
  std::optional<double> system_price_usd_per_chip;  // a whole system divided by its chips
  std::optional<double> rental_usd_per_chip_hour;
  std::optional<double> tdp_w;                    // chip TDP (times the power factor)
  std::optional<double> system_power_w_per_chip;  // maximum system power per chip

  // Fills the unset fields of *this from `other`.
  void MergeFrom(const ChipOverrides& other);
  bool empty() const;
};

// What a user can change about the economics: assumptions by key, chip values, the margin.
struct EconomicsOptions {
  std::map<std::string, double> assumptions;          // AssumptionKey name -> value
  ChipOverrides all_chips;                            // applies to every hardware
  std::map<std::string, ChipOverrides> per_hardware;  // canonical hardware name -> overrides
  double margin = 0;                                  // gross margin of the price, in [0, 1)

  // The overrides of one hardware: its own, then those for all chips.
  ChipOverrides For(const std::string& hardware) const;
};

// Checks every option: known assumption keys in range, non-negative prices, margin in [0, 1).
// Returns one line naming the option and what to do.
Status ValidateEconomicsOptions(const EconomicsOptions& o);

// The assumptions with the overrides applied (sources become "override"). Fails like
// ValidateEconomicsOptions.
Result<TcoAssumptions> ApplyOverrides(const TcoAssumptions& defaults, const EconomicsOptions& o);

// Reads the `economics:` map of a scenario: assumption keys, chip override keys (chip_price_usd,
// system_price_usd_per_chip, rental_usd_per_chip_hour, tdp_w, system_power_w_per_chip) either
// directly (all chips) or under `hardware: {name: {...}}`, and `margin`. Unknown keys fail with
// the closest valid one.
Status ParseEconomicsOptions(const YAML::Node& node, const std::string& where,
                             EconomicsOptions* out);

// Capital recovery factor: the yearly payment that repays 1 over `years` at rate r,
// r / (1 - (1 + r)^-years); 1 / years when r = 0.
double CapitalRecoveryFactor(double rate, double years);

// The owned cost of one chip for one hour, by part.
struct TcoBreakdown {
  Dollars server;         // the system (server or rack) price per chip, recovered
  Dollars network;        // scale-out network share, recovered
  Dollars storage;        // storage per chip, recovered
  Dollars datacenter;     // datacenter capex for the chip's provisioned power, recovered
  Dollars power;          // electricity: IT power x utilisation x PUE x price
  Dollars maintenance;    // IT maintenance, a fraction of IT capex per year
  Dollars facility_opex;  // facility operations per kW of IT power
  Dollars Total() const {
    return server + network + storage + datacenter + power + maintenance + facility_opex;
  }
};

// One chip's costs and power with the basis of each figure, under given assumptions.
struct ChipEconomics {
  std::string hardware;
  TcoAssumptions assumptions;

  std::optional<Dollars> server_capex;  // system price per chip, including the chip
  std::string server_capex_basis;
  Dollars network_capex;  // 0 when server_capex is unknown
  Dollars storage_capex;
  std::optional<Watts> it_power;  // maximum system power per chip
  std::string it_power_basis;
  std::optional<Dollars> rental_per_hour;
  std::string rental_basis;

  std::optional<TcoBreakdown> owned_per_hour;       // nullopt when capex or power is unknown
  std::optional<Watts> average_facility_power;      // it_power x utilisation x PUE
  std::optional<Watts> provisioned_facility_power;  // it_power x PUE
  // One line per missing input ("purchase price: ..."), and per part not modelled.
  std::vector<std::string> missing;
  std::vector<std::string> not_modelled;
};

// Resolves the prices and power of `hw` from `data` and the options, and the owned TCO per hour.
// Fails only on invalid options; unknown inputs are reported in `missing`.
Result<ChipEconomics> EvaluateChip(const Hardware& hw, const EconomicsData& data,
                                   const EconomicsOptions& options);

// The chip's economics at the cheapest and the dearest of its sourced figures (the `low` and
// `high` of data/prices/<name>.yaml: purchase, rental and system power), each input the user
// overrides held at the override. Without ranges in the file both equal EvaluateChip's.
struct ChipEconomicsRange {
  ChipEconomics low, high;
};
Result<ChipEconomicsRange> EvaluateChipRange(const Hardware& hw, const EconomicsData& data,
                                             const EconomicsOptions& options);

}  // namespace perftco

#endif  // PERFTCO_TCO_H_
