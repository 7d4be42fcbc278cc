#include <algorithm>
#include <cmath>
#include <numeric>
#include <queue>

#include "perftco/names.h"
#include "perftco/random.h"
#include "perftco/rl.h"

namespace perftco {

std::string_view KeepRuleName(KeepRule r) { return r == KeepRule::kPassing ? "passing" : "grpo"; }
std::string_view RlPipelineName(RlPipeline p) {
  return p == RlPipeline::kSynchronous ? "sync" : "async";
}
std::string_view PoolLayoutName(PoolLayout p) {
  return p == PoolLayout::kShared ? "shared" : "split";
}

Result<KeepRule> ParseKeepRule(std::string_view name) {
  const std::string n = ToLower(name);
  if (n == "passing") return KeepRule::kPassing;
  if (n == "grpo") return KeepRule::kGrpoGroups;
  return Status::Error("unknown keep rule '" + std::string(name) + "': use passing or grpo");
}
Result<RlPipeline> ParseRlPipeline(std::string_view name) {
  const std::string n = ToLower(name);
  if (n == "sync" || n == "synchronous") return RlPipeline::kSynchronous;
  if (n == "async" || n == "one-step-async") return RlPipeline::kOneStepAsync;
  return Status::Error("unknown RL pipeline '" + std::string(name) + "': use sync or async");
}
Result<PoolLayout> ParsePoolLayout(std::string_view name) {
  const std::string n = ToLower(name);
  if (n == "shared") return PoolLayout::kShared;
  if (n == "split") return PoolLayout::kSplit;
  return Status::Error("unknown pool layout '" + std::string(name) + "': use shared or split");
}

Result<std::vector<int64_t>> SampleRolloutLengths(const RolloutLengths& d, int64_t n,
                                                  uint64_t seed) {
  if (n < 1) return Status::Error("the number of rollouts must be positive");
  if (!(d.mean_tokens >= 1)) return Status::Error("the mean rollout length must be >= 1 token");
  if (!(d.sigma >= 0) || d.sigma > 3) {
    return Status::Error("the rollout length spread (sigma) must be in [0, 3]");
  }
  if (static_cast<double>(d.max_tokens) < d.mean_tokens) {
    return Status::Error("the rollout length cap (" + std::to_string(d.max_tokens) +
                         ") is below the mean length: raise --max-rollout-tokens");
  }
  Rng rng(seed);
  // A lognormal with mean m has mu = ln m - sigma^2 / 2.
  const double mu = std::log(d.mean_tokens) - 0.5 * d.sigma * d.sigma;
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const double x = std::exp(mu + d.sigma * rng.Normal());
    out.push_back(std::clamp<int64_t>(std::llround(x), 1, d.max_tokens));
  }
  return out;
}

namespace {

Status CheckConfig(const RlConfig& c, const RolloutGenerator& gen, int train_chips) {
  if (c.prompts < 1) return Status::Error("prompts per step must be positive");
  if (c.samples_per_prompt < 1) return Status::Error("samples per prompt must be positive");
  if (c.prompt_tokens < 1) return Status::Error("prompt length must be positive");
  if (!(c.pass_rate >= 0 && c.pass_rate <= 1)) {
    return Status::Error("pass rate must be between 0 and 1 (got " + std::to_string(c.pass_rate) +
                         ")");
  }
  if (c.difficulty_concentration < 0) {
    return Status::Error("difficulty concentration must not be negative");
  }
  if (c.keep == KeepRule::kGrpoGroups && c.samples_per_prompt < 2) {
    return Status::Error(
        "the grpo keep rule compares samples within a group: use at least 2 "
        "samples per prompt, or --keep passing");
  }
  if (c.verifier.workers < 1) return Status::Error("verifier workers must be positive");
  if (c.verifier.per_sample.value() < 0 || c.verifier.sandbox_startup.value() < 0) {
    return Status::Error("verification times must not be negative");
  }
  if (c.verifier.usd_per_worker_hour < 0 || c.usd_per_chip_hour < 0) {
    return Status::Error("prices must not be negative");
  }
  if (c.logprob_passes < 0) return Status::Error("log-prob passes must not be negative");
  if (c.sync_fixed.value() < 0) return Status::Error("sync overhead must not be negative");
  if (train_chips < 1) return Status::Error("the training pool needs at least one chip");
  if (c.pools == PoolLayout::kShared && train_chips != gen.Chips()) {
    return Status::Error("shared pools train on the rollout chips: training chips (" +
                         std::to_string(train_chips) + ") must equal rollout chips (" +
                         std::to_string(gen.Chips()) + ")");
  }
  if (c.pipeline == RlPipeline::kOneStepAsync && c.pools == PoolLayout::kShared) {
    return Status::Error(
        "one-step-asynchronous RL overlaps generation with training, which "
        "needs separate pools: use --pools split");
  }
  return Status::Ok();
}

// Verification of rollouts as they finish, on `workers` workers taking the earliest-finished
// sample first; returns when the last verification ends.
Seconds VerifyStreaming(std::vector<Seconds> finish, const VerifierConfig& v) {
  std::sort(finish.begin(), finish.end());
  const Seconds each = v.per_sample + v.sandbox_startup;
  std::priority_queue<double, std::vector<double>, std::greater<double>> free_at;
  for (int i = 0; i < v.workers; ++i) free_at.push(0.0);
  double end = 0;
  for (Seconds f : finish) {
    const double start = std::max(f.value(), free_at.top());
    free_at.pop();
    const double done = start + each.value();
    free_at.push(done);
    end = std::max(end, done);
  }
  return Seconds(end);
}

}  // namespace

Result<std::shared_ptr<Setup>> BuildRolloutPool(const Catalog& catalog,
                                                const EfficiencyTable& table,
                                                const std::string& model,
                                                const std::string& hardware, int chips,
                                                std::optional<int> tp, const std::string& precision,
                                                int64_t context, int64_t min_sequences) {
  if (chips < 1) return Status::Error("the rollout pool needs at least one chip");
  SetupOptions o;
  o.model = model;
  o.hardware = hardware;
  o.chips = chips;
  o.precision = precision;
  if (tp) {
    o.tp = *tp;
    return BuildSetup(catalog, table, o);
  }
  PERFTCO_ASSIGN_OR_RETURN(Hardware hw, catalog.FindHardware(hardware));
  Status last = Status::Error("no tensor-parallel size fits " + model + " on " + hardware);
  for (int t = 1; t <= std::min(chips, hw.scale_up.domain_chips); t *= 2) {
    if (chips % t != 0) continue;
    o.tp = t;
    Result<std::shared_ptr<Setup>> s = BuildSetup(catalog, table, o);
    if (!s.ok()) {
      last = s.status();
      continue;
    }
    if (s.value()->cost->MaxSequences(context) >= min_sequences) return s;
    last = Status::Error(model + " at tp=" + std::to_string(t) + " on " + hardware +
                         " holds fewer than " + std::to_string(min_sequences) + " rollouts of " +
                         std::to_string(context) + " tokens");
  }
  return Status::Error("no rollout tp fits (" + last.message() +
                       "): give more chips, --rollout-tp, or shorter rollouts");
}

Result<int> SmallestTrainingPool(const TrainingModel& trainer, const TrainingWorkload& w) {
  const int domain = std::max(1, trainer.hardware().scale_up.domain_chips);
  Status last;
  for (int chips = domain; chips <= 65536; chips *= 2) {
    Result<TrainingStep> r = SearchPlan(trainer, chips, w, PlanConstraints());
    if (r.ok()) return chips;
    last = r.status();
  }
  return Status::Error("no training plan fits up to 65,536 chips: " + last.message());
}

Seconds WeightSyncTime(const TrainingModel& trainer, const Setup& rollout, PoolLayout pools) {
  const Hardware& hw = rollout.hardware;
  const Efficiency& eff = rollout.efficiency;
  const Bytes shard = rollout.cost->WeightBytesPerChip();
  if (pools == PoolLayout::kShared) {
    // Re-layout in place: each chip gathers its inference shard from the training shards of its
    // scale-up domain, then writes it to HBM.
    const double link = hw.scale_up.bandwidth_per_chip.value() * eff.comm_bandwidth;
    const Seconds gather = link > 0 ? Seconds(shard.value() / link) : Seconds(0);
    return gather + shard / BytesPerSecond(hw.hbm_bandwidth.value() * eff.memory) +
           eff.comm_latency * 2.0;
  }
  // Split pools: the trainer streams the weights to every replica; with a pipelined broadcast
  // every rollout chip receives its shard over its own NIC.
  const Hardware& thw = trainer.hardware();
  const double nic = std::min(hw.scale_out_per_chip.value(), thw.scale_out_per_chip.value());
  const double bw = (nic > 0 ? nic : 400e9 / 8.0) * eff.comm_bandwidth;
  const double hops = std::log2(std::max(2, rollout.plan.replicas));
  return Seconds(shard.value() / bw) + eff.comm_latency * (4.0 * hops);
}

Result<RlStepResult> SimulateRlStep(const RlConfig& c, const RolloutGenerator& gen,
                                    const TrainingModel& trainer, int train_chips,
                                    const PlanConstraints& train_constraints) {
  PERFTCO_RETURN_IF_ERROR(CheckConfig(c, gen, train_chips));
  RlStepResult r;
  const int64_t n = static_cast<int64_t>(c.prompts) * c.samples_per_prompt;
  r.samples = n;
  PERFTCO_ASSIGN_OR_RETURN(std::vector<int64_t> lengths,
                           SampleRolloutLengths(c.lengths, n, c.seed));

  // Outcomes: a pass rate per prompt, then one draw per sample (its own stream of the seed).
  Rng rng(c.seed ^ 0x9e3779b97f4a7c15ULL);
  std::vector<bool> passed(static_cast<size_t>(n), false);
  std::vector<bool> kept(static_cast<size_t>(n), false);
  for (int g = 0; g < c.prompts; ++g) {
    double q = c.pass_rate;
    if (c.difficulty_concentration > 0 && q > 0 && q < 1) {
      q = rng.Beta(q * c.difficulty_concentration, (1.0 - q) * c.difficulty_concentration);
    }
    int passes = 0;
    for (int k = 0; k < c.samples_per_prompt; ++k) {
      const size_t i = static_cast<size_t>(g) * c.samples_per_prompt + k;
      passed[i] = rng.Bernoulli(q);
      passes += passed[i] ? 1 : 0;
    }
    const bool mixed = passes > 0 && passes < c.samples_per_prompt;
    if (c.keep == KeepRule::kGrpoGroups && mixed) ++r.groups_kept;
    for (int k = 0; k < c.samples_per_prompt; ++k) {
      const size_t i = static_cast<size_t>(g) * c.samples_per_prompt + k;
      kept[i] = c.keep == KeepRule::kPassing ? passed[i] : mixed;
    }
    if (c.keep == KeepRule::kPassing && passes > 0) ++r.groups_kept;
  }

  // Generation.
  RolloutBatch batch;
  batch.prompt_tokens = c.prompt_tokens;
  batch.output_tokens = lengths;
  PERFTCO_ASSIGN_OR_RETURN(GenerationResult g, gen.Generate(batch));

  // Verification, streaming behind generation.
  const Seconds verify_end = VerifyStreaming(g.finish, c.verifier);
  const Seconds verify_exposed = std::max(Seconds(0), verify_end - g.time);

  // Kept samples and their tokens.
  double sum_sq = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double out = static_cast<double>(lengths[static_cast<size_t>(i)]);
    r.generated_tokens += out;
    r.longest_rollout = std::max(r.longest_rollout, lengths[static_cast<size_t>(i)]);
    r.passed += passed[static_cast<size_t>(i)] ? 1 : 0;
    r.generation_flops +=
        (static_cast<double>(c.prompt_tokens) + out) *
        trainer.Flops(c.prompt_tokens + lengths[static_cast<size_t>(i)]).forward_per_token.value();
    if (!kept[static_cast<size_t>(i)]) continue;
    ++r.kept;
    const double total = static_cast<double>(c.prompt_tokens) + out;
    r.kept_tokens += out;
    r.trained_tokens += total;
    sum_sq += total * total;
  }
  r.mean_rollout = r.generated_tokens / static_cast<double>(n);
  if (r.kept == 0) {
    return Status::Error("no rollout was kept (" + std::to_string(r.passed) + " of " +
                         std::to_string(n) + " passed, keep rule " +
                         std::string(KeepRuleName(c.keep)) +
                         "): raise the pass rate or the samples per step");
  }

  // Training on the kept samples: sequences of the root-mean-square length, so that attention,
  // quadratic in length, is counted right on average.
  TrainingWorkload w;
  w.seq_len = std::max<int64_t>(
      1, static_cast<int64_t>(std::llround(std::sqrt(sum_sq / static_cast<double>(r.kept)))));
  if (train_constraints.cp && *train_constraints.cp > 1) {
    const int64_t q = 2 * *train_constraints.cp;
    w.seq_len = (w.seq_len + q - 1) / q * q;
  }
  w.global_batch_tokens = static_cast<double>(r.kept) * static_cast<double>(w.seq_len);
  PERFTCO_ASSIGN_OR_RETURN(r.train_step, SearchPlan(trainer, train_chips, w, train_constraints));
  const TrainingStep& ts = r.train_step;
  const Seconds compute = ts.forward + ts.backward + ts.recompute;
  const double fwd_share = compute.value() > 0 ? ts.forward / compute : 0.0;
  const Seconds train_time = ts.step_time * (1.0 + c.logprob_passes * fwd_share);
  r.training_flops = r.trained_tokens * trainer.Flops(w.seq_len).forward_per_token.value() *
                     (3.0 + ts.plan.recompute + c.logprob_passes);

  // Weight sync.
  const Seconds sync = c.sync_fixed + WeightSyncTime(trainer, gen.setup(), c.pools);

  // The timeline.
  r.rollout_chips = gen.Chips();
  r.training_chips = train_chips;
  r.total_chips = c.pools == PoolLayout::kShared ? gen.Chips() : gen.Chips() + train_chips;
  r.generation.busy = g.time;
  const Seconds first_finish = *std::min_element(g.finish.begin(), g.finish.end());
  r.verification.busy = verify_end - first_finish;  // verifiers work from the first finish
  r.training.busy = train_time;
  r.sync.busy = sync;
  if (c.pipeline == RlPipeline::kSynchronous) {
    r.generation.on_path = g.time;
    r.verification.on_path = verify_exposed;
    r.training.on_path = train_time;
    r.sync.on_path = sync;
  } else {
    // One step off-policy: generation (with its verification tail) of step k+1 runs while step k
    // trains; both pools then take part in the sync.
    const Seconds produce = g.time + verify_exposed;
    if (produce >= train_time) {
      r.generation.on_path = g.time;
      r.verification.on_path = verify_exposed;
    } else {
      r.training.on_path = train_time;
    }
    r.sync.on_path = sync;
  }
  r.step_time = r.generation.on_path + r.verification.on_path + r.training.on_path + r.sync.on_path;
  const double step = r.step_time.value();
  r.split_generation = r.generation.on_path.value() / step;
  r.split_verification = r.verification.on_path.value() / step;
  r.split_training = r.training.on_path.value() / step;
  r.split_sync = r.sync.on_path.value() / step;

  r.generation.chip_seconds = r.rollout_chips * g.time.value();
  r.training.chip_seconds = train_chips * train_time.value();
  r.sync.chip_seconds = r.total_chips * sync.value();
  const double verify_each = (c.verifier.per_sample + c.verifier.sandbox_startup).value();
  r.verification.chip_seconds = verify_each * static_cast<double>(n);  // CPU worker-seconds
  r.generation_occupancy = g.occupancy;
  if (c.pools == PoolLayout::kShared) {
    r.rollout_pool_utilization = (g.time + train_time + sync).value() / step;
    r.training_pool_utilization = r.rollout_pool_utilization;
  } else {
    r.rollout_pool_utilization = (g.time + sync).value() / step;
    r.training_pool_utilization = (train_time + sync).value() / step;
  }

  // Cost: every accelerator and every verifier worker is paid for the whole step.
  r.usd_accelerators = r.total_chips * step / 3600.0 * c.usd_per_chip_hour;
  r.usd_verifiers = c.verifier.workers * step / 3600.0 * c.verifier.usd_per_worker_hour;
  r.usd_step = r.usd_accelerators + r.usd_verifiers;
  r.usd_per_kept_token = r.usd_step / r.kept_tokens;
  return r;
}

}  // namespace perftco
