#include <cstdio>

#include "commands.h"
#include "economics_report.h"
#include "estimate_json.h"
#include "perftco/economics_scenario.h"
#include "perftco/names.h"
#include "perftco/scenario.h"
#include "perftco/text_table.h"
#include "perftco/yaml_fields.h"
#include "plan_report.h"
#include "simulate_report.h"
#include "training_scenarios.h"

namespace perftco::cli {
namespace {

std::string Ratio(double x) { return FormatFixed(x, x < 10 ? 2 : 1) + "x"; }

Status RunWorkloadComparison(CliContext* ctx, const YAML::Node& root, const std::string& path,
                             bool json) {
  PERFTCO_ASSIGN_OR_RETURN(WorkloadComparisonScenario sc, ParseWorkloadComparison(root, path));
  PERFTCO_ASSIGN_OR_RETURN(std::shared_ptr<Setup> setup, SetupFrom(ctx, sc.setup));
  PERFTCO_ASSIGN_OR_RETURN(std::vector<WorkloadResult> rows,
                           CompareWorkloads(*setup->cost, sc.workloads, sc.tpot_slo));
  const WorkloadResult& base = rows.front();
  if (json) {
    nlohmann::ordered_json j;
    j["scenario"] = sc.name;
    j["setup"] = SetupJson(*setup);
    j["tpot_slo_ms"] = sc.tpot_slo.value() * 1e3;
    j["workloads"] = nlohmann::ordered_json::array();
    for (const auto& r : rows) {
      nlohmann::ordered_json w = PointJson(r.point);
      w["name"] = r.workload.name;
      w["isl"] = r.workload.isl;
      w["osl"] = r.workload.osl;
      w["max_batch"] = r.max_batch;
      w["kv_gb_per_sequence"] = r.kv_gb_per_sequence;
      w["chip_seconds_per_query"] = r.chip_seconds_per_query;
      w["cost_per_query_vs_first"] = r.chip_seconds_per_query / base.chip_seconds_per_query;
      j["workloads"].push_back(w);
    }
    std::printf("%s\n", j.dump(2).c_str());
    return Status::Ok();
  }
  std::string out = "scenario: " + sc.name + "\n" + sc.description + "\n\n";
  out += SetupText(*setup, base.workload.isl, base.workload.osl, base.max_batch);
  out += "TPOT target: " + FormatFixed(sc.tpot_slo.value() * 1e3, 1) + " ms per token\n\n";
  TextTable t({"workload", "in", "out", "KV GB/seq", "max batch", "batch @TPOT", "TPOT ms",
               "tok/s/chip", "chip-s/query", "cost/query"});
  for (const auto& r : rows) {
    t.AddRow({r.workload.name, std::to_string(r.workload.isl), std::to_string(r.workload.osl),
              FormatFixed(r.kv_gb_per_sequence, 2), std::to_string(r.max_batch),
              std::to_string(r.batch), FormatFixed(r.point.tpot.value() * 1e3, 1),
              FormatFixed(r.point.output_tokens_per_s_per_chip, 1),
              FormatFixed(r.chip_seconds_per_query, 2),
              Ratio(r.chip_seconds_per_query / base.chip_seconds_per_query)});
  }
  out += t.Render();
  for (size_t i = 1; i < rows.size(); ++i) {
    const WorkloadResult& r = rows[i];
    const double tokens = static_cast<double>(r.workload.osl) / base.workload.osl;
    const double kv = r.kv_gb_per_sequence / base.kv_gb_per_sequence;
    const double batch = static_cast<double>(base.batch) / r.batch;
    const double per_token =
        base.point.output_tokens_per_s_per_chip / r.point.output_tokens_per_s_per_chip;
    out += "\nwhy " + r.workload.name + " costs " +
           Ratio(r.chip_seconds_per_query / base.chip_seconds_per_query) + " " +
           base.workload.name + " per query:\n";
    out += "  - each sequence holds " + Ratio(kv) + " the KV cache (" +
           std::to_string(r.workload.isl + r.workload.osl) + " vs " +
           std::to_string(base.workload.isl + base.workload.osl) +
           " tokens), so the server holds " +
           Ratio(static_cast<double>(base.max_batch) / std::max<int64_t>(1, r.max_batch)) +
           " fewer sequences (" + std::to_string(r.max_batch) + " vs " +
           std::to_string(base.max_batch) + ");\n";
    out += "  - at the same TPOT target the batch is " + Ratio(batch) + " smaller (" +
           std::to_string(r.batch) + " vs " + std::to_string(base.batch) +
           "): longer contexts make every decode step read more KV;\n";
    out += "  - so each output token costs " + Ratio(per_token) + " as much chip time;\n";
    out += "  - and a query produces " + Ratio(tokens) + " the output tokens;\n";
    out += "  - together: " + Ratio(per_token) + " x " + Ratio(tokens) + " = " +
           Ratio(per_token * tokens) + " the chip time per query.\n";
  }
  std::fputs(out.c_str(), stdout);
  return Status::Ok();
}

Status RunScenario(CliContext* ctx, const std::string& path, bool json) {
  PERFTCO_ASSIGN_OR_RETURN(YAML::Node root, LoadScenarioYaml(path));
  const std::string kind = ScenarioKind(root);
  if (kind == "workload-comparison") return RunWorkloadComparison(ctx, root, path, json);
  if (kind == "simulate") {
    PERFTCO_ASSIGN_OR_RETURN(SimulateOptions o, ParseSimulateScenario(root, path));
    SimulateOutputs out;
    out.json = json;
    return RunSimulate(ctx, o, out);
  }
  if (IsTrainingScenarioKind(kind)) return RunTrainingScenario(ctx, kind, root, path, json);
  if (kind == "sweep") {
    return Status::Error(path + ": a sweep runs with perftco sweep " + path +
                         " (--jobs, --out, --pareto)");
  }
  bool handled = false;
  Status economics = RunEconomicsScenario(ctx, kind, root, path, json, &handled);
  if (handled) return economics;
  Status plan = RunPlanScenario(ctx, kind, root, path, json, &handled);
  if (handled) return plan;
  return Status::Error(path + ": unknown scenario kind '" + kind +
                       "': use workload-comparison, simulate, " +
                       JoinNames(EconomicsScenarioKinds()) + ", " + JoinNames(PlanScenarioKinds()) +
                       ", rl-step, training-cluster-comparison, training-reliability or "
                       "training-validation");
}

}  // namespace

void AddRunCommand(CLI::App* sub, CliContext* ctx) {
  auto path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  sub->add_option("scenario", *path, "scenario YAML file")->required();
  sub->add_flag("--json", *json, "print JSON");
  sub->callback([ctx, path, json] {
    ctx->status = GuardYaml(*path, [&] { return RunScenario(ctx, *path, *json); });
  });
}

}  // namespace perftco::cli
