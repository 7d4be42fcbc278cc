// `perftco simulate` and `kind: simulate` scenarios: run the simulator and print its report.
#ifndef PERFTCO_TOOLS_CLI_SIMULATE_REPORT_H_
#define PERFTCO_TOOLS_CLI_SIMULATE_REPORT_H_

#include <string>

#include "cli_context.h"
#include "economics_options.h"
#include "perftco/chrome_trace.h"
#include "perftco/simulate.h"

namespace perftco::cli {

struct SimulateOutputs {
  bool json = false;
  std::string requests_csv;  // "" = none
  std::string timeline_csv;
  double timeline_interval_s = 1.0;
  std::string trace_json;  // Chrome trace-event file; "" = none
  ChromeTraceOptions trace;
  std::string scenario;      // printed in the report when set
  EconomicsFlags economics;  // prices and assumptions for the money lines
};

// Builds the setup and the workload, runs, prints the table (or JSON) and writes the CSV files,
// all or nothing: on error no file is left behind and nothing is printed.
Status RunSimulate(CliContext* ctx, SimulateOptions o, const SimulateOutputs& out);

}  // namespace perftco::cli

#endif  // PERFTCO_TOOLS_CLI_SIMULATE_REPORT_H_
