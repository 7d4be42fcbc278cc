#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>

#include "commands.h"
#include "estimate_json.h"
#include "perftco/rate_search.h"
#include "perftco/scenario.h"
#include "perftco/text_table.h"
#include "simulate_report.h"

namespace perftco::cli {
namespace {

// Per-request rows, streamed to a temporary file and renamed into place only when the run
// succeeds, so a failed run leaves no partial file.
class RequestsCsv : public SimObserver {
 public:
  explicit RequestsCsv(std::string path) : file_(std::move(path)) {}
  Status Open() {
    PERFTCO_RETURN_IF_ERROR(file_.Open());
    file_.out() << "id,replica,decode_replica,arrival_s,input_tokens,output_tokens,cached_tokens,"
                   "queue_s,ttft_s,tpot_s,e2e_s,finish_s,preemptions,kv_transfer_bytes\n";
    return Status::Ok();
  }
  void OnFinished(const RequestRecord& r) override {
    char line[512];
    std::snprintf(
        line, sizeof line, "%llu,%d,%d,%.9g,%lld,%lld,%lld,%.9g,%.9g,%.9g,%.9g,%.9g,%d,%.9g\n",
        static_cast<unsigned long long>(r.request.id), r.replica, r.decode_replica,
        r.request.arrival.value(), static_cast<long long>(r.request.input_tokens),
        static_cast<long long>(r.request.output_tokens), static_cast<long long>(r.cached_tokens),
        r.queue.value(), r.Ttft().value(), r.Tpot().value(), r.E2e().value(), r.finish.value(),
        r.preemptions, r.kv_transferred.value());
    file_.out() << line;
  }
  Status Commit() { return file_.Commit(); }

 private:
  StreamedFile file_;
};

// A progress line on stderr, only when stderr is a terminal.
class ProgressLine : public SimObserver {
 public:
  void OnProgress(Seconds now, int64_t finished) override {
    const auto t = std::chrono::steady_clock::now();
    if (t - last_ < std::chrono::milliseconds(250)) return;
    last_ = t;
    std::fprintf(stderr, "\rsimulating: t = %.1f s, %lld requests finished", now.value(),
                 static_cast<long long>(finished));
    shown_ = true;
  }
  ~ProgressLine() override {
    if (shown_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  bool shown_ = false;
};

std::string Ms(Seconds t) {
  const double ms = t.value() * 1e3;
  return FormatFixed(ms, ms < 100 ? 2 : 1);
}

std::string Report(const Setup& setup, const SimulateOptions& o, const SimulationSummary& s) {
  std::string out;
  if (!o.name.empty()) out += "scenario: " + o.name + "\n";
  if (!o.description.empty()) out += o.description + "\n\n";
  const std::string layout =
      s.prefill_plan.empty()
          ? setup.plan.ToString() + ", " + std::to_string(s.replicas) + " replica" +
                (s.replicas > 1 ? "s" : "")
          : std::to_string(s.prefill_replicas) + " prefill x " + s.prefill_plan + " + " +
                std::to_string(s.replicas - s.prefill_replicas) + " decode x " + s.decode_plan;
  out += setup.model.name + " on " + std::to_string(s.chips) + " x " + setup.hardware.name + " (" +
         layout + "), weights " + std::string(PrecisionName(setup.precisions.weights)) + ", KV " +
         std::string(PrecisionName(setup.precisions.kv)) + "\n";
  out += "workload: " + DescribeWorkload(o.workload) + "\n";
  out += "serving: " + s.scheduler + " scheduler, at most " + std::to_string(s.max_seqs) +
         " sequences and " + std::to_string(s.token_budget) + " tokens per step, " + s.router +
         " router, " + o.serving.preemption + " preemption, prefix caching " +
         (o.serving.prefix_caching ? "on" : "off");
  if (s.prefill_replicas > 0) {
    out += ", disaggregated: " + std::to_string(s.prefill_replicas) + " prefill + " +
           std::to_string(s.replicas - s.prefill_replicas) + " decode replicas";
  }
  out += "\nKV cache per " + std::string(s.prefill_replicas > 0 ? "decode " : "") +
         "replica: " + std::to_string(s.kv_blocks_per_replica) + " blocks of " +
         std::to_string(s.block_size) + " tokens";
  if (s.prefill_replicas > 0) {
    out += " (per prefill replica: " + std::to_string(s.prefill_kv_blocks_per_replica) + ")";
  }
  out += "\n\n";

  out += std::to_string(s.requests) + " requests in " + FormatFixed(s.duration.value(), 1) +
         " s: " + FormatFixed(s.requests_per_s, 2) + " req/s, " +
         FormatFixed(s.throughput_output_tokens_per_s, 0) + " output tok/s (" +
         FormatFixed(s.output_tokens_per_s_per_chip, 1) + " per chip), " +
         FormatFixed(s.throughput_input_tokens_per_s, 0) + " input tok/s\n";
  if (s.slo_ttft.value() > 0 || s.slo_tpot.value() > 0) {
    std::string slo;
    if (s.slo_ttft.value() > 0)
      slo += "TTFT <= " + FormatFixed(s.slo_ttft.value() * 1e3, 0) + " ms";
    if (s.slo_tpot.value() > 0) {
      slo += std::string(slo.empty() ? "" : ", ") +
             "TPOT <= " + FormatFixed(s.slo_tpot.value() * 1e3, 0) + " ms";
    }
    out += "goodput (" + slo + "): " + FormatFixed(s.goodput_requests_per_s, 2) + " req/s, " +
           FormatFixed(100.0 * static_cast<double>(s.requests_within_slo) /
                           static_cast<double>(std::max<int64_t>(1, s.requests)),
                       1) +
           "% of requests\n";
  }
  out += "\n";
  TextTable t({"latency ms", "mean", "p50", "p90", "p99", "max"});
  auto row = [&](const char* name, const LatencyStats& l) {
    t.AddRow({name, Ms(l.mean), Ms(l.p50), Ms(l.p90), Ms(l.p99), Ms(l.max)});
  };
  row("TTFT", s.ttft);
  row("TPOT", s.tpot);
  row("ITL", s.itl);
  row("E2E", s.e2e);
  row("queue", s.queue);
  out += t.Render();
  out += "\npreemptions: " + std::to_string(s.preemptions) + " (" +
         std::to_string(s.preempted_requests) + " requests" +
         (s.swaps > 0 ? ", " + std::to_string(s.swaps) + " by swap" : "") + ", " +
         std::to_string(s.recomputed_tokens) + " tokens recomputed)\n";
  out += "KV cache use: mean " + FormatFixed(100 * s.kv_utilization_mean, 1) + "%, peak " +
         FormatFixed(100 * s.kv_utilization_peak, 1) +
         "%; batch: " + FormatFixed(s.running_mean, 1) + " running per replica on average, " +
         FormatFixed(s.decode_batch_mean, 1) + " decoding per step\n";
  if (s.Saturated()) {
    out += "past capacity: requests arrived at " + FormatFixed(s.arrival_rate_per_s, 2) +
           "/s and were served at about " +
           FormatFixed(s.arrival_rate_per_s / (1 + s.queue_growth), 2) +
           "/s; the queue grew all run (" + FormatFixed(s.queue_growth, 2) +
           " s of wait per second of arrivals), so the latencies grow with --requests; a lower "
           "--rate gives a steady state\n";
  }
  if (o.serving.prefix_caching) {
    out += "prefix cache: " + FormatFixed(100 * s.prefix_cache_hit_rate, 1) +
           "% of prompt tokens served from the cache\n";
  }
  if (s.prefill_replicas > 0) {
    out += "KV moved from prefill to decode replicas: " +
           FormatFixed(s.kv_transfer.value() / kGiga, 2) + " GB, " + Ms(s.kv_transfer_mean) +
           " ms per request on the link after " + Ms(s.kv_transfer_wait) +
           " ms waiting for it; pools busy: prefill " + FormatFixed(100 * s.prefill_busy, 1) +
           "%, decode " + FormatFixed(100 * s.decode_busy, 1) + "% of the time\n";
  }
  out += "simulated " + std::to_string(s.steps) + " steps with " + std::to_string(s.events) +
         " events and " + std::to_string(s.step_evaluations) + " cost-model evaluations" +
         (s.exact_steps ? " (exact steps)" : "") + "\n";
  return out;
}

// Options given on the command line, kept apart so that they override a scenario's values.
struct SimulateArgs {
  std::string scenario;
  SimulateOptions o;
  SimulateOutputs out;
  // Flags in the units users type, converted into `o` after parsing.
  std::optional<double> think_time_s;
  double swap_space_gb = 4.0;
  double slo_ttft_ms = 0, slo_tpot_ms = 0;
  double ttft_limit_ms = 0, tpot_limit_ms = 0;
  std::string disagg;
  Status Convert() {
    if (!disagg.empty()) {
      PERFTCO_ASSIGN_OR_RETURN(DisaggSpec d, ParseDisaggSpec(disagg));
      o.disagg = d;
    }
    if (think_time_s) o.workload.think_time = Seconds(*think_time_s);
    o.serving.swap_space = Bytes(swap_space_gb * kGiB);
    o.serving.slo_ttft = Milliseconds(slo_ttft_ms);
    o.serving.slo_tpot = Milliseconds(slo_tpot_ms);
    o.limits.ttft_p99 = Milliseconds(ttft_limit_ms);
    o.limits.tpot_p99 = Milliseconds(tpot_limit_ms);
    return Status::Ok();
  }
};

}  // namespace

// The decode pool's setup of a disaggregated run (the prefill pool's becomes `o.setup`), each
// pool checked to fit; null when `o` is aggregated.
Result<std::shared_ptr<Setup>> DisaggregatedSetup(CliContext* ctx, SimulateOptions* o) {
  if (!o->disagg) return std::shared_ptr<Setup>();
  const DisaggSpec& d = *o->disagg;
  if (o->replicas != 0 || o->serving.prefill_replicas != 0) {
    return Status::Error(
        "--disagg gives each pool's workers: drop --replicas and --prefill-replicas");
  }
  if (o->setup.tp || o->setup.ep != 1 || o->setup.dp_attention) {
    return Status::Error(
        "--disagg gives each pool's tp, ep and attention DP: drop --tp, --ep and --dp-attention");
  }
  const int chips = d.prefill.Chips(o->setup.pp) + d.decode.Chips(o->setup.pp);
  if (o->setup.chips != 0 && o->setup.chips != chips) {
    return Status::Error("--chips " + std::to_string(o->setup.chips) + " is not the " +
                         std::to_string(chips) + " chips of --disagg " + d.ToString() +
                         ": give one of them");
  }
  auto decode = SetupFrom(ctx, PoolSetup(o->setup, d.decode));
  if (!decode.ok()) return Status::Error("decode pool: " + decode.status().message());
  o->setup = PoolSetup(o->setup, d.prefill);
  return decode;
}

// A latency-bounded run: the highest rate meeting `o`'s limits (or the published limits it names
// for `model`), which becomes the workload's rate; nothing when `o` has no limits.
Result<std::optional<RateSearchResult>> SearchRate(
    CliContext* ctx, const std::string& model, SimulateOptions* o,
    const std::function<Result<SimulationSummary>(const WorkloadOptions&,
                                                  const std::vector<SimObserver*>&)>& run_at) {
  if (o->limits.ttft_p99.value() < 0 || o->limits.tpot_p99.value() < 0) {
    return Status::Error("--ttft-p99-limit-ms and --tpot-p99-limit-ms must be positive");
  }
  if (!o->limits_from.empty()) {
    if (o->limits_from != "server" && o->limits_from != "interactive") {
      return Status::Error("--limits-from '" + o->limits_from + "': use server or interactive");
    }
    PERFTCO_ASSIGN_OR_RETURN(LatencyLimitTable table, LatencyLimitTable::Load(ctx->data_dir));
    const LatencyLimitTable::Entry* e = table.Find(model, o->limits_from);
    if (e == nullptr) {
      return Status::Error("no published " + o->limits_from + " latency limits for " + model +
                           ": give --ttft-p99-limit-ms and --tpot-p99-limit-ms");
    }
    if (o->limits.ttft_p99.value() == 0) o->limits.ttft_p99 = e->limits.ttft_p99;
    if (o->limits.tpot_p99.value() == 0) o->limits.tpot_p99 = e->limits.tpot_p99;
  }
  if (!o->limits.Any()) return std::optional<RateSearchResult>();
  if (o->workload.arrival == "closed") {
    return Status::Error(
        "latency limits search the arrival rate: use an open-loop --arrival (poisson or gamma)");
  }
  RateSearchOptions options;
  if (o->workload.rate > 0) options.start_rate = o->workload.rate;
  WorkloadOptions w = o->workload;
  auto trial = [&](double rate) {
    w.rate = rate;
    return run_at(w, {});
  };
  PERFTCO_ASSIGN_OR_RETURN(RateSearchResult r, FindMaxRate(trial, o->limits, options));
  o->workload.rate = r.rate;
  return std::optional<RateSearchResult>(r);
}

std::string SearchText(const LatencyLimits& limits, const RateSearchResult& r) {
  return "latency-bounded (" + limits.ToString() + "): the highest rate that meets them is " +
         FormatFixed(r.rate, 3) + " requests/s; " + FormatFixed(r.failing_rate, 3) +
         " requests/s breaks the " + r.binding + " limit (" + std::to_string(r.trials) +
         " simulations)\n";
}

Status RunSimulate(CliContext* ctx, SimulateOptions o, const SimulateOutputs& out) {
  PERFTCO_RETURN_IF_ERROR(ApplyReplicas(o.replicas, &o.setup));
  PERFTCO_ASSIGN_OR_RETURN(std::shared_ptr<Setup> decode_setup, DisaggregatedSetup(ctx, &o));
  auto built = SetupFrom(ctx, o.setup);
  if (!built.ok() && decode_setup) {
    return Status::Error("prefill pool: " + built.status().message());
  }
  PERFTCO_ASSIGN_OR_RETURN(std::shared_ptr<Setup> setup, std::move(built));
  const CostModel& cost = decode_setup ? *decode_setup->cost : *setup->cost;
  auto run_at = [&](const WorkloadOptions& w,
                    const std::vector<SimObserver*>& observers) -> Result<SimulationSummary> {
    PERFTCO_ASSIGN_OR_RETURN(std::unique_ptr<RequestSource> source,
                             MakeRequestSource(w, LimitsFor(cost)));
    return decode_setup ? RunDisaggregatedSimulation(*setup->cost, *decode_setup->cost, o.serving,
                                                     *source, observers)
                        : RunSimulation(*setup->cost, o.serving, *source, observers);
  };
  PERFTCO_ASSIGN_OR_RETURN(std::optional<RateSearchResult> search,
                           SearchRate(ctx, setup->model.name, &o, run_at));
  if (!out.timeline_csv.empty() && !(out.timeline_interval_s > 0)) {
    return Status::Error("--timeline-interval-s must be positive");
  }
  if (out.trace.sample < 1) return Status::Error("--trace-every must be at least 1");
  if (out.trace.max_events < 1) return Status::Error("--trace-max-events must be at least 1");
  std::vector<SimObserver*> observers;
  std::unique_ptr<RequestsCsv> requests;
  if (!out.requests_csv.empty()) {
    requests = std::make_unique<RequestsCsv>(out.requests_csv);
    PERFTCO_RETURN_IF_ERROR(requests->Open());
    observers.push_back(requests.get());
  }
  const int replicas = setup->plan.replicas + (decode_setup ? decode_setup->plan.replicas : 0);
  TimelineRecorder timeline(replicas, Seconds(out.timeline_interval_s));
  if (!out.timeline_csv.empty()) observers.push_back(&timeline);
  std::unique_ptr<StreamedFile> trace_file;
  std::unique_ptr<ChromeTraceWriter> trace;
  if (!out.trace_json.empty()) {
    trace_file = std::make_unique<StreamedFile>(out.trace_json);
    PERFTCO_RETURN_IF_ERROR(trace_file->Open());
    trace = std::make_unique<ChromeTraceWriter>(&trace_file->out(), out.trace);
    observers.push_back(trace.get());
  }
  ProgressLine progress;
  if (isatty(STDERR_FILENO)) observers.push_back(&progress);
  PERFTCO_ASSIGN_OR_RETURN(SimulationSummary s, run_at(o.workload, observers));
  if (trace) {
    trace->Finish(s);
    PERFTCO_RETURN_IF_ERROR(trace_file->Commit());
    if (trace->truncated()) {
      std::fprintf(stderr,
                   "perftco: note: the trace reached --trace-max-events %lld at simulated t = "
                   "%.1f s (%lld events kept); raise it, or keep every Nth segment with "
                   "--trace-every\n",
                   static_cast<long long>(out.trace.max_events), trace->truncated_at().value(),
                   static_cast<long long>(trace->events()));
    }
  }
  if (!out.timeline_csv.empty()) {
    PERFTCO_RETURN_IF_ERROR(WriteFileAtomically(out.timeline_csv, timeline.Csv()));
  }
  // Money and megawatts of the simulated throughput (every chip counts, prefill pools too).
  PERFTCO_ASSIGN_OR_RETURN(EconomicsOptions econ_options,
                           ResolveEconomicsFlags(ctx, out.economics));
  PERFTCO_ASSIGN_OR_RETURN(EconomicsData econ_data, LoadEconomics(ctx));
  PERFTCO_ASSIGN_OR_RETURN(ChipEconomics chip,
                           EvaluateChip(setup->hardware, econ_data, econ_options));
  Throughput tput;
  tput.chips = std::max(1, s.chips);
  tput.output_tokens_per_s_per_chip = s.output_tokens_per_s_per_chip;
  tput.input_tokens_per_s_per_chip = s.throughput_input_tokens_per_s / tput.chips;
  const TokenEconomics money = TokenCosts(chip, tput, econ_options.margin);
  if (requests) PERFTCO_RETURN_IF_ERROR(requests->Commit());
  PERFTCO_ASSIGN_OR_RETURN(const EfficiencyTable* efficiency, ctx->efficiency());
  const ErrorBands& bands = efficiency->BandsFor(setup->hardware.family);
  if (out.json) {
    nlohmann::ordered_json j;
    if (!o.name.empty()) j["scenario"] = o.name;
    j["setup"] = SetupJson(*setup);
    j["workload"] = DescribeWorkload(o.workload);
    if (search) {
      nlohmann::ordered_json rs;
      rs["ttft_p99_limit_ms"] = o.limits.ttft_p99.value() * 1e3;
      rs["tpot_p99_limit_ms"] = o.limits.tpot_p99.value() * 1e3;
      rs["rate"] = search->rate;
      rs["failing_rate"] = search->failing_rate;
      rs["binding"] = search->binding;
      rs["trials"] = search->trials;
      j["rate_search"] = rs;
    }
    j.update(SummaryJson(s));
    j.update(TokenEconomicsJson(money));
    j["economics_missing"] = chip.missing;
    j["error_bands"] = BandsJson(bands);
    nlohmann::ordered_json ranges;
    ranges["output_tokens_per_s_per_chip"] =
        RangeJson(s.output_tokens_per_s_per_chip, bands.throughput);
    ranges["ttft_p50_ms"] = RangeJson(s.ttft.p50.value() * 1e3, bands.latency);
    ranges["ttft_p99_ms"] = RangeJson(s.ttft.p99.value() * 1e3, bands.latency);
    ranges["tpot_p50_ms"] = RangeJson(s.tpot.p50.value() * 1e3, bands.latency);
    ranges["tpot_p99_ms"] = RangeJson(s.tpot.p99.value() * 1e3, bands.latency);
    j["ranges_80"] = ranges;
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::string text = search ? SearchText(o.limits, *search) : "";
    text += Report(*setup, o, s);
    if (bands.throughput.known() || bands.latency.known()) {
      text += "80% ranges from the calibration's held-out errors (" + bands.basis +
              "): output tok/s per chip " +
              RangeText(s.output_tokens_per_s_per_chip, bands.throughput, 1) + "; TTFT p50 " +
              RangeText(s.ttft.p50.value() * 1e3, bands.latency, 1) + " ms, p99 " +
              RangeText(s.ttft.p99.value() * 1e3, bands.latency, 1) + " ms; TPOT p50 " +
              RangeText(s.tpot.p50.value() * 1e3, bands.latency, 2) + " ms, p99 " +
              RangeText(s.tpot.p99.value() * 1e3, bands.latency, 2) + " ms\n";
    }
    text += "\ncost at the simulated throughput: owned " +
            UsdText(money.owned_per_million_output, 3) + " USD, rented " +
            UsdText(money.rented_per_million_output, 3) + " USD per million output tokens";
    if (money.margin > 0) {
      text += " (price at " + FormatFixed(100 * money.margin, 0) + "% margin: owned " +
              UsdText(money.owned_price_per_million_output, 3) + " USD)";
    }
    if (money.energy_per_output_token) {
      text += "; " + FormatFixed(money.energy_per_output_token->value(), 2) + " J per output token";
    }
    text += "\n" + MissingText(chip, "");
    std::fputs(text.c_str(), stdout);
  }
  return Status::Ok();
}

void AddSimulateCommand(CLI::App* sub, CliContext* ctx) {
  auto a = std::make_shared<SimulateArgs>();
  SimulateOptions& o = a->o;
  AddSetupOptions(sub, &o.setup);
  sub->get_option("--model")->required(false);
  sub->get_option("--hardware")->required(false);
  sub->add_option("--scenario", a->scenario,
                  "a scenario file of kind simulate; flags given as well override its values");
  sub->add_option("--replicas", o.replicas, "model replicas (chips = replicas x tp x pp)");
  std::string presets;
  for (const auto& p : WorkloadPresets()) presets += (presets.empty() ? "" : ", ") + p.name;
  sub->add_option("--workload,-w", o.workload.workload,
                  "a preset (" + presets + ") or a .csv / .jsonl trace")
      ->capture_default_str();
  std::string arrivals;
  for (const auto& p : ArrivalProcesses()) arrivals += (arrivals.empty() ? "" : ", ") + p.name;
  sub->add_option("--arrival", o.workload.arrival, "arrival process: " + arrivals);
  sub->add_option("--rate", o.workload.rate, "arrivals per second (sessions when multi-turn)");
  sub->add_option("--burstiness", o.workload.burstiness,
                  "gamma arrivals: coefficient of variation of the gaps")
      ->capture_default_str();
  sub->add_option("--users", o.workload.users, "closed loop: concurrent users");
  sub->add_option("--think-time-s", a->think_time_s,
                  "closed loop and sessions: pause after a reply");
  sub->add_option("--requests,-n", o.workload.requests,
                  "requests to simulate (a trace: at most; 0 = all of it)")
      ->capture_default_str();
  sub->add_option("--seed", o.workload.seed, "random seed")->capture_default_str();
  std::string dists;
  for (const auto& d : LengthDistributions()) dists += (dists.empty() ? "" : "; ") + d.description;
  sub->add_option("--input-len", o.workload.input_len, "prompt lengths: " + dists);
  sub->add_option("--output-len", o.workload.output_len, "output lengths, as --input-len");
  sub->add_option("--turns", o.workload.turns, "turns per session, as --input-len");
  sub->add_option("--shared-prefix", o.workload.shared_prefix,
                  "tokens of a system prompt every request shares");
  std::string schedulers;
  for (const auto& p : Schedulers()) schedulers += (schedulers.empty() ? "" : ", ") + p.name;
  sub->add_option("--scheduler", o.serving.scheduler, "scheduler: " + schedulers)
      ->capture_default_str();
  sub->add_option("--max-seqs", o.serving.max_seqs, "sequences running at once per replica")
      ->capture_default_str();
  sub->add_option("--token-budget", o.serving.token_budget,
                  "tokens per step (default: --max-batched-tokens; sarathi 512)");
  sub->add_flag("--prefix-caching", o.serving.prefix_caching,
                "cache KV blocks by content and reuse them across requests");
  sub->add_option("--preemption", o.serving.preemption,
                  "when KV runs out: recompute, or swap over the host link")
      ->capture_default_str();
  sub->add_option("--swap-space-gb", a->swap_space_gb, "host memory per chip for swap (GiB)")
      ->capture_default_str();
  std::string routers;
  for (const auto& r : Routers()) routers += (routers.empty() ? "" : ", ") + r.name;
  sub->add_option("--router", o.serving.router, "router: " + routers)->capture_default_str();
  sub->add_option("--prefill-replicas", o.serving.prefill_replicas,
                  "disaggregate: replicas that only prefill (the rest decode)");
  sub->add_option("--disagg", a->disagg,
                  "disaggregate into pools of their own layout: prefill=WxT,decode=WxT "
                  "(workers x tp), optionally prefill-ep=N, decode-ep=N, prefill-dp-attention, "
                  "decode-dp-attention");
  sub->add_flag("--exact-steps", o.serving.exact_steps,
                "step every iteration instead of fast-forwarding decode windows");
  sub->add_option("--ttft-p99-limit-ms", a->ttft_limit_ms,
                  "latency-bounded: find the highest rate whose p99 TTFT stays within this "
                  "(--rate starts the search)");
  sub->add_option("--tpot-p99-limit-ms", a->tpot_limit_ms,
                  "latency-bounded: ... and whose p99 TPOT stays within this");
  sub->add_option("--limits-from", o.limits_from,
                  "latency-bounded with the published limits of a benchmark for the model: server "
                  "or interactive (MLPerf Inference, data/latency_limits.yaml)");
  sub->add_option("--slo-ttft-ms", a->slo_ttft_ms, "TTFT target for goodput");
  sub->add_option("--slo-tpot-ms", a->slo_tpot_ms, "TPOT target for goodput");
  sub->add_flag("--json", a->out.json, "print the summary as JSON");
  AddEconomicsOptions(sub, &a->out.economics);
  sub->add_option("--requests-csv", a->out.requests_csv, "write one row per request");
  sub->add_option("--timeline-csv", a->out.timeline_csv,
                  "write batch size, queue and KV use over time");
  sub->add_option("--timeline-interval-s", a->out.timeline_interval_s,
                  "interval of the timeline rows")
      ->capture_default_str();
  sub->add_option("--trace", a->out.trace_json,
                  "write a Chrome trace-event JSON timeline (opens in Perfetto)");
  sub->add_option("--trace-every", a->out.trace.sample,
                  "keep every Nth iteration segment of each replica in the trace")
      ->capture_default_str();
  sub->add_option("--trace-max-events", a->out.trace.max_events,
                  "stop recording the trace after this many events")
      ->capture_default_str();
  sub->callback([ctx, a, sub] {
    ctx->status = a->Convert();
    if (!ctx->status.ok()) return;
    SimulateOptions o = a->o;
    if (!a->scenario.empty()) {
      auto root = LoadScenarioYaml(a->scenario);
      if (!root.ok()) {
        ctx->status = root.status();
        return;
      }
      if (ScenarioKind(*root) != "simulate") {
        ctx->status = Status::Error(a->scenario +
                                    ": --scenario takes a scenario of kind "
                                    "simulate (got '" +
                                    ScenarioKind(*root) + "')");
        return;
      }
      auto base = ParseSimulateScenario(*root, a->scenario);
      if (!base.ok()) {
        ctx->status = base.status();
        return;
      }
      // The scenario, then whatever the command line names explicitly.
      SimulateOptions merged = *base;
      const SimulateOptions& f = a->o;
      auto given = [sub](const char* name) { return sub->count(name) > 0; };
      if (given("--model")) merged.setup.model = f.setup.model;
      if (given("--hardware")) merged.setup.hardware = f.setup.hardware;
      if (given("--chips")) merged.setup.chips = f.setup.chips;
      if (given("--tp")) merged.setup.tp = f.setup.tp;
      if (given("--pp")) merged.setup.pp = f.setup.pp;
      if (given("--ep")) merged.setup.ep = f.setup.ep;
      if (given("--dp-attention")) merged.setup.dp_attention = f.setup.dp_attention;
      if (given("--precision")) merged.setup.precision = f.setup.precision;
      if (given("--activation-precision")) {
        merged.setup.activation_precision = f.setup.activation_precision;
      }
      if (given("--kv-precision")) merged.setup.kv_precision = f.setup.kv_precision;
      if (given("--engine")) merged.setup.engine = f.setup.engine;
      if (given("--mem-fraction")) merged.setup.mem_fraction = f.setup.mem_fraction;
      if (given("--max-batched-tokens")) {
        merged.setup.max_batched_tokens = f.setup.max_batched_tokens;
      }
      if (given("--max-num-seqs")) merged.setup.max_num_seqs = f.setup.max_num_seqs;
      if (given("--replicas")) merged.replicas = f.replicas;
      if (given("--workload")) merged.workload.workload = f.workload.workload;
      if (given("--arrival")) merged.workload.arrival = f.workload.arrival;
      if (given("--rate")) merged.workload.rate = f.workload.rate;
      if (given("--burstiness")) merged.workload.burstiness = f.workload.burstiness;
      if (given("--users")) merged.workload.users = f.workload.users;
      if (given("--think-time-s")) merged.workload.think_time = f.workload.think_time;
      if (given("--requests")) merged.workload.requests = f.workload.requests;
      if (given("--seed")) merged.workload.seed = f.workload.seed;
      if (given("--input-len")) merged.workload.input_len = f.workload.input_len;
      if (given("--output-len")) merged.workload.output_len = f.workload.output_len;
      if (given("--turns")) merged.workload.turns = f.workload.turns;
      if (given("--shared-prefix")) merged.workload.shared_prefix = f.workload.shared_prefix;
      if (given("--scheduler")) merged.serving.scheduler = f.serving.scheduler;
      if (given("--max-seqs")) merged.serving.max_seqs = f.serving.max_seqs;
      if (given("--token-budget")) merged.serving.token_budget = f.serving.token_budget;
      if (given("--prefix-caching")) merged.serving.prefix_caching = true;
      if (given("--preemption")) merged.serving.preemption = f.serving.preemption;
      if (given("--swap-space-gb")) merged.serving.swap_space = f.serving.swap_space;
      if (given("--router")) merged.serving.router = f.serving.router;
      if (given("--prefill-replicas")) {
        merged.serving.prefill_replicas = f.serving.prefill_replicas;
      }
      if (given("--disagg")) merged.disagg = f.disagg;
      if (given("--ttft-p99-limit-ms")) merged.limits.ttft_p99 = f.limits.ttft_p99;
      if (given("--tpot-p99-limit-ms")) merged.limits.tpot_p99 = f.limits.tpot_p99;
      if (given("--limits-from")) merged.limits_from = f.limits_from;
      if (given("--exact-steps")) merged.serving.exact_steps = true;
      if (given("--slo-ttft-ms")) merged.serving.slo_ttft = f.serving.slo_ttft;
      if (given("--slo-tpot-ms")) merged.serving.slo_tpot = f.serving.slo_tpot;
      o = merged;
    } else if (o.setup.model.empty() || o.setup.hardware.empty()) {
      ctx->status = Status::Error("give --model and --hardware, or --scenario FILE");
      return;
    }
    ctx->status = RunSimulate(ctx, o, a->out);
  });
}

}  // namespace perftco::cli
