// `kind: simulate` scenario files, and the --replicas shorthand.
#include <filesystem>

#include "perftco/names.h"
#include "perftco/scenario.h"
#include "perftco/simulate.h"
#include "perftco/yaml_fields.h"

namespace perftco {
const std::vector<std::string>& SimulateScenarioKeys() {
  static const std::vector<std::string> kKeys = [] {
    std::vector<std::string> k = {"kind",
                                  "name",
                                  "description",
                                  "replicas",
                                  "workload",
                                  "arrival",
                                  "rate",
                                  "burstiness",
                                  "users",
                                  "think_time_s",
                                  "requests",
                                  "seed",
                                  "input_len",
                                  "output_len",
                                  "turns",
                                  "shared_prefix",
                                  "scheduler",
                                  "max_seqs",
                                  "token_budget",
                                  "prefix_caching",
                                  "preemption",
                                  "swap_space_gb",
                                  "router",
                                  "prefill_replicas",
                                  "exact_steps",
                                  "slo_ttft_ms",
                                  "slo_tpot_ms",
                                  "disagg",
                                  "ttft_p99_limit_ms",
                                  "tpot_p99_limit_ms",
                                  "limits_from"};
    k.insert(k.end(), ScenarioSetupKeys().begin(), ScenarioSetupKeys().end());
    return k;
  }();
  return kKeys;
}

Status ApplyReplicas(int replicas, SetupOptions* setup) {
  if (replicas == 0) return Status::Ok();
  if (replicas < 0) return Status::Error("--replicas must be positive");
  if (!setup->tp) {
    return Status::Error("--replicas needs --tp (chips per replica = tp x pp)");
  }
  const int chips = replicas * *setup->tp * setup->pp;
  if (setup->chips > 0 && setup->chips != chips) {
    return Status::Error("--chips " + std::to_string(setup->chips) + " disagrees with --replicas " +
                         std::to_string(replicas) + " x tp " + std::to_string(*setup->tp) +
                         " x pp " + std::to_string(setup->pp) + " = " + std::to_string(chips) +
                         ": give one of them");
  }
  setup->chips = chips;
  return Status::Ok();
}

namespace {
Result<SimulateOptions> ReadSimulateScenario(const YAML::Node& root, const std::string& path) {
  const std::vector<std::string>& valid = SimulateScenarioKeys();
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>("");
    if (std::find(valid.begin(), valid.end(), key) == valid.end()) {
      return Status::Error(path + ": unknown key '" + key + "': did you mean '" +
                           ClosestNames(key, valid, 1).front() + "'?");
    }
  }
  SimulateOptions o;
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "name", path, &o.name));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "description", path, &o.description));
  PERFTCO_RETURN_IF_ERROR(ParseSetupKeys(root, path, &o.setup));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "replicas", path, &o.replicas));
  WorkloadOptions& w = o.workload;
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "workload", path, &w.workload));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "arrival", path, &w.arrival));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "rate", path, &w.rate));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "burstiness", path, &w.burstiness));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "users", path, &w.users));
  if (root["think_time_s"]) {
    double t = 0;
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "think_time_s", path, &t));
    w.think_time = Seconds(t);
  }
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "requests", path, &w.requests));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "seed", path, &w.seed));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "input_len", path, &w.input_len));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "output_len", path, &w.output_len));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "turns", path, &w.turns));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "shared_prefix", path, &w.shared_prefix));
  // A relative trace path is relative to the scenario file.
  if (root["workload"]) {
    const std::filesystem::path trace(w.workload);
    const std::filesystem::path beside = std::filesystem::path(path).parent_path() / trace;
    if (trace.is_relative() && std::filesystem::exists(beside)) w.workload = beside.string();
  }
  ServingOptions& s = o.serving;
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "scheduler", path, &s.scheduler));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "max_seqs", path, &s.max_seqs));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "token_budget", path, &s.token_budget));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "prefix_caching", path, &s.prefix_caching));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "preemption", path, &s.preemption));
  if (root["swap_space_gb"]) {
    double gb = 0;
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "swap_space_gb", path, &gb));
    s.swap_space = Bytes(gb * kGiB);
  }
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "router", path, &s.router));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "prefill_replicas", path, &s.prefill_replicas));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "exact_steps", path, &s.exact_steps));
  double ttft_limit = 0, tpot_limit = 0;
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "ttft_p99_limit_ms", path, &ttft_limit));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "tpot_p99_limit_ms", path, &tpot_limit));
  o.limits.ttft_p99 = Milliseconds(ttft_limit);
  o.limits.tpot_p99 = Milliseconds(tpot_limit);
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "limits_from", path, &o.limits_from));
  if (root["disagg"]) {
    std::string text;
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "disagg", path, &text));
    auto d = ParseDisaggSpec(text);
    if (!d.ok()) return Status::Error(path + ": " + d.status().message());
    o.disagg = *d;
  }
  double ttft_ms = 0, tpot_ms = 0;
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "slo_ttft_ms", path, &ttft_ms));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "slo_tpot_ms", path, &tpot_ms));
  s.slo_ttft = Milliseconds(ttft_ms);
  s.slo_tpot = Milliseconds(tpot_ms);
  return o;
}
}  // namespace

Result<SimulateOptions> ParseSimulateScenario(const YAML::Node& root, const std::string& path) {
  return GuardYaml(path, [&] { return ReadSimulateScenario(root, path); });
}

}  // namespace perftco
