// The simulator's promises (issue 3): conservation, Little's law, agreement with the analytical
// estimate, saturation, preemption under reasoning loads, prefix caching, disaggregation,
// determinism, and the fast-forward's agreement with exact stepping.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>

#include "perftco/collectives.h"
#include "perftco/estimate.h"
#include "serving/test_support.h"

namespace perftco {
namespace {

using testing::ListSource;
using testing::Options;
using testing::Recorder;
using testing::Req;
using testing::SetupFor;
using testing::Simulate;

WorkloadOptions Preset(const std::string& name, double rate, int64_t requests, uint64_t seed = 1) {
  WorkloadOptions w;
  w.workload = name;
  w.rate = rate;
  w.requests = requests;
  w.seed = seed;
  return w;
}

std::shared_ptr<Setup> Llama8b(int chips = 1) {
  return SetupFor(Options("llama-3.1-8b", "h100-sxm", 1, chips));
}

TEST(Simulation, ConservesRequestsAndTokens) {
  auto setup = Llama8b(2);
  WorkloadOptions w = Preset("chat", 30, 3000);
  Recorder rec;
  // The same source, twice: once to count what was asked, once to run.
  auto src = MakeRequestSource(w, LimitsFor(*setup->cost));
  ASSERT_TRUE(src.ok());
  int64_t asked_in = 0, asked_out = 0;
  while ((*src)->PeekTime()->has_value()) {
    const Request r = (*src)->Pop();
    asked_in += r.input_tokens;
    asked_out += r.output_tokens;
  }
  auto s = Simulate(*setup->cost, w, ServingOptions(), {&rec});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->requests, 3000);
  EXPECT_EQ(s->input_tokens, asked_in);
  EXPECT_EQ(s->output_tokens, asked_out);
  std::set<uint64_t> ids;
  for (const RequestRecord& r : rec.finished) {
    EXPECT_TRUE(ids.insert(r.request.id).second) << "finished twice: " << r.request.id;
    EXPECT_LE(r.request.arrival, r.first_scheduled);
    EXPECT_LT(r.first_scheduled, r.first_token);
    EXPECT_LE(r.first_token, r.finish);
  }
  EXPECT_EQ(ids.size(), 3000u);
  // Tokens produced step by step add up to the tokens requested.
  int64_t produced = 0;
  for (const ReplicaSegment& seg : rec.segments) produced += seg.new_tokens;
  EXPECT_EQ(produced, asked_out);
}

TEST(Simulation, ObeysLittlesLawForTheSystemAndTheQueue) {
  // Heavy enough to queue and to preempt (reasoning on a small KV cache).
  SetupOptions o = Options("llama-3.1-8b", "h100-sxm", 1, 1);
  o.mem_fraction = testing::FractionForKvTokens(o, 60000);
  auto setup = SetupFor(o);
  auto s = Simulate(*setup->cost, Preset("reasoning", 0.5, 300), ServingOptions());
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_GT(s->preemptions, 0);
  ASSERT_GT(s->mean_requests_waiting, 0.1);
  // L = lambda W, with L from the time-integrated counts and W from per-request latencies.
  EXPECT_NEAR(s->mean_requests_in_system / (s->requests_per_s * s->e2e.mean.value()), 1.0, 1e-9);
  EXPECT_NEAR(s->mean_requests_waiting / (s->requests_per_s * s->queue.mean.value()), 1.0, 1e-9);
}

TEST(Simulation, AFixedBatchWithoutArrivalsMatchesTheEstimate) {
  auto setup = SetupFor(Options("llama-3.1-70b", "h100-sxm", 8, 8, "fp8"));
  const CostModel& cost = *setup->cost;
  struct Case {
    const char* scheduler;
    int64_t batch, isl, osl;
  };
  // Prompts that fit one step of 8192 tokens, so that every sequence starts decoding together,
  // as the estimate assumes.
  for (const Case& c :
       {Case{"vllm-v1", 32, 256, 512}, Case{"static", 128, 64, 1000}, Case{"orca", 8, 1000, 300}}) {
    std::vector<Request> reqs;
    for (int64_t i = 0; i < c.batch; ++i) reqs.push_back(Req(0.0, c.isl, c.osl));
    ListSource src(reqs);
    ServingOptions o;
    o.scheduler = c.scheduler;
    auto s = RunSimulation(cost, o, src);
    ASSERT_TRUE(s.ok()) << s.status().message();
    auto e = EstimateBatch(cost, c.isl, c.osl, c.batch);
    ASSERT_TRUE(e.ok());
    EXPECT_NEAR(s->throughput_output_tokens_per_s / e->output_tokens_per_s, 1.0, 0.02)
        << c.scheduler;
    EXPECT_NEAR(s->tpot.mean / e->tpot, 1.0, 0.02) << c.scheduler;
    EXPECT_NEAR(s->ttft.mean / e->ttft, 1.0, 0.02) << c.scheduler;
  }
}

TEST(Simulation, TtftRisesAndThroughputSaturatesPastCapacity) {
  auto setup = Llama8b();
  WorkloadOptions w = Preset("chat", 1, 1500);
  w.input_len = "fixed:500";
  w.output_len = "fixed:500";
  std::vector<double> ttft, tput;
  const std::vector<double> rates = {2, 8, 32, 128, 512};
  for (double rate : rates) {
    w.rate = rate;
    auto s = Simulate(*setup->cost, w, ServingOptions());
    ASSERT_TRUE(s.ok());
    ttft.push_back(s->ttft.mean.value());
    tput.push_back(s->throughput_output_tokens_per_s);
  }
  for (size_t i = 1; i < rates.size(); ++i) EXPECT_GT(ttft[i], ttft[i - 1]) << rates[i];
  // Light load: throughput follows the offered load.
  EXPECT_NEAR(tput[0] / (rates[0] * 500), 1.0, 0.1);
  // Past capacity: four times the load, the same throughput.
  EXPECT_NEAR(tput[4] / tput[3], 1.0, 0.05);
  EXPECT_GT(ttft[4], 20 * ttft[0]);
}

// A run past capacity says so: its queueing time grows with arrival time at about a/s - 1, so
// the served rate it implies matches the simulated one; a light load shows no growth.
TEST(Simulation, APastCapacityRunIsFlaggedWithItsServedRate) {
  auto setup = Llama8b();
  WorkloadOptions w = Preset("chat", 2, 1500);
  w.input_len = "fixed:500";
  w.output_len = "fixed:500";
  auto light = Simulate(*setup->cost, w, ServingOptions());
  ASSERT_TRUE(light.ok());
  EXPECT_FALSE(light->Saturated());
  EXPECT_LT(std::abs(light->queue_growth), 0.01);
  EXPECT_NEAR(light->arrival_rate_per_s / 2.0, 1.0, 0.1);
  w.rate = 128;
  auto heavy = Simulate(*setup->cost, w, ServingOptions());
  ASSERT_TRUE(heavy.ok());
  EXPECT_TRUE(heavy->Saturated());
  const double served = heavy->arrival_rate_per_s / (1 + heavy->queue_growth);
  EXPECT_NEAR(served / heavy->requests_per_s, 1.0, 0.15);
}

TEST(Simulation, ReasoningPreemptsWhereChatAtTheSameRateDoesNot) {
  auto setup = Llama8b();
  auto chat = Simulate(*setup->cost, Preset("chat", 1.0, 300), ServingOptions());
  auto reasoning = Simulate(*setup->cost, Preset("reasoning", 1.0, 300), ServingOptions());
  ASSERT_TRUE(chat.ok() && reasoning.ok());
  EXPECT_EQ(chat->preemptions, 0);
  EXPECT_LT(chat->kv_utilization_peak, 0.5);
  EXPECT_GT(reasoning->preemptions, 0);
  EXPECT_GT(reasoning->kv_utilization_peak, 0.95);
}

TEST(Simulation, PrefixCachingLowersTtftForMultiTurnSessions) {
  auto setup = Llama8b(2);
  WorkloadOptions w = Preset("agentic", 0.5, 600);
  ServingOptions o;
  o.router = "prefix-affinity";
  auto cold = Simulate(*setup->cost, w, o);
  o.prefix_caching = true;
  auto warm = Simulate(*setup->cost, w, o);
  ASSERT_TRUE(cold.ok() && warm.ok());
  EXPECT_EQ(cold->prefix_cache_hit_rate, 0.0);
  EXPECT_GT(warm->prefix_cache_hit_rate, 0.5);
  EXPECT_LT(warm->ttft.mean, 0.6 * cold->ttft.mean);
  EXPECT_EQ(warm->requests, cold->requests);
}

TEST(Simulation, DisaggregationMovesEachPromptsKvToTheDecodePool) {
  // Two 8-GPU replicas: one prefills, one decodes, in different NVLink domains.
  auto setup = SetupFor(Options("llama-3.1-70b", "h100-sxm", 8, 16, "fp8"));
  const CostModel& cost = *setup->cost;
  Recorder rec;
  ServingOptions o;
  o.prefill_replicas = 1;
  auto s = Simulate(cost, Preset("chat", 2, 400), o, {&rec});
  ASSERT_TRUE(s.ok()) << s.status().message();
  double prompt_kv = 0;
  for (const RequestRecord& r : rec.finished) {
    EXPECT_EQ(r.replica, 0);
    if (r.request.output_tokens > 1) {
      EXPECT_EQ(r.decode_replica, 1);
      prompt_kv +=
          static_cast<double>(r.request.input_tokens) * cost.Memory().kv_bytes_per_token.value();
    }
  }
  ASSERT_GT(prompt_kv, 0);
  EXPECT_NEAR(s->kv_transfer.value() / prompt_kv, 1.0, 1e-12);
  // Prefill steps never slow the decode replica down, and no decode runs on the prefill one.
  int64_t decode_steps = 0;
  for (const ReplicaSegment& seg : rec.segments) {
    if (seg.replica == 0) {
      EXPECT_EQ(seg.decode_seqs, 0);
    } else {
      EXPECT_EQ(seg.prefill_tokens, 0);
      decode_steps += seg.steps;
    }
  }
  EXPECT_GT(decode_steps, 0);
  // The transfer sits between the first token and the second: no gap is shorter than it.
  const CollectiveModel net(cost.hardware(), cost.efficiency());
  const double shortest = net.PointToPoint(cost.Memory().kv_bytes_per_token_per_chip, true).value();
  EXPECT_GT(s->itl.max.value(), shortest);
}

// One request through pools of different layouts, checked by hand: its KV crosses from a tp4
// prefill replica to a tp8 decode replica in another NVLink domain over the scale-out network, at
// the rate of the side whose chips hold the larger share; each pool is busy only while it steps.
TEST(Simulation, DisaggregatedPoolsOfTheirOwnLayoutMoveKvAtTheNarrowerSidesShare) {
  auto prefill = SetupFor(Options("llama-3.1-70b", "h100-sxm", 4, 8, "fp8"));  // 2 x tp4
  auto decode = SetupFor(Options("llama-3.1-70b", "h100-sxm", 8, 8, "fp8"));   // 1 x tp8
  ListSource src({Req(0.0, 1000, 10)});
  Recorder rec;
  auto s = RunDisaggregatedSimulation(*prefill->cost, *decode->cost, ServingOptions(), src, {&rec});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->chips, 16);
  EXPECT_EQ(s->prefill_chips, 8);
  EXPECT_EQ(s->prefill_replicas, 2);
  EXPECT_EQ(s->replicas, 3);
  EXPECT_EQ(s->prefill_plan, "tp4");
  EXPECT_EQ(s->decode_plan, "tp8");
  ASSERT_EQ(rec.finished.size(), 1u);
  const RequestRecord& r = rec.finished[0];
  EXPECT_EQ(r.replica, 0);
  EXPECT_EQ(r.decode_replica, 2);
  // The tp4 chips each hold twice the tp8 chips' share: theirs sets the time.
  const double per_chip_p = prefill->cost->Memory().kv_bytes_per_token_per_chip.value();
  const double per_chip_d = decode->cost->Memory().kv_bytes_per_token_per_chip.value();
  ASSERT_NEAR(per_chip_p / per_chip_d, 2.0, 1e-12);
  const CollectiveModel net(prefill->cost->hardware(), prefill->cost->efficiency());
  const double transfer = net.PointToPoint(Bytes(1000 * per_chip_p), true).value();
  EXPECT_NEAR(s->kv_transfer_mean.value(), transfer, 1e-12);
  EXPECT_EQ(s->kv_transfer_wait.value(), 0.0);
  EXPECT_NEAR(s->kv_transfer.value(), 1000 * per_chip_p * 4, 1e-3);
  // Busy time: the prefill step on one of two prefill replicas, then the decode steps after the
  // KV arrives.
  const double d = s->duration.value();
  EXPECT_NEAR(s->prefill_busy, r.Ttft().value() / (2 * d), 1e-9);
  EXPECT_NEAR(s->decode_busy, (r.finish - r.first_token).value() / d - transfer / d, 1e-9);
  EXPECT_NEAR(s->output_tokens_per_s_per_chip, 10.0 / d / 16, 1e-9);
}

TEST(Simulation, DisaggregatedPoolsInOneNvl72RackTransferOverNvlink) {
  auto pool = SetupFor(Options("llama-3.1-70b", "gb200", 4, 4, "fp8"));
  ListSource src({Req(0.0, 1000, 10)});
  auto s = RunDisaggregatedSimulation(*pool->cost, *pool->cost, ServingOptions(), src);
  ASSERT_TRUE(s.ok()) << s.status().message();
  const CollectiveModel net(pool->cost->hardware(), pool->cost->efficiency());
  const double per_chip = pool->cost->Memory().kv_bytes_per_token_per_chip.value();
  EXPECT_NEAR(s->kv_transfer_mean.value(), net.PointToPoint(Bytes(1000 * per_chip), false).value(),
              1e-12);
}

TEST(Simulation, DisaggSpecReadsPoolsAndNamesWhatIsWrong) {
  auto d = ParseDisaggSpec("prefill=2x8,decode=1x16,decode-ep=16,decode-dp-attention");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->prefill.workers, 2);
  EXPECT_EQ(d->prefill.tp, 8);
  EXPECT_EQ(d->decode.workers, 1);
  EXPECT_EQ(d->decode.tp, 16);
  EXPECT_EQ(d->decode.ep, 16);
  EXPECT_TRUE(d->decode.dp_attention);
  EXPECT_FALSE(d->prefill.dp_attention);
  EXPECT_EQ(d->ToString(), "prefill=2x8,decode=1x16,decode-ep=16,decode-dp-attention");
  EXPECT_EQ(PoolSetup(SetupOptions(), d->decode).chips, 16);
  auto no_decode = ParseDisaggSpec("prefill=2x8");
  EXPECT_NE(no_decode.status().message().find("needs both pools"), std::string::npos);
  auto bad = ParseDisaggSpec("prefill=2x0,decode=1x8");
  EXPECT_NE(bad.status().message().find("prefill tp '0'"), std::string::npos);
  auto unknown = ParseDisaggSpec("prefill=2x8,decode=1x8,decode-pp=2");
  EXPECT_NE(unknown.status().message().find("unknown part 'decode-pp=2'"), std::string::npos);
  auto shape = ParseDisaggSpec("prefill=16,decode=1x8");
  EXPECT_NE(shape.status().message().find("must be WxT"), std::string::npos);
}

TEST(Simulation, TheSameSeedGivesByteIdenticalJsonAndAnotherSeedDoesNot) {
  auto setup = Llama8b(2);
  auto run = [&](uint64_t seed) {
    auto s = Simulate(*setup->cost, Preset("chat", 40, 2000, seed), ServingOptions());
    EXPECT_TRUE(s.ok());
    return SummaryJson(*s).dump(2);
  };
  const std::string a = run(7);
  EXPECT_EQ(a, run(7));
  EXPECT_NE(a, run(8));
}

// Every numeric field of the summary's JSON, except the counts that measure the simulation's
// own work, within 0.5% (an absolute floor for values near zero).
void ExpectAgree(const nlohmann::ordered_json& fast, const nlohmann::ordered_json& exact,
                 const std::string& path = "") {
  static const std::set<std::string> kWork = {"steps", "events", "step_evaluations", "exact_steps"};
  for (auto it = exact.begin(); it != exact.end(); ++it) {
    const std::string key = path + it.key();
    if (kWork.count(it.key())) continue;
    if (it->is_object()) {
      ExpectAgree(fast[it.key()], *it, key + ".");
    } else if (it->is_number()) {
      const double want = it->get<double>(), got = fast[it.key()].get<double>();
      EXPECT_NEAR(got, want, std::max(0.005 * std::abs(want), 1e-9)) << key;
    } else {
      EXPECT_EQ(fast[it.key()], *it) << key;
    }
  }
}

TEST(Simulation, FastForwardAgreesWithExactStepsOnEverySummaryMetric) {
  struct Case {
    const char* name;
    SetupOptions setup;
    WorkloadOptions workload;
    ServingOptions serving;
  };
  SetupOptions tight = Options("llama-3.1-8b", "h100-sxm", 1, 1);
  tight.mem_fraction = testing::FractionForKvTokens(tight, 120000);
  std::vector<Case> cases;
  cases.push_back({"chat, 2 replicas", Options("llama-3.1-8b", "h100-sxm", 1, 2),
                   Preset("chat", 40, 2000), ServingOptions()});
  cases.push_back(
      {"reasoning, preempting", tight, Preset("reasoning", 0.3, 150), ServingOptions()});
  ServingOptions cached;
  cached.prefix_caching = true;
  cached.router = "prefix-affinity";
  cases.push_back({"agentic, prefix caching", Options("llama-3.1-8b", "h100-sxm", 1, 2),
                   Preset("agentic", 0.5, 500), cached});
  ServingOptions swap;
  swap.preemption = "swap";
  cases.push_back({"reasoning, swapping", tight, Preset("reasoning", 0.3, 150), swap});
  cases.push_back({"gpt-oss sliding window", Options("gpt-oss-20b", "h100-sxm", 1, 1),
                   Preset("chat", 20, 1000), ServingOptions()});
  ServingOptions disagg;
  disagg.prefill_replicas = 1;
  disagg.router = "least-kv";
  cases.push_back({"disaggregated", Options("llama-3.1-8b", "h100-sxm", 1, 3),
                   Preset("chat", 20, 1000), disagg});
  for (const Case& c : cases) {
    auto setup = SetupFor(c.setup);
    ServingOptions exact = c.serving;
    exact.exact_steps = true;
    auto f = Simulate(*setup->cost, c.workload, c.serving);
    auto e = Simulate(*setup->cost, c.workload, exact);
    ASSERT_TRUE(f.ok() && e.ok()) << c.name;
    SCOPED_TRACE(c.name);
    ExpectAgree(SummaryJson(*f), SummaryJson(*e));
    // And the fast-forward is what makes it cheap.
    EXPECT_LT(f->step_evaluations, e->step_evaluations);
  }
}

TEST(Simulation, TraceErrorsStopTheRunNamingTheLine) {
  auto setup = Llama8b();
  const std::string path = ::testing::TempDir() + "/bad_trace.csv";
  std::ofstream(path) << "arrival_s,input_tokens,output_tokens\n0,100,10\n0.5,100,10\n"
                         "1.0,100\n";
  WorkloadOptions w;
  w.workload = path;
  auto s = Simulate(*setup->cost, w, ServingOptions());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("bad_trace.csv:4"), std::string::npos);
}

TEST(Simulation, GoodputCountsOnlyRequestsWithinBothTargets) {
  auto setup = Llama8b();
  ServingOptions o;
  o.slo_ttft = Seconds(1e3);
  o.slo_tpot = Seconds(1e3);
  auto all = Simulate(*setup->cost, Preset("chat", 30, 1000), o);
  o.slo_tpot = Microseconds(1);
  auto none = Simulate(*setup->cost, Preset("chat", 30, 1000), o);
  ASSERT_TRUE(all.ok() && none.ok());
  EXPECT_DOUBLE_EQ(all->goodput_requests_per_s, all->requests_per_s);
  EXPECT_EQ(none->requests_within_slo, 0);
  EXPECT_EQ(none->goodput_requests_per_s, 0.0);
}

}  // namespace
}  // namespace perftco

namespace perftco {
namespace {

// With MTP each verification step yields tau tokens per sequence on average: one request alone
// decodes at the verification step's time over tau per token, and the run finishes sooner than
// without speculation at a small batch.
TEST(Simulation, SpeculativeDecodingChargesTheVerificationStepPerExpectedToken) {
  SetupOptions o = testing::Options("deepseek-r1", "h200-sxm", 8, 8, "fp8");
  auto plain = testing::SetupFor(o);
  o.spec_method = "mtp";
  o.spec_tokens = 2;
  auto mtp = testing::SetupFor(o);
  ASSERT_TRUE(plain && mtp);
  const double tau = mtp->speculative.TokensPerStep();
  ASSERT_GT(tau, 1.5);
  testing::ListSource one({testing::Req(0.0, 1000, 200)});
  testing::Recorder rec;
  ServingOptions exact;
  exact.exact_steps = true;
  auto s = RunSimulation(*mtp->cost, exact, one, {&rec});
  ASSERT_TRUE(s.ok()) << s.status().message();
  BatchShape d;
  d.decode_seqs = 1;
  d.decode_ctx_sum = 1100;  // the middle of the decode
  const double per_token = mtp->cost->Step(d).time.value() / tau;
  EXPECT_NEAR(s->tpot.mean.value(), per_token, 0.02 * per_token);
  testing::ListSource again({testing::Req(0.0, 1000, 200)});
  auto base = RunSimulation(*plain->cost, exact, again);
  ASSERT_TRUE(base.ok());
  EXPECT_LT(s->e2e.mean.value(), base->e2e.mean.value());
  EXPECT_GT(s->e2e.mean.value(), base->e2e.mean.value() / tau);
}

}  // namespace
}  // namespace perftco
