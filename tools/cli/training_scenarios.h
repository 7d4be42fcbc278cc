// The training module's scenario kinds for `perftco run` (rl-step, training-cluster-comparison,
// training-reliability, training-validation).
#ifndef PERFTCO_TOOLS_CLI_TRAINING_SCENARIOS_H_
#define PERFTCO_TOOLS_CLI_TRAINING_SCENARIOS_H_

#include <yaml-cpp/yaml.h>

#include <string>

#include "cli_context.h"

namespace perftco::cli {

bool IsTrainingScenarioKind(const std::string& kind);
// Runs a scenario of one of those kinds and prints its report (text or JSON).
Status RunTrainingScenario(CliContext* ctx, const std::string& kind, const YAML::Node& root,
                           const std::string& path, bool json);

}  // namespace perftco::cli

#endif  // PERFTCO_TOOLS_CLI_TRAINING_SCENARIOS_H_
