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
      {"plan", "serving layouts of a model on a chip budget: best at a TPOT target, Pareto front",
       AddPlanCommand},
      {"run", "run a scenario file from scenarios/", AddRunCommand},
      {"validate", "predict published measurements and report the error", AddValidateCommand},
      {"calibrate", "fit efficiency parameters to measurements, with cross-validation",
       AddCalibrateCommand},
      {"tco", "cost of one chip per hour, owned (by part) or rented", AddTcoCommand},
      {"compare", "one model and workload across systems, ranked by dollars per million tokens",
       AddCompareCommand},
      {"sensitivity", "how much each input moves throughput, latency and $/M tokens (elasticities)",
       AddSensitivityCommand},
      {"sweep", "a grid or list of points over scenario fields, estimated, one CSV row each",
       AddSweepCommand},
      {"datacenter", "consolidate a site's CPU fleet and fill the freed power with AI systems",
       AddDatacenterCommand},
      {"train", "training step, plan, memory, time and cost of a run; or what a budget buys",
       AddTrainCommand},
      {"rl", "one RL step: generate, verify, filter, train, sync; time, compute and cost split",
       AddRlCommand},
  };
  return kTable;
}

}  // namespace perftco::cli
