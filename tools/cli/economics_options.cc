#include "economics_options.h"

#include <cmath>
#include <sstream>

#include "perftco/text_table.h"

namespace perftco::cli {
namespace {

const std::vector<std::pair<const char*, const char*>>& ChipFlags() {
  static const std::vector<std::pair<const char*, const char*>> kFlags = {
      {"chip_price_usd", "price of the chip alone (the server is added by --server-cost-factor)"},
      {"system_price_usd_per_chip", "price of a whole system divided by its chips"},
      {"rental_usd_per_chip_hour", "rental price per chip-hour"},
      {"tdp_w", "chip TDP in W (times the price file's system factor)"},
      {"system_power_w_per_chip", "maximum system power per chip in W"},
  };
  return kFlags;
}

std::string Dashes(std::string s) {
  for (char& c : s) {
    if (c == '_') c = '-';
  }
  return s;
}

Result<double> ParseNumber(const std::string& text, const std::string& flag) {
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
    return v;
  } catch (const std::exception&) {
    return Status::Error(flag + " takes a number, or name=number pairs separated by commas (got '" +
                         text + "')");
  }
}

void SetChip(ChipOverrides* c, const std::string& key, double v) {
  if (key == "chip_price_usd") c->chip_price_usd = v;
  if (key == "system_price_usd_per_chip") c->system_price_usd_per_chip = v;
  if (key == "rental_usd_per_chip_hour") c->rental_usd_per_chip_hour = v;
  if (key == "tdp_w") c->tdp_w = v;
  if (key == "system_power_w_per_chip") c->system_power_w_per_chip = v;
}

std::string Fixed(double v, int digits) { return FormatFixed(v, digits); }

}  // namespace

void AddEconomicsOptions(CLI::App* sub, EconomicsFlags* flags) {
  sub->add_option("--margin", flags->margin,
                  "gross margin of the price: price = cost / (1 - margin), in [0, 1)")
      ->capture_default_str();
  for (const AssumptionKey& key : AssumptionKeys()) {
    const std::string name = key.name;
    sub->add_option_function<double>(
        "--" + Dashes(name), [flags, name](const double& v) { flags->assumptions[name] = v; },
        std::string(key.description) + " (" + key.unit +
            "; default from data/datacenter/assumptions.yaml)");
  }
  for (const auto& [key, description] : ChipFlags()) {
    const std::string k = key;
    sub->add_option_function<std::string>(
        "--" + Dashes(k), [flags, k](const std::string& v) { flags->chip[k] = v; },
        std::string(description) + ": a number, or name=number,... per system");
  }
}

Result<EconomicsOptions> ResolveEconomicsFlags(CliContext* ctx, const EconomicsFlags& flags) {
  EconomicsOptions o;
  o.assumptions = flags.assumptions;
  o.margin = flags.margin;
  for (const auto& [key, text] : flags.chip) {
    const std::string flag = "--" + Dashes(key);
    if (text.find('=') == std::string::npos) {
      PERFTCO_ASSIGN_OR_RETURN(double v, ParseNumber(text, flag));
      SetChip(&o.all_chips, key, v);
      continue;
    }
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
      const size_t eq = item.find('=');
      if (eq == std::string::npos) {
        return Status::Error(flag +
                             " mixes a plain number with name=number pairs: give "
                             "name=number for every system");
      }
      PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
      PERFTCO_ASSIGN_OR_RETURN(Hardware hw, catalog->FindHardware(item.substr(0, eq)));
      PERFTCO_ASSIGN_OR_RETURN(double v, ParseNumber(item.substr(eq + 1), flag));
      SetChip(&o.per_hardware[hw.name], key, v);
    }
  }
  Status valid = ValidateEconomicsOptions(o);
  if (!valid.ok()) {
    // Name the flag rather than the data key: "--pue must be ..." reads as what to change.
    std::string m = valid.message();
    for (const AssumptionKey& key : AssumptionKeys()) {
      if (m.rfind(key.name, 0) == 0)
        m = "--" + Dashes(key.name) + m.substr(std::string(key.name).size());
    }
    for (const auto& [key, unused] : ChipFlags()) {
      if (m.rfind(key, 0) == 0) m = "--" + Dashes(key) + m.substr(std::string(key).size());
    }
    if (m.rfind("margin", 0) == 0) m = "--" + m;
    return Status::Error(m);
  }
  return o;
}

Result<EconomicsData> LoadEconomics(CliContext* ctx) {
  PERFTCO_ASSIGN_OR_RETURN(const EconomicsData* data, ctx->economics());
  return *data;
}

std::string UsdText(const std::optional<Dollars>& v, int digits) {
  return v ? Fixed(v->value(), digits) : "unknown";
}

std::string NumText(const std::optional<double>& v, int digits) {
  return v ? Fixed(*v, digits) : "unknown";
}

nlohmann::ordered_json JsonOrNull(const std::optional<Dollars>& v) {
  return v ? nlohmann::ordered_json(v->value()) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json JsonOrNull(const std::optional<double>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json TokenEconomicsJson(const TokenEconomics& e) {
  nlohmann::ordered_json j;
  j["usd_per_million_output_tokens"] = JsonOrNull(e.owned_per_million_output);
  j["usd_per_million_output_tokens_rented"] = JsonOrNull(e.rented_per_million_output);
  j["usd_per_million_input_tokens"] = JsonOrNull(e.owned_per_million_input);
  j["usd_per_million_input_tokens_rented"] = JsonOrNull(e.rented_per_million_input);
  j["margin"] = e.margin;
  j["price_usd_per_million_output_tokens"] = JsonOrNull(e.owned_price_per_million_output);
  j["price_usd_per_million_output_tokens_rented"] = JsonOrNull(e.rented_price_per_million_output);
  std::optional<double> joules;
  if (e.energy_per_output_token) joules = e.energy_per_output_token->value();
  j["joules_per_output_token"] = JsonOrNull(joules);
  j["output_tokens_per_s_per_mw"] = JsonOrNull(e.output_tokens_per_s_per_mw);
  return j;
}

nlohmann::ordered_json DollarRangeJson(const std::optional<Dollars>& low,
                                       const std::optional<Dollars>& high) {
  if (!low || !high) return nullptr;
  return nlohmann::ordered_json::array({low->value(), high->value()});
}

nlohmann::ordered_json ChipEconomicsJson(const ChipEconomics& c) {
  nlohmann::ordered_json j;
  j["hardware"] = c.hardware;
  std::optional<Dollars> total;
  if (c.owned_per_hour) total = c.owned_per_hour->Total();
  j["usd_per_chip_hour"] = JsonOrNull(total);
  nlohmann::ordered_json parts = nlohmann::ordered_json::object();
  if (c.owned_per_hour) {
    const TcoBreakdown& t = *c.owned_per_hour;
    parts["server"] = t.server.value();
    parts["network"] = t.network.value();
    parts["storage"] = t.storage.value();
    parts["datacenter"] = t.datacenter.value();
    parts["power"] = t.power.value();
    parts["maintenance"] = t.maintenance.value();
    parts["facility_opex"] = t.facility_opex.value();
  }
  j["usd_per_chip_hour_parts"] = parts;
  j["rental_usd_per_chip_hour"] = JsonOrNull(c.rental_per_hour);
  j["server_capex_usd_per_chip"] = JsonOrNull(c.server_capex);
  j["network_capex_usd_per_chip"] =
      c.server_capex ? nlohmann::ordered_json(c.network_capex.value()) : nlohmann::ordered_json();
  std::optional<double> watts;
  if (c.it_power) watts = c.it_power->value();
  j["it_power_w_per_chip"] = JsonOrNull(watts);
  j["server_capex_basis"] = c.server_capex_basis;
  j["it_power_basis"] = c.it_power_basis;
  j["rental_basis"] = c.rental_basis;
  nlohmann::ordered_json a;
  for (const AssumptionKey& key : AssumptionKeys()) {
    nlohmann::ordered_json e;
    e["value"] = key.get(c.assumptions);
    e["unit"] = key.unit;
    auto it = c.assumptions.sources.find(key.name);
    e["source"] = it == c.assumptions.sources.end() ? "" : it->second.source;
    a[key.name] = e;
  }
  j["assumptions"] = a;
  j["missing"] = c.missing;
  j["not_modelled"] = c.not_modelled;
  return j;
}

std::string MissingText(const ChipEconomics& c, const std::string& indent) {
  std::string out;
  for (const auto& m : c.missing) out += indent + "missing " + m + "\n";
  for (const auto& m : c.not_modelled) out += indent + "not modelled, " + m + "\n";
  return out;
}

}  // namespace perftco::cli
