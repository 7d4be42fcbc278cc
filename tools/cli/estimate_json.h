// JSON and table forms of estimate results, shared by `estimate` and `run`.
#ifndef PERFTCO_TOOLS_CLI_ESTIMATE_JSON_H_
#define PERFTCO_TOOLS_CLI_ESTIMATE_JSON_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "perftco/estimate.h"
#include "perftco/setup.h"
#include "perftco/token_cost.h"

namespace perftco::cli {

nlohmann::ordered_json SetupJson(const Setup& s);
nlohmann::ordered_json PointJson(const EstimatePoint& p);
// The header lines: model, hardware, plan, memory per chip.
std::string SetupText(const Setup& s, int64_t isl, int64_t osl, int64_t max_batch);
std::string PointsTable(const std::vector<EstimatePoint>& points);
// Per point: $/M output and input tokens owned and rented, price with margin, J/token, tok/s/MW.
std::string EconomicsTable(const std::vector<EstimatePoint>& points,
                           const std::vector<TokenEconomics>& money);

}  // namespace perftco::cli

#endif  // PERFTCO_TOOLS_CLI_ESTIMATE_JSON_H_
