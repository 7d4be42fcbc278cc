// Economics flags and report helpers shared by estimate, tco, compare, datacenter and run.
#ifndef PERFTCO_TOOLS_CLI_ECONOMICS_OPTIONS_H_
#define PERFTCO_TOOLS_CLI_ECONOMICS_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli_context.h"
#include "perftco/economics_data.h"
#include "perftco/tco.h"
#include "perftco/token_cost.h"

namespace perftco::cli {

// The economics flags as typed; resolved against the catalog by ResolveEconomicsFlags.
struct EconomicsFlags {
  std::map<std::string, double> assumptions;  // filled by the --<assumption> flags
  // Chip flags: "5000" for every system, or "trn2=5000,gaudi3=12000" per system.
  std::map<std::string, std::string> chip;  // chip key -> text
  double margin = 0;
};

// Adds --margin, one flag per assumption (--pue, --cost-of-capital, ...) and the chip flags
// (--chip-price-usd, --system-price-usd-per-chip, --rental-usd-per-chip-hour, --tdp-w,
// --system-power-w-per-chip) to `sub`.
void AddEconomicsOptions(CLI::App* sub, EconomicsFlags* flags);

// Validated options, hardware names in chip flags resolved to canonical names.
Result<EconomicsOptions> ResolveEconomicsFlags(CliContext* ctx, const EconomicsFlags& flags);

// The economics catalog of the context's data directory.
Result<EconomicsData> LoadEconomics(CliContext* ctx);

// "1.234" with `digits` decimals, or "unknown".
std::string UsdText(const std::optional<Dollars>& v, int digits);
std::string NumText(const std::optional<double>& v, int digits);
// A JSON number, or null.
nlohmann::ordered_json JsonOrNull(const std::optional<Dollars>& v);
nlohmann::ordered_json JsonOrNull(const std::optional<double>& v);

// The per-throughput money keys (usd_per_million_output_tokens, ..., output_tokens_per_s_per_mw).
nlohmann::ordered_json TokenEconomicsJson(const TokenEconomics& e);
// The chip's TCO per hour, its parts, bases, assumptions, missing inputs.
nlohmann::ordered_json ChipEconomicsJson(const ChipEconomics& c);
// [low, high], or null when either is unknown.
nlohmann::ordered_json DollarRangeJson(const std::optional<Dollars>& low,
                                       const std::optional<Dollars>& high);
// "missing: ..." and "not modelled: ..." lines, one each, prefixed by `indent`.
std::string MissingText(const ChipEconomics& c, const std::string& indent);

}  // namespace perftco::cli

#endif  // PERFTCO_TOOLS_CLI_ECONOMICS_OPTIONS_H_
