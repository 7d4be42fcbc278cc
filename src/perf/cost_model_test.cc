#include "perftco/cost_model.h"

#include <gtest/gtest.h>

#include "perftco/collectives.h"
#include "perftco/setup.h"
#include "test_fixtures.h"

namespace perftco {
namespace {

using testing::IdealEfficiency;
using testing::RepoCatalog;

CostModel Make(const std::string& model, const std::string& hw, ParallelPlan plan,
               Precisions p = Precisions(), Efficiency e = Efficiency()) {
  return CostModel(*RepoCatalog().FindModel(model), *RepoCatalog().FindHardware(hw), plan, p, e);
}

BatchShape Decode(int64_t batch, int64_t context) {
  BatchShape s;
  for (int64_t i = 0; i < batch; ++i) s.AddDecode(context);
  return s;
}

TEST(CostModel, DecodeFlopsAreTwiceActiveParamsPlusAttention) {
  const CostModel c =
      Make("llama-3.1-8b", "h100-sxm", ParallelPlan{}, Precisions(), IdealEfficiency());
  const ModelConfig& m = c.model();
  const int64_t ctx = 4096;
  // 2 x (active parameters that multiply: all but the input embedding lookup) +
  // QK^T and PV: 2 matmuls x 2 FLOPs x heads x head_dim x context, per layer.
  const double expected = 2.0 * (m.ActiveParams() - m.EmbeddingParams()) +
                          4.0 * 32 * 128 * static_cast<double>(ctx) * 32;
  EXPECT_NEAR(c.ForwardFlopsPerToken(ctx).value() / expected, 1.0, 1e-12);
  // The step's own operator-by-operator count agrees (norms add well under 0.1%).
  EXPECT_NEAR(c.Step(Decode(1, ctx)).flops.value() / expected, 1.0, 1e-3);
}

// The smallest power-of-two tp in one domain at which llama-3.1-8b fits in bf16.
ParallelPlan FittingPlan(const ModelConfig& m, const Hardware& hw) {
  for (int tp = 1; tp <= hw.scale_up.domain_chips; tp *= 2) {
    ParallelPlan plan;
    plan.tp = tp;
    if (!ValidatePlan(plan, m, hw).ok()) continue;
    CostModel c(m, hw, plan, Precisions(), Efficiency());
    if (c.Fits().ok()) return plan;
  }
  ADD_FAILURE() << m.name << " fits nowhere on " << hw.name;
  return ParallelPlan{};
}

TEST(CostModel, BatchOneDecodeIsMemoryBoundAndLongPrefillComputeBoundEverywhere) {
  const ModelConfig m = *RepoCatalog().FindModel("llama-3.1-8b");
  for (const Hardware& hw : RepoCatalog().hardware()) {
    const CostModel c(m, hw, FittingPlan(m, hw), Precisions(), IdealEfficiency());
    const StepCost decode = c.Step(Decode(1, 2048));
    EXPECT_GT(decode.memory_time, decode.compute_time * 5.0) << hw.name;
    BatchShape prefill;
    prefill.AddPrefillChunk(0, 8192, true);
    const StepCost pre = c.Step(prefill);
    EXPECT_GT(pre.compute_time, pre.memory_time) << hw.name;
  }
}

TEST(CostModel, StepTimeGrowsWithBatchAndContext) {
  const CostModel c = Make("llama-3.1-70b", "h100-sxm", ParallelPlan{.tp = 8});
  Seconds last;
  for (int64_t b : {1, 8, 32, 128, 512}) {
    const Seconds t = c.Step(Decode(b, 2000)).time;
    EXPECT_GT(t, last) << "batch " << b;
    last = t;
  }
  last = Seconds(0);
  for (int64_t ctx : {1000, 4000, 16000, 64000}) {
    const Seconds t = c.Step(Decode(64, ctx)).time;
    EXPECT_GT(t, last) << "context " << ctx;
    last = t;
  }
}

TEST(CostModel, MaxSequencesHalvesWhenContextDoubles) {
  const CostModel c = Make("llama-3.1-70b", "h100-sxm", ParallelPlan{.tp = 8});
  for (int64_t ctx : {2048, 8192, 32768}) {
    const double ratio = static_cast<double>(c.MaxSequences(ctx)) / c.MaxSequences(2 * ctx);
    EXPECT_NEAR(ratio, 2.0, 0.02) << ctx;
  }
}

TEST(CostModel, WeightsPerChipSplitByTensorParallelism) {
  const CostModel tp1 = Make("llama-3.1-8b", "h100-sxm", ParallelPlan{.tp = 1});
  const CostModel tp4 = Make("llama-3.1-8b", "h100-sxm", ParallelPlan{.tp = 4});
  EXPECT_NEAR(tp1.WeightBytesPerChip() / tp4.WeightBytesPerChip(), 4.0, 1e-9);
  EXPECT_NEAR(tp1.WeightBytesPerChip().value(), 2.0 * 8.03e9, 0.01 * 16.06e9);
}

TEST(CostModel, MlaKvIsReplicatedUnderTpButSplitUnderDpAttention) {
  Precisions fp8{Precision::kFp8, Precision::kFp8, Precision::kBf16};
  const CostModel tp = Make("deepseek-v3", "h200-sxm", ParallelPlan{.tp = 8}, fp8);
  const CostModel dpa =
      Make("deepseek-v3", "h200-sxm", ParallelPlan{.tp = 8, .ep = 8, .dp_attention = true}, fp8);
  // Each tp rank stores the whole latent for every sequence: 61 x 576 x 2 bytes per token.
  EXPECT_DOUBLE_EQ(tp.Memory().kv_bytes_per_token_per_chip.value(), 70272.0);
  EXPECT_DOUBLE_EQ(dpa.Memory().kv_bytes_per_token_per_chip.value(), 70272.0);
  // But with dp attention each rank holds only its own sequences: per byte of KV space,
  // 8x the sequences fit (the replicated attention weights leave a little less space).
  const double per_byte_ratio =
      (static_cast<double>(dpa.MaxSequences(4096)) / dpa.Memory().kv_capacity.value()) /
      (static_cast<double>(tp.MaxSequences(4096)) / tp.Memory().kv_capacity.value());
  EXPECT_NEAR(per_byte_ratio, 8.0, 0.05);
  EXPECT_GT(dpa.WeightBytesPerChip(), tp.WeightBytesPerChip());
}

TEST(CostModel, GqaKvPerChipSplitsHeadsUntilOnePerChip) {
  const CostModel tp8 = Make("llama-3.1-70b", "h100-sxm", ParallelPlan{.tp = 8});
  EXPECT_DOUBLE_EQ(tp8.Memory().kv_bytes_per_token_per_chip.value(), 327680.0 / 8);
}

TEST(CostModel, TooLargeModelFailsWithNumbersAndWaysOut) {
  const CostModel c = Make("llama-3.1-405b", "h100-sxm", ParallelPlan{.tp = 8});
  const Status s = c.Fits();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("GB of weights per chip"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("fp8"), std::string::npos) << s.message();
}

TEST(CostModel, PipelineKeepsDecodeTimeButAddsCapacity) {
  const CostModel tp4 = Make("llama-3.1-70b", "h100-sxm", ParallelPlan{.tp = 4});
  const CostModel tp4pp2 = Make("llama-3.1-70b", "h100-sxm", ParallelPlan{.tp = 4, .pp = 2});
  EXPECT_GT(tp4pp2.MaxSequences(4096), 2 * tp4.MaxSequences(4096));
  const double ratio = tp4pp2.Step(Decode(1, 1000)).time / tp4.Step(Decode(1, 1000)).time;
  EXPECT_NEAR(ratio, 1.0, 0.1);
}

TEST(CostModel, MoeWeightReadsGrowWithBatchUntilAllExpertsAreTouched) {
  const CostModel c = Make("mixtral-8x7b", "h100-sxm", ParallelPlan{.tp = 2});
  const double b1 = c.Step(Decode(1, 1000)).bytes.value();
  const double b64 = c.Step(Decode(64, 1000)).bytes.value();
  const double b128 = c.Step(Decode(128, 1000)).bytes.value();
  EXPECT_GT(b64, 2.5 * b1);          // 2 of 8 experts at batch 1, all 8 at batch 64
  EXPECT_LT(b128 - b64, 0.2 * b64);  // beyond, only KV and activations grow
}

TEST(CostModel, PipelineBubbleShrinksAsMicroBatchesGrow) {
  // A compute-bound prefill step of 64 prompts through 4 stages: the classic fill-and-drain
  // schedule idles a stage (pp - 1) / (m + pp - 1) of the time (GPipe, Huang et al. 2019).
  BatchShape prefill;
  for (int i = 0; i < 64; ++i) prefill.AddPrefillChunk(0, 512, true);
  double last_bubble = 1.0;
  Seconds last_latency = Seconds(1e9);
  for (int m : {1, 2, 4, 8, 16}) {
    const CostModel c =
        Make("llama-3.1-70b", "h100-sxm", ParallelPlan{.tp = 2, .pp = 4, .micro_batches = m},
             Precisions(), IdealEfficiency());
    const StepCost step = c.Step(prefill);
    EXPECT_EQ(step.micro_batches, m);
    EXPECT_LT(step.bubble, last_bubble) << m;
    EXPECT_LT(step.latency, last_latency) << m;
    // The hops between stages are small next to the stages: the bubble is GPipe's within 2%.
    EXPECT_NEAR(step.bubble, 3.0 / (m + 3.0), 0.02) << m;
    last_bubble = step.bubble;
    last_latency = step.latency;
  }
}

TEST(CostModel, PipelineStepIsTheRoundTripUntilMicroBatchesFillTheStages) {
  const BatchShape d = Decode(64, 2000);
  auto step = [&](int m) {
    return Make("llama-3.1-70b", "h100-sxm", ParallelPlan{.tp = 2, .pp = 4, .micro_batches = m},
                Precisions(), IdealEfficiency())
        .Step(d);
  };
  // Fewer micro-batches than stages: each step waits for a micro-batch's round trip, pp stage
  // times plus the hops, while stages sit idle.
  const StepCost two = step(2);
  EXPECT_GT(two.time, two.stage_time * 4.0);
  EXPECT_LT(two.time, two.stage_time * 4.0 * 1.05);
  // One per stage or more: stage 0 is never idle, the step is m stage times.
  const StepCost eight = step(8);
  EXPECT_NEAR(eight.time / (eight.stage_time * 8.0), 1.0, 1e-9);
  // A batch of one sequence is one micro-batch whatever is asked.
  EXPECT_EQ(Make("llama-3.1-70b", "h100-sxm", ParallelPlan{.tp = 2, .pp = 4, .micro_batches = 8})
                .Step(Decode(1, 2000))
                .micro_batches,
            1);
}

TEST(CostModel, PipelineHopCrossesTheNetworkOnlyBetweenDomains) {
  // tp8 x pp2 on 8-GPU servers: the one hop leaves the server; tp4 x pp2 stays inside.
  const BatchShape d = Decode(64, 2000);
  const CostModel across = Make("llama-3.1-70b", "h100-sxm", ParallelPlan{.tp = 8, .pp = 2},
                                Precisions(), IdealEfficiency());
  const CostModel inside = Make("llama-3.1-70b", "h100-sxm", ParallelPlan{.tp = 4, .pp = 2},
                                Precisions(), IdealEfficiency());
  const StepCost a = across.Step(d);
  const StepCost b = inside.Step(d);
  // Round trip minus the stages is the hop: 64 x 8192 x 2 bytes at 50 GB/s vs 450 GB/s.
  const double bytes = 64.0 * 8192 * 2 / 2;  // one of two micro-batches
  const Hardware h100 = *RepoCatalog().FindHardware("h100-sxm");
  EXPECT_NEAR((a.latency - a.stage_time * 3.0).value(), bytes / h100.scale_out_per_chip.value(),
              1e-9);
  EXPECT_NEAR((b.latency - b.stage_time * 3.0).value(),
              bytes / h100.scale_up.bandwidth_per_chip.value(), 1e-9);
}

TEST(CostModel, UnevenPipelineIsPacedByItsHeaviestStage) {
  // DeepSeek-V3's 61 layers in 2 stages: 31 and 30 (vLLM gives the extra layer to the first).
  EXPECT_EQ(StageLayerCounts(61, 2), (std::vector<int>{31, 30}));
  EXPECT_EQ(StageLayerCounts(126, 4), (std::vector<int>{31, 32, 32, 31}));
  EXPECT_EQ(StageLayerCounts(80, 4), (std::vector<int>{20, 20, 20, 20}));
  Precisions fp8{Precision::kFp8, Precision::kFp8, Precision::kBf16};
  const CostModel c = Make("deepseek-v3", "h200-sxm", ParallelPlan{.tp = 8, .pp = 2}, fp8);
  // The first stage holds the 3 dense layers and 28 MoE layers, the second 30 MoE layers: the
  // second has more parameters and sets the pace and the memory.
  EXPECT_EQ(c.StageLayers(), 30);
  const ModelConfig& m = c.model();
  const double moe_layer =
      m.moe.num_experts * m.ExpertParams() + m.SharedExpertParams() + m.RouterParams();
  const double expected =
      30 * ((m.AttentionParamsPerLayer() + moe_layer - m.RouterParams()) / 8 + m.RouterParams()) +
      m.EmbeddingParams() / 8 * 2.0;  // fp8 layers (routers replicated), 16-bit tables
  EXPECT_NEAR(c.WeightBytesPerChip().value() / expected, 1.0, 1e-9);
}

TEST(CostModel, ExpertParallelismDividesExpertWeightsPerChipByEp) {
  Precisions fp8{Precision::kFp8, Precision::kFp8, Precision::kBf16};
  const CostModel one = Make("deepseek-v3", "gb200", ParallelPlan{.tp = 1}, fp8);
  const ModelConfig& m = one.model();
  const double moe_layers = m.MoeLayerCount();
  const double experts = moe_layers * m.moe.num_experts * m.ExpertParams();  // fp8: 1 byte each
  for (int ep : {8, 32, 64}) {
    const CostModel wide =
        Make("deepseek-v3", "gb200", ParallelPlan{.tp = ep, .ep = ep, .dp_attention = true}, fp8);
    // Everything but the attention (replicated under dp-attention) and the routers splits ep
    // ways: the routed experts, the shared experts, the dense layers and the tables.
    const double attention = m.layers * m.AttentionParamsPerLayer();
    const double router = moe_layers * m.RouterParams();
    const double rest = one.WeightBytesPerChip().value() - attention - router;
    EXPECT_NEAR(wide.WeightBytesPerChip().value(), attention + router + rest / ep, 1.0) << ep;
    // The routed experts, 97% of the weights, are what shrinks.
    EXPECT_GT(experts / one.WeightBytesPerChip().value(), 0.95);
  }
}

// Wide expert parallelism across scale-up domains: a token crosses the NICs once per other domain
// that holds one of its experts (DeepSeek-V3: 4 of 8 expert groups per token), dispatch travels in
// the experts' fp8 and combine in bf16, and two-batch overlap hides the all-to-all under compute.
TEST(CostModel, ExpertAllToAllAcrossDomainsSendsEachTokenOncePerRemoteDomain) {
  Precisions fp8{Precision::kFp8, Precision::kFp8, Precision::kBf16};
  const ParallelPlan ep32{.tp = 32, .ep = 32, .dp_attention = true, .cross_domain_tp = true};
  const CostModel wide = Make("deepseek-v3", "h100-sxm", ep32, fp8);
  // 4 domains of 2 groups each; a domain is missed when all 4 picks fall in the other 6 groups.
  const double miss = (6.0 / 8) * (5.0 / 7) * (4.0 / 6) * (3.0 / 5);
  EXPECT_NEAR(wide.RemoteDomainsPerToken(), 3 * (1 - miss), 1e-12);
  EXPECT_EQ(Make("deepseek-v3", "h100-sxm", {.tp = 8, .ep = 8, .dp_attention = true}, fp8)
                .RemoteDomainsPerToken(),
            0.0);
  // Without group-limited routing: 8 experts drawn from 256, 64 per domain.
  const ModelConfig& m = wide.model();
  ModelConfig ungrouped = m;
  ungrouped.moe.topk_groups = 0;
  const CostModel plain(ungrouped, wide.hardware(), ep32, fp8, Efficiency());
  double expert_miss = 1;
  for (int i = 0; i < 8; ++i) expert_miss *= (192.0 - i) / (256.0 - i);
  EXPECT_NEAR(plain.RemoteDomainsPerToken(), 3 * (1 - expert_miss), 1e-12);
  // Inside one domain the hierarchical exchange is the plain all-to-all of the copies.
  const CollectiveModel net(wide.hardware(), Efficiency());
  EXPECT_DOUBLE_EQ(net.ExpertAllToAll(Bytes(1e6), 8, 8, 0).value(),
                   net.AllToAll(Bytes(8e6), 8).value());
  EXPECT_GT(net.ExpertAllToAll(Bytes(1e6), 32, 8, 2.36).value(),
            net.AllToAll(Bytes(8e6), 8).value());
  // Two-batch overlap: the step loses the part of the all-to-all its work can hide.
  EngineMemory tbo;
  tbo.moe_comm_overlap = true;
  const CostModel overlapped(m, wide.hardware(), ep32, fp8, Efficiency(), tbo);
  const BatchShape b = Decode(256 * 32, 2000);
  const StepCost serial = wide.Step(b), hidden = overlapped.Step(b);
  const Seconds work = serial.compute_time + serial.memory_time;
  EXPECT_GT(hidden.overlapped_comm.value(), 0);
  EXPECT_NEAR(hidden.time.value(), serial.time.value() - hidden.overlapped_comm.value(), 1e-12);
  EXPECT_GE(hidden.time.value(), std::max(work, serial.comm_time).value());
}

TEST(CostModel, MlaKvPerTokenAndPerChipUnderDataParallelAttention) {
  Precisions fp8{Precision::kFp8, Precision::kFp8, Precision::kFp8};
  // Latent KV per token per layer: kv_lora_rank + qk_rope_head_dim = 512 + 64 elements.
  const double per_token = 61 * 576 * 1.0;  // fp8 KV: one byte each
  for (int pp : {1, 2}) {
    const CostModel dpa = Make("deepseek-v3", "gb200",
                               ParallelPlan{.tp = 8, .pp = pp, .ep = 8, .dp_attention = true}, fp8);
    const MemoryBudget b = dpa.Memory();
    EXPECT_DOUBLE_EQ(b.kv_bytes_per_token.value(), per_token);
    // A chip stores its stage's layers of the latent for the sequences it holds (no tp split:
    // the latent is shared by all heads).
    const double stage_layers = pp == 1 ? 61 : 30;
    EXPECT_DOUBLE_EQ(b.kv_bytes_per_token_per_chip.value(), stage_layers * 576);
    // Every rank holds different sequences: the replica holds tp x what one chip holds.
    EXPECT_NEAR(static_cast<double>(b.kv_token_capacity),
                8.0 * b.kv_capacity.value() / b.kv_bytes_per_token_per_chip.value(), 8.0);
    // And decode attention reads only the chip's own sequences: 64 sequences of 4096 tokens
    // over 8 ranks read 8 x 4096 latent tokens per layer per chip.
    StepCost step = dpa.Step(Decode(64, 4096), true);
    double kv_read = 0;
    for (const OpCost& op : step.ops) {
      if (op.name == "attention decode") kv_read += op.bytes.value();
    }
    const double activations = 8 * 2.0 * 7168 * 2 * stage_layers;  // q in, out, 16-bit
    EXPECT_NEAR(kv_read - activations, 8.0 * 4096 * 576 * stage_layers, 1.0);
  }
}

TEST(CostModel, Fp4RunsOnFp4UnitsWhereTheChipHasThem) {
  Precisions fp4{Precision::kFp4, Precision::kFp4, Precision::kFp8};
  Precisions fp8{Precision::kFp8, Precision::kFp8, Precision::kFp8};
  const Hardware b200 = *RepoCatalog().FindHardware("b200");
  const Hardware h100 = *RepoCatalog().FindHardware("h100-sxm");
  EXPECT_EQ(b200.ComputePrecision(Precision::kFp4, Precision::kFp4), Precision::kFp4);
  EXPECT_EQ(h100.ComputePrecision(Precision::kFp4, Precision::kFp4), Precision::kFp8);
  BatchShape prefill;
  prefill.AddPrefillChunk(0, 8192, true);
  auto gemm_time = [&](const char* hw, Precisions p) {
    const StepCost s =
        Make("llama-3.1-70b", hw, ParallelPlan{.tp = 8}, p, IdealEfficiency()).Step(prefill, true);
    for (const OpCost& op : s.ops) {
      if (op.name == "mlp") return op.time.value();
    }
    return 0.0;
  };
  // Compute-bound MLP of a long prefill: twice as fast in fp4 on Blackwell, no faster on Hopper
  // (its fp4 weights are widened to fp8 for the tensor cores).
  EXPECT_NEAR(gemm_time("b200", fp8) / gemm_time("b200", fp4), 2.0, 1e-6);
  EXPECT_NEAR(gemm_time("h100-sxm", fp8) / gemm_time("h100-sxm", fp4), 1.0, 1e-6);
  // But the weights take half the memory on both.
  EXPECT_NEAR(
      Make("llama-3.1-70b", "h100-sxm", ParallelPlan{.tp = 8}, fp8).WeightBytesPerChip() /
          Make("llama-3.1-70b", "h100-sxm", ParallelPlan{.tp = 8}, fp4).WeightBytesPerChip(),
      1.9, 0.1);
}

TEST(CostModel, GemmComputeRateFollowsTheShapeFactor) {
  // A compute-bound MLP of an 8,192-token prefill on Hopper runs at the calibrated rate times
  // the shape factor of its product; the same chip without a tiling model runs at the rate.
  Hardware tiled = *RepoCatalog().FindHardware("h100-sxm");
  Hardware untiled = tiled;
  untiled.family = "untiled-test-family";
  const ModelConfig m = *RepoCatalog().FindModel("llama-3.1-8b");
  BatchShape prefill;
  prefill.AddPrefillChunk(0, 8192, true);
  auto mlp = [&](const Hardware& hw) {
    const StepCost s =
        CostModel(m, hw, ParallelPlan{}, Precisions(), IdealEfficiency()).Step(prefill, true);
    for (const OpCost& op : s.ops) {
      if (op.name == "mlp") return op;
    }
    return OpCost{};
  };
  const OpCost a = mlp(tiled);
  const OpCost b = mlp(untiled);
  ASSERT_TRUE(a.compute_bound && b.compute_bound);
  const GemmShape shape{8192, m.DenseMlpParams() / m.hidden, 1.0 * m.hidden};
  const double factor = GemmShapeFactor(shape, ComputeUnitsOf("hopper"));
  EXPECT_LT(factor, 1.0);
  EXPECT_NEAR(b.time.value() / a.time.value(), factor, 1e-9);
}

TEST(Plan, RejectsImpossiblePlansWithTheReason) {
  const ModelConfig m = *RepoCatalog().FindModel("llama-3.1-70b");
  const Hardware h = *RepoCatalog().FindHardware("h100-sxm");
  EXPECT_NE(ValidatePlan({.tp = 3}, m, h).message().find("does not divide"), std::string::npos);
  EXPECT_NE(ValidatePlan({.tp = 16}, m, h).message().find("scale-up domain"), std::string::npos);
  EXPECT_NE(ValidatePlan({.tp = 8, .ep = 2}, m, h).message().find("mixture-of-experts"),
            std::string::npos);
  EXPECT_NE(ValidatePlan({.pp = 100}, m, h).message().find("layers"), std::string::npos);
  EXPECT_NE(ValidatePlan({.tp = 0}, m, h).message().find("at least 1"), std::string::npos);
  EXPECT_NE(ValidatePlan({.tp = 8, .micro_batches = 4}, m, h).message().find("pp > 1"),
            std::string::npos);
  EXPECT_TRUE(ValidatePlan({.tp = 8, .pp = 2}, m, h).ok());
  EXPECT_TRUE(ValidatePlan({.tp = 8, .pp = 3}, m, h).ok());  // 27 + 27 + 26 layers

  const ModelConfig ds = *RepoCatalog().FindModel("deepseek-v3");
  EXPECT_NE(ValidatePlan({.tp = 8, .ep = 3}, ds, h).message().find("must divide tp"),
            std::string::npos);
  // ep that does not divide the experts fills its spare slots with redundant experts (EPLB):
  // 72 ranks hold 4 slots each, 288 in all, and the weights count them.
  EXPECT_TRUE(ValidatePlan({.tp = 72, .ep = 72, .dp_attention = true}, ds, h).ok());
  EXPECT_EQ(ParallelPlan({.tp = 72, .ep = 72}).ExpertSlots(256), 288);
  EXPECT_EQ(ParallelPlan({.tp = 64, .ep = 64}).ExpertSlots(256), 256);
  EXPECT_NE(ValidatePlan({.tp = 512, .ep = 512, .dp_attention = true}, ds, h)
                .message()
                .find("exceeds the 256 experts"),
            std::string::npos);
  EXPECT_NE(ValidatePlan({.tp = 1, .dp_attention = true}, ds, h).message().find("tp > 1"),
            std::string::npos);
  // Wide expert parallelism over two 8-GPU servers: only with dp-attention, whole domains.
  EXPECT_TRUE(ValidatePlan({.tp = 16, .ep = 16, .dp_attention = true}, ds, h).ok());
  EXPECT_NE(ValidatePlan({.tp = 16, .ep = 16}, ds, h).message().find("dp-attention"),
            std::string::npos);
  EXPECT_NE(ValidatePlan({.tp = 12, .ep = 4, .dp_attention = true}, ds, h)
                .message()
                .find("whole domains"),
            std::string::npos);
}

}  // namespace
}  // namespace perftco
