// Failures, checkpoints and goodput of a long training run on many chips.
//
// Failures arrive as a Poisson process whose rate grows with the chip count; the job writes a
// checkpoint every `interval` of useful work and, after a failure, restarts and redoes the work
// since the last checkpoint. Expected wall time follows Daly (2006), "A higher order estimate of
// the optimum checkpoint interval for restart dumps", Future Generation Computer Systems 22(3),
// eq. (11); the default interval is Daly's higher-order optimum (eq. (37)), which refines Young
// (1974), "A first order approximation to the optimum checkpoint interval", CACM 17(9).
// docs/models/training.md gives the equations and defaults.
#ifndef PERFTCO_RELIABILITY_H_
#define PERFTCO_RELIABILITY_H_

#include <optional>

#include "perftco/status.h"
#include "perftco/units.h"

namespace perftco {

// Llama 3 405B pre-training: 419 unexpected interruptions in a 54-day snapshot on 16,384 H100
// GPUs (Dubey et al. 2024, "The Llama 3 Herd of Models", section 3.3.4, Table 5).
inline constexpr double kLlama3FailuresPerChipHour = 419.0 / (16384.0 * 54.0 * 24.0);

struct ReliabilityParams {
  bool failures = true;
  double failures_per_chip_hour = kLlama3FailuresPerChipHour;
  // Fixed part of a restart (detection, rescheduling, process and communicator start-up).
  // ASSUMPTION: 10 minutes; no published figure for Llama 3 (docs/models/training.md).
  Seconds restart_fixed = Seconds(600);
  // Aggregate storage bandwidth for checkpoint writes and reads: Llama 3's Tectonic file system
  // sustains 2 TB/s (Dubey et al. 2024, section 3.3.1).
  BytesPerSecond storage_bandwidth = BytesPerSecond(2e12);
  std::optional<Seconds> interval;  // default: Daly's optimum
};

struct ReliabilityResult {
  double job_failures_per_hour = 0;
  Seconds mtbf;  // of the whole job; 0 when failures are off
  Bytes checkpoint_bytes;
  Seconds checkpoint_write;  // delta: time the job pauses per checkpoint
  Seconds restart;           // R: fixed part + reading the checkpoint back
  Seconds interval;          // tau: useful work between checkpoints
  Seconds young_interval;
  Seconds daly_interval;
  double goodput = 1;  // useful time / wall time
  Seconds useful_time;
  Seconds wall_time;
  double expected_failures = 0;
};

// sqrt(2 delta M) (Young 1974).
Seconds YoungInterval(Seconds checkpoint_write, Seconds mtbf);
// Daly 2006, eq. (37): sqrt(2 delta M) [1 + sqrt(delta/2M)/3 + (delta/2M)/9] - delta for
// delta < 2M, else M.
Seconds DalyInterval(Seconds checkpoint_write, Seconds mtbf);
// Expected wall time per unit of useful work (Daly 2006, eq. (11) divided by the work):
// M e^(R/M) (e^((tau + delta)/M) - 1) / tau; (tau + delta) / tau without failures (M = 0).
double WallPerUsefulTime(Seconds interval, Seconds checkpoint_write, Seconds restart, Seconds mtbf);

// Goodput and wall time of `useful_time` of training on `chips` chips with checkpoints of
// `checkpoint_bytes`. Errors: non-positive inputs.
Result<ReliabilityResult> EvaluateReliability(const ReliabilityParams& params, int chips,
                                              Bytes checkpoint_bytes, Seconds useful_time);

}  // namespace perftco

#endif  // PERFTCO_RELIABILITY_H_
