#include "perftco/token_cost.h"

#include <cassert>

namespace perftco {

Dollars PerMillionTokens(Dollars per_chip_hour, double tokens_per_s_per_chip) {
  assert(tokens_per_s_per_chip > 0);
  return per_chip_hour * (1e6 / (tokens_per_s_per_chip * kSecondsPerHour));
}

Dollars PriceWithMargin(Dollars cost, double margin) {
  assert(margin >= 0 && margin < 1);
  return cost / (1.0 - margin);
}

TokenCostRange TokenCostsOverRange(const ChipEconomicsRange& chip, const Throughput& t,
                                   double slowest, double fastest, double margin) {
  auto scaled = [&t](double factor) {
    Throughput s = t;
    s.output_tokens_per_s_per_chip *= factor;
    s.input_tokens_per_s_per_chip *= factor;
    return s;
  };
  const TokenEconomics low = TokenCosts(chip.low, scaled(fastest), margin);
  const TokenEconomics high = TokenCosts(chip.high, scaled(slowest), margin);
  TokenCostRange r;
  r.owned_low = low.owned_per_million_output;
  r.owned_high = high.owned_per_million_output;
  r.rented_low = low.rented_per_million_output;
  r.rented_high = high.rented_per_million_output;
  return r;
}

TokenEconomics TokenCosts(const ChipEconomics& chip, const Throughput& t, double margin) {
  TokenEconomics e;
  e.margin = margin;
  e.missing = chip.missing;
  const double out = t.output_tokens_per_s_per_chip;
  const double in = t.input_tokens_per_s_per_chip;
  std::optional<Dollars> owned;
  if (chip.owned_per_hour) owned = chip.owned_per_hour->Total();
  if (out > 0) {
    if (owned) {
      e.owned_per_million_output = PerMillionTokens(*owned, out);
      e.owned_price_per_million_output = PriceWithMargin(*e.owned_per_million_output, margin);
    }
    if (chip.rental_per_hour) {
      e.rented_per_million_output = PerMillionTokens(*chip.rental_per_hour, out);
      e.rented_price_per_million_output = PriceWithMargin(*e.rented_per_million_output, margin);
    }
    if (chip.average_facility_power) {
      e.energy_per_output_token = Joules(chip.average_facility_power->value() / out);
    }
    if (chip.provisioned_facility_power) {
      e.output_tokens_per_s_per_mw = out / (chip.provisioned_facility_power->value() / 1e6);
    }
  }
  if (in > 0) {
    if (owned) e.owned_per_million_input = PerMillionTokens(*owned, in);
    if (chip.rental_per_hour)
      e.rented_per_million_input = PerMillionTokens(*chip.rental_per_hour, in);
  }
  if (owned) e.owned_per_hour_all_chips = *owned * static_cast<double>(t.chips);
  if (chip.provisioned_facility_power) {
    e.facility_power_all_chips = *chip.provisioned_facility_power * static_cast<double>(t.chips);
  }
  return e;
}

Result<TokenEconomics> EconomicsForThroughput(const Hardware& hw, const EconomicsData& data,
                                              const EconomicsOptions& options,
                                              const Throughput& t) {
  PERFTCO_ASSIGN_OR_RETURN(ChipEconomics chip, EvaluateChip(hw, data, options));
  return TokenCosts(chip, t, options.margin);
}

MemoryValue MemoryPerDollar(const Hardware& hw, const ChipEconomics& chip) {
  MemoryValue v;
  const double gb = hw.hbm_capacity.value() / kGiga;
  const double tbps = hw.hbm_bandwidth.value() / kTera;
  if (chip.server_capex && chip.server_capex->value() > 0) {
    const double kusd = chip.server_capex->value() / 1e3;
    v.hbm_gb_per_kusd = gb / kusd;
    v.hbm_tbps_per_kusd = tbps / kusd;
  }
  if (chip.rental_per_hour && chip.rental_per_hour->value() > 0) {
    v.hbm_gb_per_usd_hour = gb / chip.rental_per_hour->value();
    v.hbm_tbps_per_usd_hour = tbps / chip.rental_per_hour->value();
  }
  return v;
}

}  // namespace perftco
