#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.h"
#include "perftco/text_table.h"
#include "perftco/validation.h"
#include "validate_report.h"

namespace perftco::cli {
namespace {

struct ValidateArgs {
  std::string data;
  bool json = false;
  bool summary_only = false;
  std::string csv;
  std::string markdown;
  std::string default_precision = "native";
};

// What a point's source left out and perftco assumed, "; "-joined.
std::string Assumed(const PreparedPoint& p) {
  std::string out;
  for (const auto& a : p.assumed) out += (out.empty() ? "" : "; ") + a;
  return out;
}

nlohmann::ordered_json StatsJson(const ErrorStats& s) {
  nlohmann::ordered_json j;
  j["count"] = s.count;
  j["median_abs_pct_error"] = s.median_abs_pct;
  j["mean_abs_pct_error"] = s.mean_abs_pct;
  j["median_signed_pct_error"] = s.median_signed_pct;
  j["within_10_pct"] = s.within_10;
  j["within_25_pct"] = s.within_25;
  return j;
}

nlohmann::ordered_json GroupJson(const std::map<std::string, ErrorStats>& groups) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [k, s] : groups) j[k] = StatsJson(s);
  return j;
}

std::string PointsCsv(const ValidationReport& r) {
  std::ostringstream os;
  os << "id,hardware,model,scenario,metric,measured,predicted,error_pct,modelled,reason,"
        "assumed\n";
  for (const auto& res : r.results) {
    const MeasuredPoint& p = res.prepared->point;
    std::string reason = res.reason;
    for (char& c : reason) {
      if (c == '"') c = '\'';
    }
    os << p.id << ',' << p.hardware << ',' << p.model << ',' << p.scenario << ',' << p.metric << ','
       << p.value << ',';
    if (res.modelled)
      os << res.predicted << ',' << res.error_pct;
    else
      os << ',';
    os << ',' << (res.modelled ? "true" : "false") << ",\"" << reason << "\",\""
       << Assumed(*res.prepared) << "\"\n";
  }
  return os.str();
}

Status RunValidate(CliContext* ctx, const ValidateArgs& a) {
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
  PERFTCO_ASSIGN_OR_RETURN(const EfficiencyTable* table, ctx->efficiency());
  const std::string data = a.data.empty() ? ctx->data_dir + "/measured" : a.data;
  PERFTCO_ASSIGN_OR_RETURN(std::vector<MeasuredPoint> measured, ReadMeasured(data));
  if (a.default_precision != "native" && a.default_precision != "best") {
    return Status::Error("--default-precision '" + a.default_precision + "' is not native or best");
  }
  PrepareOptions prepare;
  prepare.default_precision = a.default_precision;
  prepare.efficiency = table;
  PERFTCO_ASSIGN_OR_RETURN(const LatencyLimitTable limits, LatencyLimitTable::Load(ctx->data_dir));
  prepare.latency_limits = &limits;
  const std::vector<PreparedPoint> points = PreparePoints(*catalog, measured, prepare);
  const ValidationReport r = Validate(points, *table);
  // Files first, atomically, so a failure leaves nothing half-written and prints nothing.
  if (!a.csv.empty()) PERFTCO_RETURN_IF_ERROR(WriteFileAtomically(a.csv, PointsCsv(r)));
  if (!a.markdown.empty()) {
    PERFTCO_RETURN_IF_ERROR(WriteFileAtomically(a.markdown, AccuracyMarkdown(r, *table, data)));
  }
  if (a.json) {
    nlohmann::ordered_json j;
    j["data"] = data;
    j["points"] = nlohmann::ordered_json::array();
    j["unmodelled_points"] = nlohmann::ordered_json::array();
    for (const auto& res : r.results) {
      const MeasuredPoint& p = res.prepared->point;
      nlohmann::ordered_json pj;
      pj["id"] = p.id;
      if (!res.modelled) {
        pj["metric"] = p.metric;
        pj["reason"] = res.reason;
        j["unmodelled_points"].push_back(pj);
        continue;
      }
      pj["metric"] = p.metric;
      pj["hardware"] = p.hardware;
      pj["model"] = p.model;
      pj["scenario"] = p.scenario;
      pj["measured"] = p.value;
      pj["predicted"] = res.predicted;
      pj["error_pct"] = res.error_pct;
      if (!res.prepared->assumed.empty()) pj["assumed"] = Assumed(*res.prepared);
      j["points"].push_back(pj);
    }
    nlohmann::ordered_json s = StatsJson(r.overall);
    s["throughput"] = StatsJson(r.throughput);
    s["by_metric"] = GroupJson(r.by_metric);
    s["by_hardware"] = GroupJson(r.by_hardware);
    s["by_model"] = GroupJson(r.by_model);
    s["by_source"] = GroupJson(r.by_source);
    s["by_regime"] = GroupJson(r.by_regime);
    s["by_scenario"] = GroupJson(r.by_scenario);
    s["unmodelled"] = r.unmodelled;
    s["unmodelled_reasons"] = r.unmodelled_reasons;
    j["summary"] = s;
    const BandCoverage c = CoverageOf(r, *table);
    j["range_80_coverage"] = {{"fitted_inside", c.fitted_inside},
                              {"fitted", c.fitted},
                              {"simulated_inside", c.simulated_inside},
                              {"simulated", c.simulated}};
    std::printf("%s\n", j.dump(2).c_str());
    return Status::Ok();
  }
  std::string out;
  if (!a.summary_only) {
    TextTable t(
        {"id", "hardware", "model", "scenario", "metric", "measured", "predicted", "error %"});
    for (const auto& res : r.results) {
      if (!res.modelled) continue;
      const MeasuredPoint& p = res.prepared->point;
      t.AddRow({p.id, p.hardware, p.model, p.scenario, p.metric, FormatSi(p.value),
                FormatSi(res.predicted), FormatFixed(res.error_pct, 1)});
    }
    out += t.Render() + "\n";
  }
  out += SummaryText(r, data);
  out += "\n" + CoverageText(CoverageOf(r, *table));
  std::fputs(out.c_str(), stdout);
  return Status::Ok();
}

}  // namespace

void AddValidateCommand(CLI::App* sub, CliContext* ctx) {
  auto a = std::make_shared<ValidateArgs>();
  sub->add_option("--data", a->data,
                  "measured CSV file or folder (default: the catalog's measured/ folder)");
  sub->add_flag("--json", a->json, "print points and summary as JSON");
  sub->add_flag("--summary-only", a->summary_only, "print only the summary tables");
  sub->add_option("--csv", a->csv, "write per-point predictions to this CSV file");
  sub->add_option("--default-precision", a->default_precision,
                  "weight format of rows that state none: native (the checkpoint's) or best "
                  "(the narrowest the chip runs)")
      ->capture_default_str();
  sub->add_option("--markdown", a->markdown, "write the accuracy report (docs/models/accuracy.md)");
  sub->callback([ctx, a] { ctx->status = RunValidate(ctx, *a); });
}

}  // namespace perftco::cli
