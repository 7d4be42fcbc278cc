// Text and JSON forms of economics results shared by `datacenter` and the economics scenarios.
#ifndef PERFTCO_TOOLS_CLI_ECONOMICS_REPORT_H_
#define PERFTCO_TOOLS_CLI_ECONOMICS_REPORT_H_

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli_context.h"
#include "perftco/datacenter.h"

namespace perftco::cli {

std::string SitePlanText(const SiteSpec& site, const CpuServerSpec& old_server,
                         const CpuServerSpec& new_server, const AiSystemSpec& ai,
                         const SitePlan& plan);
nlohmann::ordered_json SitePlanJson(const SiteSpec& site, const CpuServerSpec& old_server,
                                    const CpuServerSpec& new_server, const AiSystemSpec& ai,
                                    const SitePlan& plan);

// "1,234,567" (no decimals).
std::string Thousands(double v);

// Runs a scenario of one of EconomicsScenarioKinds() and prints it; false in *handled when
// `kind` is not an economics kind.
Status RunEconomicsScenario(CliContext* ctx, const std::string& kind, const YAML::Node& root,
                            const std::string& path, bool json, bool* handled);

}  // namespace perftco::cli

#endif  // PERFTCO_TOOLS_CLI_ECONOMICS_REPORT_H_
