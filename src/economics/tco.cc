#include "perftco/tco.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "perftco/names.h"

namespace perftco {
namespace {

std::string Num(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

std::string Money(double v) {
  // Thousands separators for readability in bases ("255,237 USD").
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.0f", std::fabs(v));
  const std::string digits = buf;
  std::string out = v < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

const std::vector<std::string>& ChipKeys() {
  static const std::vector<std::string> kKeys = {"chip_price_usd", "system_price_usd_per_chip",
                                                 "rental_usd_per_chip_hour", "tdp_w",
                                                 "system_power_w_per_chip"};
  return kKeys;
}

std::optional<double>* ChipField(ChipOverrides* c, const std::string& key) {
  if (key == "chip_price_usd") return &c->chip_price_usd;
  if (key == "system_price_usd_per_chip") return &c->system_price_usd_per_chip;
  if (key == "rental_usd_per_chip_hour") return &c->rental_usd_per_chip_hour;
  if (key == "tdp_w") return &c->tdp_w;
  if (key == "system_power_w_per_chip") return &c->system_power_w_per_chip;
  return nullptr;
}

Status ValidateChip(const ChipOverrides& c, const std::string& who) {
  ChipOverrides copy = c;
  for (const auto& key : ChipKeys()) {
    const std::optional<double>* f = ChipField(&copy, key);
    if (*f && !(**f > 0 && std::isfinite(**f))) {
      return Status::Error(key + who + " must be positive (got " + Num(**f) + ")");
    }
  }
  if (c.chip_price_usd && c.system_price_usd_per_chip) {
    return Status::Error("give either chip_price_usd or system_price_usd_per_chip" + who +
                         ", not both");
  }
  if (c.tdp_w && c.system_power_w_per_chip) {
    return Status::Error("give either tdp_w or system_power_w_per_chip" + who + ", not both");
  }
  return Status::Ok();
}

}  // namespace

void ChipOverrides::MergeFrom(const ChipOverrides& other) {
  ChipOverrides o = other;
  for (const auto& key : ChipKeys()) {
    std::optional<double>* mine = ChipField(this, key);
    if (!*mine) *mine = *ChipField(&o, key);
  }
}

bool ChipOverrides::empty() const {
  return !chip_price_usd && !system_price_usd_per_chip && !rental_usd_per_chip_hour && !tdp_w &&
         !system_power_w_per_chip;
}

ChipOverrides EconomicsOptions::For(const std::string& hardware) const {
  ChipOverrides c;
  auto it = per_hardware.find(hardware);
  if (it != per_hardware.end()) c = it->second;
  c.MergeFrom(all_chips);
  return c;
}

Status ValidateEconomicsOptions(const EconomicsOptions& o) {
  for (const auto& [name, value] : o.assumptions) {
    const auto& keys = AssumptionKeys();
    auto it = std::find_if(keys.begin(), keys.end(),
                           [&key = name](const AssumptionKey& k) { return key == k.name; });
    if (it == keys.end()) {
      std::vector<std::string> names;
      for (const auto& k : keys) names.push_back(k.name);
      return Status::Error("unknown economics assumption '" + name + "': did you mean '" +
                           ClosestNames(name, names, 1).front() + "'?");
    }
    PERFTCO_RETURN_IF_ERROR(ValidateAssumption(*it, value));
  }
  PERFTCO_RETURN_IF_ERROR(ValidateChip(o.all_chips, ""));
  for (const auto& [hw, c] : o.per_hardware) {
    PERFTCO_RETURN_IF_ERROR(ValidateChip(c, " (for " + hw + ")"));
    PERFTCO_RETURN_IF_ERROR(ValidateChip(o.For(hw), " (for " + hw + ")"));
  }
  if (!(o.margin >= 0 && o.margin < 1)) {
    return Status::Error("margin must be in [0, 1): price = cost / (1 - margin) (got " +
                         Num(o.margin) + ")");
  }
  return Status::Ok();
}

Result<TcoAssumptions> ApplyOverrides(const TcoAssumptions& defaults, const EconomicsOptions& o) {
  PERFTCO_RETURN_IF_ERROR(ValidateEconomicsOptions(o));
  TcoAssumptions a = defaults;
  for (const AssumptionKey& key : AssumptionKeys()) {
    auto it = o.assumptions.find(key.name);
    if (it == o.assumptions.end()) continue;
    key.set(&a, it->second);
    SourcedNumber s;
    s.value = it->second;
    s.source = "override";
    a.sources[key.name] = s;
  }
  return a;
}

Status ParseEconomicsOptions(const YAML::Node& node, const std::string& where,
                             EconomicsOptions* out) {
  if (!node) return Status::Ok();
  if (!node.IsMap()) return Status::Error(where + ": 'economics' must be a map");
  std::vector<std::string> valid = {"margin", "hardware"};
  for (const auto& k : AssumptionKeys()) valid.push_back(k.name);
  for (const auto& k : ChipKeys()) valid.push_back(k);
  auto number = [&](const YAML::Node& n, const std::string& key, double* v) -> Status {
    try {
      *v = n.as<double>();
    } catch (const YAML::Exception&) {
      return Status::Error(where + ": economics key '" + key + "' must be a number");
    }
    return Status::Ok();
  };
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    if (std::find(valid.begin(), valid.end(), key) == valid.end()) {
      return Status::Error(where + ": unknown economics key '" + key + "': did you mean '" +
                           ClosestNames(key, valid, 1).front() + "'?");
    }
    if (key == "hardware") {
      if (!kv.second.IsMap()) {
        return Status::Error(where + ": economics.hardware must map hardware names to overrides");
      }
      for (const auto& hw : kv.second) {
        const std::string name = hw.first.as<std::string>();
        ChipOverrides& c = out->per_hardware[name];
        if (!hw.second.IsMap()) {
          return Status::Error(where + ": economics.hardware." + name + " must be a map");
        }
        for (const auto& f : hw.second) {
          const std::string fk = f.first.as<std::string>();
          std::optional<double>* field = ChipField(&c, fk);
          if (!field) {
            return Status::Error(where + ": unknown key economics.hardware." + name + "." + fk +
                                 ": did you mean '" + ClosestNames(fk, ChipKeys(), 1).front() +
                                 "'?");
          }
          double v = 0;
          PERFTCO_RETURN_IF_ERROR(number(f.second, fk, &v));
          *field = v;
        }
      }
      continue;
    }
    double v = 0;
    PERFTCO_RETURN_IF_ERROR(number(kv.second, key, &v));
    if (key == "margin") {
      out->margin = v;
    } else if (std::optional<double>* field = ChipField(&out->all_chips, key)) {
      *field = v;
    } else {
      out->assumptions[key] = v;
    }
  }
  Status valid_options = ValidateEconomicsOptions(*out);
  if (!valid_options.ok()) return Status::Error(where + ": " + valid_options.message());
  return Status::Ok();
}

double CapitalRecoveryFactor(double rate, double years) {
  if (rate == 0) return 1.0 / years;
  return rate / (1.0 - std::pow(1.0 + rate, -years));
}

Result<ChipEconomicsRange> EvaluateChipRange(const Hardware& hw, const EconomicsData& data,
                                             const EconomicsOptions& options) {
  const ChipOverrides user = options.For(hw.name);
  const HardwarePrices* prices = data.prices.Find(hw.name);
  // The bound of every catalog figure the user did not override, as overrides.
  auto at = [&](bool high) {
    EconomicsOptions o = options;
    ChipOverrides& c = o.per_hardware[hw.name];
    if (!prices) return o;
    auto pick = [high](const SourcedNumber& s) { return high ? s.High() : s.Low(); };
    if (!user.system_price_usd_per_chip && !user.chip_price_usd) {
      if (prices->system_usd) {
        c.system_price_usd_per_chip = pick(*prices->system_usd) / prices->system_chips;
      } else if (prices->chip_usd) {
        c.chip_price_usd = pick(*prices->chip_usd);
      }
    }
    if (!user.rental_usd_per_chip_hour && prices->rental_usd_per_chip_hour) {
      c.rental_usd_per_chip_hour = pick(*prices->rental_usd_per_chip_hour);
    }
    if (!user.system_power_w_per_chip && !user.tdp_w && prices->system_kw) {
      c.system_power_w_per_chip = pick(*prices->system_kw) * 1e3 / prices->power_chips;
    }
    return o;
  };
  ChipEconomicsRange r;
  PERFTCO_ASSIGN_OR_RETURN(r.low, EvaluateChip(hw, data, at(false)));
  PERFTCO_ASSIGN_OR_RETURN(r.high, EvaluateChip(hw, data, at(true)));
  return r;
}

Result<ChipEconomics> EvaluateChip(const Hardware& hw, const EconomicsData& data,
                                   const EconomicsOptions& options) {
  ChipEconomics c;
  c.hardware = hw.name;
  PERFTCO_ASSIGN_OR_RETURN(c.assumptions, ApplyOverrides(data.assumptions, options));
  const TcoAssumptions& a = c.assumptions;
  const ChipOverrides chip = options.For(hw.name);
  const HardwarePrices* prices = data.prices.Find(hw.name);
  const std::string no_file = "no price file data/prices/" + hw.name + ".yaml";

  // Purchase: an override, the system price per chip, or the chip price x server factor.
  if (chip.system_price_usd_per_chip) {
    c.server_capex = Dollars(*chip.system_price_usd_per_chip);
    c.server_capex_basis =
        "override: system price " + Money(*chip.system_price_usd_per_chip) + " USD per chip";
  } else if (chip.chip_price_usd) {
    c.server_capex = Dollars(*chip.chip_price_usd * a.server_cost_factor);
    c.server_capex_basis = "override: chip price " + Money(*chip.chip_price_usd) +
                           " USD x server_cost_factor " + Num(a.server_cost_factor);
  } else if (prices && prices->system_usd) {
    const SourcedNumber& s = *prices->system_usd;
    c.server_capex = Dollars(s.value / prices->system_chips);
    c.server_capex_basis = "system price " + Money(s.value) + " USD / " +
                           std::to_string(prices->system_chips) + " chips (" + s.date + ", " +
                           s.source + ")";
  } else if (prices && prices->chip_usd) {
    const SourcedNumber& s = *prices->chip_usd;
    c.server_capex = Dollars(s.value * a.server_cost_factor);
    c.server_capex_basis = "chip price " + Money(s.value) + " USD x server_cost_factor " +
                           Num(a.server_cost_factor) + " (" + s.date + ", " + s.source + ")";
  } else {
    c.missing.push_back("purchase price: " + (prices ? prices->purchase_unknown : no_file) +
                        " (override with --chip-price-usd or --system-price-usd-per-chip)");
  }

  // Rental.
  if (chip.rental_usd_per_chip_hour) {
    c.rental_per_hour = Dollars(*chip.rental_usd_per_chip_hour);
    c.rental_basis = "override";
  } else if (prices && prices->rental_usd_per_chip_hour) {
    const SourcedNumber& s = *prices->rental_usd_per_chip_hour;
    c.rental_per_hour = Dollars(s.value);
    c.rental_basis = s.date + ", " + s.source;
  } else {
    c.missing.push_back("rental price: " + (prices ? prices->rental_unknown : no_file) +
                        " (override with --rental-usd-per-chip-hour)");
  }

  // Power: an override, the system's power per chip, or the chip TDP x the system factor.
  const double factor =
      prices && prices->chip_to_system_factor ? prices->chip_to_system_factor->value : 0.0;
  if (chip.system_power_w_per_chip) {
    c.it_power = Watts(*chip.system_power_w_per_chip);
    c.it_power_basis = "override: " + Num(*chip.system_power_w_per_chip) + " W per chip";
  } else if (chip.tdp_w && factor > 0) {
    c.it_power = Watts(*chip.tdp_w * factor);
    c.it_power_basis = "override: TDP " + Num(*chip.tdp_w) + " W x system factor " + Num(factor);
  } else if (chip.tdp_w && prices && prices->system_kw && hw.tdp.value() > 0) {
    // Keep the system's host overhead: scale its power per chip by the TDP ratio.
    const double per_chip = prices->system_kw->value * 1e3 / prices->power_chips;
    c.it_power = Watts(per_chip * *chip.tdp_w / hw.tdp.value());
    c.it_power_basis = "override: system " + Num(per_chip) + " W per chip x TDP " +
                       Num(*chip.tdp_w) + " W / " + Num(hw.tdp.value()) + " W";
  } else if (chip.tdp_w) {
    c.it_power = Watts(*chip.tdp_w);
    c.it_power_basis = "override: TDP " + Num(*chip.tdp_w) +
                       " W (no system factor in the price file: chip power only)";
  } else if (prices && prices->system_kw) {
    const SourcedNumber& s = *prices->system_kw;
    c.it_power = Watts(s.value * 1e3 / prices->power_chips);
    c.it_power_basis = "system " + Num(s.value) + " kW / " + std::to_string(prices->power_chips) +
                       " chips (" + s.source + ")";
  } else if (factor > 0 && hw.tdp.value() > 0) {
    c.it_power = hw.tdp * factor;
    c.it_power_basis = "TDP " + Num(hw.tdp.value()) + " W x system factor " + Num(factor) + " (" +
                       prices->chip_to_system_factor->source + ")";
  } else {
    std::string why = no_file;
    if (prices && !prices->power_unknown.empty()) {
      why = prices->power_unknown;
    } else if (prices) {
      why = "no TDP in data/hardware/" + hw.name + ".yaml";
    }
    c.missing.push_back("power: " + why + " (override with --tdp-w or --system-power-w-per-chip)");
  }

  if (a.storage_per_chip.value() == 0) {
    c.not_modelled.push_back("storage: " + a.sources.at("storage_usd_per_chip").source);
  }
  if (a.facility_opex_per_kw_year.value() == 0) {
    c.not_modelled.push_back("facility operations: " +
                             a.sources.at("facility_opex_usd_per_kw_year").source);
  }

  if (c.it_power) {
    c.average_facility_power = *c.it_power * (a.power_utilisation * a.pue);
    c.provisioned_facility_power = *c.it_power * a.pue;
  }
  if (c.server_capex) {
    c.network_capex = *c.server_capex * (a.network_fraction / (1.0 - a.network_fraction));
    c.storage_capex = a.storage_per_chip;
  }
  if (c.server_capex && c.it_power) {
    const double it_recovery =
        CapitalRecoveryFactor(a.cost_of_capital, a.depreciation / Years(1)) / kHoursPerYear;
    const double dc_recovery =
        CapitalRecoveryFactor(a.cost_of_capital, a.facility_life / Years(1)) / kHoursPerYear;
    const double kw = c.it_power->value() / 1e3;
    TcoBreakdown t;
    t.server = *c.server_capex * it_recovery;
    t.network = c.network_capex * it_recovery;
    t.storage = c.storage_capex * it_recovery;
    t.datacenter = a.datacenter_capex_per_mw * (kw / 1e3) * dc_recovery;
    t.power = a.electricity_per_kwh * (kw * a.power_utilisation * a.pue);
    t.maintenance = (*c.server_capex + c.network_capex + c.storage_capex) *
                    (a.maintenance_fraction_per_year / kHoursPerYear);
    t.facility_opex = a.facility_opex_per_kw_year * (kw / kHoursPerYear);
    c.owned_per_hour = t;
  }
  return c;
}

}  // namespace perftco
