// perftco tco: what one chip costs per hour, owned (by part) or rented, with every assumption.
#include <cstdio>
#include <sstream>

#include "commands.h"
#include "economics_options.h"
#include "economics_report.h"
#include "perftco/text_table.h"

namespace perftco::cli {
namespace {

struct TcoArgs {
  std::string hardware;
  EconomicsFlags economics;
  bool json = false;
};

// " (range LOW-HIGH over the sourced price figures)" when the two differ.
std::string RangeNote(const std::optional<Dollars>& lo, const std::optional<Dollars>& hi,
                      const std::string& lead = "") {
  if (!lo || !hi || lo->value() == hi->value()) return "";
  return lead + "range " + FormatFixed(lo->value(), 4) + "-" + FormatFixed(hi->value(), 4) +
         " over the sourced price and power figures";
}
std::optional<Dollars> Total(const std::optional<TcoBreakdown>& b) {
  if (!b) return std::nullopt;
  return b->Total();
}

std::string TcoText(const Hardware& hw, const ChipEconomics& c, const ChipEconomicsRange& range) {
  const TcoAssumptions& a = c.assumptions;
  std::string out = hw.name + " (" + hw.system + "): cost of one chip per hour\n";
  out += "  purchase: " + (c.server_capex ? c.server_capex_basis : std::string("unknown")) + "\n";
  out += "  power:    " + (c.it_power ? c.it_power_basis : std::string("unknown")) + "\n";
  out += "  rental:   " + (c.rental_per_hour ? c.rental_basis : std::string("unknown")) + "\n\n";
  const std::string dep = FormatFixed(a.depreciation / Years(1), 1) + " years at " +
                          FormatFixed(a.cost_of_capital * 100, 1) + "%";
  TextTable t({"part", "USD/chip-hour", "how"});
  if (c.owned_per_hour) {
    const TcoBreakdown& b = *c.owned_per_hour;
    const double kw = c.it_power->value() / 1e3;
    t.AddRow({"server", FormatFixed(b.server.value(), 4),
              Thousands(c.server_capex->value()) + " USD per chip, " + dep});
    t.AddRow({"network", FormatFixed(b.network.value(), 4),
              Thousands(c.network_capex.value()) + " USD per chip (" +
                  FormatFixed(a.network_fraction * 100, 0) + "% of cluster capex), " + dep});
    t.AddRow({"storage", FormatFixed(b.storage.value(), 4),
              a.storage_per_chip.value() > 0
                  ? Thousands(a.storage_per_chip.value()) + " USD per chip, " + dep
                  : std::string("not modelled")});
    t.AddRow({"datacenter", FormatFixed(b.datacenter.value(), 4),
              FormatFixed(kw, 3) + " kW x " +
                  FormatFixed(a.datacenter_capex_per_mw.value() / 1e6, 2) +
                  " M$/MW = " + Thousands(a.datacenter_capex_per_mw.value() * kw / 1e3) + " USD, " +
                  FormatFixed(a.facility_life / Years(1), 0) + " years at " +
                  FormatFixed(a.cost_of_capital * 100, 1) + "%"});
    t.AddRow({"power", FormatFixed(b.power.value(), 4),
              FormatFixed(kw, 3) + " kW x " + FormatFixed(a.power_utilisation, 2) +
                  " utilisation x PUE " + FormatFixed(a.pue, 2) + " x " +
                  FormatFixed(a.electricity_per_kwh.value(), 4) + " USD/kWh"});
    t.AddRow({"maintenance", FormatFixed(b.maintenance.value(), 4),
              FormatFixed(a.maintenance_fraction_per_year * 100, 1) + "% of IT capex per year"});
    t.AddRow({"facility operations", FormatFixed(b.facility_opex.value(), 4),
              a.facility_opex_per_kw_year.value() > 0
                  ? FormatFixed(a.facility_opex_per_kw_year.value(), 0) + " USD per kW per year"
                  : std::string("not modelled")});
    t.AddRow({"total (owned)", FormatFixed(b.Total().value(), 4),
              RangeNote(Total(range.low.owned_per_hour), Total(range.high.owned_per_hour))});
  } else {
    t.AddRow({"total (owned)", "unknown", "see missing below"});
  }
  t.AddRow({"rental", UsdText(c.rental_per_hour, 4),
            c.rental_per_hour ? "per chip-hour" + RangeNote(range.low.rental_per_hour,
                                                            range.high.rental_per_hour, "; ")
                              : ""});
  out += t.Render();
  out += "\nassumptions (override with the flag of the same name, e.g. --pue 1.1):\n";
  TextTable at({"assumption", "value", "unit", "source"});
  for (const AssumptionKey& key : AssumptionKeys()) {
    auto it = a.sources.find(key.name);
    std::string src = it == a.sources.end() ? "" : it->second.source;
    if (src.size() > 70) src = src.substr(0, 67) + "...";
    std::ostringstream v;
    v << key.get(a);
    at.AddRow({key.name, v.str(), key.unit, src});
  }
  out += at.Render();
  const std::string missing = MissingText(c, "  ");
  if (!missing.empty()) out += "\n" + missing;
  return out;
}

Status RunTco(CliContext* ctx, const TcoArgs& a) {
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
  PERFTCO_ASSIGN_OR_RETURN(Hardware hw, catalog->FindHardware(a.hardware));
  PERFTCO_ASSIGN_OR_RETURN(EconomicsOptions options, ResolveEconomicsFlags(ctx, a.economics));
  PERFTCO_ASSIGN_OR_RETURN(EconomicsData data, LoadEconomics(ctx));
  PERFTCO_ASSIGN_OR_RETURN(ChipEconomics chip, EvaluateChip(hw, data, options));
  PERFTCO_ASSIGN_OR_RETURN(ChipEconomicsRange range, EvaluateChipRange(hw, data, options));
  if (a.json) {
    nlohmann::ordered_json j = ChipEconomicsJson(chip);
    j["usd_per_chip_hour_range"] =
        DollarRangeJson(Total(range.low.owned_per_hour), Total(range.high.owned_per_hour));
    j["rental_usd_per_chip_hour_range"] =
        DollarRangeJson(range.low.rental_per_hour, range.high.rental_per_hour);
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::fputs(TcoText(hw, chip, range).c_str(), stdout);
  }
  return Status::Ok();
}

}  // namespace

void AddTcoCommand(CLI::App* sub, CliContext* ctx) {
  auto a = std::make_shared<TcoArgs>();
  sub->add_option("--hardware,-H", a->hardware, "accelerator name (perftco list hardware)")
      ->required();
  AddEconomicsOptions(sub, &a->economics);
  sub->add_flag("--json", a->json, "print JSON");
  sub->callback([ctx, a] { ctx->status = RunTco(ctx, *a); });
}

}  // namespace perftco::cli
