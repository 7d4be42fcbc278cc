// perftco rl: one step of the RL / synthetic-data loop (generate, verify, filter, train, sync).
#include <cmath>
#include <cstdio>

#include "commands.h"
#include "perftco/rl.h"
#include "perftco/training_run.h"
#include "training_report.h"

namespace perftco::cli {
namespace {

struct RlArgs {
  std::string model;
  std::string hardware;
  std::optional<int> chips;          // shared pool
  std::optional<int> rollout_chips;  // split pools
  std::optional<int> train_chips;
  std::optional<int> rollout_tp;
  std::string rollout_precision = "bf16";
  std::string keep = "grpo";
  std::string pipeline = "sync";
  std::string pools = "shared";
  double verify_s = 2.0;
  double sandbox_s = 1.0;
  double sync_overhead_s = 0.0;
  std::optional<double> usd_per_chip_hour;
  RlConfig config;
  bool json = false;
};

// The RL configuration and pools of `a`, ready to simulate.
struct RlSetup {
  RlConfig config;
  std::unique_ptr<CostModelRolloutGenerator> generator;
  std::unique_ptr<TrainingModel> trainer;
  int train_chips = 0;
};

Result<RlSetup> Prepare(CliContext* ctx, const RlArgs& a) {
  RlSetup s;
  s.config = a.config;
  PERFTCO_ASSIGN_OR_RETURN(s.config.keep, ParseKeepRule(a.keep));
  PERFTCO_ASSIGN_OR_RETURN(s.config.pipeline, ParseRlPipeline(a.pipeline));
  PERFTCO_ASSIGN_OR_RETURN(s.config.pools, ParsePoolLayout(a.pools));
  if (!(a.verify_s >= 0) || !(a.sandbox_s >= 0)) {
    return Status::Error("--verify-s and --sandbox-s must not be negative");
  }
  if (!(a.sync_overhead_s >= 0)) return Status::Error("--sync-overhead-s must not be negative");
  s.config.verifier.per_sample = Seconds(a.verify_s);
  s.config.verifier.sandbox_startup = Seconds(a.sandbox_s);
  s.config.sync_fixed = Seconds(a.sync_overhead_s);
  if (s.config.prompts < 1 || s.config.samples_per_prompt < 1) {
    return Status::Error("--prompts and --samples must be positive");
  }
  if (!(s.config.lengths.mean_tokens >= 1) || s.config.prompt_tokens < 1) {
    return Status::Error("--prompt-tokens and --rollout-tokens must be positive");
  }
  // The length distribution first: pool sizing depends on it.
  PERFTCO_RETURN_IF_ERROR(SampleRolloutLengths(s.config.lengths, 1, s.config.seed).status());
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
  PERFTCO_ASSIGN_OR_RETURN(const EfficiencyTable* table, ctx->efficiency());
  PERFTCO_ASSIGN_OR_RETURN(Hardware hw, catalog->FindHardware(a.hardware));
  if (a.usd_per_chip_hour) {
    if (!(*a.usd_per_chip_hour > 0)) return Status::Error("--usd-per-chip-hour must be positive");
    s.config.usd_per_chip_hour = *a.usd_per_chip_hour;
  } else {
    PERFTCO_ASSIGN_OR_RETURN(ChipHourPrice p, DefaultChipHourPrice(ctx->data_dir, hw.name));
    s.config.usd_per_chip_hour = p.usd;
  }

  TrainingSetupOptions to;
  to.model = a.model;
  to.hardware = a.hardware;
  PERFTCO_ASSIGN_OR_RETURN(TrainingModel trainer, BuildTrainingModel(*catalog, *table, to));
  s.trainer = std::make_unique<TrainingModel>(trainer);

  // Pool sizes: as given, or the smallest pool on which the policy trains.
  const RolloutLengths& L = s.config.lengths;
  TrainingWorkload nominal;
  nominal.seq_len = s.config.prompt_tokens +
                    static_cast<int64_t>(L.mean_tokens * std::exp(L.sigma * L.sigma / 2));
  nominal.global_batch_tokens =
      1.0 * s.config.prompts * s.config.samples_per_prompt * static_cast<double>(nominal.seq_len);
  int rollout_chips = 0;
  if (s.config.pools == PoolLayout::kShared) {
    if (a.rollout_chips || a.train_chips) {
      return Status::Error(
          "--rollout-chips and --train-chips are for --pools split; shared pools "
          "take --chips");
    }
    if (a.chips) {
      rollout_chips = *a.chips;
    } else {
      PERFTCO_ASSIGN_OR_RETURN(rollout_chips, SmallestTrainingPool(*s.trainer, nominal));
    }
    s.train_chips = rollout_chips;
  } else {
    if (a.chips) {
      return Status::Error("split pools take --rollout-chips and --train-chips, not --chips");
    }
    int smallest = 0;
    if (!a.rollout_chips || !a.train_chips) {
      PERFTCO_ASSIGN_OR_RETURN(smallest, SmallestTrainingPool(*s.trainer, nominal));
    }
    rollout_chips = a.rollout_chips ? *a.rollout_chips : smallest;
    s.train_chips = a.train_chips ? *a.train_chips : smallest;
  }
  if (rollout_chips < 1 || s.train_chips < 1) return Status::Error("pool sizes must be positive");
  const int64_t context = s.config.prompt_tokens + L.max_tokens;
  PERFTCO_ASSIGN_OR_RETURN(
      std::shared_ptr<Setup> pool,
      BuildRolloutPool(*catalog, *table, a.model, a.hardware, rollout_chips, a.rollout_tp,
                       a.rollout_precision, context, /*min_sequences=*/16));
  s.generator = std::make_unique<CostModelRolloutGenerator>(pool);
  return s;
}

Status RunRl(CliContext* ctx, const RlArgs& a) {
  PERFTCO_ASSIGN_OR_RETURN(RlSetup s, Prepare(ctx, a));
  PERFTCO_ASSIGN_OR_RETURN(RlStepResult r, SimulateRlStep(s.config, *s.generator, *s.trainer,
                                                          s.train_chips, PlanConstraints()));
  if (a.json) {
    std::printf("%s\n", RlJson(s.config, *s.generator, r).dump(2).c_str());
  } else {
    std::fputs(RlText(s.config, *s.generator, r).c_str(), stdout);
  }
  return Status::Ok();
}

}  // namespace

void AddRlCommand(CLI::App* sub, CliContext* ctx) {
  auto a = std::make_shared<RlArgs>();
  RlConfig& c = a->config;
  sub->add_option("--model,-m", a->model, "policy model name or config.json")->required();
  sub->add_option("--hardware,-H", a->hardware, "accelerator of both pools")->required();
  sub->add_option("--pools", a->pools, "shared (colocated) or split rollout/training pools")
      ->capture_default_str();
  sub->add_option("--chips", a->chips, "shared pool size (default: smallest pool that trains)");
  sub->add_option("--rollout-chips", a->rollout_chips, "rollout pool size (split pools)");
  sub->add_option("--train-chips", a->train_chips, "training pool size (split pools)");
  sub->add_option("--rollout-tp", a->rollout_tp, "tensor-parallel size of a rollout replica");
  sub->add_option("--rollout-precision", a->rollout_precision, "rollout weight format")
      ->capture_default_str();
  sub->add_option("--pipeline", a->pipeline, "sync, or async (one step off-policy, split pools)")
      ->capture_default_str();
  sub->add_option("--prompts", c.prompts, "prompts per step")->capture_default_str();
  sub->add_option("--samples", c.samples_per_prompt, "samples per prompt")->capture_default_str();
  sub->add_option("--prompt-tokens", c.prompt_tokens, "prompt length")->capture_default_str();
  sub->add_option("--rollout-tokens", c.lengths.mean_tokens, "mean rollout length")
      ->capture_default_str();
  sub->add_option("--length-sigma", c.lengths.sigma, "lognormal shape of rollout lengths")
      ->capture_default_str();
  sub->add_option("--max-rollout-tokens", c.lengths.max_tokens, "rollout length cap")
      ->capture_default_str();
  sub->add_option("--pass-rate", c.pass_rate, "fraction of rollouts that pass verification")
      ->capture_default_str();
  sub->add_option("--difficulty-concentration", c.difficulty_concentration,
                  "spread of pass rates between prompts, Beta concentration (0: none)")
      ->capture_default_str();
  sub->add_option("--keep", a->keep, "keep rule: grpo (mixed groups) or passing")
      ->capture_default_str();
  sub->add_option("--verify-s", a->verify_s, "CPU seconds to verify one sample")
      ->capture_default_str();
  sub->add_option("--sandbox-s", a->sandbox_s, "sandbox start-up seconds per sample")
      ->capture_default_str();
  sub->add_option("--verifiers", c.verifier.workers, "parallel verifier workers")
      ->capture_default_str();
  sub->add_option("--usd-per-cpu-hour", c.verifier.usd_per_worker_hour,
                  "price of one verifier worker (CPU core) hour")
      ->capture_default_str();
  sub->add_option("--logprob-passes", c.logprob_passes,
                  "extra forward passes per kept sample (reference log-probs)")
      ->capture_default_str();
  sub->add_option("--sync-overhead-s", a->sync_overhead_s,
                  "fixed weight-reload time per step beyond the transfer")
      ->capture_default_str();
  sub->add_option("--usd-per-chip-hour", a->usd_per_chip_hour,
                  "accelerator price (default: data/training/chip_hour_prices.yaml)");
  sub->add_option("--seed", c.seed, "seed of rollout lengths and outcomes")->capture_default_str();
  sub->add_flag("--json", a->json, "print JSON");
  sub->callback([ctx, a] { ctx->status = RunRl(ctx, *a); });
}

}  // namespace perftco::cli
