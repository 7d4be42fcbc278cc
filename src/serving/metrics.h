// Summary statistics of a run: latency percentiles, throughput, goodput, KV pressure, and the
// time-averaged counts that Little's law ties to the latencies.
#ifndef PERFTCO_SRC_SERVING_METRICS_H_
#define PERFTCO_SRC_SERVING_METRICS_H_

#include "engine/log_histogram.h"
#include "perftco/simulate.h"

namespace perftco::serving {

class MetricsCollector {
 public:
  MetricsCollector(int replicas, Seconds slo_ttft, Seconds slo_tpot)
      : replicas_(replicas), slo_ttft_s_(slo_ttft.value()), slo_tpot_s_(slo_tpot.value()) {}

  void Arrived(double t);
  void Finished(const RequestRecord& r);
  void Segment(const ReplicaSegment& s);
  void ResumeGap(double gap) { itl_.Add(gap); }
  void WaitingChanged(int delta, double t);

  int64_t arrived() const { return arrived_; }
  int64_t finished() const { return finished_; }
  // Fills the request, latency, throughput and pressure fields of `s`.
  void Fill(SimulationSummary* s) const;

 private:
  void Integrate(double t);

  int replicas_;
  double slo_ttft_s_, slo_tpot_s_;
  engine::LogHistogram ttft_, tpot_, itl_, e2e_, queue_;
  int64_t arrived_ = 0, finished_ = 0, within_slo_ = 0, preempted_requests_ = 0;
  int64_t input_tokens_ = 0, output_tokens_ = 0;
  double first_arrival_ = -1, last_arrival_ = 0, last_finish_ = 0;
  // Sums of the regression of queueing time on arrival time (from the first arrival).
  double sx_ = 0, sy_ = 0, sxx_ = 0, sxy_ = 0;
  double kv_transfer_bytes_ = 0;
  // Time integrals: requests in the system and waiting (Little's law), KV use and batch size.
  double last_t_ = 0;
  int64_t in_system_ = 0, waiting_ = 0;
  double in_system_area_ = 0, waiting_area_ = 0;
  double kv_area_ = 0, kv_peak_ = 0, running_area_ = 0;
  double decode_seq_steps_ = 0, steps_ = 0;
};

}  // namespace perftco::serving

#endif  // PERFTCO_SRC_SERVING_METRICS_H_
