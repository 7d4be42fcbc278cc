// perftco datacenter: consolidate a site's CPU fleet and fill the freed power with AI systems.
#include <cstdio>

#include "commands.h"
#include "economics_options.h"
#include "economics_report.h"
#include "perftco/compare.h"
#include "perftco/datacenter.h"
#include "perftco/text_table.h"

namespace perftco::cli {
namespace {

struct DatacenterArgs {
  double budget_mw = 0;
  std::string old_server = "xeon-e5-2690v3-2p";
  int64_t old_count = 0;  // 0: fill the site
  std::optional<double> old_per_core_perf;
  std::optional<int> old_cores;
  std::optional<double> old_watts;
  std::string new_server = "epyc-7742-2p";
  std::optional<double> new_per_core_perf;
  std::optional<int> new_cores;
  std::optional<double> new_watts;
  SetupOptions ai;  // model, hardware, precisions
  int64_t isl = 1000;
  int64_t osl = 1000;
  double tpot_slo_ms = 0;
  EconomicsFlags economics;
  bool json = false;
};

Status RunDatacenter(CliContext* ctx, const DatacenterArgs& a) {
  if (!(a.budget_mw > 0)) return Status::Error("--budget-mw must be positive");
  if (a.old_count < 0) return Status::Error("--old-count must be positive (0: fill the site)");
  if (!(a.tpot_slo_ms > 0)) return Status::Error("--tpot-slo-ms must be positive");
  if (a.isl <= 0 || a.osl <= 0) return Status::Error("--isl and --osl must be positive");
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
  PERFTCO_ASSIGN_OR_RETURN(const EfficiencyTable* table, ctx->efficiency());
  PERFTCO_ASSIGN_OR_RETURN(EconomicsOptions options, ResolveEconomicsFlags(ctx, a.economics));
  PERFTCO_ASSIGN_OR_RETURN(EconomicsData data, LoadEconomics(ctx));
  PERFTCO_ASSIGN_OR_RETURN(CpuServerSpec old_server, data.FindCpuServer(a.old_server));
  PERFTCO_ASSIGN_OR_RETURN(CpuServerSpec new_server, data.FindCpuServer(a.new_server));
  // Flags replace the data file's values; PlanSite rejects non-positive ones.
  if (a.old_per_core_perf) old_server.per_core_perf = *a.old_per_core_perf;
  if (a.new_per_core_perf) new_server.per_core_perf = *a.new_per_core_perf;
  if (a.old_cores) old_server.cores = *a.old_cores;
  if (a.new_cores) new_server.cores = *a.new_cores;
  if (a.old_watts) old_server.power = Watts(*a.old_watts);
  if (a.new_watts) new_server.power = Watts(*a.new_watts);
  PERFTCO_ASSIGN_OR_RETURN(Hardware hw, catalog->FindHardware(a.ai.hardware));
  const SloWorkload w{a.isl, a.osl, Milliseconds(a.tpot_slo_ms)};
  PERFTCO_ASSIGN_OR_RETURN(SystemComparison ai,
                           EvaluateSystem(*catalog, *table, data, options, a.ai, hw.name, w));
  if (!ai.status.ok()) return ai.status;
  PERFTCO_ASSIGN_OR_RETURN(
      AiSystemSpec system,
      AiSystemOf(hw, data, ai.chip, ai.at_slo->throughput.output_tokens_per_s_per_chip));
  const SiteSpec site{Watts(a.budget_mw * 1e6), ai.chip.assumptions.pue};
  CpuFleet fleet{old_server, a.old_count > 0 ? a.old_count : FleetFillingSite(site, old_server)};
  PERFTCO_ASSIGN_OR_RETURN(SitePlan plan, PlanSite(site, fleet, new_server, system));
  if (a.json) {
    nlohmann::ordered_json j = SitePlanJson(site, old_server, new_server, system, plan);
    j["ai_plan"] = ai.at_slo->setup->plan.ToString();
    j["ai_plan_note"] = ai.at_slo->plan_note;
    j["ai"] = ChipEconomicsJson(ai.chip);
    std::printf("%s\n", j.dump(2).c_str());
    return Status::Ok();
  }
  std::string out = SitePlanText(site, old_server, new_server, system, plan);
  out += "AI plan: " + ai.at_slo->setup->model.name + " on " + hw.name + ", " +
         ai.at_slo->plan_note + "; batch " + std::to_string(ai.at_slo->batch) + " at TPOT " +
         FormatFixed(a.tpot_slo_ms, 1) + " ms\n";
  out += MissingText(ai.chip, "  ");
  std::fputs(out.c_str(), stdout);
  return Status::Ok();
}

}  // namespace

void AddDatacenterCommand(CLI::App* sub, CliContext* ctx) {
  auto a = std::make_shared<DatacenterArgs>();
  sub->add_option("--budget-mw", a->budget_mw, "the site's facility power budget in MW")
      ->required();
  sub->add_option("--old-server", a->old_server,
                  "CPU server of the existing fleet (data/datacenter/cpu_servers.yaml)")
      ->capture_default_str();
  sub->add_option("--old-count", a->old_count,
                  "servers in the existing fleet (default: as many as the budget powers)");
  sub->add_option("--old-per-core-perf", a->old_per_core_perf,
                  "per-core performance of the old server (default: the data file's)");
  sub->add_option("--old-cores", a->old_cores, "cores per old server (default: the data file's)");
  sub->add_option("--old-watts", a->old_watts,
                  "power per old server in W (default: the data file's)");
  sub->add_option("--new-server", a->new_server, "replacement CPU server")->capture_default_str();
  sub->add_option("--new-cores", a->new_cores, "cores per new server (default: the data file's)");
  sub->add_option("--new-watts", a->new_watts,
                  "power per new server in W (default: the data file's)");
  sub->add_option("--new-per-core-perf", a->new_per_core_perf,
                  "per-core performance of the replacement (default: the data file's)");
  sub->add_option("--ai-hardware", a->ai.hardware, "AI system to fill the power with")->required();
  sub->add_option("--model,-m", a->ai.model, "model the AI systems serve")->required();
  sub->add_option("--precision", a->ai.precision, "weight format")->capture_default_str();
  sub->add_option("--kv-precision", a->ai.kv_precision, "KV-cache format (default: bf16)");
  sub->add_option("--isl", a->isl, "input tokens per request")->capture_default_str();
  sub->add_option("--osl", a->osl, "output tokens per request")->capture_default_str();
  sub->add_option("--tpot-slo-ms", a->tpot_slo_ms, "TPOT target in ms")->required();
  AddEconomicsOptions(sub, &a->economics);
  sub->add_flag("--json", a->json, "print JSON");
  sub->callback([ctx, a] { ctx->status = RunDatacenter(ctx, *a); });
}

}  // namespace perftco::cli
