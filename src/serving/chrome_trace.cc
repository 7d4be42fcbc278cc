#include "perftco/chrome_trace.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace perftco {
namespace {

// Trace timestamps are microseconds; nanosecond resolution keeps short steps apart.
double Us(Seconds t) { return t.value() * 1e6; }

}  // namespace

ChromeTraceWriter::ChromeTraceWriter(std::ostream* out, ChromeTraceOptions options)
    : out_(out), options_(options) {
  options_.sample = std::max<int64_t>(1, options_.sample);
  *out_ << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n"
           "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":\"perftco "
           "simulation\"}}";
}

bool ChromeTraceWriter::Room(int64_t events, Seconds t) {
  if (truncated_) return false;
  if (events_ + events > options_.max_events) {
    truncated_ = true;
    truncated_at_ = t;
    return false;
  }
  events_ += events;
  return true;
}

void ChromeTraceWriter::Event(const char* text) { *out_ << ",\n" << text; }

void ChromeTraceWriter::OnSegment(const ReplicaSegment& s) {
  if (s.replica < 0) return;
  if (static_cast<size_t>(s.replica) >= seen_.size()) seen_.resize(s.replica + 1, 0);
  if (seen_[s.replica]++ % options_.sample != 0) return;
  if (!Room(3, s.start)) return;
  const char* name =
      s.prefill_tokens > 0 ? (s.decode_seqs > 0 ? "prefill+decode" : "prefill") : "decode";
  char line[512];
  std::snprintf(line, sizeof line,
                "{\"name\":\"%s\",\"cat\":\"step\",\"ph\":\"X\",\"pid\":1,\"tid\":%d,"
                "\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"steps\":%lld,\"step_ms\":%.4f,"
                "\"decode_seqs\":%lld,\"prefill_tokens\":%lld,\"new_tokens\":%lld}}",
                name, s.replica, Us(s.start), Us(s.end) - Us(s.start),
                static_cast<long long>(s.steps), s.step_time.value() * 1e3,
                static_cast<long long>(s.decode_seqs), static_cast<long long>(s.prefill_tokens),
                static_cast<long long>(s.new_tokens));
  Event(line);
  std::snprintf(line, sizeof line,
                "{\"name\":\"KV cache %% (replica %d)\",\"ph\":\"C\",\"pid\":1,\"ts\":%.3f,"
                "\"args\":{\"used\":%.2f}}",
                s.replica, Us(s.start), 100.0 * s.kv_used_end);
  Event(line);
  std::snprintf(line, sizeof line,
                "{\"name\":\"sequences (replica %d)\",\"ph\":\"C\",\"pid\":1,\"ts\":%.3f,"
                "\"args\":{\"running\":%lld,\"waiting\":%lld}}",
                s.replica, Us(s.start), static_cast<long long>(s.running),
                static_cast<long long>(s.waiting));
  Event(line);
}

void ChromeTraceWriter::OnPreempted(const Request& r, int replica, Seconds t) {
  if (!Room(1, t)) return;
  char line[256];
  std::snprintf(line, sizeof line,
                "{\"name\":\"preempted\",\"cat\":\"kv\",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,"
                "\"tid\":%d,\"ts\":%.3f,\"args\":{\"request\":%llu}}",
                replica, Us(t), static_cast<unsigned long long>(r.id));
  Event(line);
}

void ChromeTraceWriter::Finish(const SimulationSummary& summary) {
  const int replicas = std::max(static_cast<int>(seen_.size()), summary.replicas);
  const bool split = summary.prefill_replicas > 0;
  char line[256];
  for (int i = 0; i < replicas; ++i) {
    const bool prefill = split && i < summary.prefill_replicas;
    std::snprintf(line, sizeof line,
                  "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,"
                  "\"args\":{\"name\":\"%sreplica %d\"}}",
                  i, split ? (prefill ? "prefill " : "decode ") : "", i);
    Event(line);
  }
  *out_ << "\n],\"otherData\":{\"events\":" << events_ << ",\"segment_sample\":" << options_.sample;
  if (truncated_) {
    std::snprintf(line, sizeof line, ",\"truncated_at_s\":%.6f", truncated_at_.value());
    *out_ << line << ",\"note\":\"recording stopped at max_events; --trace-max-events raises it\"";
  }
  *out_ << "}}\n";
}

}  // namespace perftco
