// perftco compare: one model and workload across systems, ranked by dollars per million tokens.
#include <cstdio>
#include <sstream>

#include "commands.h"
#include "economics_options.h"
#include "estimate_json.h"
#include "perftco/compare.h"
#include "perftco/text_table.h"

namespace perftco::cli {
namespace {

struct CompareArgs {
  SetupOptions setup;    // model, precisions, engine
  std::string hardware;  // "a,b,c"; empty: the whole catalog
  int64_t isl = 1000;
  int64_t osl = 1000;
  double tpot_slo_ms = 0;
  EconomicsFlags economics;
  bool json = false;
  bool csv = false;
};

std::string Cell(const std::optional<Dollars>& v, int digits, bool csv) {
  return v ? FormatFixed(v->value(), digits) : (csv ? "" : "unknown");
}
std::string Cell(const std::optional<double>& v, int digits, bool csv) {
  return v ? FormatFixed(*v, digits) : (csv ? "" : "unknown");
}

// "low-high" (text) or "low;high" (CSV, where '-' could read as a sign).
std::string RangeCell(const std::optional<Dollars>& lo, const std::optional<Dollars>& hi,
                      bool csv) {
  if (!lo || !hi) return csv ? "" : "unknown";
  return FormatFixed(lo->value(), 4) + (csv ? ";" : "-") + FormatFixed(hi->value(), 4);
}

std::vector<std::string> Header(bool margin) {
  std::vector<std::string> h = {"rank",           "hardware",    "plan",
                                "batch",          "tok/s/chip",  "$/M out owned",
                                "$/M out rented", "owned range", "rented range"};
  if (margin) {
    h.push_back("price owned");
    h.push_back("price rented");
  }
  for (const char* c : {"tok/s per MW", "J/token", "HBM GB/k$", "HBM TB/s/k$", "HBM GB per $/h",
                        "HBM TB/s per $/h"}) {
    h.push_back(c);
  }
  return h;
}

std::vector<std::string> Row(const SystemComparison& r, bool margin, bool csv) {
  std::vector<std::string> row = {r.rank ? std::to_string(r.rank) : "-", r.hardware};
  if (r.status.ok()) {
    row.push_back(r.at_slo->setup->plan.ToString());
    row.push_back(std::to_string(r.at_slo->batch));
    row.push_back(FormatFixed(r.at_slo->throughput.output_tokens_per_s_per_chip, 1));
  } else {
    row.insert(row.end(), {csv ? "" : "none", "", csv ? "" : "-"});
  }
  const TokenEconomics& t = r.tokens;
  row.push_back(Cell(t.owned_per_million_output, 4, csv));
  row.push_back(Cell(t.rented_per_million_output, 4, csv));
  const TokenCostRange& c = r.cost_range;
  row.push_back(RangeCell(c.owned_low, c.owned_high, csv));
  row.push_back(RangeCell(c.rented_low, c.rented_high, csv));
  if (margin) {
    row.push_back(Cell(t.owned_price_per_million_output, 4, csv));
    row.push_back(Cell(t.rented_price_per_million_output, 4, csv));
  }
  row.push_back(Cell(t.output_tokens_per_s_per_mw, 0, csv));
  std::optional<double> joules;
  if (t.energy_per_output_token) joules = t.energy_per_output_token->value();
  row.push_back(Cell(joules, 3, csv));
  row.push_back(Cell(r.memory.hbm_gb_per_kusd, 2, csv));
  row.push_back(Cell(r.memory.hbm_tbps_per_kusd, 4, csv));
  row.push_back(Cell(r.memory.hbm_gb_per_usd_hour, 1, csv));
  row.push_back(Cell(r.memory.hbm_tbps_per_usd_hour, 3, csv));
  return row;
}

std::string CsvLine(const std::vector<std::string>& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    std::string c = cells[i];
    if (c.find_first_of(",\"") != std::string::npos) {
      std::string q = "\"";
      for (char ch : c) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      c = q + "\"";
    }
    out += (i ? "," : "") + c;
  }
  return out + "\n";
}

Status RunCompare(CliContext* ctx, const CompareArgs& a) {
  if (a.json && a.csv) return Status::Error("give either --json or --csv, not both");
  if (!(a.tpot_slo_ms > 0)) return Status::Error("--tpot-slo-ms must be positive");
  if (a.isl <= 0 || a.osl <= 0) {
    return Status::Error("--isl and --osl must be positive (got " + std::to_string(a.isl) +
                         " and " + std::to_string(a.osl) + ")");
  }
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
  PERFTCO_ASSIGN_OR_RETURN(const EfficiencyTable* table, ctx->efficiency());
  PERFTCO_ASSIGN_OR_RETURN(EconomicsOptions options, ResolveEconomicsFlags(ctx, a.economics));
  PERFTCO_ASSIGN_OR_RETURN(EconomicsData data, LoadEconomics(ctx));
  std::vector<std::string> names;
  if (a.hardware.empty()) {
    for (const auto& hw : catalog->hardware()) names.push_back(hw.name);
  } else {
    std::stringstream ss(a.hardware);
    std::string item;
    while (std::getline(ss, item, ',')) {
      if (!item.empty()) names.push_back(item);
    }
  }
  const SloWorkload w{a.isl, a.osl, Milliseconds(a.tpot_slo_ms)};
  PERFTCO_ASSIGN_OR_RETURN(std::vector<SystemComparison> rows,
                           CompareSystems(*catalog, *table, data, options, a.setup, names, w));
  const bool margin = options.margin > 0;

  if (a.json) {
    nlohmann::ordered_json j;
    j["model"] = a.setup.model;
    j["isl"] = a.isl;
    j["osl"] = a.osl;
    j["tpot_slo_ms"] = a.tpot_slo_ms;
    j["margin"] = options.margin;
    j["ranked_by"] = "usd_per_million_output_tokens (owned), then rented";
    j["systems"] = nlohmann::ordered_json::array();
    for (const auto& r : rows) {
      nlohmann::ordered_json s;
      s["rank"] = r.rank;
      s["hardware"] = r.hardware;
      if (r.status.ok()) {
        s["plan"] = r.at_slo->setup->plan.ToString();
        s["plan_note"] = r.at_slo->plan_note;
        s.update(PointJson(r.at_slo->point));
        s["input_tokens_per_s_per_chip"] = r.at_slo->throughput.input_tokens_per_s_per_chip;
        s.update(TokenEconomicsJson(r.tokens));
        s.update(CostRangeJson(r.cost_range));
      } else {
        s["error"] = r.status.message();
      }
      s["usd_per_chip_hour"] =
          JsonOrNull(r.chip.owned_per_hour ? std::optional<Dollars>(r.chip.owned_per_hour->Total())
                                           : std::nullopt);
      s["rental_usd_per_chip_hour"] = JsonOrNull(r.chip.rental_per_hour);
      s["hbm_gb_per_kusd"] = JsonOrNull(r.memory.hbm_gb_per_kusd);
      s["hbm_tbps_per_kusd"] = JsonOrNull(r.memory.hbm_tbps_per_kusd);
      s["hbm_gb_per_usd_hour"] = JsonOrNull(r.memory.hbm_gb_per_usd_hour);
      s["hbm_tbps_per_usd_hour"] = JsonOrNull(r.memory.hbm_tbps_per_usd_hour);
      s["missing"] = r.chip.missing;
      j["systems"].push_back(s);
    }
    std::printf("%s\n", j.dump(2).c_str());
    return Status::Ok();
  }
  if (a.csv) {
    std::string out = CsvLine(Header(margin));
    for (const auto& r : rows) out += CsvLine(Row(r, margin, true));
    std::fputs(out.c_str(), stdout);
    return Status::Ok();
  }
  std::string out = a.setup.model + " (weights " + a.setup.precision + "), input " +
                    std::to_string(a.isl) + " tokens, output " + std::to_string(a.osl) +
                    " tokens, TPOT target " + FormatFixed(a.tpot_slo_ms, 1) + " ms\n";
  out +=
      "each system: its layout (tp, pp, ep, dp-attention) within one scale-up domain with the "
      "most output tok/s per chip at the target; ranked by owned $/M output tokens (all chip "
      "time over output tokens), then by rented\n";
  if (margin) {
    out += "prices with a gross margin of " + FormatFixed(options.margin * 100, 0) +
           "%: cost / (1 - margin)\n";
  }
  out += "\n";
  TextTable t(Header(margin));
  for (const auto& r : rows) t.AddRow(Row(r, margin, false));
  out += t.Render();
  std::string notes;
  for (const auto& r : rows) {
    if (!r.status.ok()) notes += "  " + r.hardware + ": not served: " + r.status.message() + "\n";
    for (const auto& m : r.chip.missing) notes += "  " + r.hardware + ": missing " + m + "\n";
  }
  if (!notes.empty()) out += "\n" + notes;
  std::fputs(out.c_str(), stdout);
  return Status::Ok();
}

}  // namespace

void AddCompareCommand(CLI::App* sub, CliContext* ctx) {
  auto a = std::make_shared<CompareArgs>();
  sub->add_option("--model,-m", a->setup.model, "model name or path to a HuggingFace config.json")
      ->required();
  sub->add_option("--hardware,-H", a->hardware,
                  "systems to compare, comma-separated (default: the whole catalog)");
  sub->add_option("--isl", a->isl, "input tokens per request")->capture_default_str();
  sub->add_option("--osl", a->osl, "output tokens per request")->capture_default_str();
  sub->add_option("--tpot-slo-ms", a->tpot_slo_ms, "TPOT target in ms")->required();
  sub->add_option("--precision", a->setup.precision, "weight format: bf16, fp8, fp4, int8, int4")
      ->capture_default_str();
  sub->add_option("--kv-precision", a->setup.kv_precision, "KV-cache format (default: bf16)");
  sub->add_option("--activation-precision", a->setup.activation_precision,
                  "GEMM input format (default: the weights' format)");
  AddEconomicsOptions(sub, &a->economics);
  sub->add_flag("--json", a->json, "print JSON");
  sub->add_flag("--csv", a->csv, "print CSV");
  sub->callback([ctx, a] { ctx->status = RunCompare(ctx, *a); });
}

}  // namespace perftco::cli
