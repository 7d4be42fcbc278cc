// Text and JSON forms of training, budget and RL results, shared by `train`, `rl` and `run`.
#ifndef PERFTCO_TOOLS_CLI_TRAINING_REPORT_H_
#define PERFTCO_TOOLS_CLI_TRAINING_REPORT_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "perftco/rl.h"
#include "perftco/training.h"
#include "perftco/training_run.h"

namespace perftco::cli {

// "3 significant digits" with k/M/G/T suffixes, for token counts and hours.
std::string Sig(double v);
// Seconds as "850 ms", "12.3 s", "4.2 min", "3.1 h" or "54.0 days".
std::string Duration(Seconds t);
std::string Percent(double fraction, int digits = 1);

nlohmann::ordered_json PlanJson(const TrainingPlan& p);
nlohmann::ordered_json StepJson(const TrainingModel& model, const TrainingStep& step);
// The step report: plan, throughput, time breakdown, communication and memory tables.
std::string StepText(const TrainingModel& model, const TrainingStep& step, int64_t seq_len,
                     bool searched);

// The run's cost part; `price` absent when no price is known.
nlohmann::ordered_json RunJson(const TrainingRun& run, const std::optional<ChipHourPrice>& price);
std::string RunText(const TrainingRun& run, const std::optional<ChipHourPrice>& price,
                    const std::string& tokens_note);

nlohmann::ordered_json BudgetJson(const BudgetPlan& b);
std::string BudgetText(const BudgetPlan& b);

nlohmann::ordered_json RlJson(const RlConfig& config, const RolloutGenerator& gen,
                              const RlStepResult& r);
std::string RlText(const RlConfig& config, const RolloutGenerator& gen, const RlStepResult& r);

}  // namespace perftco::cli

#endif  // PERFTCO_TOOLS_CLI_TRAINING_REPORT_H_
