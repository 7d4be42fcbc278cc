// perftco train: step time, MFU, memory, time and cost of a training run; or what a budget buys.
#include <cstdio>

#include "commands.h"
#include "perftco/names.h"
#include "perftco/scaling_law.h"
#include "perftco/training_run.h"
#include "training_report.h"

namespace perftco::cli {
namespace {

struct TrainArgs {
  TrainingSetupOptions setup;
  int chips = 0;
  std::optional<double> tokens;
  int64_t seq_len = 4096;
  double global_batch_tokens = 4194304.0;
  std::optional<int> dp, tp, pp, cp, ep, zero, vpp, micro_batch;
  std::optional<std::string> schedule, recompute, cp_method;
  std::optional<double> wan_gbps;
  double wan_latency_ms = 10.0;
  bool no_failures = false;
  std::optional<double> failures_per_chip_hour;
  double restart_min = 10.0;
  double checkpoint_tb_per_s = 2.0;
  std::optional<double> checkpoint_interval_min;
  std::optional<double> usd_per_chip_hour;
  std::optional<double> budget_flops, budget_usd;
  double mfu = 0.40;
  bool json = false;
};

Result<double> ParseRecompute(const std::string& text) {
  const std::string t = ToLower(text);
  if (t == "off" || t == "none" || t == "0") return 0.0;
  if (t == "on" || t == "full" || t == "1") return 1.0;
  try {
    size_t used = 0;
    const double v = std::stod(t, &used);
    if (used == t.size() && v >= 0 && v <= 1) return v;
  } catch (const std::exception&) {
  }
  return Status::Error("--recompute takes off, on, or the share of layers between 0 and 1 (got '" +
                       text + "')");
}

Result<PlanConstraints> ConstraintsFrom(const TrainArgs& a) {
  PlanConstraints c;
  c.dp = a.dp;
  c.tp = a.tp;
  c.pp = a.pp;
  c.cp = a.cp;
  c.ep = a.ep;
  c.zero_stage = a.zero;
  c.virtual_stages = a.vpp;
  c.micro_batch = a.micro_batch;
  if (a.schedule) {
    PERFTCO_ASSIGN_OR_RETURN(PipelineSchedule s, ParsePipelineSchedule(*a.schedule));
    c.schedule = s;
  }
  if (a.recompute) {
    PERFTCO_ASSIGN_OR_RETURN(double rc, ParseRecompute(*a.recompute));
    c.recompute = rc;
  }
  for (const auto* v : {&a.dp, &a.tp, &a.pp, &a.cp, &a.ep, &a.vpp, &a.micro_batch}) {
    if (*v && **v < 1)
      return Status::Error(
          "plan sizes (--dp --tp --pp --cp --ep --vpp "
          "--micro-batch) must be at least 1");
  }
  return c;
}

Result<ReliabilityParams> ReliabilityFrom(const TrainArgs& a) {
  ReliabilityParams r;
  r.failures = !a.no_failures;
  if (a.failures_per_chip_hour) {
    if (!(*a.failures_per_chip_hour > 0)) {
      return Status::Error("--failures-per-chip-hour must be positive (use --no-failures for 0)");
    }
    r.failures_per_chip_hour = *a.failures_per_chip_hour;
  }
  if (!(a.restart_min >= 0)) return Status::Error("--restart-min must not be negative");
  r.restart_fixed = Seconds(a.restart_min * 60.0);
  if (!(a.checkpoint_tb_per_s > 0)) return Status::Error("--checkpoint-tb-per-s must be positive");
  r.storage_bandwidth = BytesPerSecond(a.checkpoint_tb_per_s * kTera);
  if (a.checkpoint_interval_min) {
    if (!(*a.checkpoint_interval_min > 0)) {
      return Status::Error("--checkpoint-interval-min must be positive");
    }
    r.interval = Seconds(*a.checkpoint_interval_min * 60.0);
  }
  return r;
}

Result<std::optional<ChipHourPrice>> PriceFor(CliContext* ctx, const TrainArgs& a,
                                              const std::string& hardware) {
  if (a.usd_per_chip_hour) {
    if (!(*a.usd_per_chip_hour > 0)) return Status::Error("--usd-per-chip-hour must be positive");
    return std::optional<ChipHourPrice>(ChipHourPrice{*a.usd_per_chip_hour, "--usd-per-chip-hour"});
  }
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
  PERFTCO_ASSIGN_OR_RETURN(Hardware hw, catalog->FindHardware(hardware));
  Result<ChipHourPrice> p = DefaultChipHourPrice(ctx->data_dir, hw.name);
  if (!p.ok()) return std::optional<ChipHourPrice>();
  return std::optional<ChipHourPrice>(p.value());
}

bool Searched(const TrainArgs& a) {
  return !(a.tp && a.pp && a.cp && a.zero && a.micro_batch && a.recompute && a.schedule);
}

// `config`: the model whose parameters the budget is spent on (optional); `model` and `step`:
// its training on the given cluster (optional).
Status RunBudget(CliContext* ctx, const TrainArgs& a, const ModelConfig* config,
                 const TrainingModel* model, const std::optional<TrainingStep>& step) {
  if (a.budget_flops && a.budget_usd) {
    return Status::Error("give either --budget-flops or --budget-usd, not both");
  }
  BudgetPlan b;
  const ScalingLawFit fit = ScalingLawFit::EpochChinchilla();
  if (a.budget_flops) {
    if (!(*a.budget_flops > 0)) return Status::Error("--budget-flops must be positive");
    b.budget_flops = *a.budget_flops;
  } else {
    if (!(*a.budget_usd > 0)) return Status::Error("--budget-usd must be positive");
    if (a.setup.hardware.empty()) {
      return Status::Error(
          "--budget-usd needs --hardware (its peak and price turn dollars into "
          "FLOPs)");
    }
    PERFTCO_ASSIGN_OR_RETURN(std::optional<ChipHourPrice> price,
                             PriceFor(ctx, a, a.setup.hardware));
    if (!price) {
      return Status::Error("no default $/chip-hour for " + a.setup.hardware +
                           ": give --usd-per-chip-hour");
    }
    b.budget_usd = *a.budget_usd;
    b.usd_per_chip_hour = price->usd;
    b.chip_hours = b.budget_usd / b.usd_per_chip_hour;
    FlopsPerSecond peak;
    if (model != nullptr && step) {
      b.mfu = step->mfu;
      PERFTCO_ASSIGN_OR_RETURN(ReliabilityParams rp, ReliabilityFrom(a));
      PERFTCO_ASSIGN_OR_RETURN(
          ReliabilityResult rel,
          EvaluateReliability(rp, step->plan.Chips(), CheckpointBytes(*model), Seconds(86400)));
      b.goodput = rel.goodput;
      peak = model->peak();
    } else {
      if (!(a.mfu > 0 && a.mfu <= 1)) return Status::Error("--mfu must be in (0, 1]");
      b.mfu = a.mfu;
      PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
      PERFTCO_ASSIGN_OR_RETURN(Hardware hw, catalog->FindHardware(a.setup.hardware));
      PERFTCO_ASSIGN_OR_RETURN(Precision p, ParsePrecision(a.setup.precision));
      peak = hw.Peak(hw.ComputePrecision(p, p));
    }
    b.budget_flops = FlopsForBudget(b.budget_usd, b.usd_per_chip_hour, peak, b.mfu, b.goodput);
  }
  PERFTCO_ASSIGN_OR_RETURN(b.optimal, ComputeOptimalFor(fit, b.budget_flops));
  if (config != nullptr) {
    b.model = config->name;
    b.model_params = config->TotalParams();
    b.model_tokens = b.budget_flops / (6.0 * b.model_params);
    b.model_loss = PredictedLoss(fit, b.model_params, b.model_tokens);
  }
  std::optional<TrainingRun> run;
  std::optional<ChipHourPrice> price;
  if (model != nullptr && step) {
    PERFTCO_ASSIGN_OR_RETURN(ReliabilityParams rp, ReliabilityFrom(a));
    PERFTCO_ASSIGN_OR_RETURN(price, PriceFor(ctx, a, a.setup.hardware));
    PERFTCO_ASSIGN_OR_RETURN(
        TrainingRun r, EstimateRun(*model, *step, b.model_tokens, price ? price->usd : 0.0, rp));
    run = r;
  }
  if (a.json) {
    nlohmann::ordered_json j = BudgetJson(b);
    if (run) {
      j["training"] = StepJson(*model, *step);
      j["training"].update(RunJson(*run, price));
    }
    std::printf("%s\n", j.dump(2).c_str());
    return Status::Ok();
  }
  std::string out = BudgetText(b);
  if (run) {
    out += "\ntraining " + b.model + " on those tokens:\n";
    out += StepText(*model, *step, a.seq_len, Searched(a));
    out += RunText(*run, price, " (the budget's tokens for this model)");
  }
  std::fputs(out.c_str(), stdout);
  return Status::Ok();
}

Status RunTrain(CliContext* ctx, const TrainArgs& a) {
  const bool budget = a.budget_flops || a.budget_usd;
  PERFTCO_ASSIGN_OR_RETURN(PlanConstraints constraints, ConstraintsFrom(a));
  if (a.seq_len < 1) return Status::Error("--seq-len must be positive");
  if (!(a.global_batch_tokens > 0)) return Status::Error("--global-batch-tokens must be positive");
  TrainingSetupOptions so = a.setup;
  if (a.cp_method) {
    PERFTCO_ASSIGN_OR_RETURN(ContextParallelMethod method,
                             ParseContextParallelMethod(*a.cp_method));
    so.options.cp_method = method;
  }
  if (a.wan_gbps) {
    if (!(*a.wan_gbps > 0)) return Status::Error("--wan-gbps must be positive");
    so.options.wan_bandwidth = BytesPerSecond(*a.wan_gbps * kGiga / 8.0);
  }
  so.options.wan_latency = Milliseconds(a.wan_latency_ms);
  TrainingWorkload w;
  w.seq_len = a.seq_len;
  w.global_batch_tokens = a.global_batch_tokens;

  if (budget && (so.model.empty() || so.hardware.empty() || a.chips == 0)) {
    // Without a whole cluster the budget is planned from the scaling law alone, plus the given
    // model's parameter count.
    std::optional<ModelConfig> config;
    if (!so.model.empty()) {
      PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
      PERFTCO_ASSIGN_OR_RETURN(config, catalog->FindModel(so.model));
    }
    return RunBudget(ctx, a, config ? &*config : nullptr, nullptr, std::nullopt);
  }
  if (so.model.empty() || so.hardware.empty()) {
    return Status::Error("perftco train needs --model and --hardware (or a --budget-flops)");
  }
  if (a.chips < 1) return Status::Error("--chips must be a positive number of chips");
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
  PERFTCO_ASSIGN_OR_RETURN(const EfficiencyTable* table, ctx->efficiency());
  PERFTCO_ASSIGN_OR_RETURN(TrainingModel model, BuildTrainingModel(*catalog, *table, so));
  PERFTCO_ASSIGN_OR_RETURN(TrainingStep step, SearchPlan(model, a.chips, w, constraints));
  if (budget) return RunBudget(ctx, a, &model.model(), &model, step);

  std::string tokens_note;
  double tokens = 0;
  if (a.tokens) {
    tokens = *a.tokens;
  } else {
    tokens = 20.0 * model.model().TotalParams();
    tokens_note = " (default: 20 per parameter, Hoffmann et al. 2022)";
  }
  PERFTCO_ASSIGN_OR_RETURN(ReliabilityParams rp, ReliabilityFrom(a));
  PERFTCO_ASSIGN_OR_RETURN(std::optional<ChipHourPrice> price, PriceFor(ctx, a, so.hardware));
  PERFTCO_ASSIGN_OR_RETURN(TrainingRun run,
                           EstimateRun(model, step, tokens, price ? price->usd : 0.0, rp));
  if (a.json) {
    nlohmann::ordered_json j = StepJson(model, step);
    j["seq_len"] = a.seq_len;
    j["plan_searched"] = Searched(a);
    j.update(RunJson(run, price));
    std::printf("%s\n", j.dump(2).c_str());
    return Status::Ok();
  }
  std::string out = StepText(model, step, a.seq_len, Searched(a));
  out += RunText(run, price, tokens_note);
  std::fputs(out.c_str(), stdout);
  return Status::Ok();
}

}  // namespace

void AddTrainCommand(CLI::App* sub, CliContext* ctx) {
  auto a = std::make_shared<TrainArgs>();
  sub->add_option("--model,-m", a->setup.model, "model name or path to a HuggingFace config.json");
  sub->add_option("--hardware,-H", a->setup.hardware, "accelerator name (perftco list hardware)");
  sub->add_option("--chips", a->chips, "chips in the cluster");
  sub->add_option("--tokens", a->tokens,
                  "tokens to train on, e.g. 15.6e12 (default 20 per "
                  "parameter)");
  sub->add_option("--seq-len", a->seq_len, "sequence length")->capture_default_str();
  sub->add_option("--global-batch-tokens", a->global_batch_tokens, "tokens per optimizer step")
      ->capture_default_str();
  sub->add_option("--precision", a->setup.precision, "matrix-product format: bf16 or fp8")
      ->capture_default_str();
  sub->add_option("--dp", a->dp, "data-parallel size (default: searched)");
  sub->add_option("--tp", a->tp, "tensor-parallel size (default: searched)");
  sub->add_option("--pp", a->pp, "pipeline-parallel size (default: searched)");
  sub->add_option("--cp", a->cp, "context-parallel size (default: searched)");
  sub->add_option("--ep", a->ep, "expert-parallel size over data ranks (default: searched)");
  sub->add_option("--zero", a->zero, "ZeRO/FSDP stage 0-3 (default: searched)");
  sub->add_option("--schedule", a->schedule, "pipeline schedule: 1f1b or interleaved");
  sub->add_option("--vpp", a->vpp, "model chunks per chip for the interleaved schedule");
  sub->add_option("--micro-batch", a->micro_batch, "sequences per micro-batch");
  sub->add_option("--recompute", a->recompute,
                  "activation recomputation: off, on, or the share of layers (0-1)");
  sub->add_flag("--tp-overlap", a->setup.options.tp_comm_overlap,
                "hide tensor-parallel collectives behind GEMMs (Megatron --tp-comm-overlap)");
  sub->add_option("--cp-method", a->cp_method,
                  "context-parallel K/V exchange: ring (hidden behind attention) or all-gather "
                  "(exposed, as in Llama 3)");
  sub->add_flag("--ep-overlap", a->setup.options.ep_comm_overlap,
                "hide expert all-to-all behind MoE compute (DeepSeek DualPipe)");
  sub->add_option("--scale-up-gb-per-s", a->setup.scale_up_gb_per_s,
                  "override the scale-up bandwidth per chip per direction (H800: 200)");
  sub->add_option("--sites", a->setup.options.sites, "datacenters sharing data parallelism")
      ->capture_default_str();
  sub->add_option("--wan-gbps", a->wan_gbps, "WAN bandwidth per site in Gbit/s");
  sub->add_option("--wan-latency-ms", a->wan_latency_ms, "WAN one-way latency")
      ->capture_default_str();
  sub->add_flag("--no-failures", a->no_failures, "ignore failures (goodput from checkpoints only)");
  sub->add_option("--failures-per-chip-hour", a->failures_per_chip_hour,
                  "failure rate (default: Llama 3 405B's 419 in 54 days on 16,384 H100)");
  sub->add_option("--restart-min", a->restart_min, "fixed part of a restart, minutes")
      ->capture_default_str();
  sub->add_option("--checkpoint-tb-per-s", a->checkpoint_tb_per_s,
                  "storage bandwidth for checkpoints (Llama 3: 2 TB/s)")
      ->capture_default_str();
  sub->add_option("--checkpoint-interval-min", a->checkpoint_interval_min,
                  "checkpoint interval (default: Daly's optimum)");
  sub->add_option("--usd-per-chip-hour", a->usd_per_chip_hour,
                  "price per chip-hour (default: data/training/chip_hour_prices.yaml)");
  sub->add_option("--budget-flops", a->budget_flops,
                  "compute budget: compute-optimal parameters, tokens and loss");
  sub->add_option("--budget-usd", a->budget_usd, "dollar budget (needs --hardware)");
  sub->add_option("--mfu", a->mfu, "MFU assumed for --budget-usd without a model and chips")
      ->capture_default_str();
  sub->add_flag("--json", a->json, "print JSON");
  sub->callback([ctx, a] { ctx->status = RunTrain(ctx, *a); });
}

}  // namespace perftco::cli
