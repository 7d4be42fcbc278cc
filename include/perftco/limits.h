// Bounds on inputs past which a run would take hours or exhaust memory instead of answering:
// such input fails at once, with a line naming the bound, rather than hanging (docs/limits.md).
#ifndef PERFTCO_LIMITS_H_
#define PERFTCO_LIMITS_H_

#include <cstdint>
#include <string>

#include "perftco/status.h"

namespace perftco {

// Chips in one deployment, plan search or training job: 2^22, four times the largest GPU
// clusters now being built, and where the disaggregated plan search reaches seconds.
constexpr int64_t kMaxChips = 4'194'304;
// Requests in one simulation: 10 million take about 12 s here (bench/simulate_macro.cc), so
// this bound is a couple of minutes.
constexpr int64_t kMaxRequests = 100'000'000;
// Tokens of one sequence (input + output, or a training sequence): a hundred times the longest
// context of any catalog model.
constexpr int64_t kMaxSequenceTokens = 1'000'000'000;

// `flag` names the input in the message ("--chips", "scenario.yaml: 'chips'").
inline Status CheckAtMost(int64_t value, int64_t most, const std::string& flag,
                          const std::string& what) {
  if (value <= most) return Status::Ok();
  return Status::Error(flag + " " + std::to_string(value) + " is more than the " +
                       std::to_string(most) + " " + what +
                       " perftco accepts (an input this large is almost surely a typo)");
}

inline Status CheckChips(int64_t chips, const std::string& flag = "--chips") {
  return CheckAtMost(chips, kMaxChips, flag, "chips");
}

}  // namespace perftco

#endif  // PERFTCO_LIMITS_H_
