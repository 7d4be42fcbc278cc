// A whole training run: steps to reach D tokens, wall time with failures, chip-hours and cost;
// and the budget planner (how much model and data a FLOP or dollar budget buys).
#ifndef PERFTCO_TRAINING_RUN_H_
#define PERFTCO_TRAINING_RUN_H_

#include <optional>
#include <string>

#include "perftco/catalog.h"
#include "perftco/efficiency.h"
#include "perftco/reliability.h"
#include "perftco/scaling_law.h"
#include "perftco/status.h"
#include "perftco/training.h"

namespace perftco {

// What a user names for a training model; resolved through the catalog.
struct TrainingSetupOptions {
  std::string model;
  std::string hardware;
  std::string precision = "bf16";  // GEMM format: bf16 or fp8
  // Per-direction scale-up bandwidth per chip replacing the catalog's (e.g. H800: an H100 with
  // NVLink cut to 400 GB/s bidirectional = 200 GB/s per direction).
  std::optional<double> scale_up_gb_per_s;
  TrainingOptions options;
};
// Errors: unknown names, a bad precision or bandwidth.
Result<TrainingModel> BuildTrainingModel(const Catalog& catalog, const EfficiencyTable& table,
                                         const TrainingSetupOptions& options);

// A rental price per chip-hour: the simple, replaceable cost input of `perftco train` and `rl`
// (a full TCO model lives in src/economics).
struct ChipHourPrice {
  double usd = 0;
  std::string source;  // where the number comes from, or "--usd-per-chip-hour"
};
// The default for `hardware` from data_dir/training/chip_hour_prices.yaml. Errors: the file is
// malformed, or has no price for the hardware (the message says to give --usd-per-chip-hour).
Result<ChipHourPrice> DefaultChipHourPrice(const std::string& data_dir,
                                           const std::string& hardware);

struct TrainingRun {
  TrainingStep step;
  int chips = 0;
  double train_tokens = 0;
  double steps = 0;
  Seconds ideal_time;  // steps x step time, no failures
  double ideal_chip_hours = 0;
  ReliabilityResult reliability;
  Seconds wall_time;      // with checkpoints, failures and restarts
  double chip_hours = 0;  // wall time x chips: what is paid for
  double usd_per_chip_hour = 0;
  double ideal_usd = 0;
  double usd = 0;
};

// Checkpoint size: 16-bit weights and fp32 optimizer states (master, m, v) of every parameter.
Bytes CheckpointBytes(const TrainingModel& model);

// The run of `tokens` tokens at `step`'s speed on step.plan.Chips() chips.
Result<TrainingRun> EstimateRun(const TrainingModel& model, const TrainingStep& step, double tokens,
                                double usd_per_chip_hour, const ReliabilityParams& reliability);

// What a budget buys. FLOPs are either given or bought with dollars at a utilisation.
struct BudgetPlan {
  double budget_flops = 0;
  double budget_usd = 0;         // 0 when the budget was given in FLOPs
  double usd_per_chip_hour = 0;  // used to turn dollars into chip-hours
  double chip_hours = 0;
  double mfu = 0;  // utilisation assumed or predicted
  double goodput = 1;
  ComputeOptimal optimal;  // compute-optimal N*, D* and loss
  // For a given model: the tokens the budget trains it on, and its predicted loss.
  std::string model;
  double model_params = 0;
  double model_tokens = 0;
  double model_loss = 0;
};

// FLOPs from dollars: usd / usd_per_chip_hour chip-hours at `mfu` of `peak` and `goodput`.
double FlopsForBudget(double usd, double usd_per_chip_hour, FlopsPerSecond peak, double mfu,
                      double goodput);

}  // namespace perftco

#endif  // PERFTCO_TRAINING_RUN_H_
