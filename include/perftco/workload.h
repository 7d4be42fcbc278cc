// Serving workloads: requests, and where they come from (synthetic arrival processes and length
// distributions, multi-turn sessions, closed loops of users, and trace files read as a stream).
#ifndef PERFTCO_WORKLOAD_H_
#define PERFTCO_WORKLOAD_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "perftco/status.h"
#include "perftco/units.h"

namespace perftco {

// One inference request. Its first `prefix_tokens` tokens equal those of every request with the
// same prefix_id (a shared system prompt); all tokens of a session are position by position the
// same across its turns (each turn's prompt is the conversation so far), which is what prefix
// caching and prefix-affinity routing key on.
struct Request {
  uint64_t id = 0;  // issue order, from 0
  Seconds arrival;
  int64_t input_tokens = 0;   // prompt
  int64_t output_tokens = 0;  // tokens to generate (>= 1)
  uint64_t session = 0;       // 0: not part of a session
  uint64_t prefix_id = 0;     // 0: no shared prefix
  int64_t prefix_tokens = 0;
  int64_t line = 0;  // trace line it came from; 0 for synthetic requests
};

// A stream of requests in arrival order. Closed loops and sessions react to finishes, so the next
// arrival may only become known after OnFinished.
class RequestSource {
 public:
  virtual ~RequestSource() = default;
  // The arrival time of the next request, or nothing when none is pending now (a closed loop
  // waiting for finishes, or the end of the workload). Errors: a malformed trace line, naming
  // the file and the line.
  virtual Result<std::optional<Seconds>> PeekTime() = 0;
  // Removes and returns the request PeekTime() announced; call only after it returned a time.
  virtual Request Pop() = 0;
  // Tells the source that `r` finished at `t`: sessions and closed loops issue their next request.
  virtual void OnFinished(const Request& r, Seconds t) {
    (void)r;
    (void)t;
  }
  // "trace.csv:17" or "request 17", for error messages about one request.
  virtual std::string Where(const Request& r) const;
};

// What a user names: a preset or a trace, and any of the preset's settings to override.
struct WorkloadOptions {
  std::string workload = "chat";      // a preset (WorkloadPresets()) or a .csv / .jsonl trace
  std::string arrival;                // poisson, gamma, constant, closed; "" = the preset's
  double rate = 0;                    // requests per second (sessions per second when multi-turn)
  double burstiness = 1.0;            // gamma: coefficient of variation of the inter-arrival gaps
  int64_t users = 0;                  // closed loop: concurrent users
  std::optional<Seconds> think_time;  // closed loop and sessions: gap after a finish
  int64_t requests = 1000;            // requests to issue (a trace: at most this many; 0 = all)
  uint64_t seed = 1;
  std::string input_len;  // a length spec (LengthDistributions()); "" = the preset's
  std::string output_len;
  std::string turns;           // turns per session, a length spec; "" = the preset's
  int64_t shared_prefix = -1;  // tokens of a system prompt shared by all; -1 = the preset's
};

// What a request may not exceed: the model's context and one replica's KV cache. Trace requests
// beyond them are errors; synthetic lengths are drawn within them.
struct WorkloadLimits {
  int64_t max_context = 0;  // input + output; 0 = unlimited
  std::string model_name;
  int64_t kv_token_capacity = 0;  // tokens of KV one replica holds; 0 = unlimited
};

// Builds the source for `o`. Errors: unknown preset, arrival or distribution names (with the
// closest valid name), missing rate, non-positive counts, an unreadable trace or empirical file.
Result<std::unique_ptr<RequestSource>> MakeRequestSource(const WorkloadOptions& o,
                                                         const WorkloadLimits& limits);

// One line describing the workload, for reports ("chat preset: poisson 10 req/s, ...").
std::string DescribeWorkload(const WorkloadOptions& o);

// The registered names with one-line descriptions, for --help and error messages.
struct NamedEntry {
  std::string name;
  std::string description;
};
std::vector<NamedEntry> WorkloadPresets();
std::vector<NamedEntry> ArrivalProcesses();
std::vector<NamedEntry> LengthDistributions();

}  // namespace perftco

#endif  // PERFTCO_WORKLOAD_H_
