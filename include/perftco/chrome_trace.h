// A serving simulation as a Chrome trace-event JSON file (`perftco simulate --trace FILE.json`),
// which Perfetto (ui.perfetto.dev) and chrome://tracing open: one track per replica (named by its
// pool when prefill and decode are split) whose slices are the engine's iterations (a segment of
// equal steps is one slice, with its steps, batch and tokens as arguments), preemptions as
// instant events, and per replica the KV cache use and the running and waiting sequences as
// counters. Format: the Trace Event Format document (Google, "JSON Object Format").
#ifndef PERFTCO_CHROME_TRACE_H_
#define PERFTCO_CHROME_TRACE_H_

#include <cstdint>
#include <ostream>
#include <vector>

#include "perftco/simulate.h"

namespace perftco {

struct ChromeTraceOptions {
  // Every sample-th segment of each replica is kept (1: all); preemptions are always kept.
  int64_t sample = 1;
  // Recording stops after this many events; the trace then says at what simulated time.
  int64_t max_events = 1000000;
};

class ChromeTraceWriter : public SimObserver {
 public:
  // Writes to `out`, which must outlive the writer; the JSON is complete after Finish().
  ChromeTraceWriter(std::ostream* out, ChromeTraceOptions options);
  void OnSegment(const ReplicaSegment& s) override;
  void OnPreempted(const Request& r, int replica, Seconds t) override;
  // Names the tracks (prefill and decode pools from the summary) and closes the JSON.
  void Finish(const SimulationSummary& summary);

  int64_t events() const { return events_; }
  bool truncated() const { return truncated_; }
  Seconds truncated_at() const { return truncated_at_; }  // simulated time of the first drop

 private:
  bool Room(int64_t events, Seconds t);  // false (and truncated) past max_events
  void Event(const char* text);

  std::ostream* out_;
  ChromeTraceOptions options_;
  std::vector<int64_t> seen_;  // segments per replica, for sampling; its size: replicas seen
  int64_t events_ = 0;
  bool truncated_ = false;
  Seconds truncated_at_;
};

}  // namespace perftco

#endif  // PERFTCO_CHROME_TRACE_H_
