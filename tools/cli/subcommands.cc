// The table of subcommands: adding one is one file plus one row here.
#include "cli_context.h"
#include "commands.h"

namespace perftco::cli {

const std::vector<Subcommand>& Subcommands() {
  static const std::vector<Subcommand> kTable = {
      {"list", "list hardware or models in the catalog", AddListCommand},
      {"show", "show one hardware or model entry with its sources", AddShowCommand},
      {"estimate", "analytical latency, throughput and memory for a static batch",
       AddEstimateCommand},
      {"simulate", "discrete-event serving simulation: latency percentiles, goodput, preemption",
       AddSimulateCommand},
      {"run", "run a scenario file from scenarios/", AddRunCommand},
  };
  return kTable;
}

}  // namespace perftco::cli
