// From a throughput to money and megawatts: dollars per million tokens (owned and rented), a
// price with a gross margin, energy per token and tokens per MW; and memory per dollar.
//
// This is the call for any front end or subcommand that has a throughput (estimate, simulate,
// plan, compare): EconomicsForThroughput(hardware, data, options, throughput). Equations:
// docs/models/economics.md.
#ifndef PERFTCO_TOKEN_COST_H_
#define PERFTCO_TOKEN_COST_H_

#include <optional>
#include <string>
#include <vector>

#include "perftco/economics_data.h"
#include "perftco/hardware.h"
#include "perftco/tco.h"
#include "perftco/units.h"

namespace perftco {

// What a serving setup produces, per chip (every chip used counts, prefill and decode pools).
struct Throughput {
  double output_tokens_per_s_per_chip = 0;
  // Prompt tokens per second per chip while prefilling; 0 when not known.
  double input_tokens_per_s_per_chip = 0;
  int chips = 1;  // chips of the whole setup, for totals
};

struct TokenEconomics {
  // All chip time divided by the output tokens (prefill included): what a provider must
  // charge per output token to cover the hardware when input tokens are free.
  std::optional<Dollars> owned_per_million_output;
  std::optional<Dollars> rented_per_million_output;
  // Prefill chip time alone divided by the input tokens (not additive with the above).
  std::optional<Dollars> owned_per_million_input;
  std::optional<Dollars> rented_per_million_input;
  double margin = 0;
  std::optional<Dollars> owned_price_per_million_output;  // cost / (1 - margin)
  std::optional<Dollars> rented_price_per_million_output;
  std::optional<Joules> energy_per_output_token;     // facility energy, average draw
  std::optional<double> output_tokens_per_s_per_mw;  // per MW of provisioned facility power
  std::optional<Dollars> owned_per_hour_all_chips;
  std::optional<Watts> facility_power_all_chips;  // provisioned
  std::vector<std::string> missing;               // the chip's missing inputs
};

// Dollars per million tokens at `per_chip_hour` and `tokens_per_s_per_chip` (> 0).
Dollars PerMillionTokens(Dollars per_chip_hour, double tokens_per_s_per_chip);
// The price that leaves a gross margin m of the price: cost / (1 - m), m in [0, 1).
Dollars PriceWithMargin(Dollars cost, double margin);

// The economics of a throughput on a chip already evaluated (EvaluateChip).
TokenEconomics TokenCosts(const ChipEconomics& chip, const Throughput& t, double margin);

// $ per million output tokens over the sourced price range and a throughput range: the low end
// at the cheapest figures and throughput x `fastest`, the high end at the dearest and
// throughput x `slowest` (the factors of an 80% model-error band; 1 and 1 for prices alone).
// Unset where the price is unknown.
struct TokenCostRange {
  std::optional<Dollars> owned_low, owned_high, rented_low, rented_high;
};
TokenCostRange TokenCostsOverRange(const ChipEconomicsRange& chip, const Throughput& t,
                                   double slowest, double fastest, double margin);

// EvaluateChip + TokenCosts with options.margin. Fails only on invalid options.
Result<TokenEconomics> EconomicsForThroughput(const Hardware& hw, const EconomicsData& data,
                                              const EconomicsOptions& options, const Throughput& t);

// Memory capacity and bandwidth per dollar, at purchase (per 1000 USD of system price per chip)
// and at rental (per USD per chip-hour); nullopt where the price is unknown.
struct MemoryValue {
  std::optional<double> hbm_gb_per_kusd;
  std::optional<double> hbm_tbps_per_kusd;
  std::optional<double> hbm_gb_per_usd_hour;
  std::optional<double> hbm_tbps_per_usd_hour;
};
MemoryValue MemoryPerDollar(const Hardware& hw, const ChipEconomics& chip);

}  // namespace perftco

#endif  // PERFTCO_TOKEN_COST_H_
