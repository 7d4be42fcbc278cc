#include "perftco/cost_model.h"

#include <gtest/gtest.h>

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
  const CostModel c = Make("llama-3.1-8b", "h100-sxm", ParallelPlan{}, Precisions(),
                           IdealEfficiency());
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
  EXPECT_GT(b64, 2.5 * b1);        // 2 of 8 experts at batch 1, all 8 at batch 64
  EXPECT_LT(b128 - b64, 0.2 * b64);  // beyond, only KV and activations grow
}

TEST(Plan, RejectsImpossiblePlansWithTheReason) {
  const ModelConfig m = *RepoCatalog().FindModel("llama-3.1-70b");
  const Hardware h = *RepoCatalog().FindHardware("h100-sxm");
  EXPECT_NE(ValidatePlan({.tp = 3}, m, h).message().find("does not divide"), std::string::npos);
  EXPECT_NE(ValidatePlan({.tp = 16}, m, h).message().find("scale-up domain"), std::string::npos);
  EXPECT_NE(ValidatePlan({.tp = 8, .ep = 2}, m, h).message().find("mixture-of-experts"),
            std::string::npos);
  EXPECT_NE(ValidatePlan({.pp = 100}, m, h).message().find("layers"), std::string::npos);
  EXPECT_TRUE(ValidatePlan({.tp = 8, .pp = 2}, m, h).ok());
}

}  // namespace
}  // namespace perftco
