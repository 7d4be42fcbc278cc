#include "perftco/sensitivity.h"

#include <gtest/gtest.h>

#include "perf/test_fixtures.h"

namespace perftco {
namespace {

using testing::Options;
using testing::RepoCatalog;
using testing::RepoEfficiency;

const Sensitivity& Input(const SensitivityReport& r, const std::string& name) {
  for (const auto& s : r.inputs) {
    if (s.input == name) return s;
  }
  ADD_FAILURE() << "no input " << name;
  static const Sensitivity kNone;
  return kNone;
}

SensitivityReport Elasticities(int64_t batch, int64_t isl, int64_t osl, bool overheads = true) {
  const auto setup =
      BuildSetup(RepoCatalog(), RepoEfficiency(), Options("llama-3.1-8b", "h100-sxm", 1, 1))
          .value();
  if (!overheads) {
    setup->efficiency.step_overhead = Seconds(0);
    setup->efficiency.seq_overhead = Seconds(0);
  }
  const EconomicsData data = EconomicsData::Load(PERFTCO_TEST_DATA_DIR).value();
  SensitivityOptions o;
  o.batch = batch;
  o.isl = isl;
  o.osl = osl;
  return ComputeSensitivity(*setup, data, o).value();
}

TEST(Sensitivity, BandwidthBoundDecodeScalesWithHbmBandwidthAndNotWithFlops) {
  // Batch 1, short prompt, long answer, no host overheads: every decode step streams the
  // weights, so throughput follows HBM bandwidth one for one and ignores the peak FLOP/s; TPOT
  // moves the other way.
  const SensitivityReport ideal = Elasticities(1, 128, 2048, false);
  EXPECT_NEAR(*Input(ideal, "HBM bandwidth").throughput, 1.0, 0.02);
  // With the calibrated per-step overhead (fixed time) the elasticity is the memory share of
  // the step: between one half and one for an 8B model on one H100.
  const SensitivityReport r = Elasticities(1, 128, 2048);
  const Sensitivity& hbm = Input(r, "HBM bandwidth");
  ASSERT_TRUE(hbm.throughput && hbm.tpot);
  EXPECT_GT(*hbm.throughput, 0.5);
  EXPECT_LT(*hbm.throughput, *Input(ideal, "HBM bandwidth").throughput);
  EXPECT_NEAR(*hbm.tpot, -*hbm.throughput, 0.05);
  EXPECT_NEAR(*Input(r, "peak FLOP/s (every format)").throughput, 0.0, 0.02);
  // The memory efficiency multiplies the same bandwidth: the same elasticity.
  EXPECT_NEAR(*Input(r, "efficiency: memory").throughput, *hbm.throughput, 1e-6);
  // Rented $/M tokens: exactly proportional to the rental price, inverse to throughput.
  const Sensitivity& rent = Input(r, "rental price");
  ASSERT_TRUE(rent.rented_usd_per_million);
  EXPECT_NEAR(*rent.rented_usd_per_million, 1.0, 1e-9);
  EXPECT_NEAR(*hbm.rented_usd_per_million, -*hbm.throughput, 1e-6);
}

TEST(Sensitivity, LongPrefillIsComputeBound) {
  const SensitivityReport r = Elasticities(8, 8192, 16);
  const Sensitivity& flops = Input(r, "peak FLOP/s (every format)");
  ASSERT_TRUE(flops.ttft);
  EXPECT_LT(*flops.ttft, -0.6);  // TTFT falls nearly as fast as the FLOP/s rise
  EXPECT_GT(*flops.ttft, -1.0 - 1e-9);
}

TEST(Sensitivity, RejectsAStepOutsideZeroToOne) {
  const auto setup =
      BuildSetup(RepoCatalog(), RepoEfficiency(), Options("llama-3.1-8b", "h100-sxm", 1, 1))
          .value();
  const EconomicsData data = EconomicsData::Load(PERFTCO_TEST_DATA_DIR).value();
  SensitivityOptions o;
  o.step = 1.5;
  const auto r = ComputeSensitivity(*setup, data, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("step"), std::string::npos);
}

}  // namespace
}  // namespace perftco
