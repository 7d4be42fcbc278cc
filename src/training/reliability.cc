#include "perftco/reliability.h"

#include <cmath>
#include <string>

#include "perftco/limits.h"

namespace perftco {

Seconds YoungInterval(Seconds checkpoint_write, Seconds mtbf) {
  return Seconds(std::sqrt(2.0 * checkpoint_write.value() * mtbf.value()));
}

Seconds DalyInterval(Seconds checkpoint_write, Seconds mtbf) {
  const double d = checkpoint_write.value();
  const double m = mtbf.value();
  if (d >= 2.0 * m) return mtbf;
  const double x = d / (2.0 * m);
  return Seconds(std::sqrt(2.0 * d * m) * (1.0 + std::sqrt(x) / 3.0 + x / 9.0) - d);
}

double WallPerUsefulTime(Seconds interval, Seconds checkpoint_write, Seconds restart,
                         Seconds mtbf) {
  const double tau = interval.value();
  const double d = checkpoint_write.value();
  if (mtbf.value() <= 0) return (tau + d) / tau;
  const double m = mtbf.value();
  return m * std::exp(restart.value() / m) * std::expm1((tau + d) / m) / tau;
}

Result<ReliabilityResult> EvaluateReliability(const ReliabilityParams& p, int chips,
                                              Bytes checkpoint_bytes, Seconds useful_time) {
  if (chips < 1) return Status::Error("reliability needs a positive chip count");
  PERFTCO_RETURN_IF_ERROR(CheckChips(chips));
  if (p.failures && !(p.failures_per_chip_hour > 0)) {
    return Status::Error("failures per chip-hour must be positive (or turn failures off)");
  }
  if (!(p.storage_bandwidth.value() > 0)) {
    return Status::Error("checkpoint storage bandwidth must be positive");
  }
  if (p.restart_fixed.value() < 0) return Status::Error("restart time must not be negative");
  if (p.interval && !(p.interval->value() > 0)) {
    return Status::Error("checkpoint interval must be positive");
  }
  if (useful_time.value() < 0) return Status::Error("training time must not be negative");
  ReliabilityResult r;
  r.checkpoint_bytes = checkpoint_bytes;
  r.checkpoint_write = checkpoint_bytes / p.storage_bandwidth;
  r.restart = p.restart_fixed + r.checkpoint_write;  // reading back at the same bandwidth
  r.useful_time = useful_time;
  if (p.failures) {
    r.job_failures_per_hour = p.failures_per_chip_hour * chips;
    r.mtbf = Seconds(3600.0 / r.job_failures_per_hour);
    r.young_interval = YoungInterval(r.checkpoint_write, r.mtbf);
    r.daly_interval = DalyInterval(r.checkpoint_write, r.mtbf);
    r.interval = p.interval ? *p.interval : r.daly_interval;
  } else {
    // Without failures checkpoints only cost time; keep the given interval or one per hour.
    r.interval = p.interval ? *p.interval : Seconds(3600);
    r.young_interval = r.daly_interval = r.interval;
  }
  if (!(r.interval.value() > 0)) r.interval = Seconds(1);
  const double ratio = WallPerUsefulTime(r.interval, r.checkpoint_write, r.restart, r.mtbf);
  if (!std::isfinite(ratio)) {
    return Status::Error("the job fails faster than it can restart (MTBF " +
                         std::to_string(r.mtbf.value() / 60.0) +
                         " min): fewer chips, a lower failure rate or faster restarts");
  }
  r.goodput = 1.0 / ratio;
  r.wall_time = useful_time * ratio;
  r.expected_failures = r.job_failures_per_hour * r.wall_time.value() / 3600.0;
  return r;
}

}  // namespace perftco
