// Scheduler and KV-cache mechanics of one replica, on hand-made request lists.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "serving/test_support.h"

namespace perftco {
namespace {

using testing::FractionForKvTokens;
using testing::ListSource;
using testing::Options;
using testing::Recorder;
using testing::Req;
using testing::SetupFor;

Result<SimulationSummary> RunList(const CostModel& cost, std::vector<Request> reqs,
                                  const ServingOptions& o, Recorder* rec) {
  ListSource src(std::move(reqs));
  return RunSimulation(cost, o, src, {rec});
}

// A replica of llama-3.1-8b on one H100 whose KV cache holds about `tokens` tokens.
std::shared_ptr<Setup> SmallKv(int64_t tokens) {
  SetupOptions o = Options("llama-3.1-8b", "h100-sxm", 1, 1);
  o.mem_fraction = FractionForKvTokens(o, tokens);
  return SetupFor(o);
}

TEST(Replica, PreemptsTheNewestRunningRequestWhenBlocksRunOut) {
  auto setup = SmallKv(3000);
  Recorder rec;
  ServingOptions o;
  // Three long generations; together they outgrow the cache.
  auto s = RunList(*setup->cost, {Req(0.0, 100, 1500), Req(0.01, 100, 1500), Req(0.02, 100, 1500)},
                   o, &rec);
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_FALSE(rec.preempted.empty());
  EXPECT_EQ(rec.preempted.front(), 2u);  // the last admitted goes first, as in vLLM
  EXPECT_EQ(s->requests, 3);
  EXPECT_GT(s->recomputed_tokens, 0);
  // Request 0 never lost its place.
  for (const RequestRecord& r : rec.finished) {
    if (r.request.id == 0) {
      EXPECT_EQ(r.preemptions, 0);
    }
  }
}

TEST(Replica, SwapPreemptionMovesKvOverTheHostLinkInsteadOfRecomputing) {
  auto setup = SmallKv(3000);
  const std::vector<Request> reqs = {Req(0.0, 100, 1500), Req(0.01, 100, 1500),
                                     Req(0.02, 100, 1500)};
  Recorder swap_rec, none_rec;
  ServingOptions o;
  o.preemption = "swap";
  auto swapped = RunList(*setup->cost, reqs, o, &swap_rec);
  ASSERT_TRUE(swapped.ok()) << swapped.status().message();
  EXPECT_GT(swapped->swaps, 0);
  EXPECT_EQ(swapped->recomputed_tokens, 0);
  EXPECT_EQ(swapped->requests, 3);
  // No host memory for swap: it falls back to recompute.
  o.swap_space = Bytes(0);
  auto fallback = RunList(*setup->cost, reqs, o, &none_rec);
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(fallback->swaps, 0);
  EXPECT_GT(fallback->recomputed_tokens, 0);
}

TEST(Replica, ChunkedPrefillNeverExceedsTheTokenBudgetAndOrcaRunsWholePrompts) {
  auto setup = SetupFor(Options("llama-3.1-8b", "h100-sxm", 1, 1));
  const std::vector<Request> reqs = {Req(0, 20000, 10), Req(0.001, 3000, 10), Req(0.002, 3000, 10)};
  for (const char* scheduler : {"vllm-v1", "sarathi"}) {
    Recorder rec;
    ServingOptions o;
    o.scheduler = scheduler;
    auto s = RunList(*setup->cost, reqs, o, &rec);
    ASSERT_TRUE(s.ok());
    const int64_t budget = std::string(scheduler) == "sarathi" ? 512 : 8192;
    int64_t prefill = 0;
    for (const ReplicaSegment& seg : rec.segments) {
      EXPECT_LE(seg.prefill_tokens + seg.decode_seqs, budget) << scheduler;
      prefill += seg.prefill_tokens;
    }
    EXPECT_EQ(prefill, 26000);
  }
  Recorder rec;
  ServingOptions o;
  o.scheduler = "orca";
  ASSERT_TRUE(RunList(*setup->cost, reqs, o, &rec).ok());
  bool whole = false;
  for (const ReplicaSegment& seg : rec.segments) whole |= seg.prefill_tokens == 20000;
  EXPECT_TRUE(whole);  // larger than the budget, yet one step
}

TEST(Replica, StaticBatchingAdmitsTheNextBatchOnlyWhenTheLastOneEnded) {
  auto setup = SetupFor(Options("llama-3.1-8b", "h100-sxm", 1, 1));
  std::vector<Request> reqs;
  for (int i = 0; i < 8; ++i) reqs.push_back(Req(0, 200, 50 + 40 * i));
  Recorder rec;
  ServingOptions o;
  o.scheduler = "static";
  o.max_seqs = 4;
  auto s = RunList(*setup->cost, reqs, o, &rec);
  ASSERT_TRUE(s.ok());
  double first_batch_end = 0, second_batch_start = 1e30;
  for (const RequestRecord& r : rec.finished) {
    if (r.request.id < 4) {
      first_batch_end = std::max(first_batch_end, r.finish.value());
    } else {
      second_batch_start = std::min(second_batch_start, r.first_scheduled.value());
    }
  }
  EXPECT_GE(second_batch_start, first_batch_end);
  EXPECT_EQ(s->preemptions, 0);
}

TEST(Replica, MaxSeqsCapsTheBatchAndMustFitTheBudget) {
  auto setup = SetupFor(Options("llama-3.1-8b", "h100-sxm", 1, 1));
  std::vector<Request> reqs;
  for (int i = 0; i < 40; ++i) reqs.push_back(Req(0, 100, 200));
  Recorder rec;
  ServingOptions o;
  o.max_seqs = 16;
  ASSERT_TRUE(RunList(*setup->cost, reqs, o, &rec).ok());
  for (const ReplicaSegment& seg : rec.segments) EXPECT_LE(seg.running, 16);
  o.max_seqs = 9000;
  auto bad = RunList(*setup->cost, reqs, o, &rec);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("exceeds the token budget"), std::string::npos);
}

TEST(Replica, RoutersSpreadLoadAndPrefixAffinityKeepsSessionsTogether) {
  auto setup = SetupFor(Options("llama-3.1-8b", "h100-sxm", 1, 4));
  ASSERT_EQ(setup->plan.replicas, 4);
  WorkloadOptions w;
  w.workload = "agentic";
  w.rate = 1;
  w.requests = 300;
  for (const char* router : {"round-robin", "least-outstanding", "least-kv", "prefix-affinity"}) {
    Recorder rec;
    ServingOptions o;
    o.router = router;
    auto s = testing::Simulate(*setup->cost, w, o, {&rec});
    ASSERT_TRUE(s.ok()) << s.status().message();
    std::map<int, int> per_replica;
    std::map<uint64_t, std::set<int>> session_replicas;
    for (const auto& [r, replica] : rec.arrivals) {
      ++per_replica[replica];
      session_replicas[r.session].insert(replica);
    }
    EXPECT_EQ(per_replica.size(), 4u) << router;
    for (const auto& [replica, n] : per_replica) EXPECT_GT(n, 300 / 16) << router;
    if (std::string(router) == "prefix-affinity") {
      for (const auto& [session, replicas] : session_replicas) EXPECT_EQ(replicas.size(), 1u);
    }
  }
}

TEST(Replica, UnknownNamesAreErrorsWithTheClosestName) {
  auto setup = SetupFor(Options("llama-3.1-8b", "h100-sxm", 1, 1));
  Recorder rec;
  ServingOptions o;
  o.scheduler = "vllm-v2";
  auto s = RunList(*setup->cost, {Req(0, 10, 10)}, o, &rec);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("did you mean 'vllm-v1'"), std::string::npos);
  o = ServingOptions();
  o.router = "least-kvv";
  s = RunList(*setup->cost, {Req(0, 10, 10)}, o, &rec);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("did you mean 'least-kv'"), std::string::npos);
  o = ServingOptions();
  o.prefill_replicas = 1;
  s = RunList(*setup->cost, {Req(0, 10, 10)}, o, &rec);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("leaves no decode replica"), std::string::npos);
}

}  // namespace
}  // namespace perftco
