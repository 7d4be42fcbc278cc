#include "perftco/scenario.h"

#include <set>

#include "perftco/names.h"
#include "perftco/yaml_fields.h"

namespace perftco {
const std::vector<std::string>& ScenarioSetupKeys() {
  // clang-format off
  static const std::vector<std::string> kKeys = {
      "model", "hardware", "chips", "tp", "pp", "ep", "dp_attention", "cross_domain_tp", "precision",
      "activation_precision", "kv_precision", "engine", "mem_fraction", "max_batched_tokens",
      "max_num_seqs", "two_batch_overlap", "micro_batches", "spec_tokens", "spec_method",
      "acceptance"};
  // clang-format on
  return kKeys;
}

Result<YAML::Node> LoadScenarioYaml(const std::string& path) {
  PERFTCO_ASSIGN_OR_RETURN(YAML::Node root, LoadYamlFile(path, "scenario", "check the path"));
  if (!root.IsMap()) return Status::Error(path + ": a scenario is a YAML map");
  return root;
}

std::string ScenarioKind(const YAML::Node& root) {
  return root["kind"] ? root["kind"].as<std::string>("") : "";
}

Status ParseSetupKeys(const YAML::Node& root, const std::string& path, SetupOptions* o) {
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "model", path, &o->model));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "hardware", path, &o->hardware));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "chips", path, &o->chips));
  PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(root, "tp", path, &o->tp));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "pp", path, &o->pp));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "ep", path, &o->ep));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "dp_attention", path, &o->dp_attention));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "cross_domain_tp", path, &o->cross_domain_tp));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "precision", path, &o->precision));
  if (root["activation_precision"]) {
    o->activation_precision = root["activation_precision"].as<std::string>("");
  }
  if (root["kv_precision"]) o->kv_precision = root["kv_precision"].as<std::string>("");
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "engine", path, &o->engine));
  PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(root, "mem_fraction", path, &o->mem_fraction));
  PERFTCO_RETURN_IF_ERROR(
      ReadYamlOptional(root, "max_batched_tokens", path, &o->max_batched_tokens));
  PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(root, "max_num_seqs", path, &o->max_num_seqs));
  PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(root, "two_batch_overlap", path, &o->two_batch_overlap));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "micro_batches", path, &o->micro_batches));
  PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(root, "spec_tokens", path, &o->spec_tokens));
  PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(root, "spec_method", path, &o->spec_method));
  PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(root, "acceptance", path, &o->acceptance));
  if (o->model.empty() || o->hardware.empty()) {
    return Status::Error(path + ": a scenario needs 'model' and 'hardware'");
  }
  return Status::Ok();
}

Result<WorkloadComparisonScenario> ParseWorkloadComparison(const YAML::Node& root,
                                                           const std::string& path) {
  std::vector<std::string> valid = {"kind", "name", "description", "tpot_slo_ms", "workloads"};
  valid.insert(valid.end(), ScenarioSetupKeys().begin(), ScenarioSetupKeys().end());
  PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(root, valid, path));
  WorkloadComparisonScenario s;
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "name", path, &s.name));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "description", path, &s.description));
  PERFTCO_RETURN_IF_ERROR(ParseSetupKeys(root, path, &s.setup));
  double slo_ms = 0;
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "tpot_slo_ms", path, &slo_ms));
  if (slo_ms <= 0) return Status::Error(path + ": 'tpot_slo_ms' must be positive");
  s.tpot_slo = Milliseconds(slo_ms);
  const YAML::Node w = root["workloads"];
  if (!w || !w.IsSequence() || w.size() < 1) {
    return Status::Error(path + ": 'workloads' must list at least one {name, isl, osl}");
  }
  for (size_t i = 0; i < w.size(); ++i) {
    const std::string where = path + ": workloads[" + std::to_string(i) + "]";
    PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(w[i], {"name", "isl", "osl"}, where));
    WorkloadSpec spec;
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(w[i], "name", where, &spec.name));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(w[i], "isl", where, &spec.isl));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(w[i], "osl", where, &spec.osl));
    if (spec.isl <= 0 || spec.osl <= 0) {
      return Status::Error(where + ": isl and osl must be positive");
    }
    s.workloads.push_back(spec);
  }
  return s;
}

Result<std::vector<WorkloadResult>> CompareWorkloads(const CostModel& cost,
                                                     const std::vector<WorkloadSpec>& workloads,
                                                     Seconds tpot_slo) {
  std::vector<WorkloadResult> out;
  for (const auto& w : workloads) {
    WorkloadResult r;
    r.workload = w;
    r.max_batch = cost.MaxSequences(w.isl + w.osl);
    PERFTCO_ASSIGN_OR_RETURN(r.batch, LargestBatchForTpot(cost, w.isl, w.osl, tpot_slo));
    PERFTCO_ASSIGN_OR_RETURN(r.point, EstimateBatch(cost, w.isl, w.osl, r.batch));
    r.kv_gb_per_sequence = cost.KvBytesPerSequencePerChip(w.isl + w.osl).value() *
                           cost.plan().ChipsPerReplica() / kGiga;
    r.chip_seconds_per_query = cost.plan().ChipsPerReplica() * r.point.request_latency.value() /
                               static_cast<double>(r.batch);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace perftco
