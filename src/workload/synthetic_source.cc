#include "workload/synthetic_source.h"

#include <algorithm>

namespace perftco::workload {

SyntheticSource::SyntheticSource(SyntheticConfig config)
    : c_(std::move(config)),
      arrival_rng_(c_.seed, 1),
      input_rng_(c_.seed, 2),
      output_rng_(c_.seed, 3),
      turns_rng_(c_.seed, 4) {
  if (c_.arrival) {
    next_open_ = 0.0;  // the first session starts at t = 0
  } else {
    for (int64_t u = 0; u < c_.users; ++u) pending_.push(Pending{0.0, order_++, 0});
  }
}

Result<std::optional<Seconds>> SyntheticSource::PeekTime() {
  if (issued_ >= c_.requests) return std::optional<Seconds>();
  double t = pending_.empty() ? -1.0 : pending_.top().time;
  if (c_.arrival && (t < 0 || next_open_ < t)) t = next_open_;
  if (t < 0) return std::optional<Seconds>();
  return std::optional<Seconds>(Seconds(t));
}

Request SyntheticSource::Pop() {
  ++issued_;
  if (!pending_.empty() && (!c_.arrival || pending_.top().time <= next_open_)) {
    const Pending p = pending_.top();
    pending_.pop();
    return p.session == 0 ? StartSession(p.time) : NextTurn(p.time, p.session);
  }
  const double t = next_open_;
  next_open_ += c_.arrival->NextGap(arrival_rng_);
  return StartSession(t);
}

Request SyntheticSource::StartSession(double t) {
  Request r;
  r.id = static_cast<uint64_t>(issued_ - 1);
  r.arrival = Seconds(t);
  const int64_t turns = c_.turns->Sample(turns_rng_);
  const int64_t limit = c_.max_tokens > 0 ? c_.max_tokens : INT64_MAX / 4;
  r.input_tokens = std::min(c_.shared_prefix + c_.input->Sample(input_rng_), limit - 1);
  r.output_tokens = std::min(c_.output->Sample(output_rng_), limit - r.input_tokens);
  if (c_.shared_prefix > 0) {
    r.prefix_id = 1;
    r.prefix_tokens = std::min(c_.shared_prefix, r.input_tokens);
  }
  if (turns > 1) {
    r.session = next_session_++;
    sessions_[r.session] = Session{turns - 1, r.input_tokens + r.output_tokens};
  }
  return r;
}

Request SyntheticSource::NextTurn(double t, uint64_t session) {
  Session& s = sessions_.at(session);
  Request r;
  r.id = static_cast<uint64_t>(issued_ - 1);
  r.arrival = Seconds(t);
  r.session = session;
  const int64_t limit = c_.max_tokens > 0 ? c_.max_tokens : INT64_MAX / 4;
  r.input_tokens = std::min(s.context + c_.input->Sample(input_rng_), limit - 1);
  r.output_tokens = std::min(c_.output->Sample(output_rng_), limit - r.input_tokens);
  if (c_.shared_prefix > 0) {
    r.prefix_id = 1;
    r.prefix_tokens = std::min(c_.shared_prefix, r.input_tokens);
  }
  s.turns_left -= 1;
  s.context = r.input_tokens + r.output_tokens;
  return r;
}

void SyntheticSource::SessionEnded(double t) {
  if (!c_.arrival) pending_.push(Pending{t + c_.think_time.value(), order_++, 0});
}

void SyntheticSource::OnFinished(const Request& r, Seconds t) {
  const double next = t.value() + c_.think_time.value();
  if (r.session == 0) {
    SessionEnded(t.value());
    return;
  }
  auto it = sessions_.find(r.session);
  if (it == sessions_.end()) return;
  const int64_t limit = c_.max_tokens > 0 ? c_.max_tokens : INT64_MAX / 4;
  // The next prompt holds the whole conversation plus at least one new token, and must leave
  // room for one output token.
  if (it->second.turns_left <= 0 || it->second.context + 2 > limit) {
    sessions_.erase(it);
    SessionEnded(t.value());
    return;
  }
  pending_.push(Pending{next, order_++, r.session});
}

}  // namespace perftco::workload
