#include "economics_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "economics_options.h"
#include "estimate_json.h"
#include "perftco/economics_scenario.h"
#include "perftco/text_table.h"

namespace perftco::cli {
namespace {

std::string Mw(Watts w) { return FormatFixed(w.value() / 1e6, 2) + " MW"; }
std::string Pct(double f) { return FormatFixed(f * 100, f * 100 < 10 ? 1 : 0) + "%"; }
std::string Times(double x) { return FormatFixed(x, x < 10 ? 2 : 1) + "x"; }

std::string ServerText(const CpuServerSpec& s) {
  return s.display_name + ", " + std::to_string(s.cores) + " cores, " +
         FormatFixed(s.power.value(), 0) + " W, per-core " +
         (s.per_core_perf ? FormatFixed(*s.per_core_perf, 1) : std::string("unknown"));
}

std::string Params(const ModelConfig& m) { return FormatFixed(m.TotalParams() / 1e9, 1) + "B"; }

std::string Source(const ScenarioAssumption& a) {
  std::string s;
  if (!a.source.empty()) s += "source: " + a.source;
  if (!a.date.empty()) s += (s.empty() ? "" : ", ") + a.date;
  if (!a.note.empty()) s += (s.empty() ? "" : "; ") + a.note;
  return s;
}

nlohmann::ordered_json AssumptionJson(const ScenarioAssumption& a) {
  nlohmann::ordered_json j;
  j["value"] = a.value;
  j["source"] = a.source;
  j["date"] = a.date;
  j["note"] = a.note;
  return j;
}

std::string Header(const std::string& name, const std::string& description) {
  return "scenario: " + name + "\n" + description + "\n\n";
}

std::string ChipLine(const ChipEconomics& c) {
  std::optional<Dollars> owned;
  if (c.owned_per_hour) owned = c.owned_per_hour->Total();
  return "owned TCO " + UsdText(owned, 3) + " USD per chip-hour, rental " +
         UsdText(c.rental_per_hour, 3) + " USD per chip-hour (perftco tco --hardware " +
         c.hardware + " for the parts)\n";
}

// ---- model-size-cost ----

Status PrintModelSizeCost(const EconomicsContext& ctx, const YAML::Node& root,
                          const std::string& path, bool json) {
  PERFTCO_ASSIGN_OR_RETURN(ModelSizeCostResult r, RunModelSizeCost(ctx, root, path));
  const ModelSizeCostScenario& s = r.scenario;
  const SystemComparison& big = r.rows.front();
  auto owned = [](const SystemComparison& row) { return row.tokens.owned_per_million_output; };
  if (json) {
    nlohmann::ordered_json j;
    j["scenario"] = s.name;
    j["hardware"] = big.hardware;
    j["isl"] = s.workload.isl;
    j["osl"] = s.workload.osl;
    j["tpot_slo_ms"] = s.workload.tpot_slo.value() * 1e3;
    j["chip"] = ChipEconomicsJson(big.chip);
    j["models"] = nlohmann::ordered_json::array();
    for (const auto& row : r.rows) {
      nlohmann::ordered_json m;
      m["model"] = row.at_slo->setup->model.name;
      m["params"] = row.at_slo->setup->model.TotalParams();
      m["plan"] = row.at_slo->setup->plan.ToString();
      m.update(PointJson(row.at_slo->point));
      m.update(TokenEconomicsJson(row.tokens));
      if (owned(row) && owned(big)) m["cost_vs_first"] = owned(row)->value() / owned(big)->value();
      j["models"].push_back(m);
    }
    j["margins"] = nlohmann::ordered_json::array();
    for (double margin : s.margins) {
      nlohmann::ordered_json m;
      m["margin"] = margin;
      for (size_t i = 1; i < r.rows.size(); ++i) {
        if (owned(big) && owned(r.rows[i])) {
          m["first_price_vs_cost_of_" + r.rows[i].at_slo->setup->model.name] =
              PriceWithMargin(*owned(big), margin) / *owned(r.rows[i]);
        }
      }
      j["margins"].push_back(m);
    }
    std::printf("%s\n", j.dump(2).c_str());
    return Status::Ok();
  }
  std::string out = Header(s.name, s.description);
  out += "system: " + big.hardware + ", weights " + s.base.precision + ", input " +
         std::to_string(s.workload.isl) + " tokens, output " + std::to_string(s.workload.osl) +
         " tokens, TPOT target " + FormatFixed(s.workload.tpot_slo.value() * 1e3, 1) + " ms\n";
  out += ChipLine(big.chip) + "\n";
  TextTable t({"model", "params", "plan", "batch @TPOT", "tok/s/chip", "$/M out owned",
               "$/M out rented", "cost vs first"});
  for (const auto& row : r.rows) {
    const SystemAtSlo& at = *row.at_slo;
    std::string ratio = "unknown";
    if (owned(row) && owned(big)) ratio = Times(owned(row)->value() / owned(big)->value());
    t.AddRow({at.setup->model.name, Params(at.setup->model), at.setup->plan.ToString(),
              std::to_string(at.batch), FormatFixed(at.throughput.output_tokens_per_s_per_chip, 1),
              UsdText(row.tokens.owned_per_million_output, 4),
              UsdText(row.tokens.rented_per_million_output, 4), ratio});
  }
  out += t.Render();
  for (size_t i = 1; i < r.rows.size(); ++i) {
    const SystemComparison& small = r.rows[i];
    const SystemAtSlo& b = *big.at_slo;
    const SystemAtSlo& a = *small.at_slo;
    const double params = b.setup->model.TotalParams() / a.setup->model.TotalParams();
    const double per_chip =
        a.throughput.output_tokens_per_s_per_chip / b.throughput.output_tokens_per_s_per_chip;
    const double chips =
        static_cast<double>(b.setup->plan.ChipsPerReplica()) / a.setup->plan.ChipsPerReplica();
    const double per_replica = per_chip / chips;  // one replica's output tokens/s, a over b
    const auto replica_plan = [](const SystemAtSlo& x) {
      ParallelPlan one = x.setup->plan;
      one.replicas = 1;
      return one.ToString();
    };
    out += "\nwhy " + a.setup->model.name + " is " + Times(per_chip) + " cheaper per token than " +
           b.setup->model.name + " on the same chips:\n";
    out += "  - it has " + Times(params) + " fewer parameters (" + Params(a.setup->model) + " vs " +
           Params(b.setup->model) + "), so each decode step reads that much less weight;\n";
    out += "  - one replica needs " + Times(chips) + " fewer chips (" + replica_plan(a) + " vs " +
           replica_plan(b) + ") and runs a batch of " + std::to_string(a.batch) + " vs " +
           std::to_string(b.batch) + " within the TPOT target;\n";
    out += "  - a replica produces " + Times(per_replica) + " the output tokens per second, so " +
           "per chip " + Times(per_replica) + " x " + Times(chips) + " = " + Times(per_chip) +
           ";\n";
    out +=
        "  - the chip-hour costs the same, so the cost per token falls by the same " +
        Times(per_chip) + " (not " + Times(params) +
        ": KV reads, attention and the fixed per-step overhead do not shrink with the weights).\n";
    if (!s.margins.empty() && owned(big) && owned(small)) {
      out += "\nwhat a user pays for " + b.setup->model.name +
             " from an API with a gross margin, "
             "against running " +
             a.setup->model.name + " at cost:\n";
      TextTable m({"margin", "price of " + b.setup->model.name + " $/M out",
                   "vs cost of " + a.setup->model.name});
      for (double margin : s.margins) {
        const Dollars price = PriceWithMargin(*owned(big), margin);
        m.AddRow({Pct(margin), FormatFixed(price.value(), 4), Times(price / *owned(small))});
      }
      out += m.Render();
      out +=
          "price = cost / (1 - margin): a 50% margin doubles the gap, a 70% margin multiplies "
          "it by 3.3.\n";
    }
  }
  out += MissingText(big.chip, "  ");
  std::fputs(out.c_str(), stdout);
  return Status::Ok();
}

// ---- memory-per-dollar ----

struct Ranking {
  const char* title;
  std::optional<double> MemoryValue::*field;
  int digits;
};
const Ranking kRankings[] = {
    {"HBM GB per 1000 USD at purchase", &MemoryValue::hbm_gb_per_kusd, 2},
    {"HBM TB/s per 1000 USD at purchase", &MemoryValue::hbm_tbps_per_kusd, 4},
    {"HBM GB per USD/hour at rental", &MemoryValue::hbm_gb_per_usd_hour, 1},
    {"HBM TB/s per USD/hour at rental", &MemoryValue::hbm_tbps_per_usd_hour, 3},
};

std::vector<const MemoryRow*> Ranked(const MemoryPerDollarResult& r, const Ranking& k) {
  std::vector<const MemoryRow*> rows;
  for (const auto& row : r.rows) {
    if (row.value.*k.field) rows.push_back(&row);
  }
  std::stable_sort(rows.begin(), rows.end(), [&](const MemoryRow* a, const MemoryRow* b) {
    if (*(a->value.*k.field) != *(b->value.*k.field)) {
      return *(a->value.*k.field) > *(b->value.*k.field);
    }
    return a->hardware < b->hardware;
  });
  return rows;
}

Status PrintMemoryPerDollar(const EconomicsContext& ctx, const YAML::Node& root,
                            const std::string& path, bool json) {
  PERFTCO_ASSIGN_OR_RETURN(MemoryPerDollarResult r, RunMemoryPerDollar(ctx, root, path));
  const MemoryPerDollarScenario& s = r.scenario;
  const MemoryRow* focus = nullptr;
  const MemoryRow* h100 = nullptr;
  for (const auto& row : r.rows) {
    if (row.hardware == s.focus) focus = &row;
    if (row.hardware == "h100-sxm") h100 = &row;
  }
  const double factor = focus->chip.assumptions.server_cost_factor;
  if (json) {
    nlohmann::ordered_json j;
    j["scenario"] = s.name;
    j["focus"] = s.focus;
    j["systems"] = nlohmann::ordered_json::array();
    for (const auto& row : r.rows) {
      nlohmann::ordered_json e;
      e["hardware"] = row.hardware;
      e["hbm_gb"] = row.hbm_gb;
      e["hbm_tbps"] = row.hbm_tbps;
      e["purchase_usd_per_chip"] = JsonOrNull(row.chip.server_capex);
      e["rental_usd_per_chip_hour"] = JsonOrNull(row.chip.rental_per_hour);
      e["hbm_gb_per_kusd"] = JsonOrNull(row.value.hbm_gb_per_kusd);
      e["hbm_tbps_per_kusd"] = JsonOrNull(row.value.hbm_tbps_per_kusd);
      e["hbm_gb_per_usd_hour"] = JsonOrNull(row.value.hbm_gb_per_usd_hour);
      e["hbm_tbps_per_usd_hour"] = JsonOrNull(row.value.hbm_tbps_per_usd_hour);
      e["missing"] = row.chip.missing;
      j["systems"].push_back(e);
    }
    j["rankings"] = nlohmann::ordered_json::object();
    for (const Ranking& k : kRankings) {
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const MemoryRow* row : Ranked(r, k)) list.push_back(row->hardware);
      j["rankings"][k.title] = list;
    }
    j["break_even"] = nlohmann::ordered_json::array();
    for (const auto& b : r.break_even) {
      nlohmann::ordered_json e;
      e["metric"] = b.metric;
      e["leader"] = b.leader;
      e["leader_value"] = b.leader_value;
      e["focus_price"] = b.focus_price;
      j["break_even"].push_back(e);
    }
    std::printf("%s\n", j.dump(2).c_str());
    return Status::Ok();
  }
  std::string out = Header(s.name, s.description);
  out +=
      "purchase = system price per chip (a whole system / its chips, or the chip price x "
      "server_cost_factor " +
      FormatFixed(factor, 2) + "); rental = USD per chip-hour\n\n";
  TextTable t({"system", "HBM GB", "HBM TB/s", "purchase $/chip", "GB/k$", "TB/s/k$", "rental $/h",
               "GB per $/h", "TB/s per $/h"});
  for (const auto& row : r.rows) {
    t.AddRow({row.hardware, FormatFixed(row.hbm_gb, 1), FormatFixed(row.hbm_tbps, 2),
              row.chip.server_capex ? Thousands(row.chip.server_capex->value()) : "unknown",
              NumText(row.value.hbm_gb_per_kusd, 2), NumText(row.value.hbm_tbps_per_kusd, 4),
              UsdText(row.chip.rental_per_hour, 2), NumText(row.value.hbm_gb_per_usd_hour, 1),
              NumText(row.value.hbm_tbps_per_usd_hour, 3)});
  }
  out += t.Render();
  for (const Ranking& k : kRankings) {
    out += "\n" + std::string(k.title) + ":\n";
    int i = 0;
    for (const MemoryRow* row : Ranked(r, k)) {
      out += "  " + std::to_string(++i) + ". " + row->hardware + " " +
             FormatFixed(*(row->value.*k.field), k.digits) + "\n";
    }
    std::string unknown;
    for (const auto& row : r.rows) {
      if (!(row.value.*k.field)) unknown += (unknown.empty() ? "" : ", ") + row.hardware;
    }
    if (!unknown.empty()) out += "  price unknown: " + unknown + "\n";
  }
  out += "\nthe claim: \"" + s.focus +
         " offers the most HBM per dollar and the most memory "
         "bandwidth per dollar\"\n";
  for (const auto& m : focus->chip.missing) out += "  " + s.focus + ": missing " + m + "\n";
  std::vector<std::string> leaders;
  for (const auto& b : r.break_even) {
    const bool purchase = b.metric.find("purchase") != std::string::npos;
    const std::string key = b.leader + (purchase ? " purchase" : " rental");
    if (std::find(leaders.begin(), leaders.end(), key) != leaders.end()) continue;
    leaders.push_back(key);
    for (const auto& row : r.rows) {
      if (row.hardware != b.leader) continue;
      out += "  the leader " + b.leader + " is priced at " +
             (purchase ? row.chip.server_capex_basis
                       : FormatFixed(row.chip.rental_per_hour->value(), 2) +
                             " USD per chip-hour (" + row.chip.rental_basis + ")") +
             "\n";
    }
  }
  for (const auto& b : r.break_even) {
    const bool purchase = b.metric.find("purchase") != std::string::npos;
    out += "  " + s.focus + " would lead \"" + b.metric + "\" (now " + b.leader + ", " +
           FormatFixed(b.leader_value, purchase ? 4 : 3) + ") ";
    if (purchase) {
      out += "at a system price below " + Thousands(b.focus_price) +
             " USD per chip, a chip price below " + Thousands(b.focus_price / factor) + " USD";
      if (h100 && h100->chip.server_capex) {
        out += " (" + Pct(b.focus_price / h100->chip.server_capex->value()) +
               " of the h100-sxm system price per chip)";
      }
      out += ";\n";
    } else {
      out += "at a rental price below " + FormatFixed(b.focus_price, 2) + " USD per chip-hour";
      if (h100 && h100->chip.rental_per_hour) {
        out += " (" + Pct(b.focus_price / h100->chip.rental_per_hour->value()) +
               " of the h100-sxm rental price)";
      }
      out += ";\n";
    }
  }
  if (r.break_even.empty()) {
    out += "  with " + s.focus + "'s prices known, the rankings above answer the claim directly.\n";
  } else {
    out += "  the claim holds if " + s.focus +
           " costs less than these prices: with its prices "
           "not public, perftco cannot confirm or refute it (give --chip-price-usd or the scenario "
           "key economics.hardware." +
           s.focus + ".chip_price_usd to test a price).\n";
  }
  std::fputs(out.c_str(), stdout);
  return Status::Ok();
}

// ---- fleet-tokens-per-person ----

Status PrintFleetTokens(const EconomicsContext& ctx, const YAML::Node& root,
                        const std::string& path, bool json) {
  PERFTCO_ASSIGN_OR_RETURN(FleetTokensResult r, RunFleetTokens(ctx, root, path));
  const FleetTokensScenario& s = r.scenario;
  const SystemAtSlo& at = *r.system.at_slo;
  const double per_chip = at.throughput.output_tokens_per_s_per_chip;
  if (json) {
    nlohmann::ordered_json j;
    j["scenario"] = s.name;
    j["model"] = at.setup->model.name;
    j["hardware"] = at.setup->hardware.name;
    j["plan"] = at.setup->plan.ToString();
    j["shipments"] = AssumptionJson(s.shipments);
    j["share"] = AssumptionJson(s.share);
    j["utilisation"] = AssumptionJson(s.utilisation);
    j["population"] = AssumptionJson(s.population);
    j.update(PointJson(at.point));
    j["serving_chips"] = r.serving_chips;
    j["fleet_output_tokens_per_s"] = r.fleet_output_tokens_per_s;
    j["output_tokens_per_s_per_person"] = r.output_tokens_per_s_per_person;
    j["claim_tokens_per_s_per_person"] = s.claim_tokens_per_s_per_person;
    j["required_output_tokens_per_s_per_chip"] = r.required_tokens_per_s_per_chip;
    j["ceiling_tokens_per_s_per_chip"] = r.ceiling_tokens_per_s_per_chip;
    j["ceiling_tokens_per_s_per_person"] = r.ceiling_tokens_per_s_per_person;
    j["yearly_cost_usd"] = JsonOrNull(r.yearly_cost);
    j.update(TokenEconomicsJson(r.system.tokens));
    std::printf("%s\n", j.dump(2).c_str());
    return Status::Ok();
  }
  std::string out = Header(s.name, s.description);
  out += "assumptions (change them in the scenario file):\n";
  out +=
      "  shipments per year: " + Thousands(s.shipments.value) + " (" + Source(s.shipments) + ")\n";
  out += "  share serving the model: " + Pct(s.share.value) + " (" + Source(s.share) + ")\n";
  out += "  utilisation: " + Pct(s.utilisation.value) + " (" + Source(s.utilisation) + ")\n";
  out += "  people: " + Thousands(s.population.value) + " (" + Source(s.population) + ")\n\n";
  out +=
      at.setup->model.name + " on " + at.setup->hardware.name + ", " + at.plan_note + "; input " +
      std::to_string(s.workload.isl) + ", output " + std::to_string(s.workload.osl) +
      " tokens, TPOT target " + FormatFixed(s.workload.tpot_slo.value() * 1e3, 1) + " ms: batch " +
      std::to_string(at.batch) + ", " + FormatFixed(per_chip, 1) + " output tokens/s per chip\n\n";
  out += "serving chips: " + Thousands(s.shipments.value) + " x " + Pct(s.share.value) + " = " +
         Thousands(r.serving_chips) + "\n";
  out += "fleet: " + Thousands(r.serving_chips) + " chips x " + FormatFixed(per_chip, 1) +
         " tokens/s x " + Pct(s.utilisation.value) + " = " + FormatSi(r.fleet_output_tokens_per_s) +
         " output tokens/s\n";
  out += "per person: " + FormatFixed(r.output_tokens_per_s_per_person, 2) +
         " output tokens/s (the claim: " + FormatFixed(s.claim_tokens_per_s_per_person, 0) +
         ")\n\n";
  out += "why:\n";
  out += "  - the claim needs " + FormatSi(r.required_tokens_per_s_per_chip) +
         " output tokens/s per chip, " + Times(r.required_tokens_per_s_per_chip / per_chip) +
         " what one chip serves within the "
         "TPOT target;\n";
  out += "  - even at the compute ceiling (peak " +
         FormatFixed(at.setup->hardware
                             .Peak(at.setup->hardware.ComputePrecision(
                                 at.setup->precisions.weights, at.setup->precisions.activations))
                             .value() /
                         kTera,
                     0) +
         " TFLOP/s / (2 x " + Params(at.setup->model) +
         " parameters) = " + FormatSi(r.ceiling_tokens_per_s_per_chip) +
         " tokens/s per chip, every token a full forward pass at peak), the fleet gives " +
         FormatFixed(r.ceiling_tokens_per_s_per_person, 1) + " tokens/s per person;\n";
  out +=
      "  - decode within a TPOT target is bound by reading the weights and the KV cache every "
      "step and by the per-step overhead, far below that ceiling: the claim needs far more "
      "chips, a much smaller model, or a looser reading of 'tokens per second'.\n";
  if (r.yearly_cost) {
    out += "\nowned cost of the serving chips: " + FormatSi(r.yearly_cost->value()) +
           " USD per year; " + UsdText(r.system.tokens.owned_per_million_output, 4) +
           " USD per million output tokens\n";
  }
  out += MissingText(r.system.chip, "  ");
  std::fputs(out.c_str(), stdout);
  return Status::Ok();
}

// ---- datacenter-consolidation ----

Status PrintConsolidation(const EconomicsContext& ctx, const YAML::Node& root,
                          const std::string& path, bool json) {
  PERFTCO_ASSIGN_OR_RETURN(ConsolidationResult r, RunConsolidation(ctx, root, path));
  const ConsolidationScenario& s = r.scenario;
  const SystemAtSlo& at = *r.ai.at_slo;
  if (json) {
    nlohmann::ordered_json j;
    j["scenario"] = s.name;
    j["ai_plan"] = at.setup->plan.ToString();
    j["ai_model"] = at.setup->model.name;
    j["claim_old_servers_per_new"] = s.claim_old_servers_per_new;
    j["options"] = nlohmann::ordered_json::array();
    for (size_t i = 0; i < r.plans.size(); ++i) {
      nlohmann::ordered_json o =
          SitePlanJson(s.site, s.old_server, s.replacements[i].server, r.ai_system, r.plans[i]);
      o["per_core_note"] = s.replacements[i].per_core_note;
      j["options"].push_back(o);
    }
    j["ai_chip"] = ChipEconomicsJson(r.ai.chip);
    std::printf("%s\n", j.dump(2).c_str());
    return Status::Ok();
  }
  std::string out = Header(s.name, s.description);
  out += "AI systems serve " + at.setup->model.name + " on " + at.setup->hardware.name + ", " +
         at.plan_note + "; batch " + std::to_string(at.batch) + " at TPOT " +
         FormatFixed(s.ai_workload.tpot_slo.value() * 1e3, 1) +
         " ms: " + FormatFixed(at.throughput.output_tokens_per_s_per_chip, 1) +
         " output tokens/s per chip\n";
  for (size_t i = 0; i < r.plans.size(); ++i) {
    const ReplacementOption& opt = s.replacements[i];
    const SitePlan& p = r.plans[i];
    out += "\noption " + std::to_string(i + 1) + ": replace with " + opt.server.name + "\n";
    if (!opt.per_core_note.empty()) {
      out += "  per-core performance " + FormatFixed(*opt.server.per_core_perf, 1) + ": " +
             opt.per_core_note + "\n";
    }
    out += SitePlanText(s.site, s.old_server, opt.server, r.ai_system, p);
    if (s.claim_old_servers_per_new > 0) {
      const double breakeven = s.claim_old_servers_per_new * s.old_server.cores *
                               *s.old_server.per_core_perf / opt.server.cores;
      out += "  claim: one new server replaces " + FormatFixed(s.claim_old_servers_per_new, 0) +
             " old ones; modelled " + FormatFixed(p.old_servers_per_new, 2) + " (" +
             (p.old_servers_per_new >= s.claim_old_servers_per_new ? "holds" : "does not hold") +
             "); it needs a per-core performance of at least " + FormatFixed(breakeven, 1) + " (" +
             Times(breakeven / *s.old_server.per_core_perf) + " the old core)\n";
    }
  }
  out += MissingText(r.ai.chip, "  ");
  std::fputs(out.c_str(), stdout);
  return Status::Ok();
}

// ---- workload-cost ----

Status PrintWorkloadCost(const EconomicsContext& ctx, const YAML::Node& root,
                         const std::string& path, bool json) {
  PERFTCO_ASSIGN_OR_RETURN(WorkloadCostResult r, RunWorkloadCost(ctx, root, path));
  const WorkloadComparisonScenario& sc = r.scenario;
  std::optional<Dollars> owned_hour;
  if (r.chip.owned_per_hour) owned_hour = r.chip.owned_per_hour->Total();
  auto per_query = [](const std::optional<Dollars>& per_hour, double chip_seconds) {
    return per_hour ? std::optional<Dollars>(*per_hour * (chip_seconds / kSecondsPerHour))
                    : std::nullopt;
  };
  const WorkloadResult& base = r.rows.front();
  if (json) {
    nlohmann::ordered_json j;
    j["scenario"] = sc.name;
    j["setup"] = SetupJson(*r.setup);
    j["tpot_slo_ms"] = sc.tpot_slo.value() * 1e3;
    j["chip"] = ChipEconomicsJson(r.chip);
    j["workloads"] = nlohmann::ordered_json::array();
    for (size_t i = 0; i < r.rows.size(); ++i) {
      const WorkloadResult& w = r.rows[i];
      nlohmann::ordered_json e = PointJson(w.point);
      e["name"] = w.workload.name;
      e["isl"] = w.workload.isl;
      e["osl"] = w.workload.osl;
      e["chip_seconds_per_query"] = w.chip_seconds_per_query;
      e["usd_per_query"] = JsonOrNull(per_query(owned_hour, w.chip_seconds_per_query));
      e["usd_per_query_rented"] =
          JsonOrNull(per_query(r.chip.rental_per_hour, w.chip_seconds_per_query));
      e["cost_per_query_vs_first"] = w.chip_seconds_per_query / base.chip_seconds_per_query;
      e.update(TokenEconomicsJson(r.tokens[i]));
      j["workloads"].push_back(e);
    }
    std::printf("%s\n", j.dump(2).c_str());
    return Status::Ok();
  }
  std::string out = Header(sc.name, sc.description);
  out += SetupText(*r.setup, base.workload.isl, base.workload.osl, base.max_batch);
  out += "TPOT target: " + FormatFixed(sc.tpot_slo.value() * 1e3, 1) + " ms per token\n";
  out += ChipLine(r.chip) + "\n";
  const bool margin = r.economics.margin > 0;
  std::vector<std::string> header = {"workload",      "in",
                                     "out",           "batch @TPOT",
                                     "tok/s/chip",    "chip-s/query",
                                     "$/query owned", "$/query rented",
                                     "$/M out owned", "$/M out rented"};
  if (margin) header.push_back("price $/query");
  header.push_back("cost/query");
  TextTable t(header);
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const WorkloadResult& w = r.rows[i];
    const std::optional<Dollars> q = per_query(owned_hour, w.chip_seconds_per_query);
    std::vector<std::string> row = {
        w.workload.name,
        std::to_string(w.workload.isl),
        std::to_string(w.workload.osl),
        std::to_string(w.batch),
        FormatFixed(w.point.output_tokens_per_s_per_chip, 1),
        FormatFixed(w.chip_seconds_per_query, 2),
        UsdText(q, 5),
        UsdText(per_query(r.chip.rental_per_hour, w.chip_seconds_per_query), 5),
        UsdText(r.tokens[i].owned_per_million_output, 4),
        UsdText(r.tokens[i].rented_per_million_output, 4)};
    if (margin) {
      row.push_back(q ? FormatFixed(PriceWithMargin(*q, r.economics.margin).value(), 5)
                      : "unknown");
    }
    row.push_back(Times(w.chip_seconds_per_query / base.chip_seconds_per_query));
    t.AddRow(row);
  }
  out += t.Render();
  for (size_t i = 1; i < r.rows.size(); ++i) {
    const WorkloadResult& w = r.rows[i];
    const double ratio = w.chip_seconds_per_query / base.chip_seconds_per_query;
    const double tokens = static_cast<double>(w.workload.osl) / base.workload.osl;
    out += "\n" + w.workload.name + " costs " + Times(ratio) + " " + base.workload.name +
           " per query: " + Times(tokens) + " the output tokens, each " + Times(ratio / tokens) +
           " as expensive (longer contexts hold more KV, so the batch within the TPOT target is " +
           std::to_string(w.batch) + " instead of " + std::to_string(base.batch) + ")";
    const std::optional<Dollars> qa = per_query(owned_hour, base.chip_seconds_per_query);
    const std::optional<Dollars> qb = per_query(owned_hour, w.chip_seconds_per_query);
    if (qa && qb) {
      out += ": " + FormatFixed(qb->value() * 100, 3) + " vs " + FormatFixed(qa->value() * 100, 3) +
             " US cents per query on owned hardware";
    }
    out += ".\n";
  }
  if (margin) {
    out += "prices with a gross margin of " + Pct(r.economics.margin) + ": cost / (1 - margin)\n";
  }
  out += MissingText(r.chip, "  ");
  std::fputs(out.c_str(), stdout);
  return Status::Ok();
}

}  // namespace

std::string Thousands(double v) {
  const std::string digits = FormatFixed(std::fabs(v), 0);
  std::string out = v < 0 && digits != "0" ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string SitePlanText(const SiteSpec& site, const CpuServerSpec& old_server,
                         const CpuServerSpec& new_server, const AiSystemSpec& ai,
                         const SitePlan& p) {
  std::string out;
  out +=
      "  site: " + Mw(site.budget) + " of facility power at PUE " + FormatFixed(site.pue, 2) + "\n";
  out += "  old fleet: " + Thousands(static_cast<double>(p.old_count)) + " x " +
         ServerText(old_server) + ": " + Mw(p.old_it) + " IT, " + Mw(p.old_facility) +
         " facility\n";
  out += "  replacement: " + Thousands(static_cast<double>(p.new_count)) + " x " +
         ServerText(new_server) + ": " + Mw(p.new_it) + " IT, " + Mw(p.new_facility) +
         " facility\n";
  out += "    one new server does the work of " + FormatFixed(p.old_servers_per_new, 2) +
         " old ones (" + Times(static_cast<double>(new_server.cores) / old_server.cores) +
         " the cores x " + Times(p.per_core_ratio) + " per-core performance)\n";
  out += "  freed: " + Mw(p.freed_facility) + "; unused before: " + Mw(p.remaining_facility) +
         "; left for AI: " + Mw(p.ai_budget) + "\n";
  const Watts per_system = ai.it_power_per_system * site.pue;
  out += "  AI system: " + ai.hardware + ", " + std::to_string(ai.chips_per_system) +
         " chips and " + FormatFixed(ai.it_power_per_system.value() / 1e3, 1) +
         " kW IT per system (" + FormatFixed(per_system.value() / 1e3, 1) +
         " kW at the facility)\n";
  out += "    in the freed power: " + Thousands(static_cast<double>(p.systems_in_freed)) +
         " systems; in the power unused before: " +
         Thousands(static_cast<double>(p.systems_in_remaining)) +
         "; in all power left: " + Thousands(static_cast<double>(p.systems_total)) +
         " systems = " + Thousands(static_cast<double>(p.systems_total) * ai.chips_per_system) +
         " chips\n";
  out += "    token capacity: " + FormatSi(p.output_tokens_per_s) + " output tokens/s (" +
         FormatFixed(ai.output_tokens_per_s_per_chip, 1) + " per chip); yearly cost " +
         (p.ai_yearly_cost ? FormatSi(p.ai_yearly_cost->value()) + " USD (owned TCO)"
                           : std::string("unknown (owned TCO unknown)")) +
         "\n";
  out += "  power balance: new CPU fleet " + Mw(p.new_facility) + " + AI " + Mw(p.ai_facility) +
         " + unused " + Mw(p.unused_facility) + " = " +
         Mw(p.new_facility + p.ai_facility + p.unused_facility) + " <= budget " + Mw(site.budget) +
         "\n";
  return out;
}

nlohmann::ordered_json SitePlanJson(const SiteSpec& site, const CpuServerSpec& old_server,
                                    const CpuServerSpec& new_server, const AiSystemSpec& ai,
                                    const SitePlan& p) {
  nlohmann::ordered_json j;
  j["budget_mw"] = site.budget.value() / 1e6;
  j["pue"] = site.pue;
  j["old_server"] = old_server.name;
  j["old_count"] = p.old_count;
  j["new_server"] = new_server.name;
  j["new_per_core_perf"] = *new_server.per_core_perf;
  j["new_count"] = p.new_count;
  j["old_servers_per_new"] = p.old_servers_per_new;
  j["per_core_ratio"] = p.per_core_ratio;
  j["old_it_mw"] = p.old_it.value() / 1e6;
  j["new_it_mw"] = p.new_it.value() / 1e6;
  j["old_facility_mw"] = p.old_facility.value() / 1e6;
  j["new_facility_mw"] = p.new_facility.value() / 1e6;
  j["freed_mw"] = p.freed_facility.value() / 1e6;
  j["remaining_mw"] = p.remaining_facility.value() / 1e6;
  j["ai_budget_mw"] = p.ai_budget.value() / 1e6;
  j["ai_hardware"] = ai.hardware;
  j["ai_chips_per_system"] = ai.chips_per_system;
  j["ai_it_kw_per_system"] = ai.it_power_per_system.value() / 1e3;
  j["ai_systems_in_freed"] = p.systems_in_freed;
  j["ai_systems_in_remaining"] = p.systems_in_remaining;
  j["ai_systems"] = p.systems_total;
  j["ai_facility_mw"] = p.ai_facility.value() / 1e6;
  j["unused_mw"] = p.unused_facility.value() / 1e6;
  j["output_tokens_per_s"] = p.output_tokens_per_s;
  j["ai_yearly_cost_usd"] = JsonOrNull(p.ai_yearly_cost);
  return j;
}

Status RunEconomicsScenario(CliContext* ctx, const std::string& kind, const YAML::Node& root,
                            const std::string& path, bool json, bool* handled) {
  const auto& kinds = EconomicsScenarioKinds();
  *handled = std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
  if (!*handled) return Status::Ok();
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
  PERFTCO_ASSIGN_OR_RETURN(const EfficiencyTable* table, ctx->efficiency());
  PERFTCO_ASSIGN_OR_RETURN(EconomicsData data, LoadEconomics(ctx));
  const EconomicsContext ectx{*catalog, *table, data};
  if (kind == "model-size-cost") return PrintModelSizeCost(ectx, root, path, json);
  if (kind == "memory-per-dollar") return PrintMemoryPerDollar(ectx, root, path, json);
  if (kind == "fleet-tokens-per-person") return PrintFleetTokens(ectx, root, path, json);
  if (kind == "datacenter-consolidation") return PrintConsolidation(ectx, root, path, json);
  return PrintWorkloadCost(ectx, root, path, json);
}

}  // namespace perftco::cli
