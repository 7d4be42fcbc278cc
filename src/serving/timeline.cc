#include <algorithm>
#include <cmath>
#include <cstdio>

#include "perftco/simulate.h"

namespace perftco {

void TimelineRecorder::OnSegment(const ReplicaSegment& s) {
  const double width = interval_.value();
  const double t0 = s.start.value(), t1 = s.end.value();
  if (!(width > 0) || !(t1 > t0)) return;
  const double kv = 0.5 * (s.kv_used_start + s.kv_used_end);
  const size_t first = static_cast<size_t>(std::floor(t0 / width));
  const size_t last = static_cast<size_t>(std::floor(t1 / width));
  if (bins_.size() <= last) bins_.resize(last + 1);
  // Spread the segment over the intervals it overlaps, in proportion to time (tokens too: the
  // steps of a segment are nearly equal).
  for (size_t b = first; b <= last; ++b) {
    const double lo = std::max(t0, static_cast<double>(b) * width);
    const double hi = std::min(t1, static_cast<double>(b + 1) * width);
    if (hi <= lo) continue;
    const double dt = hi - lo;
    const double share = dt / (t1 - t0);
    Bin& bin = bins_[b];
    bin.running += static_cast<double>(s.running) * dt;
    bin.waiting += static_cast<double>(s.waiting) * dt;
    bin.kv += kv * dt;
    bin.output += static_cast<double>(s.new_tokens) * share;
    bin.prefill += static_cast<double>(s.prefill_tokens) * share;
  }
}

std::string TimelineRecorder::Csv() const {
  std::string out =
      "time_s,running,waiting,kv_utilization,output_tokens_per_s,prefill_tokens_per_s\n";
  const double width = interval_.value();
  char line[256];
  for (size_t b = 0; b < bins_.size(); ++b) {
    const Bin& bin = bins_[b];
    std::snprintf(line, sizeof line, "%.6g,%.4f,%.4f,%.6f,%.6g,%.6g\n",
                  static_cast<double>(b) * width, bin.running / width, bin.waiting / width,
                  bin.kv / width / std::max(1, replicas_), bin.output / width, bin.prefill / width);
    out += line;
  }
  return out;
}

}  // namespace perftco
