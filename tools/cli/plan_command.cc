#include <cstdio>
#include <sstream>

#include "commands.h"
#include "economics_options.h"
#include "perftco/serving_plan.h"
#include "plan_report.h"

namespace perftco::cli {
namespace {

struct PlanArgs {
  SetupOptions setup;
  int chips = 0;
  int64_t isl = 1000;
  int64_t osl = 1000;
  std::optional<double> tpot_slo_ms;
  std::optional<double> ttft_slo_ms;
  bool no_disagg = false;
  std::string precisions = "bf16";
  EconomicsFlags economics;
  bool json = false;
  bool all = false;
  std::string csv;
};

Result<std::vector<std::string>> ParsePrecisionList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) return Status::Error("--precision lists an empty format");
    auto p = ParsePrecision(item);
    if (!p.ok()) return p.status();
    out.push_back(item);
  }
  if (out.empty()) return Status::Error("--precision is empty");
  return out;
}

Status RunPlan(CliContext* ctx, const PlanArgs& a) {
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
  PERFTCO_ASSIGN_OR_RETURN(const EfficiencyTable* table, ctx->efficiency());
  PlanSearchOptions o;
  o.base = a.setup;
  o.chips = a.chips;
  o.isl = a.isl;
  o.osl = a.osl;
  if (a.tpot_slo_ms) o.tpot_slo = Milliseconds(*a.tpot_slo_ms);
  PERFTCO_ASSIGN_OR_RETURN(o.precisions, ParsePrecisionList(a.precisions));
  o.base.precision = o.precisions.front();
  // Economics first: bad economics flags fail before the search runs.
  PERFTCO_ASSIGN_OR_RETURN(EconomicsOptions econ_options, ResolveEconomicsFlags(ctx, a.economics));
  PERFTCO_ASSIGN_OR_RETURN(EconomicsData econ_data, LoadEconomics(ctx));
  PERFTCO_ASSIGN_OR_RETURN(Hardware hw, catalog->FindHardware(a.setup.hardware));
  PERFTCO_ASSIGN_OR_RETURN(ChipEconomics chip, EvaluateChip(hw, econ_data, econ_options));
  o.chip_economics = &chip;
  o.margin = econ_options.margin;
  if (a.ttft_slo_ms && !(*a.ttft_slo_ms > 0))
    return Status::Error("--ttft-slo-ms must be positive");
  PERFTCO_ASSIGN_OR_RETURN(PlanSearchResult r, SearchPlans(*catalog, *table, o));
  std::optional<DisaggComparison> disagg;
  if (!a.no_disagg) {
    std::optional<Seconds> ttft;
    if (a.ttft_slo_ms) ttft = Milliseconds(*a.ttft_slo_ms);
    PERFTCO_ASSIGN_OR_RETURN(disagg, CompareDisaggregated(r, ttft, o.tpot_slo));
  }
  // The CSV file first: if it cannot be written, nothing is printed.
  if (!a.csv.empty()) PERFTCO_RETURN_IF_ERROR(WriteFileAtomically(a.csv, PlanSearchCsv(r)));
  std::string out;
  if (a.json) {
    nlohmann::ordered_json j = PlanSearchJson(r);
    j["usd_per_chip_hour"] = chip.owned_per_hour
                                 ? nlohmann::ordered_json(chip.owned_per_hour->Total().value())
                                 : nlohmann::ordered_json(nullptr);
    j["economics_missing"] = chip.missing;
    if (disagg) j["disaggregation"] = DisaggJson(r, *disagg);
    out = j.dump(2) + "\n";
  } else {
    out = PlanSearchText(r, a.all);
    if (disagg) out += DisaggText(r, *disagg);
    out += MissingText(chip, "");
    if (!a.csv.empty()) out += "wrote every evaluated point to " + a.csv + "\n";
  }
  std::fputs(out.c_str(), stdout);
  return Status::Ok();
}

}  // namespace

void AddPlanCommand(CLI::App* sub, CliContext* ctx) {
  auto a = std::make_shared<PlanArgs>();
  sub->add_option("--model,-m", a->setup.model, "model name or path to a HuggingFace config.json")
      ->required();
  sub->add_option("--hardware,-H", a->setup.hardware, "accelerator name (perftco list hardware)")
      ->required();
  sub->add_option("--chips", a->chips, "the chip budget (required): layouts use up to this many");
  sub->add_option("--isl", a->isl, "input tokens per request")->capture_default_str();
  sub->add_option("--osl", a->osl, "output tokens per request")->capture_default_str();
  sub->add_option("--tpot-slo-ms", a->tpot_slo_ms,
                  "rank layouts at the largest batch within this TPOT (default: the largest "
                  "batch that fits)");
  sub->add_option("--ttft-slo-ms", a->ttft_slo_ms,
                  "TTFT target of the prefill/decode (xPyD) comparison: prefill batches within it");
  sub->add_flag("--no-disagg", a->no_disagg,
                "skip the prefill/decode disaggregation (xPyD) comparison");
  sub->add_option("--precision", a->precisions, "weight formats to try, e.g. fp8 or fp8,fp4")
      ->capture_default_str();
  sub->add_option("--activation-precision", a->setup.activation_precision,
                  "GEMM input format (default: the weights' format)");
  sub->add_option("--kv-precision", a->setup.kv_precision, "KV-cache format (default: bf16)");
  sub->add_option("--engine", a->setup.engine, "engine preset: default, vllm, tensorrt-llm, sglang")
      ->capture_default_str();
  sub->add_option("--mem-fraction", a->setup.mem_fraction,
                  "fraction of HBM the engine may use (default: the preset's)");
  sub->add_option("--max-batched-tokens", a->setup.max_batched_tokens,
                  "token budget of one engine step (default: the preset's)");
  sub->add_option("--max-num-seqs", a->setup.max_num_seqs,
                  "most running sequences per replica (default: the preset's; 0: no cap)");
  sub->add_option("--micro-batches", a->setup.micro_batches,
                  "pipeline micro-batches per step (default: one per stage)");
  sub->add_option("--spec-tokens", a->setup.spec_tokens,
                  "speculative decoding: drafted tokens per step (default: off, or the "
                  "engine's default for --spec-method; 0: off)");
  sub->add_option("--spec-method", a->setup.spec_method,
                  "drafter: mtp, eagle or draft:<model> (default: mtp where the model has it)");
  sub->add_option("--acceptance", a->setup.acceptance,
                  "probability that a drafted token is accepted (default: the method's)");
  AddEconomicsOptions(sub, &a->economics);
  sub->add_flag("--json", a->json, "print JSON");
  sub->add_flag("--all", a->all, "list every feasible layout (default: the best 15)");
  sub->add_option("--csv", a->csv, "write every evaluated point to this CSV file");
  sub->callback([ctx, a] { ctx->status = RunPlan(ctx, *a); });
}

}  // namespace perftco::cli
