// Registration functions of the subcommands, one file each.
#ifndef PERFTCO_TOOLS_CLI_COMMANDS_H_
#define PERFTCO_TOOLS_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "cli_context.h"

namespace perftco::cli {

void AddListCommand(CLI::App* sub, CliContext* ctx);
void AddShowCommand(CLI::App* sub, CliContext* ctx);
void AddEstimateCommand(CLI::App* sub, CliContext* ctx);
void AddPlanCommand(CLI::App* sub, CliContext* ctx);
void AddRunCommand(CLI::App* sub, CliContext* ctx);
void AddValidateCommand(CLI::App* sub, CliContext* ctx);
void AddCalibrateCommand(CLI::App* sub, CliContext* ctx);
void AddTcoCommand(CLI::App* sub, CliContext* ctx);
void AddCompareCommand(CLI::App* sub, CliContext* ctx);
void AddSensitivityCommand(CLI::App* sub, CliContext* ctx);
void AddSweepCommand(CLI::App* sub, CliContext* ctx);
void AddDatacenterCommand(CLI::App* sub, CliContext* ctx);
void AddTrainCommand(CLI::App* sub, CliContext* ctx);
void AddRlCommand(CLI::App* sub, CliContext* ctx);
void AddSimulateCommand(CLI::App* sub, CliContext* ctx);

}  // namespace perftco::cli

#endif  // PERFTCO_TOOLS_CLI_COMMANDS_H_
