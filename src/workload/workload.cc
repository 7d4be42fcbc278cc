// Workload presets and the factory that turns WorkloadOptions into a RequestSource.
#include "perftco/workload.h"

#include <sstream>

#include "perftco/limits.h"
#include "perftco/names.h"
#include "perftco/text_table.h"
#include "workload/arrival_process.h"
#include "workload/length_distribution.h"
#include "workload/synthetic_source.h"
#include "workload/trace_source.h"

namespace perftco {
namespace {

// A preset's settings. The length shapes are illustrative, not fitted to a dataset: chat and
// reasoning follow the "about 1,000 tokens in and out" and "about 10,000 thinking tokens"
// (plus a 1,000-token answer, as in scenarios/chat-vs-reasoning.yaml); for fidelity to a
// deployment replay its trace instead.
struct Preset {
  NamedEntry name;
  std::string arrival;
  std::string input_len;
  std::string output_len;
  std::string turns;
  int64_t shared_prefix;
  double think_time_s;
};

const std::vector<Preset>& Presets() {
  static const std::vector<Preset> kPresets = {
      {{"chat", "single-turn chat: prompts and answers of about 1,000 tokens (lognormal)"},
       "poisson",
       "lognormal:1000:500",
       "lognormal:1000:500",
       "fixed:1",
       0,
       0.0},
      {{"reasoning",
        "a reasoning model: 1,000-token prompts, about 10,000 thinking tokens plus a "
        "1,000-token answer (lognormal, mean 11,000)"},
       "poisson",
       "lognormal:1000:500",
       "lognormal:11000:4000",
       "fixed:1",
       0,
       0.0},
      {{"agentic",
        "agent sessions of 4-12 turns over a shared 2,000-token system prompt; each "
        "turn resends the conversation plus ~600 new tokens, answers ~250 tokens, "
        "2 s of tool time between turns; --rate counts sessions"},
       "poisson",
       "lognormal:600:300",
       "lognormal:250:150",
       "uniform:4:12",
       2000,
       2.0},
  };
  return kPresets;
}

bool LooksLikeTrace(const std::string& w) {
  auto ends = [&](const char* suffix) {
    const std::string s(suffix);
    return w.size() >= s.size() && ToLower(w.substr(w.size() - s.size())) == s;
  };
  return w.find('/') != std::string::npos || ends(".csv") || ends(".jsonl") || ends(".json");
}

}  // namespace

std::string RequestSource::Where(const Request& r) const {
  return "request " + std::to_string(r.id);
}

std::vector<NamedEntry> WorkloadPresets() {
  std::vector<NamedEntry> v;
  for (const Preset& p : Presets()) v.push_back(p.name);
  return v;
}
std::vector<NamedEntry> ArrivalProcesses() { return workload::ArrivalProcessTable(); }
std::vector<NamedEntry> LengthDistributions() { return workload::LengthDistributionTable(); }

Result<std::unique_ptr<RequestSource>> MakeRequestSource(const WorkloadOptions& o,
                                                         const WorkloadLimits& limits) {
  if (o.requests < 0) return Status::Error("--requests must not be negative");
  PERFTCO_RETURN_IF_ERROR(CheckAtMost(o.requests, kMaxRequests, "--requests", "requests"));
  if (LooksLikeTrace(o.workload)) {
    PERFTCO_ASSIGN_OR_RETURN(std::unique_ptr<workload::TraceSource> t,
                             workload::TraceSource::Open(o.workload, o.requests, limits));
    return std::unique_ptr<RequestSource>(std::move(t));
  }
  const Preset* preset = nullptr;
  std::vector<std::string> names;
  for (const Preset& p : Presets()) {
    names.push_back(p.name.name);
    if (p.name.name == ToLower(o.workload)) preset = &p;
  }
  if (!preset) {
    return Status::Error("unknown workload '" + o.workload + "': did you mean '" +
                         ClosestNames(o.workload, names, 1).front() +
                         "'? (a preset: " + JoinNames(names) + "; or a .csv / .jsonl trace)");
  }
  if (o.requests == 0) return Status::Error("--requests must be positive");
  workload::SyntheticConfig c;
  c.requests = o.requests;
  c.seed = o.seed;
  c.think_time = o.think_time.value_or(Seconds(preset->think_time_s));
  if (c.think_time.value() < 0) return Status::Error("--think-time-s must not be negative");
  if (o.shared_prefix < -1) return Status::Error("--shared-prefix must not be negative");
  c.shared_prefix = o.shared_prefix >= 0 ? o.shared_prefix : preset->shared_prefix;
  const int64_t context = limits.max_context;
  const int64_t kv = limits.kv_token_capacity;
  c.max_tokens = context > 0 && kv > 0 ? std::min(context, kv) : std::max(context, kv);
  PERFTCO_ASSIGN_OR_RETURN(
      c.input, workload::ParseLengthDistribution(
                   o.input_len.empty() ? preset->input_len : o.input_len, "--input-len"));
  PERFTCO_ASSIGN_OR_RETURN(
      c.output, workload::ParseLengthDistribution(
                    o.output_len.empty() ? preset->output_len : o.output_len, "--output-len"));
  PERFTCO_ASSIGN_OR_RETURN(c.turns, workload::ParseLengthDistribution(
                                        o.turns.empty() ? preset->turns : o.turns, "--turns"));
  // Bounded distributions must fit: silently clamping a fixed length would change the question.
  // (Unbounded ones, normal and lognormal, are drawn within the limits.)
  if (c.input->Max() > 0 || c.output->Max() > 0) {
    const int64_t longest = c.shared_prefix + std::max<int64_t>(1, c.input->Max()) +
                            std::max<int64_t>(1, c.output->Max());
    if (context > 0 && longest > context) {
      return Status::Error("requests of up to " + std::to_string(longest) +
                           " tokens (input + output) exceed the " + std::to_string(context) +
                           "-token context of " + limits.model_name +
                           ": shorten --input-len or --output-len");
    }
    if (kv > 0 && longest > kv) {
      return Status::Error("requests of up to " + std::to_string(longest) +
                           " tokens need more KV cache than one replica holds (" +
                           std::to_string(kv) +
                           " tokens): use more chips per replica, "
                           "--kv-precision fp8, or shorter requests");
    }
  }
  const std::string arrival = ToLower(o.arrival.empty() ? preset->arrival : o.arrival);
  if (arrival == "closed") {
    if (o.users <= 0) return Status::Error("closed-loop arrivals need --users N (N >= 1)");
    c.users = o.users;
  } else {
    if (o.users > 0) {
      return Status::Error(
          "--users is for closed-loop arrivals: add --arrival closed, or give "
          "--rate instead");
    }
    PERFTCO_ASSIGN_OR_RETURN(c.arrival,
                             workload::MakeArrivalProcess(arrival, o.rate, o.burstiness));
  }
  return std::unique_ptr<RequestSource>(new workload::SyntheticSource(std::move(c)));
}

std::string DescribeWorkload(const WorkloadOptions& o) {
  if (LooksLikeTrace(o.workload)) {
    return "trace " + o.workload +
           (o.requests > 0 ? " (first " + std::to_string(o.requests) + " requests)" : "");
  }
  const Preset* preset = nullptr;
  for (const Preset& p : Presets()) {
    if (p.name.name == ToLower(o.workload)) preset = &p;
  }
  if (!preset) return o.workload;
  std::ostringstream os;
  const std::string arrival = o.arrival.empty() ? preset->arrival : o.arrival;
  os << preset->name.name << " preset, " << o.requests << " requests, ";
  if (arrival == "closed") {
    os << "closed loop of " << o.users << " users";
  } else {
    os << arrival << " arrivals at " << FormatFixed(o.rate, o.rate < 10 ? 2 : 1) << "/s";
    if (arrival == "gamma") os << " (CV " << FormatFixed(o.burstiness, 2) << ")";
  }
  os << ", input " << (o.input_len.empty() ? preset->input_len : o.input_len) << ", output "
     << (o.output_len.empty() ? preset->output_len : o.output_len);
  const std::string turns = o.turns.empty() ? preset->turns : o.turns;
  if (turns != "fixed:1" && turns != "1") os << ", turns " << turns;
  const int64_t prefix = o.shared_prefix >= 0 ? o.shared_prefix : preset->shared_prefix;
  if (prefix > 0) os << ", shared prefix " << prefix;
  os << ", seed " << o.seed;
  return os.str();
}

}  // namespace perftco
