// JSON and table forms of estimate results, shared by `estimate` and `run`.
#ifndef PERFTCO_TOOLS_CLI_ESTIMATE_JSON_H_
#define PERFTCO_TOOLS_CLI_ESTIMATE_JSON_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "perftco/efficiency.h"
#include "perftco/estimate.h"
#include "perftco/setup.h"
#include "perftco/token_cost.h"

namespace perftco::cli {

nlohmann::ordered_json SetupJson(const Setup& s);
nlohmann::ordered_json PointJson(const EstimatePoint& p);
// With the 80% ranges of TTFT, TPOT and tokens/s per chip (`*_range` fields).
nlohmann::ordered_json PointJson(const EstimatePoint& p, const ErrorBands& bands);
// The header lines: model, hardware, plan, memory per chip.
std::string SetupText(const Setup& s, int64_t isl, int64_t osl, int64_t max_batch);
std::string PointsTable(const std::vector<EstimatePoint>& points);
// The 80% range of a prediction from its family's calibration residuals: [value x low, value x
// high]; null JSON / "unknown" text when no calibration has written the band.
nlohmann::ordered_json RangeJson(double value, const ErrorBand& band);
std::string RangeText(double value, const ErrorBand& band, int decimals);
// {"throughput": [low, high], "latency": [low, high], "basis": ...}, or null.
nlohmann::ordered_json BandsJson(const ErrorBands& bands);
// Per point the 80% ranges of TTFT, TPOT and tokens/s per chip, with the basis.
std::string PointRangesTable(const std::vector<EstimatePoint>& points, const ErrorBands& bands);
// Per point: $/M output and input tokens owned and rented, price with margin, J/token, tok/s/MW.
std::string EconomicsTable(const std::vector<EstimatePoint>& points,
                           const std::vector<TokenEconomics>& money);
// The range of $/M output tokens over the model's 80% throughput band and the sourced price
// range (TokenCostsOverRange), for each point of `points`.
std::vector<TokenCostRange> CostRanges(const ChipEconomicsRange& chip, const ParallelPlan& plan,
                                       const std::vector<EstimatePoint>& points, int64_t isl,
                                       const ErrorBands& bands, double margin);
// {"usd_per_m_out_owned_range": [low, high], "usd_per_m_out_rented_range": ...}, null if unknown.
nlohmann::ordered_json CostRangeJson(const TokenCostRange& r);
// Per point the two ranges, with what they combine.
std::string CostRangesTable(const std::vector<EstimatePoint>& points,
                            const std::vector<TokenCostRange>& ranges, const ErrorBands& bands);

}  // namespace perftco::cli

#endif  // PERFTCO_TOOLS_CLI_ESTIMATE_JSON_H_
