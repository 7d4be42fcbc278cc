#include "perftco/training_scenario.h"

#include <algorithm>
#include <cmath>

#include "perftco/names.h"
#include "perftco/yaml_fields.h"

namespace perftco {
namespace {

Status Require(bool ok, const std::string& where, const std::string& what) {
  return ok ? Status::Ok() : Status::Error(where + ": " + what);
}

Status ReadHeader(const YAML::Node& root, const std::string& path, std::string* name,
                  std::string* description) {
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "name", path, name));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "description", path, description));
  return Status::Ok();
}

// seq_len, global_batch_tokens, tokens.
Status ReadWorkload(const YAML::Node& n, const std::string& where, TrainingWorkload* w) {
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "seq_len", where, &w->seq_len));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "global_batch_tokens", where, &w->global_batch_tokens));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "tokens", where, &w->train_tokens));
  PERFTCO_RETURN_IF_ERROR(Require(w->seq_len > 0, where, "'seq_len' must be positive"));
  PERFTCO_RETURN_IF_ERROR(
      Require(w->global_batch_tokens > 0, where, "'global_batch_tokens' must be positive"));
  PERFTCO_RETURN_IF_ERROR(Require(w->train_tokens >= 0, where, "'tokens' must not be negative"));
  return Status::Ok();
}

// restart_min, failures_per_chip_hour, checkpoint_tb_per_s, failures.
Status ReadReliability(const YAML::Node& n, const std::string& where, ReliabilityParams* r) {
  double restart_min = r->restart_fixed.value() / 60.0;
  double tbps = r->storage_bandwidth.value() / kTera;
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "restart_min", where, &restart_min));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "checkpoint_tb_per_s", where, &tbps));
  PERFTCO_RETURN_IF_ERROR(
      ReadYamlField(n, "failures_per_chip_hour", where, &r->failures_per_chip_hour));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "failures", where, &r->failures));
  PERFTCO_RETURN_IF_ERROR(Require(restart_min >= 0, where, "'restart_min' must not be negative"));
  PERFTCO_RETURN_IF_ERROR(Require(tbps > 0, where, "'checkpoint_tb_per_s' must be positive"));
  PERFTCO_RETURN_IF_ERROR(
      Require(r->failures_per_chip_hour > 0, where, "'failures_per_chip_hour' must be positive"));
  r->restart_fixed = Seconds(restart_min * 60.0);
  r->storage_bandwidth = BytesPerSecond(tbps * kTera);
  return Status::Ok();
}

Status ReadPlan(const YAML::Node& n, const std::string& where, PlanConstraints* c) {
  PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(
      n, {"dp", "tp", "pp", "cp", "ep", "zero", "vpp", "micro_batch", "schedule", "recompute"},
      where));
  PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(n, "dp", where, &c->dp));
  PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(n, "tp", where, &c->tp));
  PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(n, "pp", where, &c->pp));
  PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(n, "cp", where, &c->cp));
  PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(n, "ep", where, &c->ep));
  PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(n, "zero", where, &c->zero_stage));
  PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(n, "vpp", where, &c->virtual_stages));
  PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(n, "micro_batch", where, &c->micro_batch));
  PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(n, "recompute", where, &c->recompute));
  if (n["schedule"]) {
    std::string s;
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "schedule", where, &s));
    PERFTCO_ASSIGN_OR_RETURN(PipelineSchedule sched, ParsePipelineSchedule(s));
    c->schedule = sched;
  }
  return Status::Ok();
}

}  // namespace

// ---- rl-step ----

Result<RlScenario> ParseRlScenario(const YAML::Node& root, const std::string& path) {
  PERFTCO_RETURN_IF_ERROR(
      CheckYamlKeys(root,
                    {"kind", "name", "description", "model", "hardware", "rollout_precision",
                     "usd_per_chip_hour", "rl", "variants"},
                    path));
  RlScenario s;
  PERFTCO_RETURN_IF_ERROR(ReadHeader(root, path, &s.name, &s.description));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "model", path, &s.model));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "hardware", path, &s.hardware));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "rollout_precision", path, &s.rollout_precision));
  PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(root, "usd_per_chip_hour", path, &s.usd_per_chip_hour));
  PERFTCO_RETURN_IF_ERROR(Require(!s.model.empty() && !s.hardware.empty(), path,
                                  "an rl-step scenario needs 'model' and 'hardware'"));
  RlConfig& c = s.config;
  if (root["rl"]) {
    const YAML::Node rl = root["rl"];
    const std::string where = path + ": rl";
    PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(
        rl,
        {"prompts", "samples_per_prompt", "prompt_tokens", "rollout_tokens", "length_sigma",
         "max_rollout_tokens", "pass_rate", "difficulty_concentration", "keep", "verify_s",
         "sandbox_s", "verifiers", "usd_per_cpu_hour", "logprob_passes", "sync_overhead_s", "seed"},
        where));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(rl, "prompts", where, &c.prompts));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(rl, "samples_per_prompt", where, &c.samples_per_prompt));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(rl, "prompt_tokens", where, &c.prompt_tokens));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(rl, "rollout_tokens", where, &c.lengths.mean_tokens));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(rl, "length_sigma", where, &c.lengths.sigma));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(rl, "max_rollout_tokens", where, &c.lengths.max_tokens));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(rl, "pass_rate", where, &c.pass_rate));
    PERFTCO_RETURN_IF_ERROR(
        ReadYamlField(rl, "difficulty_concentration", where, &c.difficulty_concentration));
    if (rl["keep"]) {
      std::string k;
      PERFTCO_RETURN_IF_ERROR(ReadYamlField(rl, "keep", where, &k));
      PERFTCO_ASSIGN_OR_RETURN(c.keep, ParseKeepRule(k));
    }
    double verify_s = c.verifier.per_sample.value();
    double sandbox_s = c.verifier.sandbox_startup.value();
    double sync_s = c.sync_fixed.value();
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(rl, "verify_s", where, &verify_s));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(rl, "sandbox_s", where, &sandbox_s));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(rl, "sync_overhead_s", where, &sync_s));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(rl, "verifiers", where, &c.verifier.workers));
    PERFTCO_RETURN_IF_ERROR(
        ReadYamlField(rl, "usd_per_cpu_hour", where, &c.verifier.usd_per_worker_hour));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(rl, "logprob_passes", where, &c.logprob_passes));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(rl, "seed", where, &c.seed));
    PERFTCO_RETURN_IF_ERROR(Require(verify_s >= 0 && sandbox_s >= 0 && sync_s >= 0, where,
                                    "times must not be negative"));
    c.verifier.per_sample = Seconds(verify_s);
    c.verifier.sandbox_startup = Seconds(sandbox_s);
    c.sync_fixed = Seconds(sync_s);
  }
  const YAML::Node v = root["variants"];
  PERFTCO_RETURN_IF_ERROR(Require(v && v.IsSequence() && v.size() > 0, path,
                                  "'variants' must list at least one {name, pools, ...}"));
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string where = path + ": variants[" + std::to_string(i) + "]";
    PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(v[i],
                                          {"name", "pools", "pipeline", "chips", "rollout_chips",
                                           "train_chips", "rollout_tp", "keep", "pass_rate"},
                                          where));
    RlVariant x;
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(v[i], "name", where, &x.name));
    std::string pools = "shared", pipeline = "sync";
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(v[i], "pools", where, &pools));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(v[i], "pipeline", where, &pipeline));
    PERFTCO_ASSIGN_OR_RETURN(x.pools, ParsePoolLayout(pools));
    PERFTCO_ASSIGN_OR_RETURN(x.pipeline, ParseRlPipeline(pipeline));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(v[i], "chips", where, &x.chips));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(v[i], "rollout_chips", where, &x.rollout_chips));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(v[i], "train_chips", where, &x.train_chips));
    PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(v[i], "rollout_tp", where, &x.rollout_tp));
    PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(v[i], "pass_rate", where, &x.pass_rate));
    if (v[i]["keep"]) {
      std::string k;
      PERFTCO_RETURN_IF_ERROR(ReadYamlField(v[i], "keep", where, &k));
      PERFTCO_ASSIGN_OR_RETURN(KeepRule rule, ParseKeepRule(k));
      x.keep = rule;
    }
    if (x.pools == PoolLayout::kShared) {
      PERFTCO_RETURN_IF_ERROR(Require(x.chips > 0, where, "shared pools need 'chips' > 0"));
    } else {
      PERFTCO_RETURN_IF_ERROR(Require(x.rollout_chips > 0 && x.train_chips > 0, where,
                                      "split pools need 'rollout_chips' and 'train_chips' > 0"));
    }
    s.variants.push_back(x);
  }
  return s;
}

Result<std::vector<RlVariantResult>> RunRlScenario(const Catalog& catalog,
                                                   const EfficiencyTable& table,
                                                   const std::string& data_dir,
                                                   const RlScenario& s) {
  TrainingSetupOptions to;
  to.model = s.model;
  to.hardware = s.hardware;
  PERFTCO_ASSIGN_OR_RETURN(TrainingModel trainer, BuildTrainingModel(catalog, table, to));
  double price = 0;
  if (s.usd_per_chip_hour) {
    price = *s.usd_per_chip_hour;
  } else {
    PERFTCO_ASSIGN_OR_RETURN(ChipHourPrice p,
                             DefaultChipHourPrice(data_dir, trainer.hardware().name));
    price = p.usd;
  }
  std::vector<RlVariantResult> out;
  for (const RlVariant& v : s.variants) {
    RlVariantResult r;
    r.variant = v;
    r.config = s.config;
    r.config.pools = v.pools;
    r.config.pipeline = v.pipeline;
    r.config.usd_per_chip_hour = price;
    if (v.keep) r.config.keep = *v.keep;
    if (v.pass_rate) r.config.pass_rate = *v.pass_rate;
    const int rollout_chips = v.pools == PoolLayout::kShared ? v.chips : v.rollout_chips;
    const int train_chips = v.pools == PoolLayout::kShared ? v.chips : v.train_chips;
    const int64_t context = r.config.prompt_tokens + r.config.lengths.max_tokens;
    PERFTCO_ASSIGN_OR_RETURN(std::shared_ptr<Setup> pool,
                             BuildRolloutPool(catalog, table, s.model, s.hardware, rollout_chips,
                                              v.rollout_tp, s.rollout_precision, context, 16));
    r.generator = std::make_unique<CostModelRolloutGenerator>(pool);
    Result<RlStepResult> step =
        SimulateRlStep(r.config, *r.generator, trainer, train_chips, PlanConstraints());
    if (!step.ok()) return Status::Error("variant '" + v.name + "': " + step.status().message());
    r.step = std::move(step).value();
    out.push_back(std::move(r));
  }
  return out;
}

// ---- training-cluster-comparison ----

Result<ClusterComparisonScenario> ParseClusterComparison(const YAML::Node& root,
                                                         const std::string& path) {
  PERFTCO_RETURN_IF_ERROR(
      CheckYamlKeys(root,
                    {"kind", "name", "description", "model", "precision", "seq_len",
                     "global_batch_tokens", "tokens", "reliability", "clusters"},
                    path));
  ClusterComparisonScenario s;
  PERFTCO_RETURN_IF_ERROR(ReadHeader(root, path, &s.name, &s.description));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "model", path, &s.model));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "precision", path, &s.precision));
  PERFTCO_RETURN_IF_ERROR(Require(!s.model.empty(), path, "needs 'model'"));
  PERFTCO_RETURN_IF_ERROR(ReadWorkload(root, path, &s.workload));
  PERFTCO_RETURN_IF_ERROR(Require(s.workload.train_tokens > 0, path, "needs 'tokens' > 0"));
  if (root["reliability"]) {
    const std::string where = path + ": reliability";
    PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(
        root["reliability"],
        {"restart_min", "checkpoint_tb_per_s", "failures_per_chip_hour", "failures"}, where));
    PERFTCO_RETURN_IF_ERROR(ReadReliability(root["reliability"], where, &s.reliability));
  }
  const YAML::Node c = root["clusters"];
  PERFTCO_RETURN_IF_ERROR(Require(c && c.IsSequence() && c.size() >= 1, path,
                                  "'clusters' must list at least one cluster"));
  for (size_t i = 0; i < c.size(); ++i) {
    const std::string where = path + ": clusters[" + std::to_string(i) + "]";
    PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(
        c[i],
        {"name", "hardware", "chips", "usd_per_chip", "price_source", "equal_cost_to", "round_to"},
        where));
    ClusterSpec x;
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(c[i], "name", where, &x.name));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(c[i], "hardware", where, &x.hardware));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(c[i], "chips", where, &x.chips));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(c[i], "usd_per_chip", where, &x.usd_per_chip));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(c[i], "price_source", where, &x.price_source));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(c[i], "equal_cost_to", where, &x.equal_cost_to));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(c[i], "round_to", where, &x.round_to));
    PERFTCO_RETURN_IF_ERROR(Require(!x.name.empty() && !x.hardware.empty(), where,
                                    "a cluster needs 'name' and 'hardware'"));
    PERFTCO_RETURN_IF_ERROR(Require(x.usd_per_chip > 0 && !x.price_source.empty(), where,
                                    "a cluster needs 'usd_per_chip' > 0 and its 'price_source'"));
    PERFTCO_RETURN_IF_ERROR(Require(x.round_to >= 1, where, "'round_to' must be >= 1"));
    PERFTCO_RETURN_IF_ERROR(Require((x.chips > 0) != !x.equal_cost_to.empty(), where,
                                    "give either 'chips' or 'equal_cost_to'"));
    s.clusters.push_back(x);
  }
  return s;
}

Result<std::vector<ClusterResult>> RunClusterComparison(const Catalog& catalog,
                                                        const EfficiencyTable& table,
                                                        const ClusterComparisonScenario& s) {
  std::vector<ClusterResult> out;
  for (const ClusterSpec& c : s.clusters) {
    ClusterResult r;
    r.cluster = c;
    if (c.chips > 0) {
      r.chips = c.chips;
    } else {
      const auto ref = std::find_if(out.begin(), out.end(), [&](const ClusterResult& x) {
        return x.cluster.name == c.equal_cost_to;
      });
      if (ref == out.end()) {
        return Status::Error("cluster '" + c.name + "': 'equal_cost_to: " + c.equal_cost_to +
                             "' must name a cluster listed before it");
      }
      const double units = std::floor(ref->capex_usd / c.usd_per_chip / c.round_to);
      r.chips = static_cast<int>(units) * c.round_to;
    }
    if (r.chips < 1) return Status::Error("cluster '" + c.name + "' has no chips");
    r.capex_usd = r.chips * c.usd_per_chip;
    TrainingSetupOptions to;
    to.model = s.model;
    to.hardware = c.hardware;
    to.precision = s.precision;
    PERFTCO_ASSIGN_OR_RETURN(TrainingModel tm, BuildTrainingModel(catalog, table, to));
    r.model = std::make_unique<TrainingModel>(tm);
    r.chip_power_mw = tm.hardware().tdp.value() * r.chips / 1e6;
    Result<TrainingStep> st = SearchPlan(*r.model, r.chips, s.workload, PlanConstraints());
    if (!st.ok()) return Status::Error("cluster '" + c.name + "': " + st.status().message());
    r.step = std::move(st).value();
    PERFTCO_ASSIGN_OR_RETURN(
        r.run, EstimateRun(*r.model, r.step, s.workload.train_tokens, 0.0, s.reliability));
    out.push_back(std::move(r));
  }
  return out;
}

// ---- training-reliability ----

Result<ReliabilityScenario> ParseReliabilityScenario(const YAML::Node& root,
                                                     const std::string& path) {
  PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(
      root,
      {"kind", "name", "description", "model", "hardware", "seq_len", "global_batch_tokens",
       "tokens", "chips", "restart_minutes", "usd_per_chip_hour", "scale_batch_with_chips",
       "checkpoint_tb_per_s", "failures_per_chip_hour"},
      path));
  ReliabilityScenario s;
  PERFTCO_RETURN_IF_ERROR(ReadHeader(root, path, &s.name, &s.description));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "model", path, &s.model));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "hardware", path, &s.hardware));
  PERFTCO_RETURN_IF_ERROR(
      Require(!s.model.empty() && !s.hardware.empty(), path, "needs 'model' and 'hardware'"));
  PERFTCO_RETURN_IF_ERROR(ReadWorkload(root, path, &s.workload));
  PERFTCO_RETURN_IF_ERROR(Require(s.workload.train_tokens > 0, path, "needs 'tokens' > 0"));
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "chips", path, &s.chips));
  PERFTCO_RETURN_IF_ERROR(Require(!s.chips.empty(), path, "'chips' must list chip counts"));
  for (int c : s.chips) PERFTCO_RETURN_IF_ERROR(Require(c > 0, path, "chips must be positive"));
  s.restart_minutes = {s.reliability.restart_fixed.value() / 60.0};
  PERFTCO_RETURN_IF_ERROR(ReadYamlField(root, "restart_minutes", path, &s.restart_minutes));
  for (double m : s.restart_minutes) {
    PERFTCO_RETURN_IF_ERROR(Require(m >= 0, path, "restart minutes must not be negative"));
  }
  PERFTCO_RETURN_IF_ERROR(ReadYamlOptional(root, "usd_per_chip_hour", path, &s.usd_per_chip_hour));
  PERFTCO_RETURN_IF_ERROR(
      ReadYamlField(root, "scale_batch_with_chips", path, &s.scale_batch_with_chips));
  PERFTCO_RETURN_IF_ERROR(ReadReliability(root, path, &s.reliability));
  return s;
}

Result<ReliabilityScenarioResult> RunReliabilityScenario(const Catalog& catalog,
                                                         const EfficiencyTable& table,
                                                         const std::string& data_dir,
                                                         const ReliabilityScenario& s) {
  TrainingSetupOptions to;
  to.model = s.model;
  to.hardware = s.hardware;
  PERFTCO_ASSIGN_OR_RETURN(TrainingModel tm, BuildTrainingModel(catalog, table, to));
  ReliabilityScenarioResult out;
  if (s.usd_per_chip_hour) {
    out.price = {*s.usd_per_chip_hour, "scenario"};
  } else {
    PERFTCO_ASSIGN_OR_RETURN(out.price, DefaultChipHourPrice(data_dir, tm.hardware().name));
  }
  for (int chips : s.chips) {
    TrainingWorkload w = s.workload;
    if (s.scale_batch_with_chips) w.global_batch_tokens *= 1.0 * chips / s.chips.front();
    Result<TrainingStep> st = SearchPlan(tm, chips, w, PlanConstraints());
    if (!st.ok()) {
      return Status::Error(std::to_string(chips) + " chips: " + st.status().message());
    }
    for (double restart : s.restart_minutes) {
      ReliabilityParams rp = s.reliability;
      rp.restart_fixed = Seconds(restart * 60.0);
      ReliabilityRow row;
      row.chips = chips;
      row.restart_minutes = restart;
      row.step = st.value();
      PERFTCO_ASSIGN_OR_RETURN(
          row.run, EstimateRun(tm, row.step, s.workload.train_tokens, out.price.usd, rp));
      out.rows.push_back(std::move(row));
    }
  }
  return out;
}

// ---- training-validation ----

Result<ValidationScenario> ParseValidationScenario(const YAML::Node& root, const std::string& path,
                                                   const std::string& data_dir) {
  PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(root, {"kind", "name", "description", "runs"}, path));
  ValidationScenario s;
  PERFTCO_RETURN_IF_ERROR(ReadHeader(root, path, &s.name, &s.description));
  const YAML::Node runs = root["runs"];
  PERFTCO_RETURN_IF_ERROR(Require(runs && runs.IsSequence() && runs.size() > 0, path,
                                  "'runs' must list published training runs"));
  for (size_t i = 0; i < runs.size(); ++i) {
    const YAML::Node n = runs[i];
    const std::string where = path + ": runs[" + std::to_string(i) + "]";
    PERFTCO_RETURN_IF_ERROR(CheckYamlKeys(
        n,
        {"name", "model", "hardware", "precision", "scale_up_gb_per_s", "tp_overlap", "ep_overlap",
         "cp_method", "dispatch_bytes", "max_domains_per_token", "chips", "seq_len",
         "global_batch_tokens", "tokens", "plan", "metric", "published", "source", "note"},
        where));
    ValidationRun v;
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "name", where, &v.name));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "model", where, &v.setup.model));
    // Model files given relative to the data directory (data/training/models/...).
    if (v.setup.model.rfind("training/", 0) == 0) v.setup.model = data_dir + "/" + v.setup.model;
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "hardware", where, &v.setup.hardware));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "precision", where, &v.setup.precision));
    PERFTCO_RETURN_IF_ERROR(
        ReadYamlOptional(n, "scale_up_gb_per_s", where, &v.setup.scale_up_gb_per_s));
    TrainingOptions& o = v.setup.options;
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "tp_overlap", where, &o.tp_comm_overlap));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "ep_overlap", where, &o.ep_comm_overlap));
    if (n["cp_method"]) {
      std::string method;
      PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "cp_method", where, &method));
      Result<ContextParallelMethod> parsed = ParseContextParallelMethod(method);
      if (!parsed.ok()) return Status::Error(where + ": " + parsed.status().message());
      o.cp_method = *parsed;
    }
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "dispatch_bytes", where, &o.dispatch_bytes));
    PERFTCO_RETURN_IF_ERROR(
        ReadYamlField(n, "max_domains_per_token", where, &o.max_domains_per_token));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "chips", where, &v.chips));
    PERFTCO_RETURN_IF_ERROR(ReadWorkload(n, where, &v.workload));
    if (n["plan"]) PERFTCO_RETURN_IF_ERROR(ReadPlan(n["plan"], where + ": plan", &v.plan));
    std::string metric;
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "metric", where, &metric));
    if (metric == "mfu") {
      v.metric = ValidationMetric::kMfu;
    } else if (metric == "chip_hours") {
      v.metric = ValidationMetric::kChipHours;
      PERFTCO_RETURN_IF_ERROR(
          Require(v.workload.train_tokens > 0, where, "a chip_hours comparison needs 'tokens'"));
    } else {
      return Status::Error(where + ": 'metric' must be mfu or chip_hours");
    }
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "published", where, &v.published));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "source", where, &v.source));
    PERFTCO_RETURN_IF_ERROR(ReadYamlField(n, "note", where, &v.note));
    PERFTCO_RETURN_IF_ERROR(
        Require(!v.setup.model.empty() && !v.setup.hardware.empty() && v.chips > 0, where,
                "needs 'model', 'hardware' and 'chips'"));
    PERFTCO_RETURN_IF_ERROR(Require(v.published > 0 && !v.source.empty(), where,
                                    "needs a positive 'published' value and its 'source'"));
    s.runs.push_back(v);
  }
  return s;
}

Result<std::vector<ValidationRow>> RunValidation(const Catalog& catalog,
                                                 const EfficiencyTable& table,
                                                 const ValidationScenario& s) {
  std::vector<ValidationRow> out;
  for (const ValidationRun& v : s.runs) {
    PERFTCO_ASSIGN_OR_RETURN(TrainingModel tm, BuildTrainingModel(catalog, table, v.setup));
    Result<TrainingStep> st = SearchPlan(tm, v.chips, v.workload, v.plan);
    if (!st.ok()) return Status::Error(v.name + ": " + st.status().message());
    ValidationRow row;
    row.run = v;
    row.step = std::move(st).value();
    if (v.metric == ValidationMetric::kMfu) {
      row.predicted = row.predicted_no_failures = row.step.mfu;
    } else {
      PERFTCO_ASSIGN_OR_RETURN(TrainingRun run, EstimateRun(tm, row.step, v.workload.train_tokens,
                                                            0.0, ReliabilityParams()));
      row.predicted = run.chip_hours;
      row.predicted_no_failures = run.ideal_chip_hours;
    }
    row.error = row.predicted / v.published - 1.0;
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace perftco
