#include <gtest/gtest.h>

#include <cmath>

#include "perftco/training.h"
#include "training_test_fixtures.h"

namespace perftco {
namespace {

using training_testing::Gpt3;
using training_testing::Trainer;

TrainingWorkload Workload(int64_t seq, double seqs) {
  TrainingWorkload w;
  w.seq_len = seq;
  w.global_batch_tokens = seqs * static_cast<double>(seq);
  return w;
}

TEST(TrainingFlops, SixNdIsWithinAFewPercentOfTheLayerByLayerCountForDenseModels) {
  for (const char* name : {"llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b"}) {
    const TrainingModel tm = Trainer(name, "h100-sxm");
    const TrainingFlops f = tm.Flops(4096);
    const double layer_by_layer = 3.0 * f.forward_per_token.value();
    const double six_nd = f.six_nd_per_token.value();
    EXPECT_NEAR(layer_by_layer / six_nd, 1.0, 0.05) << name;
  }
}

TEST(TrainingFlops, AttentionGrowsWithSequenceLengthAndMatrixProductsDoNot) {
  const TrainingModel tm = Trainer("llama-3.1-8b", "h100-sxm");
  const TrainingFlops a = tm.Flops(4096);
  const TrainingFlops b = tm.Flops(8192);
  EXPECT_EQ(a.matmul_params, b.matmul_params);
  // Causal attention: 2 x heads x (d_qk + d_v) x (s + 1) / 2 per token per layer.
  const ModelConfig& m = tm.model();
  const auto attention = [&](double s) {
    return 2.0 * m.heads * 2.0 * m.head_dim * (s + 1) / 2 * m.layers;
  };
  EXPECT_NEAR(b.forward_per_token.value() - a.forward_per_token.value(),
              attention(8192) - attention(4096), 1.0);
}

TEST(TrainingMemory, FallsWithZeroStageByTheZeroPaperFactors) {
  // Rajbhandari et al. 2020, Figure 1: with 2-byte weights and gradients and K = 12 bytes of
  // optimizer state per parameter on N data-parallel ranks: 16P, 4P + 12P/N, 2P + 14P/N, 16P/N.
  TrainingOptions o;
  o.grad_bytes = 2.0;
  const TrainingModel tm = Trainer("llama-3.1-8b", "h100-sxm", o);
  const double p = tm.model().TotalParams();
  const double n = 64;
  const double expected[4] = {16 * p, 4 * p + 12 * p / n, 2 * p + 14 * p / n, 16 * p / n};
  double previous = 1e300;
  for (int stage = 0; stage <= 3; ++stage) {
    TrainingPlan plan;
    plan.dp = 64;
    plan.zero_stage = stage;
    const TrainingMemory m = tm.Memory(plan, Workload(4096, 1024));
    const double states = (m.weights + m.gradients + m.optimizer).value();
    EXPECT_NEAR(states / expected[stage], 1.0, 1e-9) << "stage " << stage;
    EXPECT_LT(m.total.value(), previous) << "stage " << stage;
    previous = m.total.value();
  }
}

TEST(TrainingMemory, ActivationsFollowKorthikantiWithAndWithoutRecomputation) {
  // GPT-3 with dropout: 34 s b h bytes per layer (Korthikanti et al. 2022, eq. 1 without the
  // attention-score term FlashAttention does not store), divided by t with sequence parallelism.
  TrainingOptions o;
  o.dropout = true;
  const ModelConfig gpt3 = Gpt3();
  const Hardware hw = training_testing::Hw("h100-sxm");
  const TrainingModel tm(gpt3, hw, training_testing::Eff().For(hw.family), o);
  const double s = 2048, h = gpt3.hidden, layers = gpt3.layers;
  for (int tp : {1, 8}) {
    TrainingPlan plan;
    plan.tp = tp;
    const TrainingMemory m = tm.Memory(plan, Workload(2048, 8));
    EXPECT_NEAR(m.activations.value(), layers * 34.0 * s * h / tp, 1.0) << "tp " << tp;
    plan.recompute = 1.0;
    const TrainingMemory r = tm.Memory(plan, Workload(2048, 8));
    EXPECT_NEAR(r.activations.value(), (layers * 2.0 * s * h + 34.0 * s * h) / tp, 1.0);
  }
}

TEST(TrainingMemory, FirstPipelineStageHoldsPipelineDepthMicroBatches) {
  const TrainingModel tm = Trainer("llama-3.1-70b", "h100-sxm");
  TrainingPlan plan;
  plan.tp = 8;
  plan.pp = 1;
  const TrainingWorkload w = Workload(4096, 64);
  const double one = tm.Memory(plan, w).activations.value();
  plan.pp = 4;
  // A quarter of the layers, four micro-batches in flight: the same activations in all.
  EXPECT_NEAR(tm.Memory(plan, w).activations.value() / one, 1.0, 1e-9);
}

TEST(Pipeline, BubbleFollowsTheNarayananFormula) {
  EXPECT_DOUBLE_EQ(PipelineBubbleFraction(1, 8, 1), 0.0);
  EXPECT_DOUBLE_EQ(PipelineBubbleFraction(4, 8, 1), 3.0 / 11.0);
  EXPECT_DOUBLE_EQ(PipelineBubbleFraction(4, 8, 2), 1.5 / 9.5);
  EXPECT_DOUBLE_EQ(PipelineBubbleFraction(16, 16, 4), 3.75 / 19.75);

  // In a step: the bubble is (p - 1) / v micro-batch times of the pipeline's (m + (p - 1) / v).
  const TrainingModel tm = Trainer("llama-3.1-8b", "h100-sxm");
  TrainingPlan plan;
  plan.pp = 4;
  plan.zero_stage = 0;
  for (int v : {1, 2}) {
    plan.schedule = v == 1 ? PipelineSchedule::k1F1B : PipelineSchedule::kInterleaved;
    plan.virtual_stages = v;
    const TrainingStep st = tm.Step(plan, Workload(4096, 8)).value();
    const double pipeline = (st.step_time - st.optimizer - st.overhead).value();
    EXPECT_NEAR(st.bubble.value() / pipeline, PipelineBubbleFraction(4, 8, v), 1e-9);
    EXPECT_DOUBLE_EQ(st.bubble_fraction, PipelineBubbleFraction(4, 8, v));
  }
}

// Fewer micro-batches per replica (a smaller batch on the same plan) leave a larger share of the
// step to pipeline fill and drain: the bubble grows and MFU falls.
TEST(Pipeline, MfuFallsAsTheBubbleGrows) {
  const TrainingModel tm = Trainer("llama-3.1-70b", "h100-sxm");
  TrainingPlan plan;
  plan.tp = 8;
  plan.pp = 8;
  plan.dp = 2;
  double last_mfu = 1.0, last_bubble = 0.0;
  for (double seqs : {256.0, 64.0, 16.0}) {
    const TrainingStep st = tm.Step(plan, Workload(4096, seqs)).value();
    EXPECT_GT(st.bubble_fraction, last_bubble) << seqs;
    EXPECT_LT(st.mfu, last_mfu) << seqs;
    last_mfu = st.mfu;
    last_bubble = st.bubble_fraction;
  }
}

// The embedding and the head may each fill a layer's slot: Llama 3 405B's 126 layers run as 16
// stages of 8 one-layer chunks (Dubey et al. 2024, 3.3.2); two more slots than that do not.
TEST(Pipeline, VirtualStagesMayUseTheEmbeddingAndHeadSlots) {
  const TrainingModel tm = Trainer("llama-3.1-405b", "h100-sxm");
  TrainingPlan plan;
  plan.tp = 8;
  plan.pp = 16;
  plan.dp = 64;
  plan.schedule = PipelineSchedule::kInterleaved;
  plan.virtual_stages = 8;
  plan.recompute = 0.5;
  EXPECT_TRUE(tm.Step(plan, Workload(8192, 2048)).ok());
  plan.pp = 32;
  plan.dp = 32;
  plan.virtual_stages = 4;  // 128 slots again: fine
  EXPECT_TRUE(tm.StepUnchecked(plan, Workload(8192, 2048)).ok());
  plan.virtual_stages = 8;  // 256 slots for 126 layers
  const Result<TrainingStep> r = tm.StepUnchecked(plan, Workload(8192, 2048));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("plus the embedding and the head"), std::string::npos);
}

TEST(TrainingStep, BreakdownSumsToTheStep) {
  const TrainingModel tm = Trainer("llama-3.1-70b", "h100-sxm");
  TrainingPlan plan;
  plan.dp = 8;
  plan.tp = 8;
  plan.pp = 4;
  plan.recompute = 0.5;
  for (int zero = 0; zero <= 3; ++zero) {
    plan.zero_stage = zero;
    const TrainingStep st = tm.StepUnchecked(plan, Workload(4096, 256)).value();
    const Seconds sum = st.forward + st.backward + st.recompute + st.bubble + st.ExposedComm() +
                        st.optimizer + st.overhead;
    EXPECT_NEAR(sum.value(), st.step_time.value(), 1e-9 * st.step_time.value()) << zero;
    for (const auto& c : st.comm) EXPECT_LE(c.exposed.value(), c.time.value() + 1e-12);
  }
}

TEST(TrainingStep, BackwardIsTwiceTheForwardMatrixWorkAndRecomputeAddsAForward) {
  const TrainingModel tm = Trainer("llama-3.1-8b", "h100-sxm");
  TrainingPlan plan;
  plan.dp = 8;
  plan.zero_stage = 3;
  const TrainingWorkload w = Workload(4096, 64);
  const TrainingStep a = tm.Step(plan, w).value();
  // Backward: 2x matrix products and element-wise passes, 2.5x attention (FlashAttention-2).
  EXPECT_GT(a.backward / a.forward, 2.0);
  EXPECT_LT(a.backward / a.forward, 2.1);
  EXPECT_EQ(a.recompute.value(), 0.0);
  plan.recompute = 1.0;
  const TrainingStep b = tm.Step(plan, w).value();
  EXPECT_NEAR(b.recompute.value(), b.forward.value(), 1e-12);
  EXPECT_NEAR(b.hfu / b.mfu, 4.0 / 3.0, 1e-9);
  EXPECT_LT(b.tokens_per_s, a.tokens_per_s);
}

TEST(TrainingStep, MfuIsModelFlopsOverPeak) {
  const TrainingModel tm = Trainer("llama-3.1-70b", "h100-sxm");
  TrainingPlan plan;
  plan.dp = 16;
  plan.tp = 8;
  plan.pp = 2;
  const TrainingStep st = tm.Step(plan, Workload(4096, 512)).value();
  EXPECT_NEAR(st.mfu, st.tokens_per_s * st.model_flops_per_token.value() / 256.0 / 989.4e12, 1e-9);
  EXPECT_GT(st.mfu, 0.2);
  EXPECT_LT(st.mfu, 0.8);  // below the GEMM efficiency
}

TEST(TrainingStep, MemoryMissIsOneLineWithTheNumbers) {
  const TrainingModel tm = Trainer("llama-3.1-405b", "h100-sxm");
  TrainingPlan plan;
  plan.dp = 8;
  const Result<TrainingStep> r = tm.Step(plan, Workload(4096, 64));
  ASSERT_FALSE(r.ok());
  const std::string msg = r.status().message();
  EXPECT_EQ(msg.find('\n'), std::string::npos);
  EXPECT_NE(msg.find("does not fit"), std::string::npos);
  EXPECT_NE(msg.find("GB per chip"), std::string::npos);
  EXPECT_NE(msg.find("raise tp or pp"), std::string::npos);
}

TEST(TrainingStep, RejectsPlansThatCannotRun) {
  const TrainingModel tm = Trainer("llama-3.1-70b", "h100-sxm");
  const TrainingWorkload w = Workload(4096, 64);
  TrainingPlan p;
  p.tp = 3;
  EXPECT_NE(tm.Validate(p, w).message().find("does not divide"), std::string::npos);
  p = TrainingPlan();
  p.tp = 16;
  EXPECT_NE(tm.Validate(p, w).message().find("scale-up domain"), std::string::npos);
  p = TrainingPlan();
  p.ep = 2;
  p.dp = 2;
  EXPECT_NE(tm.Validate(p, w).message().find("dense"), std::string::npos);
  p = TrainingPlan();
  p.zero_stage = 4;
  EXPECT_FALSE(tm.Validate(p, w).ok());
  p = TrainingPlan();
  p.dp = 128;
  EXPECT_NE(tm.Validate(p, w).message().find("exceeds the global batch"), std::string::npos);
  p = TrainingPlan();
  p.pp = 4;
  p.virtual_stages = 2;
  EXPECT_NE(tm.Validate(p, w).message().find("interleaved"), std::string::npos);
  p.schedule = PipelineSchedule::kInterleaved;
  EXPECT_TRUE(tm.Validate(p, w).ok());
  p.dp = 3;  // 64 / 3 -> 22 micro-batches, not a multiple of pp
  EXPECT_NE(tm.Validate(p, w).message().find("multiple of pp"), std::string::npos);
}

TEST(TrainingStep, ContextParallelSplitsAttentionAndHidesItsRing) {
  const TrainingModel tm = Trainer("llama-3.1-8b", "h100-sxm");
  TrainingPlan p;
  p.tp = 4;
  p.cp = 2;
  const TrainingStep st = tm.Step(p, Workload(65536, 2)).value();
  bool found = false;
  for (const auto& c : st.comm) {
    if (c.dimension != "cp") continue;
    found = true;
    EXPECT_GT(c.time.value(), 0.0);
    EXPECT_GT(c.OverlappedFraction(), 0.5);  // long sequences: attention hides the ring
  }
  EXPECT_TRUE(found);
}

TEST(TrainingStep, AllGatherContextParallelIsOnTheCriticalPath) {
  // Llama 3's context parallelism (Dubey et al. 2024, 3.3.2) gathers K and V before attention
  // instead of passing them around a ring: nothing hides it, so the same plan takes longer.
  TrainingOptions gather;
  gather.cp_method = ContextParallelMethod::kAllGather;
  const TrainingModel ring = Trainer("llama-3.1-8b", "h100-sxm");
  const TrainingModel ag = Trainer("llama-3.1-8b", "h100-sxm", gather);
  TrainingPlan p;
  p.tp = 4;
  p.cp = 2;
  const TrainingStep a = ring.Step(p, Workload(65536, 2)).value();
  const TrainingStep b = ag.Step(p, Workload(65536, 2)).value();
  for (const auto& c : b.comm) {
    if (c.dimension != "cp") continue;
    EXPECT_GT(c.time.value(), 0.0);
    EXPECT_DOUBLE_EQ(c.OverlappedFraction(), 0.0);
  }
  EXPECT_GT(b.step_time.value(), a.step_time.value());
  EXPECT_EQ(ParseContextParallelMethod("all-gather").value(), ContextParallelMethod::kAllGather);
  EXPECT_NE(ParseContextParallelMethod("tree").status().message().find("ring or all-gather"),
            std::string::npos);
}

TEST(TrainingStep, ExpertParallelAllToAllIsCostedForMoeModels) {
  TrainingOptions o;
  const TrainingModel tm = Trainer("mixtral-8x7b", "h100-sxm", o);
  TrainingPlan p;
  p.dp = 16;
  p.ep = 8;
  p.zero_stage = 3;
  const TrainingStep st = tm.StepUnchecked(p, Workload(4096, 64)).value();
  double ep = 0, exposed = 0;
  for (const auto& c : st.comm) {
    if (c.dimension == "ep") {
      ep = c.time.value();
      exposed = c.exposed.value();
    }
  }
  EXPECT_GT(ep, 0.0);
  EXPECT_DOUBLE_EQ(exposed, ep);  // no overlap unless asked
  o.ep_comm_overlap = true;
  const TrainingStep hidden =
      Trainer("mixtral-8x7b", "h100-sxm", o).StepUnchecked(p, Workload(4096, 64)).value();
  EXPECT_LT(hidden.step_time.value(), st.step_time.value());
}

TEST(TrainingStep, SlowerWanBetweenSitesSlowsTheStep) {
  TrainingPlan p;
  p.dp = 16;
  p.tp = 8;
  p.pp = 2;
  const TrainingWorkload w = Workload(4096, 256);
  const TrainingStep one = Trainer("llama-3.1-70b", "h100-sxm").Step(p, w).value();
  double previous = one.step_time.value();
  for (double gbps : {1000.0, 100.0, 10.0}) {
    TrainingOptions o;
    o.sites = 2;
    o.wan_bandwidth = BytesPerSecond(gbps * 1e9 / 8);
    o.wan_latency = Milliseconds(20);
    const TrainingStep st = Trainer("llama-3.1-70b", "h100-sxm", o).Step(p, w).value();
    EXPECT_GE(st.step_time.value(), previous) << gbps;
    previous = st.step_time.value();
    ASSERT_FALSE(st.comm.empty());
    EXPECT_EQ(st.comm.back().dimension, "wan");
  }
  // 2 x 70.6e9 parameters x 4 bytes x (2 - 1) / 2 over 10 Gbit/s: about 226 s of WAN time.
  EXPECT_GT(previous - one.step_time.value(), 150.0);
  TrainingOptions bad;
  bad.sites = 3;
  bad.wan_bandwidth = BytesPerSecond(1e9);
  EXPECT_NE(Trainer("llama-3.1-70b", "h100-sxm", bad).Validate(p, w).message().find("sites"),
            std::string::npos);
}

TEST(PlanSearch, FindsAFittingPlanAtLeastAsFastAsHandPlans) {
  const TrainingModel tm = Trainer("llama-3.1-70b", "h100-sxm");
  const TrainingWorkload w = Workload(4096, 512);
  const TrainingStep best = SearchPlan(tm, 256, w, PlanConstraints()).value();
  EXPECT_TRUE(best.memory.Fits());
  EXPECT_EQ(best.plan.Chips(), 256);
  for (int tp : {2, 4, 8}) {
    TrainingPlan p;
    p.tp = tp;
    p.pp = 2;
    p.dp = 256 / (tp * 2);
    const Result<TrainingStep> hand = tm.Step(p, w);
    if (hand.ok()) {
      EXPECT_GE(best.tokens_per_s, hand->tokens_per_s);
    }
  }
  // Constraints are honoured.
  PlanConstraints c;
  c.tp = 4;
  c.zero_stage = 3;
  const TrainingStep fixed = SearchPlan(tm, 256, w, c).value();
  EXPECT_EQ(fixed.plan.tp, 4);
  EXPECT_EQ(fixed.plan.zero_stage, 3);
}

// Given only the cluster and the batch, the search lands on Llama 3's published layout and its
// MFU (Dubey et al. 2024, Table 4: TP 8, PP 16, DP 128 at 41%; the bar: within 10% of 43%).
TEST(PlanSearch, FindsLlama3LayoutAtThePublishedBatch) {
  const TrainingModel tm = Trainer("llama-3.1-405b", "h100-sxm");
  const TrainingStep best = SearchPlan(tm, 16384, Workload(8192, 2048), PlanConstraints()).value();
  EXPECT_EQ(best.plan.tp, 8);
  EXPECT_EQ(best.plan.pp, 16);
  EXPECT_GT(best.mfu, 0.43 * 0.9);
  EXPECT_LT(best.mfu, 0.43 * 1.1);
  EXPECT_LT(best.bubble_fraction, 0.2);
}

TEST(PlanSearch, ExplainsWhenNothingFits) {
  const TrainingModel tm = Trainer("llama-3.1-405b", "h100-sxm");
  const Result<TrainingStep> r = SearchPlan(tm, 8, Workload(4096, 64), PlanConstraints());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no plan on 8 chips fits"), std::string::npos);
  EXPECT_FALSE(SearchPlan(tm, 0, Workload(4096, 64), PlanConstraints()).ok());
}

}  // namespace
}  // namespace perftco
