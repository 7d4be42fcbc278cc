// The highest request rate that meets p99 latency limits, and the published limits of benchmarks.
#include "perftco/rate_search.h"

#include <cmath>

#include "perftco/text_table.h"
#include "perftco/yaml_fields.h"

namespace perftco {
namespace {

std::string MsText(Seconds t) { return FormatFixed(t.value() * 1e3, t.value() < 0.1 ? 2 : 1); }

// "p99 TTFT 812.3 ms, p99 TPOT 41.20 ms"
std::string Reached(const SimulationSummary& s) {
  return "p99 TTFT " + MsText(s.ttft.p99) + " ms, p99 TPOT " + MsText(s.tpot.p99) + " ms";
}

}  // namespace

bool LatencyLimits::Met(const SimulationSummary& s) const {
  const bool ttft_ok = ttft_p99.value() <= 0 || s.ttft.p99 <= ttft_p99;
  const bool tpot_ok = tpot_p99.value() <= 0 || s.tpot.p99 <= tpot_p99;
  return ttft_ok && tpot_ok;
}

std::string LatencyLimits::ToString() const {
  std::string s;
  if (ttft_p99.value() > 0) s += "p99 TTFT <= " + FormatFixed(ttft_p99.value() * 1e3, 0) + " ms";
  if (tpot_p99.value() > 0) {
    s += std::string(s.empty() ? "" : ", ") +
         "p99 TPOT <= " + FormatFixed(tpot_p99.value() * 1e3, 0) + " ms";
  }
  return s;
}

Result<RateSearchResult> FindMaxRate(const RateTrial& trial, const LatencyLimits& limits,
                                     const RateSearchOptions& options) {
  if (limits.ttft_p99.value() < 0 || limits.tpot_p99.value() < 0) {
    return Status::Error("latency limits must be positive");
  }
  if (limits.ttft_p99.value() == 0 && limits.tpot_p99.value() == 0) {
    return Status::Error("a latency-bounded search needs a p99 TTFT or TPOT limit");
  }
  if (!(options.start_rate > 0) || !(options.relative_tolerance > 0)) {
    return Status::Error("the rate search needs a positive start rate and tolerance");
  }
  RateSearchResult r;
  SimulationSummary failing;
  auto run = [&](double rate) -> Result<SimulationSummary> {
    ++r.trials;
    return trial(rate);
  };
  constexpr int kMaxHalvings = 20, kMaxDoublings = 40;
  double rate = options.start_rate;
  PERFTCO_ASSIGN_OR_RETURN(SimulationSummary s, run(rate));
  if (limits.Met(s)) {
    r.rate = rate;
    r.summary = s;
    for (int i = 0;; ++i) {
      if (i == kMaxDoublings) {
        return Status::Error("the limits (" + limits.ToString() + ") hold even at " +
                             FormatFixed(rate, 0) +
                             " requests/s: the workload never loads the system; give more "
                             "requests or a longer run");
      }
      rate *= 2;
      PERFTCO_ASSIGN_OR_RETURN(s, run(rate));
      if (!limits.Met(s)) break;
      r.rate = rate;
      r.summary = s;
    }
    r.failing_rate = rate;
    failing = s;
  } else {
    r.failing_rate = rate;
    failing = s;
    for (int i = 0;; ++i) {
      if (i == kMaxHalvings) {
        return Status::Error("the limits (" + limits.ToString() +
                             ") are below what the system reaches unloaded: at " +
                             FormatFixed(rate, 4) + " requests/s it reaches " + Reached(s) +
                             "; raise the limits or use faster hardware or a wider layout");
      }
      rate /= 2;
      PERFTCO_ASSIGN_OR_RETURN(s, run(rate));
      if (limits.Met(s)) break;
      r.failing_rate = rate;
      failing = s;
    }
    r.rate = rate;
    r.summary = s;
  }
  while (r.failing_rate - r.rate > options.relative_tolerance * r.rate &&
         r.trials < options.max_trials) {
    const double mid = 0.5 * (r.rate + r.failing_rate);
    PERFTCO_ASSIGN_OR_RETURN(s, run(mid));
    if (limits.Met(s)) {
      r.rate = mid;
      r.summary = s;
    } else {
      r.failing_rate = mid;
      failing = s;
    }
  }
  const bool ttft = limits.ttft_p99.value() > 0 && failing.ttft.p99 > limits.ttft_p99;
  const bool tpot = limits.tpot_p99.value() > 0 && failing.tpot.p99 > limits.tpot_p99;
  r.binding = ttft && tpot ? "TTFT and TPOT" : (ttft ? "TTFT" : "TPOT");
  return r;
}

Result<LatencyLimitTable> LatencyLimitTable::Load(const std::string& data_dir) {
  const std::string path = data_dir + "/latency_limits.yaml";
  return GuardYaml(path, [&]() -> Result<LatencyLimitTable> {
    PERFTCO_ASSIGN_OR_RETURN(YAML::Node root,
                             LoadYamlFile(path, "latency limits", "check --data-dir"));
    if (!root.IsSequence()) return Status::Error(path + ": expected a list of entries");
    LatencyLimitTable t;
    int i = 0;
    for (const auto& n : root) {
      const std::string where = path + " entry " + std::to_string(++i);
      PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(
          n, {"model", "scenario", "benchmark", "ttft_p99_ms", "tpot_p99_ms"}, where));
      Entry e;
      double ttft = 0, tpot = 0;
      PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "model", where, &e.model, true));
      PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "scenario", where, &e.scenario, true));
      PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "benchmark", where, &e.source, true));
      PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "ttft_p99_ms", where, &ttft, true));
      PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "tpot_p99_ms", where, &tpot, true));
      if (!(ttft > 0) || !(tpot > 0)) return Status::Error(where + ": limits must be positive");
      if (e.scenario != "server" && e.scenario != "interactive") {
        return Status::Error(where + ": scenario must be server or interactive");
      }
      e.limits.ttft_p99 = Milliseconds(ttft);
      e.limits.tpot_p99 = Milliseconds(tpot);
      e.source = "MLPerf Inference " + e.source + " (loadgen/mlperf.conf)";
      t.entries.push_back(std::move(e));
    }
    return t;
  });
}

const LatencyLimitTable::Entry* LatencyLimitTable::Find(const std::string& model,
                                                        const std::string& scenario) const {
  for (const auto& e : entries) {
    if (e.model == model && e.scenario == scenario) return &e;
  }
  return nullptr;
}

}  // namespace perftco
