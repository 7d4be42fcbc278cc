#include "perftco/economics_scenario.h"

#include <algorithm>
#include <cmath>

#include "perftco/names.h"
#include "perftco/yaml_fields.h"

namespace perftco {
namespace {

// Reads {value, source, date, note} (value required; a source or a note required).
Status ReadAssumption(const YAML::Node& n, const char* key, const std::string& where,
                      ScenarioAssumption* out) {
  const YAML::Node a = n[key];
  const std::string field = where + ": " + key;
  if (!a || !a.IsMap()) {
    return Status::Error(field + " must be a map {value, source, date, note}");
  }
  PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(a, {"value", "source", "date", "note"}, field));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(a, "value", field, &out->value, true));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(a, "source", field, &out->source));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(a, "date", field, &out->date));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(a, "note", field, &out->note));
  if (out->source.empty() && out->note.empty()) {
    return Status::Error(field + " needs a source or a note saying why it is assumed");
  }
  if (!(out->value > 0) || !std::isfinite(out->value)) {
    return Status::Error(field + ".value must be positive");
  }
  return Status::Ok();
}

// isl, osl and tpot_slo_ms of `n`.
Status ReadWorkload(const YAML::Node& n, const std::string& where, SloWorkload* w) {
  double slo_ms = 0;
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "isl", where, &w->isl, true));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "osl", where, &w->osl, true));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "tpot_slo_ms", where, &slo_ms, true));
  if (w->isl <= 0 || w->osl <= 0) return Status::Error(where + ": isl and osl must be positive");
  if (!(slo_ms > 0)) return Status::Error(where + ": 'tpot_slo_ms' must be positive");
  w->tpot_slo = Milliseconds(slo_ms);
  return Status::Ok();
}

// hardware, precision, kv_precision, activation_precision (model when `with_model`).
Status ReadSetup(const YAML::Node& n, const std::string& where, bool with_model, SetupOptions* o) {
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "hardware", where, &o->hardware, true));
  if (with_model) PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "model", where, &o->model, true));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "precision", where, &o->precision));
  if (n["kv_precision"]) {
    std::string kv;
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "kv_precision", where, &kv));
    o->kv_precision = kv;
  }
  if (n["activation_precision"]) {
    std::string act;
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "activation_precision", where, &act));
    o->activation_precision = act;
  }
  return Status::Ok();
}

std::vector<std::string> With(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const std::vector<std::string> kCommon = {"kind", "name", "description", "economics"};
const std::vector<std::string> kSetup = {"hardware", "precision", "kv_precision",
                                         "activation_precision"};
const std::vector<std::string> kWorkload = {"isl", "osl", "tpot_slo_ms"};

Status ReadCommon(const YAML::Node& root, const std::string& path, std::string* name,
                  std::string* description, EconomicsOptions* economics) {
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "name", path, name, true));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "description", path, description));
  return ParseEconomicsOptions(root["economics"], path, economics);
}

}  // namespace

const std::vector<std::string>& EconomicsScenarioKinds() {
  static const std::vector<std::string> kKinds = {"model-size-cost", "memory-per-dollar",
                                                  "fleet-tokens-per-person",
                                                  "datacenter-consolidation", "workload-cost"};
  return kKinds;
}

Result<ModelSizeCostResult> RunModelSizeCost(const EconomicsContext& ctx, const YAML::Node& root,
                                             const std::string& path) {
  PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(
      root, With(With(With(kCommon, kSetup), kWorkload), {"models", "margins"}), path));
  ModelSizeCostResult r;
  ModelSizeCostScenario& s = r.scenario;
  PERFTCO_RETURN_IF_ERROR(ReadCommon(root, path, &s.name, &s.description, &s.economics));
  PERFTCO_RETURN_IF_ERROR(ReadSetup(root, path, false, &s.base));
  PERFTCO_RETURN_IF_ERROR(ReadWorkload(root, path, &s.workload));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "models", path, &s.models, true));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "margins", path, &s.margins));
  if (s.models.size() < 2) return Status::Error(path + ": 'models' must list at least two models");
  for (double m : s.margins) {
    if (!(m >= 0 && m < 1)) return Status::Error(path + ": margins must be in [0, 1)");
  }
  for (const auto& model : s.models) {
    SetupOptions o = s.base;
    o.model = model;
    PERFTCO_ASSIGN_OR_RETURN(SystemComparison row,
                             EvaluateSystem(ctx.catalog, ctx.efficiency, ctx.data, s.economics, o,
                                            s.base.hardware, s.workload));
    if (!row.status.ok()) return Status::Error(path + ": " + model + ": " + row.status.message());
    r.rows.push_back(std::move(row));
  }
  return r;
}

Result<MemoryPerDollarResult> RunMemoryPerDollar(const EconomicsContext& ctx,
                                                 const YAML::Node& root, const std::string& path) {
  PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(root, With(kCommon, {"hardware", "focus"}), path));
  MemoryPerDollarResult r;
  MemoryPerDollarScenario& s = r.scenario;
  PERFTCO_RETURN_IF_ERROR(ReadCommon(root, path, &s.name, &s.description, &s.economics));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "hardware", path, &s.hardware));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "focus", path, &s.focus, true));
  std::vector<std::string> names = s.hardware;
  if (names.empty()) {
    for (const auto& hw : ctx.catalog.hardware()) names.push_back(hw.name);
  }
  PERFTCO_ASSIGN_OR_RETURN(Hardware focus_hw, ctx.catalog.FindHardware(s.focus));
  s.focus = focus_hw.name;
  const MemoryRow* focus = nullptr;
  for (const auto& name : names) {
    PERFTCO_ASSIGN_OR_RETURN(Hardware hw, ctx.catalog.FindHardware(name));
    MemoryRow row;
    row.hardware = hw.name;
    row.hbm_gb = hw.hbm_capacity.value() / kGiga;
    row.hbm_tbps = hw.hbm_bandwidth.value() / kTera;
    PERFTCO_ASSIGN_OR_RETURN(row.chip, EvaluateChip(hw, ctx.data, s.economics));
    row.value = MemoryPerDollar(hw, row.chip);
    r.rows.push_back(std::move(row));
  }
  for (const auto& row : r.rows) {
    if (row.hardware == s.focus) focus = &row;
  }
  if (!focus) return Status::Error(path + ": focus '" + s.focus + "' is not among 'hardware'");

  // Break-even prices: at what price would the focus system tie the leader of each ranking?
  struct Metric {
    const char* name;
    std::optional<double> MemoryValue::*field;
    bool purchase;
    double quantity;  // the focus system's GB or TB/s
  };
  const Metric metrics[] = {
      {"HBM GB per 1000 USD at purchase", &MemoryValue::hbm_gb_per_kusd, true, focus->hbm_gb},
      {"HBM TB/s per 1000 USD at purchase", &MemoryValue::hbm_tbps_per_kusd, true, focus->hbm_tbps},
      {"HBM GB per USD/hour at rental", &MemoryValue::hbm_gb_per_usd_hour, false, focus->hbm_gb},
      {"HBM TB/s per USD/hour at rental", &MemoryValue::hbm_tbps_per_usd_hour, false,
       focus->hbm_tbps},
  };
  for (const Metric& m : metrics) {
    if (focus->value.*m.field) continue;  // known: the ranking answers directly
    BreakEven b;
    b.metric = m.name;
    for (const auto& row : r.rows) {
      const auto& v = row.value.*m.field;
      if (row.hardware == s.focus || !v) continue;
      if (*v > b.leader_value) {
        b.leader_value = *v;
        b.leader = row.hardware;
      }
    }
    if (b.leader.empty()) continue;
    b.focus_price = m.purchase ? m.quantity / b.leader_value * 1e3 : m.quantity / b.leader_value;
    r.break_even.push_back(b);
  }
  return r;
}

Result<FleetTokensResult> RunFleetTokens(const EconomicsContext& ctx, const YAML::Node& root,
                                         const std::string& path) {
  PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(
      root,
      With(With(With(kCommon, kSetup), kWorkload), {"model", "shipments", "share", "utilisation",
                                                    "population", "claim_tokens_per_s_per_person"}),
      path));
  FleetTokensResult r;
  FleetTokensScenario& s = r.scenario;
  PERFTCO_RETURN_IF_ERROR(ReadCommon(root, path, &s.name, &s.description, &s.economics));
  PERFTCO_RETURN_IF_ERROR(ReadSetup(root, path, true, &s.base));
  PERFTCO_RETURN_IF_ERROR(ReadWorkload(root, path, &s.workload));
  PERFTCO_RETURN_IF_ERROR(ReadAssumption(root, "shipments", path, &s.shipments));
  PERFTCO_RETURN_IF_ERROR(ReadAssumption(root, "share", path, &s.share));
  PERFTCO_RETURN_IF_ERROR(ReadAssumption(root, "utilisation", path, &s.utilisation));
  PERFTCO_RETURN_IF_ERROR(ReadAssumption(root, "population", path, &s.population));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "claim_tokens_per_s_per_person", path,
                                        &s.claim_tokens_per_s_per_person, true));
  if (s.share.value > 1) return Status::Error(path + ": share.value must be in (0, 1]");
  if (s.utilisation.value > 1) {
    return Status::Error(path + ": utilisation.value must be in (0, 1]");
  }
  if (!(s.claim_tokens_per_s_per_person > 0)) {
    return Status::Error(path + ": 'claim_tokens_per_s_per_person' must be positive");
  }
  PERFTCO_ASSIGN_OR_RETURN(
      r.system, EvaluateSystem(ctx.catalog, ctx.efficiency, ctx.data, s.economics, s.base,
                               s.base.hardware, s.workload));
  if (!r.system.status.ok()) return Status::Error(path + ": " + r.system.status.message());
  const SystemAtSlo& at = *r.system.at_slo;
  r.serving_chips = s.shipments.value * s.share.value;
  const double per_chip = at.throughput.output_tokens_per_s_per_chip;
  r.fleet_output_tokens_per_s = r.serving_chips * per_chip * s.utilisation.value;
  r.output_tokens_per_s_per_person = r.fleet_output_tokens_per_s / s.population.value;
  r.required_tokens_per_s_per_chip = s.claim_tokens_per_s_per_person * s.population.value /
                                     (r.serving_chips * s.utilisation.value);
  const Setup& setup = *at.setup;
  const FlopsPerSecond peak = setup.hardware.Peak(
      setup.hardware.ComputePrecision(setup.precisions.weights, setup.precisions.activations));
  r.ceiling_tokens_per_s_per_chip = peak.value() / (2.0 * setup.model.ActiveParams());
  r.ceiling_tokens_per_s_per_person =
      r.serving_chips * r.ceiling_tokens_per_s_per_chip * s.utilisation.value / s.population.value;
  if (r.system.chip.owned_per_hour) {
    r.yearly_cost = r.system.chip.owned_per_hour->Total() * (r.serving_chips * kHoursPerYear);
  }
  return r;
}

Result<ConsolidationResult> RunConsolidation(const EconomicsContext& ctx, const YAML::Node& root,
                                             const std::string& path) {
  PERFTCO_RETURN_IF_ERROR(
      CheckYamlKeys(root,
                    With(kCommon, {"budget_mw", "pue", "old_server", "old_count", "replacements",
                                   "claim_old_servers_per_new", "ai"}),
                    path));
  ConsolidationResult r;
  ConsolidationScenario& s = r.scenario;
  PERFTCO_RETURN_IF_ERROR(ReadCommon(root, path, &s.name, &s.description, &s.economics));
  double budget_mw = 0;
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "budget_mw", path, &budget_mw, true));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "pue", path, &s.site.pue, true));
  if (!(budget_mw > 0)) return Status::Error(path + ": 'budget_mw' must be positive");
  s.site.budget = Watts(budget_mw * 1e6);
  std::string old_name;
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "old_server", path, &old_name, true));
  PERFTCO_ASSIGN_OR_RETURN(s.old_server, ctx.data.FindCpuServer(old_name));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "old_count", path, &s.old_count));
  PERFTCO_RETURN_IF_ERROR(
      ReadYamlField(root, "claim_old_servers_per_new", path, &s.claim_old_servers_per_new));
  const YAML::Node reps = root["replacements"];
  if (!reps || !reps.IsSequence() || reps.size() < 1) {
    return Status::Error(path + ": 'replacements' must list at least one {server}");
  }
  for (size_t i = 0; i < reps.size(); ++i) {
    const std::string where = path + ": replacements[" + std::to_string(i) + "]";
    PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(reps[i], {"server", "per_core_perf"}, where));
    std::string name;
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(reps[i], "server", where, &name, true));
    ReplacementOption opt;
    PERFTCO_ASSIGN_OR_RETURN(opt.server, ctx.data.FindCpuServer(name));
    if (reps[i]["per_core_perf"]) {
      ScenarioAssumption a;
      PERFTCO_RETURN_IF_ERROR(ReadAssumption(reps[i], "per_core_perf", where, &a));
      opt.server.per_core_perf = a.value;
      opt.per_core_note =
          a.source.empty() ? a.note : a.source + (a.note.empty() ? "" : "; " + a.note);
    }
    s.replacements.push_back(std::move(opt));
  }
  const YAML::Node ai = root["ai"];
  if (!ai)
    return Status::Error(path + ": 'ai' {hardware, model, isl, osl, tpot_slo_ms} is required");
  PERFTCO_RETURN_IF_ERROR(
      CheckYamlKeys(ai, With(With(kSetup, kWorkload), {"model"}), path + ": ai"));
  PERFTCO_RETURN_IF_ERROR(ReadSetup(ai, path + ": ai", true, &s.ai_base));
  PERFTCO_RETURN_IF_ERROR(ReadWorkload(ai, path + ": ai", &s.ai_workload));

  // One site, one PUE: the AI systems' TCO uses the site's unless economics.pue says otherwise.
  s.economics.assumptions.emplace("pue", s.site.pue);
  PERFTCO_ASSIGN_OR_RETURN(r.ai, EvaluateSystem(ctx.catalog, ctx.efficiency, ctx.data, s.economics,
                                                s.ai_base, s.ai_base.hardware, s.ai_workload));
  if (!r.ai.status.ok()) return Status::Error(path + ": " + r.ai.status.message());
  PERFTCO_ASSIGN_OR_RETURN(Hardware hw, ctx.catalog.FindHardware(s.ai_base.hardware));
  PERFTCO_ASSIGN_OR_RETURN(
      r.ai_system,
      AiSystemOf(hw, ctx.data, r.ai.chip, r.ai.at_slo->throughput.output_tokens_per_s_per_chip));
  CpuFleet fleet{s.old_server, s.old_count};
  if (fleet.count == 0) fleet.count = FleetFillingSite(s.site, s.old_server);
  for (const auto& opt : s.replacements) {
    auto plan = PlanSite(s.site, fleet, opt.server, r.ai_system);
    if (!plan.ok()) return Status::Error(path + ": " + plan.status().message());
    r.plans.push_back(*plan);
  }
  return r;
}

Result<WorkloadCostResult> RunWorkloadCost(const EconomicsContext& ctx, const YAML::Node& root,
                                           const std::string& path) {
  WorkloadCostResult r;
  PERFTCO_RETURN_IF_ERROR(ParseEconomicsOptions(root["economics"], path, &r.economics));
  // The rest is a workload-comparison scenario under another kind.
  YAML::Node rest = YAML::Clone(root);
  rest.remove("economics");
  PERFTCO_ASSIGN_OR_RETURN(r.scenario, ParseWorkloadComparison(rest, path));
  PERFTCO_ASSIGN_OR_RETURN(r.setup, BuildSetup(ctx.catalog, ctx.efficiency, r.scenario.setup));
  PERFTCO_ASSIGN_OR_RETURN(
      r.rows, CompareWorkloads(*r.setup->cost, r.scenario.workloads, r.scenario.tpot_slo));
  PERFTCO_ASSIGN_OR_RETURN(r.chip, EvaluateChip(r.setup->hardware, ctx.data, r.economics));
  for (const auto& row : r.rows) {
    Throughput t;
    t.output_tokens_per_s_per_chip = row.point.output_tokens_per_s_per_chip;
    const double prefill = row.point.ttft.value() * r.setup->plan.ChipsPerReplica();
    if (prefill > 0) {
      t.input_tokens_per_s_per_chip = static_cast<double>(row.batch * row.workload.isl) / prefill;
    }
    t.chips = r.setup->plan.Chips();
    r.tokens.push_back(TokenCosts(r.chip, t, r.economics.margin));
  }
  return r;
}

}  // namespace perftco
