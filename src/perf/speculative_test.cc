#include "perftco/speculative.h"

#include <gtest/gtest.h>

#include <cmath>

#include "perftco/cost_model.h"
#include "perftco/estimate.h"
#include "perftco/setup.h"
#include "test_fixtures.h"

namespace perftco {
namespace {

using testing::IdealEfficiency;
using testing::RepoCatalog;

SpeculativeDecoding Spec(DraftKind kind, int k, double a) {
  SpeculativeDecoding s;
  s.kind = kind;
  s.tokens = k;
  s.acceptance = a;
  return s;
}

BatchShape Decode(int64_t batch, int64_t context) {
  BatchShape s;
  for (int64_t i = 0; i < batch; ++i) s.AddDecode(context);
  return s;
}

TEST(Speculative, TokensPerStepIsTheGeometricSum) {
  // k = 3, a = 0.5: 1 + 0.5 + 0.25 + 0.125.
  EXPECT_DOUBLE_EQ(Spec(DraftKind::kEagle, 3, 0.5).TokensPerStep(), 1.875);
  EXPECT_DOUBLE_EQ(Spec(DraftKind::kEagle, 1, 0.85).TokensPerStep(), 1.85);
  EXPECT_DOUBLE_EQ(Spec(DraftKind::kEagle, 4, 0.0).TokensPerStep(), 1.0);
  EXPECT_DOUBLE_EQ(SpeculativeDecoding().TokensPerStep(), 1.0);
}

TEST(Speculative, AcceptanceFromMeanLengthInvertsTokensPerStep) {
  // The EAGLE-3 rows of data/measured: k = 1, 1.68 and k = 3, 3.22.
  EXPECT_NEAR(*AcceptanceFromMeanLength(1, 1.68), 0.68, 1e-9);
  const double a = *AcceptanceFromMeanLength(3, 3.22);
  EXPECT_NEAR(Spec(DraftKind::kEagle, 3, a).TokensPerStep(), 3.22, 1e-9);
  EXPECT_FALSE(AcceptanceFromMeanLength(3, 4.5).ok());
  EXPECT_FALSE(AcceptanceFromMeanLength(3, 0.5).ok());
  EXPECT_FALSE(AcceptanceFromMeanLength(0, 1.0).ok());
}

TEST(Speculative, VerificationCostsLittleMoreThanADecodeStepAtSmallBatch) {
  const ModelConfig m = *RepoCatalog().FindModel("llama-3.1-70b");
  const Hardware h = *RepoCatalog().FindHardware("h100-sxm");
  const CostModel plain(m, h, ParallelPlan{.tp = 8}, Precisions(), IdealEfficiency());
  const CostModel spec(m, h, ParallelPlan{.tp = 8}, Precisions(), IdealEfficiency(), EngineMemory(),
                       Spec(DraftKind::kEagle, 3, 0.7));
  const StepCost a = plain.Step(Decode(1, 2000));
  const StepCost b = spec.Step(Decode(1, 2000));
  // Batch 1 is memory bound: verifying 4 tokens reads the same weights and KV once.
  EXPECT_LT(b.time - b.draft_time, a.time * 1.05);
  // The draft head (one layer of 80 plus the LM head, three passes) costs a few percent.
  EXPECT_GT(b.draft_time, Seconds(0));
  EXPECT_LT(b.draft_time, a.time * 0.25);
  EXPECT_DOUBLE_EQ(b.tokens_per_decode_seq, 1.0 + 0.7 + 0.49 + 0.343);
  // So time per token falls by nearly the tokens per step.
  EXPECT_LT(b.time / b.tokens_per_decode_seq, a.time * 0.6);
}

TEST(Speculative, LosesAtLargeComputeBoundBatches) {
  const ModelConfig m = *RepoCatalog().FindModel("llama-3.1-8b");
  const Hardware h = *RepoCatalog().FindHardware("h100-sxm");
  const CostModel plain(m, h, ParallelPlan{}, Precisions(), IdealEfficiency());
  const CostModel spec(m, h, ParallelPlan{}, Precisions(), IdealEfficiency(), EngineMemory(),
                       Spec(DraftKind::kEagle, 4, 0.5));
  // 1024 sequences x 5 verified tokens is compute bound: each step costs ~5x for 1.94 tokens.
  const StepCost a = plain.Step(Decode(1024, 1000));
  const StepCost b = spec.Step(Decode(1024, 1000));
  EXPECT_GT(b.time / b.tokens_per_decode_seq, a.time);
}

TEST(Speculative, DraftModelAddsItsWeightsAndKv) {
  const ModelConfig m = *RepoCatalog().FindModel("llama-3.1-70b");
  const Hardware h = *RepoCatalog().FindHardware("h200-sxm");
  SpeculativeDecoding s = Spec(DraftKind::kDraftModel, 4, 0.7);
  s.draft_model = std::make_shared<const ModelConfig>(*RepoCatalog().FindModel("llama-3.2-1b"));
  const CostModel plain(m, h, ParallelPlan{.tp = 8}, Precisions(), IdealEfficiency());
  const CostModel spec(m, h, ParallelPlan{.tp = 8}, Precisions(), IdealEfficiency(), EngineMemory(),
                       s);
  // Llama 3.2 1B: 1.24B parameters (tied embeddings), 2 bytes each, split 8 ways.
  EXPECT_NEAR(spec.Memory().draft_weights.value(), 2.0 * 1.236e9 / 8, 0.02e9);
  EXPECT_NEAR((spec.WeightBytesPerChip() - plain.WeightBytesPerChip()).value(),
              spec.Memory().draft_weights.value(), 1.0);
  // KV: 16 layers x 2 x 8 heads x 64 x 2 bytes per token, one KV head per chip at tp8.
  EXPECT_NEAR(
      (spec.KvBytesPerSequencePerChip(1024) - plain.KvBytesPerSequencePerChip(1024)).value(),
      1024.0 * 16 * 2 * 1 * 64 * 2, 1.0);
}

TEST(Speculative, SetupResolvesMethodsAndRejectsBadOptions) {
  auto table = EfficiencyTable::Load(PERFTCO_TEST_DATA_DIR);
  SetupOptions o;
  o.model = "deepseek-r1";
  o.hardware = "h200-sxm";
  o.chips = 8;
  o.precision = "fp8";
  o.spec_tokens = 1;
  auto s = BuildSetup(RepoCatalog(), *table, o);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ((*s)->speculative.kind, DraftKind::kMtp);  // DeepSeek has an MTP layer
  // The per-position defaults of data/speculative.yaml: 0.875 for the first draft.
  EXPECT_DOUBLE_EQ((*s)->speculative.AcceptanceAt(1), 0.875);
  EXPECT_DOUBLE_EQ((*s)->speculative.TokensPerStep(), 1.875);

  auto error = [&](SetupOptions bad) {
    auto r = BuildSetup(RepoCatalog(), *table, bad);
    return r.ok() ? std::string() : r.status().message();
  };
  SetupOptions bad = o;
  bad.acceptance = 1.5;
  EXPECT_NE(error(bad).find("probability"), std::string::npos);
  bad = o;
  bad.spec_method = "medusa";
  EXPECT_NE(error(bad).find("unknown --spec-method"), std::string::npos);
  bad = o;
  bad.model = "llama-3.1-70b";
  bad.spec_method = "mtp";
  EXPECT_NE(error(bad).find("no multi-token-prediction"), std::string::npos);
  bad = o;
  bad.spec_method = "draft:llama-3.2-1b";
  EXPECT_NE(error(bad).find("tokenizer"), std::string::npos);
  bad = o;
  bad.spec_tokens.reset();
  bad.acceptance = 0.5;
  EXPECT_NE(error(bad).find("--acceptance needs speculative decoding"), std::string::npos);
}

TEST(Speculative, MethodWithoutTokensTakesTheEngineDefault) {
  auto table = EfficiencyTable::Load(PERFTCO_TEST_DATA_DIR);
  SetupOptions o;
  o.model = "deepseek-r1";
  o.hardware = "h200-sxm";
  o.chips = 8;
  o.precision = "fp8";
  o.spec_method = "mtp";
  for (const auto& [engine, k] : {std::pair{"vllm", 1}, std::pair{"tensorrt-llm", 3}}) {
    o.engine = engine;
    auto s = BuildSetup(RepoCatalog(), *table, o);
    ASSERT_TRUE(s.ok()) << s.status().message();
    EXPECT_EQ((*s)->speculative.tokens, k) << engine;
  }
  // Three drafts at 0.875, then 0.62 each: 1 + 0.875 + 0.875 x 0.62 + 0.875 x 0.62^2.
  auto s = BuildSetup(RepoCatalog(), *table, o);
  ASSERT_TRUE(s.ok());
  EXPECT_NEAR((*s)->speculative.TokensPerStep(), 1 + 0.875 * (1 + 0.62 + 0.62 * 0.62), 1e-12);
}

TEST(Speculative, ZeroDraftsIsPlainDecoding) {
  auto table = EfficiencyTable::Load(PERFTCO_TEST_DATA_DIR);
  SetupOptions o;
  o.model = "deepseek-r1";
  o.hardware = "h200-sxm";
  o.chips = 8;
  o.precision = "fp8";
  auto plain = BuildSetup(RepoCatalog(), *table, o);
  o.spec_method = "mtp";
  o.spec_tokens = 0;
  auto zero = BuildSetup(RepoCatalog(), *table, o);
  ASSERT_TRUE(plain.ok() && zero.ok());
  EXPECT_FALSE((*zero)->speculative.enabled());
  const BatchShape b = Decode(64, 2000);
  EXPECT_EQ((*zero)->cost->Step(b).time.value(), (*plain)->cost->Step(b).time.value());
  EXPECT_EQ((*zero)->cost->Memory().kv_token_capacity, (*plain)->cost->Memory().kv_token_capacity);
}

TEST(Speculative, PerPositionAcceptanceCompounds) {
  SpeculativeDecoding s;
  s.kind = DraftKind::kMtp;
  s.tokens = 4;
  s.acceptance_by_position = {0.9, 0.5};
  EXPECT_DOUBLE_EQ(s.AcceptanceAt(1), 0.9);
  EXPECT_DOUBLE_EQ(s.AcceptanceAt(4), 0.5);
  EXPECT_NEAR(s.TokensPerStep(), 1 + 0.9 + 0.45 + 0.225 + 0.1125, 1e-12);
  s.acceptance_by_position.clear();
  s.acceptance = 0.5;
  EXPECT_NEAR(s.TokensPerStep(), (1 - std::pow(0.5, 5)) / 0.5, 1e-12);
}

TEST(Speculative, EstimateDividesTpotByTheTokensPerStep) {
  auto table = EfficiencyTable::Load(PERFTCO_TEST_DATA_DIR);
  SetupOptions o;
  o.model = "llama-3.1-70b";
  o.hardware = "h100-sxm";
  o.chips = 8;
  o.precision = "fp8";
  auto plain = BuildSetup(RepoCatalog(), *table, o);
  o.spec_tokens = 3;
  o.spec_method = "eagle";
  o.acceptance = 0.8;
  auto spec = BuildSetup(RepoCatalog(), *table, o);
  ASSERT_TRUE(plain.ok() && spec.ok());
  const EstimatePoint a = *EstimateBatch(*(*plain)->cost, 1000, 1000, 1);
  const EstimatePoint b = *EstimateBatch(*(*spec)->cost, 1000, 1000, 1);
  const double tau = 1 + 0.8 + 0.64 + 0.512;
  EXPECT_NEAR(b.tpot.value(), b.decode_step.time.value() / tau, 0.02 * b.tpot.value());
  EXPECT_LT(b.tpot, a.tpot * 0.5);
  EXPECT_GT(b.tokens_per_s_per_user, 2.0 * a.tokens_per_s_per_user);
}

}  // namespace
}  // namespace perftco
