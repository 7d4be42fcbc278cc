#include "perftco/catalog.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "perftco/efficiency.h"
#include "perftco/names.h"

namespace perftco {
namespace {

const Catalog& TheCatalog() {
  static const Catalog* c = [] {
    auto r = Catalog::Load(PERFTCO_TEST_DATA_DIR);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return new Catalog(std::move(r).value());
  }();
  return *c;
}

ModelConfig Model(const std::string& name) {
  auto m = TheCatalog().FindModel(name);
  EXPECT_TRUE(m.ok()) << m.status().message();
  return *m;
}

double KvBf16(const ModelConfig& m) { return m.layers * m.KvElementsPerTokenPerLayer() * 2.0; }

TEST(ModelCatalog, KvBytesPerTokenMatchHandComputedValues) {
  // 80 layers x 2 (K,V) x 8 KV heads x 128 x 2 bytes.
  EXPECT_DOUBLE_EQ(KvBf16(Model("llama-3.1-70b")), 327680.0);
  // 32 layers x 2 x 8 x 128 x 2 bytes.
  EXPECT_DOUBLE_EQ(KvBf16(Model("llama-3.1-8b")), 131072.0);
  // MLA: 61 layers x (512 latent + 64 rope) x 2 bytes.
  EXPECT_DOUBLE_EQ(KvBf16(Model("deepseek-v3")), 70272.0);
}

void ExpectWithin(double actual, double expected, double rel, const std::string& what) {
  EXPECT_NEAR(actual / expected, 1.0, rel)
      << what << ": " << actual / 1e9 << "B vs " << expected / 1e9 << "B";
}

TEST(ModelCatalog, ParameterCountsMatchPublishedWithinOnePercent) {
  ExpectWithin(Model("llama-3.1-8b").TotalParams(), 8.03e9, 0.01, "llama-3.1-8b");
  ExpectWithin(Model("llama-3.1-70b").TotalParams(), 70.6e9, 0.01, "llama-3.1-70b");
  ExpectWithin(Model("llama-3.1-405b").TotalParams(), 405.9e9, 0.01, "llama-3.1-405b");
  ExpectWithin(Model("deepseek-v3").TotalParams(), 671e9, 0.01, "deepseek-v3 total");
  ExpectWithin(Model("gpt-oss-120b").TotalParams(), 116.8e9, 0.01, "gpt-oss-120b total");
  ExpectWithin(Model("mixtral-8x7b").TotalParams(), 46.7e9, 0.01, "mixtral-8x7b total");
  ExpectWithin(Model("qwen3-235b-a22b").TotalParams(), 235e9, 0.01, "qwen3-235b total");
}

TEST(ModelCatalog, ActiveParametersMatchPublished) {
  // DeepSeek publishes "37B activated", rounded to two digits: accept 36.5-37.5B.
  const ModelConfig ds = Model("deepseek-v3");
  EXPECT_NEAR(ds.ActiveParams() / 1e9, 37.0, 0.6);
  // OpenAI's 5.1B active for gpt-oss-120b excludes the input embedding table (model card).
  const ModelConfig oss = Model("gpt-oss-120b");
  EXPECT_NEAR((oss.ActiveParams() - oss.EmbeddingParams()) / 1e9, 5.13, 0.06);
  EXPECT_NEAR(Model("mixtral-8x7b").ActiveParams() / 1e9, 12.9, 0.15);
}

TEST(ModelCatalog, ReadsMoeAndMlaStructure) {
  const ModelConfig ds = Model("deepseek-r1");  // alias
  EXPECT_EQ(ds.name, "deepseek-v3");
  EXPECT_EQ(ds.attention, AttentionKind::kMla);
  EXPECT_EQ(ds.moe.num_experts, 256);
  EXPECT_EQ(ds.moe.top_k, 8);
  EXPECT_EQ(ds.moe.num_shared_experts, 1);
  EXPECT_EQ(ds.MoeLayerCount(), 58);  // 61 layers, the first 3 dense
  const ModelConfig oss = Model("gpt-oss-120b");
  EXPECT_EQ(oss.sliding_window, 128);
  int sliding = 0;
  for (bool s : oss.sliding_layer) sliding += s;
  EXPECT_EQ(sliding, 18);
}

TEST(ModelCatalog, UnknownModelSuggestsClosestNames) {
  auto m = TheCatalog().FindModel("llama-3.1-7b");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("llama-3.1-70b"), std::string::npos) << m.status().message();
}

TEST(ModelCatalog, LoadsAConfigJsonByPath) {
  auto m = TheCatalog().FindModel(std::string(PERFTCO_TEST_DATA_DIR) + "/models/mixtral-8x7b.json");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->moe.num_experts, 8);
}

TEST(ModelCatalog, MalformedConfigNamesFileAndField) {
  auto bad =
      LoadModelConfigFile(std::string(PERFTCO_TESTDATA_DIR) + "/bad_models/negative.json", "bad");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("negative.json"), std::string::npos);
  EXPECT_NE(bad.status().message().find("num_hidden_layers"), std::string::npos);
  auto broken =
      LoadModelConfigFile(std::string(PERFTCO_TESTDATA_DIR) + "/bad_models/broken.json", "bad");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("malformed JSON"), std::string::npos);
}

TEST(HardwareCatalog, EveryIssueSystemIsPresentWithSourcedNumbers) {
  for (const char* name : {"h100-sxm", "h200-sxm", "b200", "gb200", "mi300x", "mi325x", "mi355x",
                           "tpu-v5e", "tpu-v5p", "tpu-v6e", "trn2", "trn2-ultraserver", "gaudi3"}) {
    auto hw = TheCatalog().FindHardware(name);
    ASSERT_TRUE(hw.ok()) << hw.status().message();
    EXPECT_GT(hw->Peak(Precision::kBf16).value(), 1e14) << name;
    EXPECT_GT(hw->hbm_capacity.value(), 1e10) << name;
    EXPECT_GT(hw->hbm_bandwidth.value(), 5e11) << name;
    EXPECT_GE(hw->scale_up.domain_chips, 4) << name;
    EXPECT_FALSE(hw->sources.at("hbm_capacity_gb").empty()) << name;
  }
}

TEST(HardwareCatalog, Issue12ChipsArePresentWithSourcedNumbers) {
  for (const char* name : {"h100-nvl", "h100-pcie", "h200-nvl", "b300", "gb300", "mi350x",
                           "arc-pro-b60", "h800-sxm"}) {
    auto hw = TheCatalog().FindHardware(name);
    ASSERT_TRUE(hw.ok()) << hw.status().message();
    EXPECT_GT(hw->Peak(Precision::kBf16).value(), 5e13) << name;
    EXPECT_GT(hw->hbm_capacity.value(), 2e10) << name;
    EXPECT_GT(hw->hbm_bandwidth.value(), 4e11) << name;
    EXPECT_GT(hw->tdp.value(), 0) << name;
    EXPECT_GT(hw->host_link.value(), 0) << name;
    EXPECT_GE(hw->scale_up.domain_chips, 8) << name;
    EXPECT_FALSE(hw->sources.at("peak_dense_tflops.bf16").empty()) << name;
    EXPECT_FALSE(hw->sources.at("scale_up.bandwidth_per_chip_gb_per_s").empty()) << name;
  }
}

TEST(HardwareCatalog, H800IsAnH100SxmWithHalfThePerDirectionNvlinkOfFourHundredBidirectional) {
  const Hardware h100 = *TheCatalog().FindHardware("h100-sxm");
  const Hardware h800 = *TheCatalog().FindHardware("h800");
  for (Precision p : {Precision::kBf16, Precision::kFp8}) {
    EXPECT_DOUBLE_EQ(h800.Peak(p).value(), h100.Peak(p).value());
  }
  EXPECT_DOUBLE_EQ(h800.hbm_bandwidth.value(), h100.hbm_bandwidth.value());
  EXPECT_DOUBLE_EQ(h800.scale_up.bandwidth_per_chip.value(), 200e9);  // 400 GB/s / 2
  EXPECT_EQ(h800.family, "hopper");
}

TEST(HardwareCatalog, MatrixFormatsFollowTheUnitsEachChipHas) {
  // FP4 only where the chip has FP4 units; the Arc Pro B60 has no FP8, so INT8 instead.
  for (const char* name : {"b300", "gb300", "mi350x"}) {
    const Hardware hw = *TheCatalog().FindHardware(name);
    EXPECT_EQ(hw.ComputePrecision(Precision::kFp4, Precision::kFp4), Precision::kFp4) << name;
  }
  for (const char* name : {"h100-nvl", "h100-pcie", "h200-nvl", "h800-sxm"}) {
    const Hardware hw = *TheCatalog().FindHardware(name);
    EXPECT_EQ(hw.ComputePrecision(Precision::kFp4, Precision::kFp4), Precision::kFp8) << name;
  }
  const Hardware arc = *TheCatalog().FindHardware("arc-pro-b60");
  EXPECT_EQ(arc.ComputePrecision(Precision::kFp8, Precision::kFp8), Precision::kBf16);
  EXPECT_EQ(arc.ComputePrecision(Precision::kInt8, Precision::kInt8), Precision::kInt8);
  EXPECT_GT(TheCatalog().FindHardware("b300")->Peak(Precision::kFp4).value(),
            TheCatalog().FindHardware("b200")->Peak(Precision::kFp4).value());
}

TEST(HardwareCatalog, NoNameOrAliasIsUsedTwice) {
  std::map<std::string, std::string> owner;
  for (const auto& hw : TheCatalog().hardware()) {
    std::vector<std::string> names = hw.aliases;
    names.push_back(hw.name);
    for (const auto& n : names) {
      const std::string key = ToLower(n);
      auto [it, inserted] = owner.emplace(key, hw.name);
      EXPECT_TRUE(inserted) << "'" << n << "' names both " << it->second << " and " << hw.name;
    }
  }
}

TEST(HardwareCatalog, AliasesAndTopologies) {
  EXPECT_EQ(TheCatalog().FindHardware("H100")->name, "h100-sxm");
  EXPECT_EQ(TheCatalog().FindHardware("gb200")->scale_up.domain_chips, 72);
  EXPECT_EQ(TheCatalog().FindHardware("mi300x")->scale_up.topology, Topology::kFullMesh);
  const Hardware us = *TheCatalog().FindHardware("trn2-ultraserver");
  EXPECT_EQ(us.scale_up.topology, Topology::kTorus);
  EXPECT_EQ(us.scale_up.domain_chips, 64);
}

TEST(HardwareCatalog, ComputePrecisionFallsBackToWiderFormats) {
  const Hardware h100 = *TheCatalog().FindHardware("h100-sxm");
  EXPECT_EQ(h100.ComputePrecision(Precision::kFp8, Precision::kFp8), Precision::kFp8);
  EXPECT_EQ(h100.ComputePrecision(Precision::kFp4, Precision::kFp4), Precision::kFp8);
  EXPECT_EQ(h100.ComputePrecision(Precision::kFp8, Precision::kBf16), Precision::kBf16);
  const Hardware b200 = *TheCatalog().FindHardware("b200");
  EXPECT_EQ(b200.ComputePrecision(Precision::kFp4, Precision::kFp4), Precision::kFp4);
}

TEST(HardwareCatalog, UnknownHardwareSuggestsClosestNames) {
  auto hw = TheCatalog().FindHardware("h10");
  ASSERT_FALSE(hw.ok());
  EXPECT_NE(hw.status().message().find("h100"), std::string::npos) << hw.status().message();
}

TEST(HardwareCatalog, MalformedFileNamesFileAndField) {
  auto c = Catalog::Load(std::string(PERFTCO_TESTDATA_DIR) + "/bad_hw");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("missing_bandwidth.yaml"), std::string::npos)
      << c.status().message();
  EXPECT_NE(c.status().message().find("hbm_bandwidth_tb_per_s"), std::string::npos)
      << c.status().message();
}

TEST(Efficiency, PriorsLoadAndCoverEveryParameter) {
  auto t = EfficiencyTable::Load(PERFTCO_TEST_DATA_DIR);
  ASSERT_TRUE(t.ok()) << t.status().message();
  const Efficiency e = t->For("no-such-family");
  for (const auto& name : Efficiency::FittableNames()) EXPECT_GT(e.Get(name), 0) << name;
}

TEST(Efficiency, EveryCatalogFamilyResolvesToPositiveParameters) {
  // A family without a fit (xe2, cdna4, tpu) runs on the documented defaults of priors.yaml.
  auto t = EfficiencyTable::Load(PERFTCO_TEST_DATA_DIR);
  ASSERT_TRUE(t.ok()) << t.status().message();
  for (const auto& hw : TheCatalog().hardware()) {
    const Efficiency e = t->For(hw.family);
    for (const auto& name : Efficiency::FittableNames()) {
      EXPECT_GT(e.Get(name), 0) << hw.name << " (" << hw.family << "): " << name;
    }
  }
  EXPECT_EQ(TheCatalog().FindHardware("arc-pro-b60")->family, "xe2");
  EXPECT_FALSE(t->IsFitted("xe2"));
  const Efficiency xe2 = t->For("xe2");
  const Efficiency defaults = t->For("no-such-family");
  for (const auto& name : Efficiency::FittableNames()) {
    EXPECT_DOUBLE_EQ(xe2.Get(name), defaults.Get(name)) << name;
  }
}

}  // namespace
}  // namespace perftco
