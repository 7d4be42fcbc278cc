// Text, JSON and CSV forms of plan searches and plan scenarios, shared by `plan` and `run`.
#ifndef PERFTCO_TOOLS_CLI_PLAN_REPORT_H_
#define PERFTCO_TOOLS_CLI_PLAN_REPORT_H_

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli_context.h"
#include "perftco/plan_scenario.h"
#include "perftco/serving_plan.h"

namespace perftco::cli {

// The plan search report: header, best layout, the layouts (best first; `all` or the first
// kShownLayouts), the Pareto front, and the rejected layouts' reasons.
std::string PlanSearchText(const PlanSearchResult& r, bool all);
nlohmann::ordered_json PlanSearchJson(const PlanSearchResult& r);
// The prefill/decode (xPyD) comparison under the plan report.
std::string DisaggText(const PlanSearchResult& r, const DisaggComparison& c);
nlohmann::ordered_json DisaggJson(const PlanSearchResult& r, const DisaggComparison& c);
// Every evaluated point, one line each, with on_pareto / at_slo / best flags.
std::string PlanSearchCsv(const PlanSearchResult& r);

// "tp8-pp2 fp8" and similar short names of a layout.
std::string LayoutName(const LayoutResult& l);

// `perftco run` for the plan scenario kinds; *handled is false for other kinds.
Status RunPlanScenario(CliContext* ctx, const std::string& kind, const YAML::Node& root,
                       const std::string& path, bool json, bool* handled);
// The kinds RunPlanScenario handles.
const std::vector<std::string>& PlanScenarioKinds();

}  // namespace perftco::cli

#endif  // PERFTCO_TOOLS_CLI_PLAN_REPORT_H_
