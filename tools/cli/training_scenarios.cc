// `perftco run` for the training module's scenario kinds: the library runs them, this prints.
#include "training_scenarios.h"

#include <cmath>
#include <cstdio>

#include "perftco/text_table.h"
#include "perftco/training_scenario.h"
#include "training_report.h"

namespace perftco::cli {
namespace {

using nlohmann::ordered_json;

std::string Usd(double usd) {
  if (std::fabs(usd) >= 1e9) return "$" + FormatFixed(usd / 1e9, 2) + "B";
  if (std::fabs(usd) >= 1e6) return "$" + FormatFixed(usd / 1e6, 1) + "M";
  return "$" + FormatFixed(usd, 2);
}

std::string Ratio(double x) { return FormatFixed(x, x < 10 ? 2 : 1) + "x"; }

void Print(const std::string& text) { std::fputs(text.c_str(), stdout); }
void PrintJson(const ordered_json& j) { std::printf("%s\n", j.dump(2).c_str()); }

std::string Header(const std::string& name, const std::string& description) {
  return "scenario: " + name + "\n" + description + "\n\n";
}

Status RunRl(CliContext* ctx, const YAML::Node& root, const std::string& path, bool json) {
  PERFTCO_ASSIGN_OR_RETURN(RlScenario s, ParseRlScenario(root, path));
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
  PERFTCO_ASSIGN_OR_RETURN(const EfficiencyTable* table, ctx->efficiency());
  PERFTCO_ASSIGN_OR_RETURN(std::vector<RlVariantResult> rs,
                           RunRlScenario(*catalog, *table, ctx->data_dir, s));
  if (json) {
    ordered_json j;
    j["scenario"] = s.name;
    j["variants"] = ordered_json::array();
    for (const auto& r : rs) {
      ordered_json v;
      v["name"] = r.variant.name;
      v.update(RlJson(r.config, *r.generator, r.step));
      j["variants"].push_back(v);
    }
    PrintJson(j);
    return Status::Ok();
  }
  std::string out = Header(s.name, s.description);
  TextTable t({"variant", "chips", "step", "generation", "verification", "training", "sync", "kept",
               "gen/train FLOPs", "$/M kept tokens"});
  for (const auto& r : rs) {
    const RlStepResult& x = r.step;
    t.AddRow({r.variant.name, std::to_string(x.total_chips), Duration(x.step_time),
              Percent(x.split_generation), Percent(x.split_verification), Percent(x.split_training),
              Percent(x.split_sync), std::to_string(x.kept) + "/" + std::to_string(x.samples),
              Ratio(x.generation_flops / x.training_flops),
              FormatFixed(x.usd_per_kept_token * 1e6, 2)});
  }
  out += t.Render();
  const RlVariantResult& first = rs.front();
  const RlStepResult& x = first.step;
  const double gen_cs_per_token = x.generation.chip_seconds / x.generated_tokens;
  const double train_cs_per_token = x.training.chip_seconds / x.trained_tokens;
  out += "\nwhy generation dominates the '" + first.variant.name + "' step:\n";
  out += "  - " + std::to_string(x.samples) + " rollouts produce " + Sig(x.generated_tokens) +
         " tokens; the step waits for the longest (" + std::to_string(x.longest_rollout) +
         " tokens, " + Ratio(static_cast<double>(x.longest_rollout) / x.mean_rollout) +
         " the mean), so at the end a few sequences decode alone: on average only " +
         Percent(x.generation_occupancy) + " of the sequence slots are busy;\n";
  out +=
      "  - decoding reads all weights for every step of a small batch, so a generated token "
      "costs " +
      FormatFixed(gen_cs_per_token * 1e3, 2) + " chip-ms against " +
      FormatFixed(train_cs_per_token * 1e3, 3) +
      " chip-ms for a trained token (forward, "
      "backward and a reference forward at " +
      Percent(x.train_step.mfu) + " MFU): " + Ratio(gen_cs_per_token / train_cs_per_token) + ";\n";
  out += "  - in FLOPs the step spends " + Ratio(x.generation_flops / x.training_flops) +
         " as much on generation as on training, but in time " +
         Ratio(x.generation.busy / x.training.busy) +
         ": inference, not weight updates, sets "
         "the pace;\n";
  out += "  - verification runs on " + std::to_string(first.config.verifier.workers) +
         " CPU workers while rollouts finish and adds " + Duration(x.verification.on_path) +
         " after the last one; the weight sync adds " + Duration(x.sync.on_path) + ".\n";
  out += "\n" + RlText(first.config, *first.generator, x);
  Print(out);
  return Status::Ok();
}

Status RunClusters(CliContext* ctx, const YAML::Node& root, const std::string& path, bool json) {
  PERFTCO_ASSIGN_OR_RETURN(ClusterComparisonScenario s, ParseClusterComparison(root, path));
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
  PERFTCO_ASSIGN_OR_RETURN(const EfficiencyTable* table, ctx->efficiency());
  PERFTCO_ASSIGN_OR_RETURN(std::vector<ClusterResult> rs,
                           RunClusterComparison(*catalog, *table, s));
  if (json) {
    ordered_json j;
    j["scenario"] = s.name;
    j["model"] = s.model;
    j["train_tokens"] = s.workload.train_tokens;
    j["clusters"] = ordered_json::array();
    for (const auto& r : rs) {
      ordered_json c;
      c["name"] = r.cluster.name;
      c["hardware"] = r.cluster.hardware;
      c["chips"] = r.chips;
      c["usd_per_chip"] = r.cluster.usd_per_chip;
      c["price_source"] = r.cluster.price_source;
      c["capex_usd"] = r.capex_usd;
      c["chip_power_mw"] = r.chip_power_mw;
      c["cluster_peak_flops"] = r.model->peak().value() * r.chips;
      c.update(StepJson(*r.model, r.step));
      c.update(RunJson(r.run, std::nullopt));
      j["clusters"].push_back(c);
    }
    PrintJson(j);
    return Status::Ok();
  }
  std::string out = Header(s.name, s.description);
  out += "training " + s.model + " on " + Sig(s.workload.train_tokens) + " tokens (sequences of " +
         std::to_string(s.workload.seq_len) + ", batch " + Sig(s.workload.global_batch_tokens) +
         " tokens), " + s.precision + "\n\n";
  TextTable t({"cluster", "chips", "capex", "chip MW", "peak EFLOP/s", "plan", "MFU", "days",
               "goodput", "days w/ failures"});
  for (const auto& r : rs) {
    t.AddRow({r.cluster.name, std::to_string(r.chips), Usd(r.capex_usd),
              r.chip_power_mw > 0 ? FormatFixed(r.chip_power_mw, 0) : "n/a",
              FormatFixed(r.model->peak().value() * r.chips / 1e18, 0), r.step.plan.ToString(),
              Percent(r.step.mfu), FormatFixed(r.run.ideal_time.value() / 86400, 1),
              Percent(r.run.reliability.goodput), FormatFixed(r.run.wall_time.value() / 86400, 1)});
  }
  out += t.Render();
  out += "\nprices (purchase, per chip with its share of the system):\n";
  for (const auto& r : rs) {
    out += "  - " + r.cluster.name + ": " + Usd(r.cluster.usd_per_chip) + " (" +
           r.cluster.price_source + ")\n";
  }
  if (rs.size() >= 2) {
    const ClusterResult& a = rs[0];
    const ClusterResult& b = rs[1];
    out += "\nwhy:\n";
    out += "  - at equal cost " + a.cluster.name + " buys " + Ratio(1.0 * a.chips / b.chips) +
           " the chips and " +
           Ratio(a.model->peak().value() * a.chips / (b.model->peak().value() * b.chips)) +
           " the peak FLOP/s of " + b.cluster.name + ";\n";
    out += "  - it reaches " + Percent(a.step.mfu) + " MFU against " + Percent(b.step.mfu) + " (" +
           a.step.plan.ToString() + " vs " + b.step.plan.ToString() + "), so it trains in " +
           Ratio(a.run.ideal_time / b.run.ideal_time) + " the time without failures;\n";
    out += "  - with the same failure rate per chip-hour, its " + std::to_string(a.chips) +
           " chips fail every " + Duration(a.run.reliability.mtbf) + " against every " +
           Duration(b.run.reliability.mtbf) + ": goodput " + Percent(a.run.reliability.goodput) +
           " vs " + Percent(b.run.reliability.goodput) + ", " +
           Ratio(a.run.wall_time / b.run.wall_time) + " the wall time;\n";
    const Hardware& ha = a.model->hardware();
    const Hardware& hb = b.model->hardware();
    const auto per_dollar = [](double per_chip, double usd) { return per_chip / usd; };
    out += "  - per dollar it has " +
           Ratio(per_dollar(a.model->peak().value(), a.cluster.usd_per_chip) /
                 per_dollar(b.model->peak().value(), b.cluster.usd_per_chip)) +
           " the peak FLOP/s, " +
           Ratio(per_dollar(ha.hbm_bandwidth.value(), a.cluster.usd_per_chip) /
                 per_dollar(hb.hbm_bandwidth.value(), b.cluster.usd_per_chip)) +
           " the HBM bandwidth and " +
           Ratio(per_dollar(ha.hbm_capacity.value(), a.cluster.usd_per_chip) /
                 per_dollar(hb.hbm_capacity.value(), b.cluster.usd_per_chip)) +
           " the HBM capacity; per chip " + Ratio(ha.hbm_bandwidth / hb.hbm_bandwidth) +
           " the HBM bandwidth (what sets one decode stream's speed) and a scale-up domain of " +
           std::to_string(ha.scale_up.domain_chips) + " chips at " +
           FormatFixed(ha.scale_up.bandwidth_per_chip.value() / kGiga, 0) + " GB/s vs " +
           std::to_string(hb.scale_up.domain_chips) + " at " +
           FormatFixed(hb.scale_up.bandwidth_per_chip.value() / kGiga, 0) +
           " GB/s per chip and direction.\n";
  }
  Print(out);
  return Status::Ok();
}

Status RunReliability(CliContext* ctx, const YAML::Node& root, const std::string& path, bool json) {
  PERFTCO_ASSIGN_OR_RETURN(ReliabilityScenario s, ParseReliabilityScenario(root, path));
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
  PERFTCO_ASSIGN_OR_RETURN(const EfficiencyTable* table, ctx->efficiency());
  PERFTCO_ASSIGN_OR_RETURN(ReliabilityScenarioResult res,
                           RunReliabilityScenario(*catalog, *table, ctx->data_dir, s));
  if (json) {
    ordered_json j;
    j["scenario"] = s.name;
    j["model"] = s.model;
    j["hardware"] = s.hardware;
    j["rows"] = ordered_json::array();
    for (const auto& r : res.rows) {
      ordered_json x;
      x["chips"] = r.chips;
      x["restart_minutes"] = r.restart_minutes;
      x["plan"] = r.step.plan.ToString();
      x["mfu"] = r.step.mfu;
      x["step_time_s"] = r.step.step_time.value();
      x.update(RunJson(r.run, res.price));
      x["usd_lost_to_failures"] = r.run.usd - r.run.ideal_usd;
      j["rows"].push_back(x);
    }
    PrintJson(j);
    return Status::Ok();
  }
  std::string out = Header(s.name, s.description);
  out += s.model + " on " + s.hardware + ", " + Sig(s.workload.train_tokens) +
         " tokens; failures " + Sig(s.reliability.failures_per_chip_hour * 1e6) +
         " per million chip-hours (Llama 3 405B), checkpoints at " +
         FormatFixed(s.reliability.storage_bandwidth.value() / kTera, 1) + " TB/s; $" +
         FormatFixed(res.price.usd, 2) + " per chip-hour (" + res.price.source + ")\n\n";
  TextTable t({"chips", "batch", "restart", "plan", "MFU", "job MTBF", "checkpoint every",
               "goodput", "days", "chip-hours", "cost", "lost to failures"});
  for (const auto& r : res.rows) {
    const ReliabilityResult& rel = r.run.reliability;
    t.AddRow({std::to_string(r.chips), Sig(r.step.tokens_per_step),
              FormatFixed(r.restart_minutes, 0) + " min", r.step.plan.ToString(),
              Percent(r.step.mfu), Duration(rel.mtbf), Duration(rel.interval), Percent(rel.goodput),
              FormatFixed(r.run.wall_time.value() / 86400, 1), Sig(r.run.chip_hours),
              Usd(r.run.usd), Usd(r.run.usd - r.run.ideal_usd)});
  }
  out += t.Render();
  const ReliabilityRow& lo = res.rows.front();
  const ReliabilityRow* hi_ptr = &lo;
  for (const auto& r : res.rows) {
    if (r.restart_minutes == lo.restart_minutes) hi_ptr = &r;
  }
  const ReliabilityRow& hi = *hi_ptr;
  out += "\nwhy: failures arrive in proportion to the chips, so the job's MTBF falls from " +
         Duration(lo.run.reliability.mtbf) + " at " + std::to_string(lo.chips) + " chips to " +
         Duration(hi.run.reliability.mtbf) + " at " + std::to_string(hi.chips) +
         "; every failure costs a restart plus the work since the last checkpoint, and the "
         "optimal (Daly) interval shrinks only as the square root of the MTBF, so the lost "
         "share grows: goodput " +
         Percent(lo.run.reliability.goodput) + " -> " + Percent(hi.run.reliability.goodput) +
         " with " + FormatFixed(lo.restart_minutes, 0) +
         "-minute restarts; faster restarts win most of it back at scale.\n";
  Print(out);
  return Status::Ok();
}

Status RunValidationKind(CliContext* ctx, const YAML::Node& root, const std::string& path,
                         bool json) {
  PERFTCO_ASSIGN_OR_RETURN(ValidationScenario s,
                           ParseValidationScenario(root, path, ctx->data_dir));
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
  PERFTCO_ASSIGN_OR_RETURN(const EfficiencyTable* table, ctx->efficiency());
  PERFTCO_ASSIGN_OR_RETURN(std::vector<ValidationRow> rows, RunValidation(*catalog, *table, s));
  const auto metric_name = [](ValidationMetric m) {
    return m == ValidationMetric::kMfu ? "mfu" : "chip_hours";
  };
  if (json) {
    ordered_json j;
    j["scenario"] = s.name;
    j["runs"] = ordered_json::array();
    for (const auto& r : rows) {
      ordered_json x;
      x["name"] = r.run.name;
      x["metric"] = metric_name(r.run.metric);
      x["published"] = r.run.published;
      x["predicted"] = r.predicted;
      x["predicted_no_failures"] = r.predicted_no_failures;
      x["error"] = r.error;
      x["plan"] = r.step.plan.ToString();
      x["mfu"] = r.step.mfu;
      x["source"] = r.run.source;
      j["runs"].push_back(x);
    }
    PrintJson(j);
    return Status::Ok();
  }
  std::string out = Header(s.name, s.description);
  TextTable t({"run", "metric", "published", "predicted", "error", "plan (searched where unset)"});
  double sum_abs = 0;
  for (const auto& r : rows) {
    const bool mfu = r.run.metric == ValidationMetric::kMfu;
    t.AddRow({r.run.name, mfu ? "MFU" : "chip-hours",
              mfu ? Percent(r.run.published) : Sig(r.run.published),
              mfu ? Percent(r.predicted) : Sig(r.predicted),
              (r.error >= 0 ? "+" : "") + Percent(r.error), r.step.plan.ToString()});
    sum_abs += std::fabs(r.error);
  }
  out += t.Render();
  out += "mean absolute error " + Percent(sum_abs / static_cast<double>(rows.size())) + " over " +
         std::to_string(rows.size()) + " published figures\n\nsources:\n";
  for (const auto& r : rows) {
    out += "  - " + r.run.name + ": " + r.run.source +
           (r.run.note.empty() ? "" : "; " + r.run.note) + "\n";
  }
  Print(out);
  return Status::Ok();
}

}  // namespace

bool IsTrainingScenarioKind(const std::string& kind) {
  return kind == "rl-step" || kind == "training-cluster-comparison" ||
         kind == "training-reliability" || kind == "training-validation";
}

Status RunTrainingScenario(CliContext* ctx, const std::string& kind, const YAML::Node& root,
                           const std::string& path, bool json) {
  if (kind == "rl-step") return RunRl(ctx, root, path, json);
  if (kind == "training-cluster-comparison") return RunClusters(ctx, root, path, json);
  if (kind == "training-reliability") return RunReliability(ctx, root, path, json);
  return RunValidationKind(ctx, root, path, json);
}

}  // namespace perftco::cli
