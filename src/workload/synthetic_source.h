// Requests drawn from distributions: open-loop arrivals or a closed loop of users, each user or
// arrival starting a session of one or more turns.
#ifndef PERFTCO_SRC_WORKLOAD_SYNTHETIC_SOURCE_H_
#define PERFTCO_SRC_WORKLOAD_SYNTHETIC_SOURCE_H_

#include <memory>
#include <queue>
#include <unordered_map>
#include <vector>

#include "perftco/random.h"
#include "perftco/workload.h"
#include "workload/arrival_process.h"
#include "workload/length_distribution.h"

namespace perftco::workload {

struct SyntheticConfig {
  std::unique_ptr<ArrivalProcess> arrival;  // null: closed loop of `users`
  int64_t users = 0;
  Seconds think_time;
  std::unique_ptr<LengthDistribution> input;  // new tokens of each turn's prompt
  std::unique_ptr<LengthDistribution> output;
  std::unique_ptr<LengthDistribution> turns;  // turns per session
  int64_t shared_prefix = 0;  // system prompt tokens shared by every request (prefix_id 1)
  int64_t requests = 0;       // requests to issue in all
  uint64_t seed = 1;
  int64_t max_tokens = 0;  // input + output of any request; 0 = unlimited
};

// Session semantics: a session starts with a prompt of shared_prefix + input tokens; each later
// turn arrives think_time after the previous one finished, with the whole conversation so far
// (previous prompt and answer) plus new input tokens as its prompt. A session ends after its
// turns, or early when the next prompt would not leave room for one output token. In a closed
// loop each user starts a new session think_time after its last one ended. Lengths are clamped
// so that input + output <= max_tokens. Memory holds only the sessions in flight.
class SyntheticSource : public RequestSource {
 public:
  explicit SyntheticSource(SyntheticConfig config);

  Result<std::optional<Seconds>> PeekTime() override;
  Request Pop() override;
  void OnFinished(const Request& r, Seconds t) override;

 private:
  struct Pending {
    double time;
    uint64_t order;    // ties: first scheduled first
    uint64_t session;  // 0: a new session (closed loop); else the session's next turn
    bool operator>(const Pending& o) const {
      return time > o.time || (time == o.time && order > o.order);
    }
  };
  struct Session {
    int64_t turns_left = 0;  // after the one in flight
    int64_t context = 0;     // prompt + output of the last turn
  };

  Request StartSession(double t);
  Request NextTurn(double t, uint64_t session);
  void SessionEnded(double t);

  SyntheticConfig c_;
  Rng arrival_rng_, input_rng_, output_rng_, turns_rng_;
  double next_open_ = 0.0;  // next open-loop session start
  std::priority_queue<Pending, std::vector<Pending>, std::greater<Pending>> pending_;
  std::unordered_map<uint64_t, Session> sessions_;
  uint64_t order_ = 0;
  uint64_t next_session_ = 1;
  int64_t issued_ = 0;
};

}  // namespace perftco::workload

#endif  // PERFTCO_SRC_WORKLOAD_SYNTHETIC_SOURCE_H_
