#include "serving/metrics.h"

#include <algorithm>

namespace perftco::serving {
namespace {

LatencyStats Stats(const engine::LogHistogram& h) {
  LatencyStats s;
  s.mean = Seconds(h.mean());
  s.p50 = Seconds(h.Quantile(0.50));
  s.p90 = Seconds(h.Quantile(0.90));
  s.p99 = Seconds(h.Quantile(0.99));
  s.max = Seconds(h.max());
  return s;
}

}  // namespace

void MetricsCollector::Integrate(double t) {
  if (t > last_t_) {
    in_system_area_ += static_cast<double>(in_system_) * (t - last_t_);
    waiting_area_ += static_cast<double>(waiting_) * (t - last_t_);
    last_t_ = t;
  }
}

void MetricsCollector::Arrived(double t) {
  if (first_arrival_ < 0) {
    first_arrival_ = t;
    last_t_ = t;
  }
  last_arrival_ = std::max(last_arrival_, t);
  Integrate(t);
  ++in_system_;
  ++arrived_;
}

void MetricsCollector::WaitingChanged(int delta, double t) {
  Integrate(t);
  waiting_ += delta;
}

void MetricsCollector::Finished(const RequestRecord& r) {
  const double t = r.finish.value();
  Integrate(t);
  --in_system_;
  ++finished_;
  last_finish_ = std::max(last_finish_, t);
  input_tokens_ += r.request.input_tokens;
  output_tokens_ += r.request.output_tokens;
  const double ttft = r.Ttft().value();
  const double tpot = r.Tpot().value();
  ttft_.Add(ttft);
  if (r.request.output_tokens > 1) tpot_.Add(tpot);
  e2e_.Add(r.E2e().value());
  queue_.Add(r.queue.value());
  const double x = r.request.arrival.value() - std::max(0.0, first_arrival_);
  sx_ += x;
  sy_ += r.queue.value();
  sxx_ += x * x;
  sxy_ += x * r.queue.value();
  if (r.preemptions > 0) ++preempted_requests_;
  kv_transfer_bytes_ += r.kv_transferred.value();
  const bool ttft_ok = slo_ttft_s_ <= 0 || ttft <= slo_ttft_s_;
  const bool tpot_ok = slo_tpot_s_ <= 0 || tpot <= slo_tpot_s_;
  if (ttft_ok && tpot_ok) ++within_slo_;
}

void MetricsCollector::Segment(const ReplicaSegment& s) {
  const double dt = (s.end - s.start).value();
  kv_area_ += 0.5 * (s.kv_used_start + s.kv_used_end) * dt;
  kv_peak_ = std::max(kv_peak_, std::max(s.kv_used_start, s.kv_used_end));
  running_area_ += static_cast<double>(s.running) * dt;
  steps_ += static_cast<double>(s.steps);
  decode_seq_steps_ += static_cast<double>(s.decode_seqs * s.steps);
  if (s.decode_seqs > 0) {
    // Every decode sequence waits one step for its next token: the inter-token latencies.
    const double w = static_cast<double>(s.decode_seqs);
    for (int64_t j = 0; j < s.steps; ++j) {
      const double weight = j == 0 ? w - static_cast<double>(s.rejoined) : w;
      itl_.Add(s.step_time.value() + s.step_slope.value() * static_cast<double>(j), weight);
    }
  }
}

void MetricsCollector::Fill(SimulationSummary* s) const {
  s->requests = finished_;
  s->input_tokens = input_tokens_;
  s->output_tokens = output_tokens_;
  const double start = std::max(0.0, first_arrival_);
  const double d = finished_ > 0 ? last_finish_ - start : 0.0;
  s->duration = Seconds(d);
  const double inv = d > 0 ? 1.0 / d : 0.0;
  s->requests_per_s = static_cast<double>(finished_) * inv;
  const double span = arrived_ > 1 ? last_arrival_ - start : 0.0;
  s->arrival_span = Seconds(span);
  s->arrival_rate_per_s = span > 0 ? static_cast<double>(arrived_ - 1) / span : 0.0;
  const double n = static_cast<double>(finished_);
  const double var = n * sxx_ - sx_ * sx_;
  s->queue_growth = finished_ > 2 && var > 1e-9 * n * n * std::max(1.0, span * span)
                        ? (n * sxy_ - sx_ * sy_) / var
                        : 0.0;
  s->throughput_input_tokens_per_s = static_cast<double>(input_tokens_) * inv;
  s->throughput_output_tokens_per_s = static_cast<double>(output_tokens_) * inv;
  s->output_tokens_per_s_per_chip =
      s->chips > 0 ? s->throughput_output_tokens_per_s / s->chips : 0.0;
  s->ttft = Stats(ttft_);
  s->tpot = Stats(tpot_);
  s->itl = Stats(itl_);
  s->e2e = Stats(e2e_);
  s->queue = Stats(queue_);
  s->preempted_requests = preempted_requests_;
  const double replica_time = d * std::max(1, replicas_);
  s->kv_utilization_mean = replica_time > 0 ? kv_area_ / replica_time : 0.0;
  s->kv_utilization_peak = kv_peak_;
  s->running_mean = replica_time > 0 ? running_area_ / replica_time : 0.0;
  s->decode_batch_mean = steps_ > 0 ? decode_seq_steps_ / steps_ : 0.0;
  s->kv_transfer = Bytes(kv_transfer_bytes_);
  s->mean_requests_in_system = d > 0 ? in_system_area_ / d : 0.0;
  s->mean_requests_waiting = d > 0 ? waiting_area_ / d : 0.0;
  s->slo_ttft = Seconds(slo_ttft_s_);
  s->slo_tpot = Seconds(slo_tpot_s_);
  s->requests_within_slo = within_slo_;
  s->goodput_requests_per_s = static_cast<double>(within_slo_) * inv;
}

}  // namespace perftco::serving
