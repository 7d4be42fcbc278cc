#include "perftco/plan_scenario.h"

#include <algorithm>
#include <cmath>

#include "perftco/scenario.h"
#include "perftco/yaml_fields.h"

namespace perftco {
namespace {

// The setup keys a plan scenario accepts besides its own (the layout keys are searched).
std::vector<std::string> EngineKeys() {
  return {
      "engine",       "kv_precision",  "activation_precision", "mem_fraction", "max_batched_tokens",
      "max_num_seqs", "micro_batches", "spec_tokens",          "spec_method",  "acceptance"};
}

Status ReadEngineKeys(const YAML::Node& root, const std::string& path, SetupOptions* o) {
  // ParseSetupKeys needs model and hardware: give placeholders and keep only the engine keys.
  YAML::Node copy = YAML::Clone(root);
  copy["model"] = "placeholder";
  copy["hardware"] = "placeholder";
  SetupOptions parsed;
  PERFTCO_RETURN_IF_ERROR(ParseSetupKeys(copy, path, &parsed));
  parsed.model.clear();
  parsed.hardware.clear();
  *o = parsed;
  return Status::Ok();
}

Status CheckLengths(int64_t isl, int64_t osl, const std::string& path) {
  if (isl <= 0 || osl <= 0) return Status::Error(path + ": 'isl' and 'osl' must be positive");
  return Status::Ok();
}

}  // namespace

Result<SmallestSliceScenario> ParseSmallestSlice(const Catalog& catalog, const YAML::Node& root,
                                                 const std::string& path) {
  std::vector<std::string> valid = {"kind",       "name", "description", "model",     "hardware",
                                    "precisions", "isl",  "osl",         "min_batch", "max_chips"};
  const std::vector<std::string> engine = EngineKeys();
  valid.insert(valid.end(), engine.begin(), engine.end());
  PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(root, valid, path));
  SmallestSliceScenario s;
  PERFTCO_RETURN_IF_ERROR(ReadEngineKeys(root, path, &s.base));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "name", path, &s.name));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "description", path, &s.description));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "model", path, &s.base.model, true));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "hardware", path, &s.hardware));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "precisions", path, &s.precisions, true));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "isl", path, &s.isl));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "osl", path, &s.osl));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "min_batch", path, &s.min_batch));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "max_chips", path, &s.max_chips));
  PERFTCO_RETURN_IF_ERROR(CheckLengths(s.isl, s.osl, path));
  if (s.min_batch < 1) return Status::Error(path + ": 'min_batch' must be at least 1");
  if (s.max_chips < 1) return Status::Error(path + ": 'max_chips' must be positive");
  if (s.precisions.empty()) return Status::Error(path + ": 'precisions' lists no format");
  for (const auto& p : s.precisions) {
    auto parsed = ParsePrecision(p);
    if (!parsed.ok()) return Status::Error(path + ": " + parsed.status().message());
  }
  if (s.hardware.empty()) {
    for (const Hardware& hw : catalog.hardware()) s.hardware.push_back(hw.name);
  }
  return s;
}

Result<SmallestSliceReport> RunSmallestSlice(const Catalog& catalog, const EfficiencyTable& table,
                                             const SmallestSliceScenario& s) {
  SmallestSliceReport r;
  r.scenario = s;
  PERFTCO_ASSIGN_OR_RETURN(r.model, catalog.FindModel(s.base.model));
  for (const std::string& name : s.hardware) {
    PERFTCO_ASSIGN_OR_RETURN(Hardware hw, catalog.FindHardware(name));
    for (const std::string& precision : s.precisions) {
      SliceRow row;
      row.hardware = hw.name;
      row.precision = precision;
      PERFTCO_ASSIGN_OR_RETURN(Precision p, ParsePrecision(precision));
      row.compute = hw.ComputePrecision(p, p);
      SetupOptions base = s.base;
      base.hardware = hw.name;
      base.precision = precision;
      auto slice = FindSmallestSlice(catalog, table, base, s.isl, s.osl, s.min_batch, s.max_chips);
      if (slice.ok()) {
        row.slice = std::move(slice).value();
      } else {
        row.status = slice.status();
      }
      r.rows.push_back(std::move(row));
    }
  }
  return r;
}

Result<InteractivityScenario> ParseInteractivityComparison(const YAML::Node& root,
                                                           const std::string& path) {
  std::vector<std::string> valid = {"kind",   "name", "description", "model",
                                    "models", "isl",  "osl",         "targets_tok_s_per_user",
                                    "systems"};
  const std::vector<std::string> engine = EngineKeys();
  valid.insert(valid.end(), engine.begin(), engine.end());
  PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(root, valid, path));
  InteractivityScenario s;
  PERFTCO_RETURN_IF_ERROR(ReadEngineKeys(root, path, &s.base));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "name", path, &s.name));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "description", path, &s.description));
  std::string one;
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "model", path, &one));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "models", path, &s.models));
  if (!one.empty()) s.models.insert(s.models.begin(), one);
  if (s.models.empty()) return Status::Error(path + ": give 'model' or 'models'");
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "isl", path, &s.isl, true));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "osl", path, &s.osl, true));
  PERFTCO_RETURN_IF_ERROR(CheckLengths(s.isl, s.osl, path));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "targets_tok_s_per_user", path, &s.targets, true));
  if (s.targets.empty()) return Status::Error(path + ": 'targets_tok_s_per_user' is empty");
  for (double t : s.targets) {
    if (!(t > 0) || !std::isfinite(t)) {
      return Status::Error(path + ": every target in 'targets_tok_s_per_user' must be positive");
    }
  }
  const YAML::Node systems = root["systems"];
  if (!systems || !systems.IsSequence() || systems.size() < 1) {
    return Status::Error(path + ": 'systems' must list {label, hardware, chips, precision}");
  }
  for (size_t i = 0; i < systems.size(); ++i) {
    const std::string where = path + ": systems[" + std::to_string(i) + "]";
    if (!systems[i].IsMap()) return Status::Error(where + ": expected a map");
    PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(
        systems[i], {"label", "hardware", "chips", "precision", "note", "compare_to"}, where));
    SystemSpec spec;
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(systems[i], "label", where, &spec.label, true));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(systems[i], "hardware", where, &spec.hardware, true));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(systems[i], "chips", where, &spec.chips, true));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(systems[i], "precision", where, &spec.precision, true));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(systems[i], "note", where, &spec.note));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(systems[i], "compare_to", where, &spec.compare_to));
    if (spec.chips < 1) return Status::Error(where + ": 'chips' must be positive");
    if (!spec.compare_to.empty()) {
      bool known = false;
      for (const SystemSpec& earlier : s.systems) known = known || earlier.label == spec.compare_to;
      if (!known) {
        return Status::Error(where + ": 'compare_to' names no earlier system label ('" +
                             spec.compare_to + "')");
      }
    }
    s.systems.push_back(spec);
  }
  return s;
}

Result<InteractivityReport> RunInteractivityComparison(const Catalog& catalog,
                                                       const EfficiencyTable& table,
                                                       const InteractivityScenario& s,
                                                       const EconomicsData* economics) {
  InteractivityReport r;
  r.scenario = s;
  for (const std::string& model : s.models) {
    ModelComparison mc;
    PERFTCO_ASSIGN_OR_RETURN(ModelConfig m, catalog.FindModel(model));
    mc.model = m.name;
    mc.requested = model;
    for (const SystemSpec& spec : s.systems) {
      SystemResult sr;
      sr.spec = spec;
      PERFTCO_ASSIGN_OR_RETURN(Hardware hw, catalog.FindHardware(spec.hardware));
      if (economics) {
        PERFTCO_ASSIGN_OR_RETURN(sr.chip, EvaluateChip(hw, *economics, EconomicsOptions()));
      }
      PlanSearchOptions o;
      o.base = s.base;
      o.base.model = model;
      o.base.hardware = hw.name;
      o.base.precision = spec.precision;
      o.chips = spec.chips;
      o.isl = s.isl;
      o.osl = s.osl;
      auto search = SearchPlans(catalog, table, o);
      if (!search.ok()) {
        sr.status = search.status();
        sr.at_target.assign(s.targets.size(), std::nullopt);
        sr.misses.assign(s.targets.size(), sr.status.message());
        sr.money.assign(s.targets.size(), std::nullopt);
        mc.systems.push_back(std::move(sr));
        continue;
      }
      sr.search = std::move(search).value();
      for (const LayoutResult& l : sr.search->feasible) {
        const int chips = l.setup->plan.ChipsPerReplica();
        if (sr.smallest_replica == 0 || chips < sr.smallest_replica ||
            (chips == sr.smallest_replica && l.max_batch > sr.smallest_max_batch)) {
          sr.smallest_replica = chips;
          sr.smallest_plan = l.setup->plan.ToString();
          sr.smallest_max_batch = l.max_batch;
        }
      }
      for (double target : s.targets) {
        auto best = BestAtTpot(*sr.search, Seconds(1.0 / target));
        if (best.ok()) {
          sr.at_target.push_back(*best);
          sr.misses.emplace_back();
          if (economics) {
            const LayoutResult& l = sr.search->feasible[best->layout];
            sr.money.push_back(TokenCosts(sr.chip, PointThroughput(l, best->point, s.isl), 0.0));
          } else {
            sr.money.push_back(std::nullopt);
          }
        } else {
          sr.at_target.push_back(std::nullopt);
          sr.misses.push_back(best.status().message());
          sr.money.push_back(std::nullopt);
        }
      }
      mc.systems.push_back(std::move(sr));
    }
    r.models.push_back(std::move(mc));
  }
  return r;
}

}  // namespace perftco
