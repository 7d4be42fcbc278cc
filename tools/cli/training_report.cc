#include "training_report.h"

#include <cmath>
#include <cstdio>

#include "perftco/text_table.h"

namespace perftco::cli {
namespace {

using nlohmann::ordered_json;

std::string Gb(Bytes b) { return FormatFixed(b.value() / kGiga, 1); }

std::string Usd(double usd) {
  const double a = std::fabs(usd);
  if (a >= 1e9) return "$" + FormatFixed(usd / 1e9, 2) + "B";
  if (a >= 1e6) return "$" + FormatFixed(usd / 1e6, 2) + "M";
  if (a >= 1e3) return "$" + FormatFixed(usd / 1e3, 1) + "k";
  if (a >= 1) return "$" + FormatFixed(usd, 2);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "$%.3g", usd);
  return buf;
}

std::string Sci(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3g", v);
  return buf;
}

std::string PlanWords(const TrainingPlan& p, int64_t micro_batches) {
  std::string s = "data " + std::to_string(p.dp) + " x tensor " + std::to_string(p.tp) +
                  " x pipeline " + std::to_string(p.pp) + " x context " + std::to_string(p.cp);
  if (p.ep > 1) s += ", experts over " + std::to_string(p.ep) + " data ranks";
  s += "; " + std::string(PipelineScheduleName(p.schedule));
  if (p.virtual_stages > 1) s += " (" + std::to_string(p.virtual_stages) + " chunks per chip)";
  s += ", ZeRO stage " + std::to_string(p.zero_stage) + ", micro-batch " +
       std::to_string(p.micro_batch) + " x " + std::to_string(micro_batches) + ", recompute " +
       (p.recompute > 0 ? Percent(p.recompute, 0) + " of layers" : "off");
  return s;
}

}  // namespace

std::string Sig(double v) {
  const double a = std::fabs(v);
  char buf[64];
  if (a >= 1e12) {
    std::snprintf(buf, sizeof(buf), "%.3gT", v / 1e12);
  } else if (a >= 1e9) {
    std::snprintf(buf, sizeof(buf), "%.3gG", v / 1e9);
  } else if (a >= 1e6) {
    std::snprintf(buf, sizeof(buf), "%.3gM", v / 1e6);
  } else if (a >= 1e3) {
    std::snprintf(buf, sizeof(buf), "%.3gk", v / 1e3);
  } else {
    std::snprintf(buf, sizeof(buf), "%.3g", v);
  }
  return buf;
}

std::string Duration(Seconds t) {
  const double s = t.value();
  if (s < 1) return FormatFixed(s * 1e3, 0) + " ms";
  if (s < 120) return FormatFixed(s, 2) + " s";
  if (s < 7200) return FormatFixed(s / 60, 1) + " min";
  if (s < 3 * 86400) return FormatFixed(s / 3600, 1) + " h";
  return FormatFixed(s / 86400, 1) + " days";
}

std::string Percent(double fraction, int digits) {
  return FormatFixed(fraction * 100.0, digits) + "%";
}

ordered_json PlanJson(const TrainingPlan& p) {
  ordered_json j;
  j["name"] = p.ToString();
  j["dp"] = p.dp;
  j["tp"] = p.tp;
  j["pp"] = p.pp;
  j["cp"] = p.cp;
  j["ep"] = p.ep;
  j["zero_stage"] = p.zero_stage;
  j["schedule"] = std::string(PipelineScheduleName(p.schedule));
  j["virtual_stages"] = p.virtual_stages;
  j["micro_batch"] = p.micro_batch;
  j["recompute_fraction"] = p.recompute;
  return j;
}

ordered_json StepJson(const TrainingModel& model, const TrainingStep& st) {
  ordered_json j;
  j["model"] = model.model().name;
  j["hardware"] = model.hardware().name;
  j["chips"] = st.plan.Chips();
  j["compute_precision"] = std::string(PrecisionName(model.options().compute));
  j["peak_flops_per_chip"] = model.peak().value();
  j["plan"] = PlanJson(st.plan);
  j["micro_batches"] = st.micro_batches;
  j["global_batch_seqs"] = st.global_batch_seqs;
  j["tokens_per_step"] = st.tokens_per_step;
  j["step_time_s"] = st.step_time.value();
  j["mfu"] = st.mfu;
  j["hfu"] = st.hfu;
  j["tokens_per_s"] = st.tokens_per_s;
  j["tokens_per_s_per_chip"] = st.tokens_per_s / st.plan.Chips();
  j["model_flops_per_token"] = st.model_flops_per_token.value();
  ordered_json b;
  b["forward_s"] = st.forward.value();
  b["backward_s"] = st.backward.value();
  b["recompute_s"] = st.recompute.value();
  b["bubble_s"] = st.bubble.value();
  b["exposed_comm_s"] = st.ExposedComm().value();
  b["optimizer_s"] = st.optimizer.value();
  b["overhead_s"] = st.overhead.value();
  b["bubble_fraction"] = st.bubble_fraction;
  j["breakdown"] = b;
  j["comm"] = ordered_json::array();
  for (const auto& c : st.comm) {
    ordered_json x;
    x["dimension"] = c.dimension;
    x["time_s"] = c.time.value();
    x["exposed_s"] = c.exposed.value();
    x["overlapped_fraction"] = c.OverlappedFraction();
    j["comm"].push_back(x);
  }
  const TrainingMemory& m = st.memory;
  ordered_json mem;
  mem["weights"] = m.weights.value() / kGiga;
  mem["gradients"] = m.gradients.value() / kGiga;
  mem["optimizer"] = m.optimizer.value() / kGiga;
  mem["activations"] = m.activations.value() / kGiga;
  mem["buffers"] = m.buffers.value() / kGiga;
  mem["reserve"] = m.reserve.value() / kGiga;
  mem["total"] = m.total.value() / kGiga;
  mem["usable"] = m.usable.value() / kGiga;
  mem["hbm"] = m.capacity.value() / kGiga;
  j["memory_gb_per_chip"] = mem;
  return j;
}

std::string StepText(const TrainingModel& model, const TrainingStep& st, int64_t seq_len,
                     bool searched) {
  const TrainingPlan& p = st.plan;
  std::string out;
  out += model.model().name + " on " + std::to_string(p.Chips()) + " x " + model.hardware().name +
         ", " + std::string(PrecisionName(model.options().compute)) +
         " matrix products, sequences of " + std::to_string(seq_len) + " tokens\n";
  out += "plan: " + p.ToString() + (searched ? " (searched: the most tokens/s that fits)" : "") +
         "\n  " + PlanWords(p, st.micro_batches) + "\n";
  out += "batch: " + std::to_string(st.global_batch_seqs) +
         " sequences = " + Sig(st.tokens_per_step) + " tokens per step\n";
  out += "step " + Duration(st.step_time) + ": " + Sig(st.tokens_per_s) + " tokens/s (" +
         FormatFixed(st.tokens_per_s / p.Chips(), 0) + " per chip), MFU " + Percent(st.mfu) +
         ", HFU " + Percent(st.hfu) + " of " + FormatFixed(model.peak().value() / kTera, 0) +
         " TFLOP/s per chip\n\n";

  TextTable t({"step time", "s", "share"});
  const double step = st.step_time.value();
  auto row = [&](const char* name, Seconds s) {
    t.AddRow({name, FormatFixed(s.value(), 3), Percent(s.value() / step)});
  };
  row("forward", st.forward);
  row("backward", st.backward);
  row("recompute", st.recompute);
  row("pipeline bubble", st.bubble);
  row("exposed communication", st.ExposedComm());
  row("optimizer", st.optimizer);
  row("overhead", st.overhead);
  out += t.Render();

  if (!st.comm.empty()) {
    TextTable c({"communication", "total s", "exposed s", "overlapped"});
    for (const auto& x : st.comm) {
      c.AddRow({x.dimension, FormatFixed(x.time.value(), 3), FormatFixed(x.exposed.value(), 3),
                Percent(x.OverlappedFraction(), 0)});
    }
    out += "\n" + c.Render();
  }

  const TrainingMemory& m = st.memory;
  TextTable mt({"memory per chip", "GB"});
  mt.AddRow({"weights", Gb(m.weights)});
  mt.AddRow({"gradients", Gb(m.gradients)});
  mt.AddRow({"optimizer states", Gb(m.optimizer)});
  mt.AddRow({"activations", Gb(m.activations)});
  mt.AddRow({"buffers (logits, ZeRO-3)", Gb(m.buffers)});
  mt.AddRow({"runtime reserve", Gb(m.reserve)});
  mt.AddRow({"total", Gb(m.total)});
  out += "\n" + mt.Render();
  out += "fits: " + Gb(m.total) + " of " + Gb(m.usable) + " GB usable (" + Gb(m.capacity) +
         " GB HBM)\n";
  return out;
}

ordered_json RunJson(const TrainingRun& r, const std::optional<ChipHourPrice>& price) {
  ordered_json j;
  j["train_tokens"] = r.train_tokens;
  j["steps"] = r.steps;
  j["ideal_time_s"] = r.ideal_time.value();
  j["ideal_chip_hours"] = r.ideal_chip_hours;
  j["wall_time_s"] = r.wall_time.value();
  j["chip_hours"] = r.chip_hours;
  if (price) {
    j["usd_per_chip_hour"] = price->usd;
    j["price_source"] = price->source;
    j["ideal_usd"] = r.ideal_usd;
    j["usd"] = r.usd;
  } else {
    j["usd_per_chip_hour"] = nullptr;
    j["ideal_usd"] = nullptr;
    j["usd"] = nullptr;
  }
  const ReliabilityResult& rel = r.reliability;
  ordered_json x;
  x["job_failures_per_hour"] = rel.job_failures_per_hour;
  x["mtbf_s"] = rel.mtbf.value();
  x["checkpoint_bytes"] = rel.checkpoint_bytes.value();
  x["checkpoint_write_s"] = rel.checkpoint_write.value();
  x["restart_s"] = rel.restart.value();
  x["checkpoint_interval_s"] = rel.interval.value();
  x["young_interval_s"] = rel.young_interval.value();
  x["daly_interval_s"] = rel.daly_interval.value();
  x["goodput"] = rel.goodput;
  x["expected_failures"] = rel.expected_failures;
  j["reliability"] = x;
  return j;
}

std::string RunText(const TrainingRun& r, const std::optional<ChipHourPrice>& price,
                    const std::string& tokens_note) {
  std::string out = "\nrun: " + Sig(r.train_tokens) + " tokens" + tokens_note + " in " +
                    Sig(r.steps) + " steps\n";
  TextTable t({"", "no failures", "with failures"});
  t.AddRow({"wall time", Duration(r.ideal_time), Duration(r.wall_time)});
  t.AddRow({"chip-hours", Sig(r.ideal_chip_hours), Sig(r.chip_hours)});
  if (price) {
    t.AddRow({"cost", Usd(r.ideal_usd), Usd(r.usd)});
  } else {
    t.AddRow({"cost", "n/a", "n/a"});
  }
  out += t.Render();
  const ReliabilityResult& rel = r.reliability;
  if (rel.mtbf.value() > 0) {
    out += "failures: job MTBF " + Duration(rel.mtbf) + " (" +
           FormatFixed(rel.job_failures_per_hour, 2) + " per hour), checkpoint of " +
           FormatFixed(rel.checkpoint_bytes.value() / kTera, 2) + " TB written in " +
           Duration(rel.checkpoint_write) + " every " + Duration(rel.interval) + " (Daly optimum " +
           Duration(rel.daly_interval) + ", Young " + Duration(rel.young_interval) + "), restart " +
           Duration(rel.restart) + "\n";
    out += "goodput " + Percent(rel.goodput) + ", about " + FormatFixed(rel.expected_failures, 0) +
           " failures over the run\n";
  } else {
    out += "failures off; checkpoints every " + Duration(rel.interval) + ", goodput " +
           Percent(rel.goodput) + "\n";
  }
  if (price) {
    out += "price: $" + FormatFixed(price->usd, 2) + " per chip-hour (" + price->source + ")\n";
  } else {
    out += "price: none known for this hardware; give --usd-per-chip-hour\n";
  }
  return out;
}

ordered_json BudgetJson(const BudgetPlan& b) {
  ordered_json j;
  j["budget_flops"] = b.budget_flops;
  if (b.budget_usd > 0) {
    j["budget_usd"] = b.budget_usd;
    j["usd_per_chip_hour"] = b.usd_per_chip_hour;
    j["chip_hours"] = b.chip_hours;
    j["mfu"] = b.mfu;
    j["goodput"] = b.goodput;
  }
  ordered_json o;
  o["params"] = b.optimal.params;
  o["tokens"] = b.optimal.tokens;
  o["tokens_per_param"] = b.optimal.TokensPerParam();
  o["loss"] = b.optimal.loss;
  j["compute_optimal"] = o;
  if (!b.model.empty()) {
    ordered_json m;
    m["model"] = b.model;
    m["params"] = b.model_params;
    m["tokens"] = b.model_tokens;
    m["loss"] = b.model_loss;
    j["given_model"] = m;
  }
  return j;
}

std::string BudgetText(const BudgetPlan& b) {
  std::string out = "budget: " + Sci(b.budget_flops) + " FLOPs";
  if (b.budget_usd > 0) {
    out += " = " + Usd(b.budget_usd) + " / $" + FormatFixed(b.usd_per_chip_hour, 2) +
           " per chip-hour = " + Sig(b.chip_hours) + " chip-hours at " + Percent(b.mfu) +
           " MFU and " + Percent(b.goodput) + " goodput";
  }
  out +=
      "\nscaling law: L(N, D) = 1.8172 + 482.01 / N^0.3478 + 2085.43 / D^0.3658 "
      "(Besiroglu et al. 2024, Epoch AI refit of Chinchilla), C = 6ND\n";
  TextTable t({"", "parameters", "tokens", "tokens/param", "predicted loss"});
  t.AddRow({"compute-optimal", Sig(b.optimal.params), Sig(b.optimal.tokens),
            FormatFixed(b.optimal.TokensPerParam(), 1), FormatFixed(b.optimal.loss, 3)});
  if (!b.model.empty()) {
    t.AddRow({b.model, Sig(b.model_params), Sig(b.model_tokens),
              FormatFixed(b.model_tokens / b.model_params, 1), FormatFixed(b.model_loss, 3)});
  }
  out += t.Render();
  return out;
}

ordered_json RlJson(const RlConfig& c, const RolloutGenerator& gen, const RlStepResult& r) {
  ordered_json j;
  j["model"] = gen.setup().model.name;
  j["rollout_pool"] = gen.Describe();
  j["pipeline"] = std::string(RlPipelineName(c.pipeline));
  j["pools"] = std::string(PoolLayoutName(c.pools));
  j["keep_rule"] = std::string(KeepRuleName(c.keep));
  j["prompts"] = c.prompts;
  j["samples_per_prompt"] = c.samples_per_prompt;
  j["prompt_tokens"] = c.prompt_tokens;
  j["mean_rollout_tokens_target"] = c.lengths.mean_tokens;
  j["pass_rate"] = c.pass_rate;
  j["seed"] = c.seed;
  j["samples"] = r.samples;
  j["passed"] = r.passed;
  j["kept"] = r.kept;
  j["generated_tokens"] = r.generated_tokens;
  j["kept_tokens"] = r.kept_tokens;
  j["trained_tokens"] = r.trained_tokens;
  j["longest_rollout"] = r.longest_rollout;
  j["mean_rollout"] = r.mean_rollout;
  j["step_time_s"] = r.step_time.value();
  ordered_json split;
  split["generation"] = r.split_generation;
  split["verification"] = r.split_verification;
  split["training"] = r.split_training;
  split["sync"] = r.split_sync;
  j["split"] = split;
  ordered_json busy;
  busy["generation"] = r.generation.busy.value();
  busy["verification"] = r.verification.busy.value();
  busy["training"] = r.training.busy.value();
  busy["sync"] = r.sync.busy.value();
  j["busy_s"] = busy;
  ordered_json cs;
  cs["generation"] = r.generation.chip_seconds;
  cs["training"] = r.training.chip_seconds;
  cs["sync"] = r.sync.chip_seconds;
  cs["verification_cpu_worker_seconds"] = r.verification.chip_seconds;
  j["chip_seconds"] = cs;
  j["generation_flops"] = r.generation_flops;
  j["training_flops"] = r.training_flops;
  j["rollout_chips"] = r.rollout_chips;
  j["training_chips"] = r.training_chips;
  j["rollout_pool_utilization"] = r.rollout_pool_utilization;
  j["training_pool_utilization"] = r.training_pool_utilization;
  j["generation_occupancy"] = r.generation_occupancy;
  j["training_plan"] = PlanJson(r.train_step.plan);
  j["training_mfu"] = r.train_step.mfu;
  j["usd_per_chip_hour"] = c.usd_per_chip_hour;
  j["usd_step"] = r.usd_step;
  j["usd_accelerators"] = r.usd_accelerators;
  j["usd_verifiers"] = r.usd_verifiers;
  j["usd_per_kept_token"] = r.usd_per_kept_token;
  return j;
}

std::string RlText(const RlConfig& c, const RolloutGenerator& gen, const RlStepResult& r) {
  std::string out;
  out += gen.setup().model.name + " RL step: " + std::to_string(c.prompts) + " prompts x " +
         std::to_string(c.samples_per_prompt) + " samples = " + std::to_string(r.samples) +
         " rollouts, " + std::to_string(c.prompt_tokens) + "-token prompts, lengths lognormal " +
         "(mean " + FormatFixed(c.lengths.mean_tokens, 0) + ", sigma " +
         FormatFixed(c.lengths.sigma, 2) + ", cap " + std::to_string(c.lengths.max_tokens) +
         "), pass rate " + Percent(c.pass_rate, 0) + ", keep rule " +
         std::string(KeepRuleName(c.keep)) + ", " + std::string(RlPipelineName(c.pipeline)) +
         " pipeline, " + std::string(PoolLayoutName(c.pools)) + " pools, seed " +
         std::to_string(c.seed) + "\n";
  out += "rollout pool: " + gen.Describe() + "; training: " + std::to_string(r.training_chips) +
         " chips, " + r.train_step.plan.ToString() + " (MFU " + Percent(r.train_step.mfu) + ")\n";
  out += "rollouts: " + Sig(r.generated_tokens) + " output tokens, mean " +
         FormatFixed(r.mean_rollout, 0) + ", longest " + std::to_string(r.longest_rollout) + "; " +
         std::to_string(r.passed) + " passed, " + std::to_string(r.kept) + " kept (" +
         std::to_string(r.groups_kept) + " groups), " + Sig(r.kept_tokens) +
         " kept output tokens\n\n";
  TextTable t({"phase", "busy", "on critical path", "share of step", "chip-hours"});
  auto row = [&](const char* name, const RlPhase& ph, double share, bool cpu) {
    t.AddRow({name, Duration(ph.busy), Duration(ph.on_path), Percent(share),
              cpu ? Sig(ph.chip_seconds / 3600.0) + " cpu" : Sig(ph.chip_seconds / 3600.0)});
  };
  row("generation", r.generation, r.split_generation, false);
  row("verification", r.verification, r.split_verification, true);
  row("training", r.training, r.split_training, false);
  row("weight sync", r.sync, r.split_sync, false);
  t.AddRow({"step", "", Duration(r.step_time), "100.0%",
            Sig(r.total_chips * r.step_time.value() / 3600.0)});
  out += t.Render();
  out += "\ncompute: generation " + Sci(r.generation_flops) + " FLOPs vs training " +
         Sci(r.training_flops) +
         " FLOPs: " + FormatFixed(r.generation_flops / r.training_flops, 2) +
         "x as much spent generating as training\n";
  out += "utilisation: rollout pool busy " + Percent(r.rollout_pool_utilization) +
         " of the step, training pool " + Percent(r.training_pool_utilization) +
         "; while generating, " + Percent(r.generation_occupancy) +
         " of the sequence slots run (the rest wait for the longest rollouts)\n";
  out += "cost: " + Usd(r.usd_step) + " per step (" + Usd(r.usd_accelerators) +
         " accelerators at $" + FormatFixed(c.usd_per_chip_hour, 2) + "/chip-hour, " +
         Usd(r.usd_verifiers) + " for " + std::to_string(c.verifier.workers) +
         " verifier workers) = " + Usd(r.usd_per_kept_token * 1e6) + " per million kept tokens\n";
  return out;
}

}  // namespace perftco::cli
