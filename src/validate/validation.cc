#include "perftco/validation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <regex>

#include "perftco/estimate.h"
#include "perftco/names.h"
#include "perftco/serving_plan.h"
#include "perftco/setup.h"
#include "perftco/simulate.h"

namespace perftco {
namespace {

// Reads "max_num_seqs 256" / "max-num-seqs 256" style settings that a source's notes state.
std::optional<int64_t> NoteSetting(const std::string& notes, const std::string& dashed) {
  std::string underscored = dashed;
  std::replace(underscored.begin(), underscored.end(), '-', '_');
  const std::regex re("(?:" + dashed + "|" + underscored + ")[ =:]+([0-9]+)");
  std::smatch m;
  if (std::regex_search(notes, m, re)) return std::stoll(m[1]);
  return std::nullopt;
}

std::string EngineFor(const std::string& framework) {
  if (framework == "tensorrt-llm") return "tensorrt-llm";
  if (framework.rfind("sglang", 0) == 0) return "sglang";
  if (framework.rfind("vllm", 0) == 0 || framework.find("vllm") != std::string::npos) {
    return "vllm";
  }
  return "default";
}

std::string Regime(const MeasuredPoint& p, const ModelConfig& m) {
  const int64_t n = p.batch_size.value_or(p.concurrency.value_or(0));
  if (n == 1) return "batch-1";
  if (m.IsMoe()) return "moe";
  if (p.isl + p.osl >= 8192) return "long-context";
  return p.scenario;
}

// Reads the spec_decoding column ("mtp", "mtp:k=3", "eagle3:k=3", "draft-model:llama-3.2-1b",
// "draft-model:llama-3.2-1b:k=4") and the notes' "mean acceptance length X"; drafted tokens and
// acceptance that a row leaves out take the engine's and the catalog's defaults. Returns why it
// cannot be modelled, or "".
std::string ResolveSpeculative(const Catalog& catalog, const ModelConfig& model,
                               const EngineMemory& engine, const MeasuredPoint& p,
                               SpeculativeDecoding* spec) {
  if (p.spec_decoding.empty() || p.spec_decoding == "none") return "";
  const std::string text = ToLower(p.spec_decoding);
  std::optional<int> tokens;
  std::string method;  // the text without its ":k=N" part
  for (size_t begin = 0; begin <= text.size();) {
    const size_t colon = std::min(text.find(':', begin), text.size());
    const std::string part = text.substr(begin, colon - begin);
    if (part.rfind("k=", 0) == 0) {
      try {
        size_t used = 0;
        tokens = std::stoi(part.substr(2), &used);
        if (used + 2 != part.size()) throw std::invalid_argument(part);
      } catch (const std::exception&) {
        return "speculative decoding '" + p.spec_decoding + "': '" + part +
               "' is not k=<drafted tokens>";
      }
    } else {
      method += (method.empty() ? "" : ":") + part;
    }
    begin = colon + 1;
  }
  auto made = MakeSpeculative(catalog, model, engine, method, tokens, std::nullopt);
  if (!made.ok())
    return "speculative decoding '" + p.spec_decoding + "': " + made.status().message();
  *spec = *std::move(made);
  std::smatch tau;
  if (spec->enabled() &&
      std::regex_search(p.notes, tau,
                        std::regex("mean acceptance length ([0-9]+(?:\\.[0-9]+)?)"))) {
    auto a = AcceptanceFromMeanLength(spec->tokens, std::stod(tau[1]));
    if (!a.ok()) return a.status().message();
    spec->acceptance = *a;
    spec->acceptance_by_position.clear();
  }
  return "";
}

// What the layout search optimises for a point whose source does not state its layout: the
// vendor's tuning of the configuration, the same for every metric of it. Batch-1 points take the
// lowest latency; the others the highest output throughput per chip at their batch (or
// concurrency) per replica, or at the largest batch that fits.
double LayoutScore(const CostModel& cost, const MeasuredPoint& p) {
  const int64_t n = p.batch_size.value_or(p.concurrency.value_or(0));
  const int64_t replicas = cost.plan().replicas;
  const int64_t per_replica = n > 0 ? (n + replicas - 1) / replicas
                                    : std::max<int64_t>(1, cost.MaxSequences(p.isl + p.osl));
  auto e = EstimateAdmitted(cost, p.isl, p.osl, per_replica, /*enforce_lengths=*/false);
  if (!e.ok()) return -std::numeric_limits<double>::infinity();
  if (n == 1) return -e->point.request_latency.value();
  return e->point.output_tokens_per_s_per_chip;
}

// The layout the plan search finds best for the point's chips and scenario; "" or why none fits.
std::string TuneLayout(const Catalog& catalog, const EfficiencyTable& table, PreparedPoint* pp) {
  const MeasuredPoint& p = pp->point;
  PlanSearchOptions o;
  o.base.model = p.model;
  o.base.hardware = p.hardware;
  o.base.precision = std::string(PrecisionName(pp->precisions.weights));
  o.base.activation_precision = std::string(PrecisionName(pp->precisions.activations));
  o.base.kv_precision = std::string(PrecisionName(pp->precisions.kv));
  o.base.engine = pp->engine.name;
  o.base.max_num_seqs = pp->engine.max_num_seqs;
  o.base.max_batched_tokens = pp->engine.max_batched_tokens;
  o.chips = p.num_chips;
  o.isl = p.isl;
  o.osl = p.osl;
  auto found = SearchPlans(catalog, table, o);
  if (!found.ok()) return found.status().message();
  const LayoutResult* best = nullptr;
  double best_score = -std::numeric_limits<double>::infinity();
  for (const LayoutResult& l : found->feasible) {
    if (l.chips_used != p.num_chips) continue;  // per-chip figures divide by all the chips
    const double score = LayoutScore(*l.setup->cost, p);
    if (!best || score > best_score) {
      best = &l;
      best_score = score;
    }
  }
  if (!best)
    return "no layout of " + p.model + " uses all " + std::to_string(p.num_chips) + " x " +
           p.hardware;
  pp->plan = best->setup->plan;
  pp->assumed.push_back("layout " + pp->plan.ToString() + " (plan search)");
  return "";
}

// The layout the point states, with the defaults for what it leaves out; "" or why not valid.
std::string StatedLayout(const MeasuredPoint& p, const ModelConfig& model, const Hardware& hw,
                         ParallelPlan* plan) {
  plan->pp = p.pp.value_or(1);
  plan->tp = p.tp.value_or(p.num_chips / std::max(1, plan->pp));
  // Neuron and TPU7x count cores, not chips (data/measured/SOURCE-README.md): fold to chips.
  if (plan->tp * plan->pp > p.num_chips) plan->tp = std::max(1, p.num_chips / plan->pp);
  plan->dp_attention = p.dp_attention;
  // Neuron's libraries run tensor parallelism of any degree (the published tables use 24 cores
  // on 32-head models), so heads are padded to a multiple of tp.
  plan->pad_heads = p.framework.find("neuron") != std::string::npos;
  plan->ep = p.ep.value_or(p.dp_attention ? plan->tp : 1);
  if (plan->ep > plan->tp) plan->ep = plan->tp;
  // A source that ran tensor parallelism beyond one scale-up domain asked for it.
  plan->cross_domain_tp = p.tp.has_value();
  if (p.num_chips % plan->ChipsPerReplica() != 0) return "num_chips is not a multiple of tp x pp";
  plan->replicas = p.num_chips / plan->ChipsPerReplica();
  const Status valid = ValidatePlan(*plan, model, hw);
  return valid.ok() ? "" : valid.message();
}

// One pool's layout from its columns: workers x tp (either from chips / the other), ep and
// attention DP; chips alone mean one worker of all of them. "" or why it cannot be represented.
std::string PoolPlan(const MeasuredPool& pool, const std::string& name, const ModelConfig& model,
                     const Hardware& hw, ParallelPlan* plan, std::vector<std::string>* assumed) {
  if (!pool.Stated()) {
    return "disaggregated row without its " + name + " pool: give " + name + "_chips, " + name +
           "_workers or " + name + "_tp";
  }
  int tp = pool.tp.value_or(0), workers = pool.workers.value_or(0);
  if (tp == 0 && workers > 0 && pool.chips) tp = *pool.chips / workers;
  if (workers == 0 && tp > 0 && pool.chips) workers = *pool.chips / tp;
  if (tp == 0 && workers == 0 && pool.chips) {
    workers = 1;
    tp = *pool.chips;
    assumed->push_back(name + " pool: one worker of tp" + std::to_string(tp));
  }
  if (workers == 0) workers = 1;
  if (tp == 0) return name + " pool: give " + name + "_tp or " + name + "_chips";
  *plan = ParallelPlan();
  plan->tp = tp;
  plan->dp_attention = pool.dp_attention.value_or(false);
  plan->ep = std::min(tp, pool.ep.value_or(plan->dp_attention ? tp : 1));
  plan->cross_domain_tp = pool.tp.has_value();
  plan->replicas = workers;
  const Status valid = ValidatePlan(*plan, model, hw);
  return valid.ok() ? "" : name + " pool: " + valid.message();
}

// The p99 limits of a latency-bounded row: its columns, or the published ones for its model and
// scenario. "" or why it has none.
std::string ResolveLimits(const PrepareOptions& options, const ModelConfig& model,
                          PreparedPoint* pp) {
  const MeasuredPoint& p = pp->point;
  const bool bounded = p.scenario == "interactive" || (p.scenario == "server" && !p.request_rate) ||
                       p.ttft_p99_limit_ms || p.tpot_p99_limit_ms;
  if (!bounded) return "";
  if (p.ttft_p99_limit_ms) pp->limits.ttft_p99 = Milliseconds(*p.ttft_p99_limit_ms);
  if (p.tpot_p99_limit_ms) pp->limits.tpot_p99 = Milliseconds(*p.tpot_p99_limit_ms);
  if (pp->limits.Any()) return "";
  const std::string scenario = p.scenario == "interactive" ? "interactive" : "server";
  const LatencyLimitTable::Entry* e =
      options.latency_limits ? options.latency_limits->Find(model.name, scenario) : nullptr;
  if (e == nullptr) {
    return "latency-bounded " + scenario + " row without limits and no published " + scenario +
           " limits for " + model.name + ": give ttft_p99_limit_ms and tpot_p99_limit_ms";
  }
  pp->limits = e->limits;
  pp->assumed.push_back("limits " + e->limits.ToString() + " (" + e->source + ")");
  return "";
}

// Fills plan, precisions and engine, or returns why the point cannot be represented.
std::string Resolve(const Catalog& catalog, const PrepareOptions& options, PreparedPoint* pp) {
  const MeasuredPoint& p = pp->point;
  auto hw = catalog.FindHardware(p.hardware);
  if (!hw.ok()) return "hardware '" + p.hardware + "' is not in the catalog";
  auto model = catalog.FindModel(p.model);
  if (!model.ok()) return "model '" + p.model + "' is not in the catalog";
  if (!model->unsupported.empty()) return p.model + ": " + model->unsupported;
  pp->family = hw->family;
  pp->regime = Regime(p, *model);

  Precisions& prec = pp->precisions;
  const std::string asked =
      p.weight_precision.empty() ? options.default_precision : p.weight_precision;
  auto weights = ResolveWeightPrecision(asked, *model, *hw);
  if (!weights.ok()) return "weight precision '" + asked + "' is unknown";
  if (p.weight_precision.empty()) pp->assumed.push_back("weights " + *weights + " (" + asked + ")");
  auto w = ParsePrecision(*weights);
  prec.weights = *w;
  // fp8 and fp4 checkpoints quantise activations too (W8A8, W4A4); int8/int4 are weight-only.
  prec.activations = (*w == Precision::kInt8 || *w == Precision::kInt4) ? Precision::kBf16 : *w;
  prec.kv = Precision::kBf16;
  // Unstated KV format: NVIDIA's ModelOpt fp8 and nvfp4 checkpoints, which TensorRT-LLM's
  // performance tables use, carry an fp8 KV-cache setting that the engine picks up.
  if (p.kv_precision.empty() && p.framework == "tensorrt-llm" &&
      (prec.weights == Precision::kFp8 || prec.weights == Precision::kFp4)) {
    prec.kv = Precision::kFp8;
  }
  if (!p.kv_precision.empty()) {
    auto kv = ParsePrecision(p.kv_precision);
    if (!kv.ok()) return "kv precision '" + p.kv_precision + "' is unknown";
    prec.kv = *kv;
  }

  auto engine = catalog.FindEngine(EngineFor(p.framework));
  pp->engine = engine.ok() ? *engine : EngineMemory();
  if (auto v = NoteSetting(p.notes, "max-num-seqs")) pp->engine.max_num_seqs = *v;
  if (auto v = NoteSetting(p.notes, "max-num-batched-tokens")) pp->engine.max_batched_tokens = *v;
  if (std::regex_search(p.notes, std::regex("two-batch overlap|\\bTBO on\\b"))) {
    pp->engine.moe_comm_overlap = true;
  }
  if (std::string why = ResolveSpeculative(catalog, *model, pp->engine, p, &pp->speculative);
      !why.empty()) {
    return why;
  }

  if (std::string why = ResolveLimits(options, *model, pp); !why.empty()) return why;
  const bool stated = p.tp || p.pp || p.ep;
  if (p.disagg) {
    ParallelPlan decode;
    if (std::string why = PoolPlan(p.prefill, "prefill", *model, *hw, &pp->plan, &pp->assumed);
        !why.empty()) {
      return why;
    }
    if (std::string why = PoolPlan(p.decode, "decode", *model, *hw, &decode, &pp->assumed);
        !why.empty()) {
      return why;
    }
    if (pp->plan.Chips() + decode.Chips() != p.num_chips) {
      return "the prefill and decode pools use " + std::to_string(pp->plan.Chips()) + " + " +
             std::to_string(decode.Chips()) + " chips, not num_chips " +
             std::to_string(p.num_chips);
    }
    pp->decode_plan = decode;
  } else if (stated || options.efficiency == nullptr) {
    if (std::string why = StatedLayout(p, *model, *hw, &pp->plan); !why.empty()) return why;
  } else if (std::string why = TuneLayout(catalog, *options.efficiency, pp); !why.empty()) {
    return why;
  }
  pp->model = std::make_shared<const ModelConfig>(std::move(model).value());
  pp->hardware = std::make_shared<const Hardware>(std::move(hw).value());
  pp->config = p.source + "|" + p.hardware + "|" + p.model + "|" + p.weight_precision + "|" +
               pp->plan.ToString() + (pp->decode_plan ? "/" + pp->decode_plan->ToString() : "") +
               "|" + p.framework;
  return "";
}

// Time of one step that prefills one prompt of `isl` tokens beside `decodes` running sequences
// of context `ctx` (the steady state of a closed loop or of a server under load).
Seconds MixedStep(const CostModel& cost, int64_t isl, int64_t decodes, int64_t ctx) {
  const int64_t budget = std::max<int64_t>(1, cost.engine().max_batched_tokens);
  Seconds t;
  for (int64_t done = 0; done < isl;) {
    const int64_t chunk = std::min(isl - done, std::max<int64_t>(1, budget - decodes));
    BatchShape step;
    step.AddPrefillChunk(done, chunk, done + chunk == isl);
    for (int64_t i = 0; i < decodes; ++i) step.AddDecode(ctx);
    t += cost.Step(step).time;
    done += chunk;
  }
  return t;
}

// Steady state of `n` sequences in flight (closed loop): per-request latencies and throughput.
struct SteadyState {
  Seconds ttft;
  Seconds tpot;
  double output_per_s = 0;  // one replica
};

SteadyState ClosedLoop(const CostModel& cost, int64_t isl, int64_t osl, double n) {
  // The engine admits at most what its KV cache (and max_num_seqs) holds; the rest wait.
  int64_t admitted = std::max<int64_t>(1, cost.MaxSequences(isl + osl));
  if (cost.engine().max_num_seqs > 0) admitted = std::min(admitted, cost.engine().max_num_seqs);
  const int64_t in_flight =
      std::min(admitted, std::max<int64_t>(1, static_cast<int64_t>(std::llround(n))));
  BatchShape decode;
  for (int64_t i = 0; i < in_flight; ++i) decode.AddDecode(isl + osl / 2);
  SteadyState s;
  s.ttft = MixedStep(cost, isl, in_flight - 1, isl + osl / 2);
  // Each request's prefill also interrupts everyone's decoding once: spread over osl tokens. A
  // decode step advances every sequence by its tokens per step (more than one with speculation).
  const StepCost plain_step = cost.Step(decode);
  const Seconds plain = plain_step.time;
  s.tpot = plain / plain_step.tokens_per_decode_seq +
           (s.ttft - plain) * (static_cast<double>(in_flight) / std::max<int64_t>(1, osl));
  const Seconds latency = s.ttft + s.tpot * static_cast<double>(osl - 1);
  s.output_per_s = static_cast<double>(in_flight * osl) / latency.value();
  // Users beyond the admitted ones queue: by Little's law each waits (n - in_flight) / in_flight
  // request lifetimes before its prefill.
  const double waiting = std::max(0.0, n - static_cast<double>(in_flight));
  s.ttft += latency * (waiting / static_cast<double>(in_flight));
  return s;
}

// The point's metric from a prediction's throughput and latencies (itl: the mean inter-token
// gap where a simulation measured it; otherwise TPOT stands for it).
Result<double> MetricFrom(const MeasuredPoint& p, double out_per_chip, Seconds ttft, Seconds tpot,
                          Seconds e2e, Seconds itl = Seconds(-1)) {
  const std::string& m = p.metric;
  if (m == "output_tok_s_per_chip") return out_per_chip;
  if (m == "total_tok_s_per_chip") {
    return out_per_chip * static_cast<double>(p.isl + p.osl) / p.osl;
  }
  if (m == "input_tok_s_per_chip") return out_per_chip * static_cast<double>(p.isl) / p.osl;
  if (m == "request_s_per_chip") return out_per_chip / p.osl;
  if (m.rfind("ttft_ms", 0) == 0) return ttft.value() * 1e3;
  if (m == "itl_ms_mean" && itl.value() >= 0) return itl.value() * 1e3;
  if (m.rfind("tpot_ms", 0) == 0 || m == "itl_ms_mean") return tpot.value() * 1e3;
  if (m == "e2e_s_mean") return e2e.value();
  if (m == "tok_s_per_user_mean") return 1.0 / tpot.value();
  return Status::Error("metric '" + m + "' is not predicted");
}

// Requests a source ran ("3000 prompts", "num_prompts 1500", "500 requests"); 500 when unstated.
int64_t RequestCount(const MeasuredPoint& p) {
  if (auto v = NoteSetting(p.notes, "num-prompts")) return *v;
  std::smatch m;
  if (std::regex_search(p.notes, m, std::regex("([0-9]+) (?:prompts|requests)"))) {
    return std::stoll(m[1]);
  }
  return 500;
}

// Runs the point's experiment in the serving simulator: a closed loop of `concurrency` users, an
// open Poisson stream at `request_rate` (or at the highest rate meeting the row's latency
// limits), or (offline) every request at once; on disaggregated pools when `decode` is given.
Result<double> Simulate(const PreparedPoint& pp, const CostModel& cost,
                        const CostModel* decode = nullptr) {
  const MeasuredPoint& p = pp.point;
  WorkloadOptions w;
  w.input_len = "fixed:" + std::to_string(p.isl);
  w.output_len = "fixed:" + std::to_string(p.osl);
  w.requests = RequestCount(p);
  w.seed = 1;
  if (pp.limits.Any()) {
    w.arrival = "poisson";
  } else if (p.scenario == "concurrency" || p.scenario == "min-latency") {
    if (!p.concurrency || *p.concurrency < 1) return Status::Error("concurrency point without N");
    w.arrival = "closed";
    w.users = *p.concurrency;
    w.think_time = Seconds(0);
  } else if (p.scenario == "server") {
    if (!p.request_rate || *p.request_rate <= 0) return Status::Error("server point without rate");
    w.arrival = "poisson";
    w.rate = *p.request_rate;
  } else {  // offline (and a disaggregated fixed batch): all requests arrive together
    w.arrival = "constant";
    w.rate = 1e9;
    if (p.scenario == "fixed-batch" && p.batch_size) w.requests = *p.batch_size;
  }
  ServingOptions s;
  s.max_seqs = cost.engine().max_num_seqs > 0 ? cost.engine().max_num_seqs : 1024;
  s.token_budget = cost.engine().max_batched_tokens;
  auto run = [&](const WorkloadOptions& at) -> Result<SimulationSummary> {
    PERFTCO_ASSIGN_OR_RETURN(std::unique_ptr<RequestSource> source,
                             MakeRequestSource(at, WorkloadLimits{}));
    return decode ? RunDisaggregatedSimulation(cost, *decode, s, *source)
                  : RunSimulation(cost, s, *source);
  };
  SimulationSummary r;
  if (pp.limits.Any()) {
    RateSearchOptions o;
    if (p.request_rate && *p.request_rate > 0) o.start_rate = *p.request_rate;
    auto trial = [&](double rate) {
      WorkloadOptions at = w;
      at.rate = rate;
      return run(at);
    };
    PERFTCO_ASSIGN_OR_RETURN(RateSearchResult found, FindMaxRate(trial, pp.limits, o));
    r = found.summary;
  } else {
    PERFTCO_ASSIGN_OR_RETURN(r, run(w));
  }
  const double chips = p.num_chips;
  return MetricFrom(p, r.output_tokens_per_s_per_chip * r.chips / chips,
                    p.metric.find("p99") != std::string::npos
                        ? r.ttft.p99
                        : (p.metric.find("median") != std::string::npos ? r.ttft.p50 : r.ttft.mean),
                    p.metric.find("p99") != std::string::npos
                        ? r.tpot.p99
                        : (p.metric.find("median") != std::string::npos ? r.tpot.p50 : r.tpot.mean),
                    r.e2e.mean, p.metric == "itl_ms_mean" ? r.itl.mean : Seconds(-1));
}

}  // namespace

bool NeedsSimulation(const MeasuredPoint& p) {
  return p.disagg || p.scenario == "concurrency" || p.scenario == "min-latency" ||
         p.scenario == "server" || p.scenario == "interactive" || p.ttft_p99_limit_ms ||
         p.tpot_p99_limit_ms || (p.scenario == "offline" && p.metric.rfind("ttft", 0) == 0);
}

std::vector<PreparedPoint> PreparePoints(const Catalog& catalog,
                                         const std::vector<MeasuredPoint>& points,
                                         const PrepareOptions& options) {
  std::vector<PreparedPoint> out;
  out.reserve(points.size());
  for (const auto& p : points) {
    PreparedPoint pp;
    pp.point = p;
    // A latency-optimised deployment is a closed loop of one request (SOURCE-README).
    if (p.scenario == "min-latency" && !p.concurrency) pp.point.concurrency = 1;
    pp.unmodelled = Resolve(catalog, options, &pp);
    out.push_back(std::move(pp));
  }
  return out;
}

Result<double> PredictPoint(const PreparedPoint& pp, const Efficiency& eff) {
  if (!pp.unmodelled.empty()) return Status::Error(pp.unmodelled);
  const MeasuredPoint& p = pp.point;
  const CostModel cost(pp.model, pp.hardware, pp.plan, pp.precisions, eff, pp.engine,
                       pp.speculative);
  const double chips = p.num_chips;
  if (pp.decode_plan) {
    const CostModel decode(pp.model, pp.hardware, *pp.decode_plan, pp.precisions, eff, pp.engine,
                           pp.speculative);
    return Simulate(pp, cost, &decode);
  }
  if (pp.limits.Any()) return Simulate(pp, cost);
  if (p.scenario == "fixed-batch" || p.scenario == "offline") {
    int64_t batch = 0;
    if (p.scenario == "fixed-batch") {
      if (!p.batch_size) return Status::Error("fixed-batch point without batch_size");
      batch = *p.batch_size;
    } else {
      if (p.metric.rfind("ttft", 0) == 0) return Simulate(pp, cost);
      batch = cost.MaxSequences(p.isl + p.osl);
      if (batch < 1) return Status::Error("the model does not fit in the predicted memory");
    }
    // A batch beyond what the engine admits at once runs in waves (KV pressure like an engine).
    PERFTCO_ASSIGN_OR_RETURN(AdmittedBatch a, EstimateAdmitted(cost, p.isl, p.osl, batch,
                                                               /*enforce_lengths=*/false));
    const EstimatePoint& e = a.point;
    return MetricFrom(p, e.output_tokens_per_s / chips, e.ttft, e.tpot,
                      p.scenario == "fixed-batch" ? a.batch_latency : e.request_latency);
  }
  const bool closed_loop = p.scenario == "concurrency" || p.scenario == "min-latency";
  if (closed_loop && pp.speculative.enabled()) {
    // The analytic closed loop, as these rows have always been predicted (the simulator charges
    // speculation per token on average, which the closed loop's steady state equals).
    if (!p.concurrency) return Status::Error("concurrency point without concurrency");
    const double replicas = pp.plan.replicas;
    const SteadyState s = ClosedLoop(cost, p.isl, p.osl, *p.concurrency / replicas);
    const Seconds e2e = s.ttft + s.tpot * static_cast<double>(p.osl - 1);
    return MetricFrom(p, s.output_per_s * replicas / chips, s.ttft, s.tpot, e2e);
  }
  if (closed_loop || p.scenario == "server" || p.scenario == "interactive") {
    return Simulate(pp, cost);
  }
  return Status::Error("scenario '" + p.scenario + "' is not modelled");
}

bool IsThroughputMetric(const std::string& metric) {
  return metric.find("tok_s_per_chip") != std::string::npos || metric == "request_s_per_chip";
}

ErrorStats ComputeErrorStats(std::vector<double> errors) {
  ErrorStats s;
  s.count = static_cast<int>(errors.size());
  if (errors.empty()) return s;
  std::vector<double> abs_err;
  double sum = 0;
  int w10 = 0, w25 = 0;
  for (double e : errors) {
    abs_err.push_back(std::fabs(e));
    sum += std::fabs(e);
    w10 += std::fabs(e) <= 10.0;
    w25 += std::fabs(e) <= 25.0;
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  };
  s.median_abs_pct = median(abs_err);
  std::sort(abs_err.begin(), abs_err.end());
  const double rank = 0.9 * static_cast<double>(abs_err.size() - 1);
  const size_t lo = static_cast<size_t>(rank);
  const size_t hi = std::min(lo + 1, abs_err.size() - 1);
  s.p90_abs_pct = abs_err[lo] + (rank - static_cast<double>(lo)) * (abs_err[hi] - abs_err[lo]);
  s.median_signed_pct = median(errors);
  s.mean_abs_pct = sum / s.count;
  s.within_10 = static_cast<double>(w10) / s.count;
  s.within_25 = static_cast<double>(w25) / s.count;
  return s;
}

ValidationReport Validate(const std::vector<PreparedPoint>& points, const EfficiencyTable& table) {
  ValidationReport r;
  std::map<std::string, std::vector<double>> metric, hardware, model, source, regime, scenario;
  std::vector<double> all, throughput;
  for (const auto& pp : points) {
    PointResult res;
    res.prepared = &pp;
    auto pred = PredictPoint(pp, table.For(pp.family));
    if (!pred.ok()) {
      res.reason = pred.status().message();
      ++r.unmodelled;
      ++r.unmodelled_reasons[res.reason];
      r.results.push_back(res);
      continue;
    }
    res.modelled = true;
    res.predicted = *pred;
    const double measured = pp.point.value;
    res.error_pct = measured > 0 ? (res.predicted - measured) / measured * 100.0 : 0.0;
    all.push_back(res.error_pct);
    if (IsThroughputMetric(pp.point.metric)) throughput.push_back(res.error_pct);
    metric[pp.point.metric].push_back(res.error_pct);
    hardware[pp.point.hardware].push_back(res.error_pct);
    model[pp.point.model].push_back(res.error_pct);
    source[pp.point.source].push_back(res.error_pct);
    regime[pp.regime].push_back(res.error_pct);
    scenario[pp.point.scenario].push_back(res.error_pct);
    r.results.push_back(res);
  }
  r.overall = ComputeErrorStats(all);
  r.throughput = ComputeErrorStats(throughput);
  for (auto& [k, v] : metric) r.by_metric[k] = ComputeErrorStats(v);
  for (auto& [k, v] : hardware) r.by_hardware[k] = ComputeErrorStats(v);
  for (auto& [k, v] : model) r.by_model[k] = ComputeErrorStats(v);
  for (auto& [k, v] : source) r.by_source[k] = ComputeErrorStats(v);
  for (auto& [k, v] : regime) r.by_regime[k] = ComputeErrorStats(v);
  for (auto& [k, v] : scenario) r.by_scenario[k] = ComputeErrorStats(v);
  return r;
}

}  // namespace perftco
