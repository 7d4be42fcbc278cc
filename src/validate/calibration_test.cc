#include "perftco/calibration.h"

#include <gtest/gtest.h>

#include "perf/test_fixtures.h"

namespace perftco {
namespace {

const Catalog& TheCatalog() { return testing::RepoCatalog(); }

// Points whose "measurements" are the model's own predictions under known parameters: the fit,
// started from different priors, must find those parameters again.
TEST(Calibration, RecoversKnownParametersFromSyntheticData) {
  Efficiency truth;
  truth.gemm_compute = 0.55;
  truth.memory = 0.72;
  truth.step_overhead = Milliseconds(4.0);
  std::vector<MeasuredPoint> measured;
  int id = 0;
  for (const char* model : {"llama-3.1-8b", "llama-3.1-70b"}) {
    for (int64_t batch : {1, 16, 128, 512}) {
      for (auto [isl, osl] : {std::pair<int64_t, int64_t>{128, 128}, {2048, 128}, {128, 1024}}) {
        MeasuredPoint p;
        p.id = "syn-" + std::to_string(++id);
        p.hardware = "h100-sxm";
        p.model = model;
        p.num_chips = std::string(model) == "llama-3.1-8b" ? 1 : 4;
        p.isl = isl;
        p.osl = osl;
        p.batch_size = batch;
        p.scenario = "fixed-batch";
        p.metric = "output_tok_s_per_chip";
        p.weight_precision = "bf16";
        measured.push_back(p);
      }
    }
  }
  std::vector<PreparedPoint> points = PreparePoints(TheCatalog(), measured);
  for (auto& p : points) {
    ASSERT_TRUE(p.unmodelled.empty()) << p.unmodelled;
    p.point.value = PredictPoint(p, truth).value();
  }
  std::vector<const PreparedPoint*> ptrs;
  for (const auto& p : points) ptrs.push_back(&p);
  Efficiency prior;  // defaults: gemm 0.7, memory 0.8, overhead 2 ms
  CalibrationOptions options;
  options.prior_weight = 0.0;
  options.max_evaluations = 400;
  const Efficiency fit =
      FitFamily(ptrs, prior, {"gemm_compute", "memory", "step_overhead_ms"}, options);
  EXPECT_NEAR(fit.gemm_compute, 0.55, 0.02);
  EXPECT_NEAR(fit.memory, 0.72, 0.02);
  EXPECT_NEAR(fit.step_overhead.value() * 1e3, 4.0, 0.2);
}

TEST(Calibration, CrossValidationHoldsOutWholeConfigurations) {
  // Two configurations; with 2 folds each fold's fit never sees the held-out configuration, so
  // the cross-validated error is reported separately from the in-sample one.
  const std::string kSmall = "llama-3.1-8b", kLarge = "llama-3.1-70b";
  std::vector<MeasuredPoint> measured;
  for (int i = 0; i < 6; ++i) {
    MeasuredPoint p;
    p.id = "cv-" + std::to_string(i);
    p.source = "s";
    p.hardware = "h100-sxm";
    if (i < 3) {
      p.model = kSmall;
    } else {
      p.model = kLarge;
    }
    p.num_chips = i < 3 ? 1 : 8;
    p.isl = 128;
    p.osl = 128;
    p.batch_size = 8 << i;
    p.scenario = "fixed-batch";
    p.metric = "output_tok_s_per_chip";
    p.value = 1000.0 * (i + 1);
    measured.push_back(p);
  }
  const auto points = PreparePoints(TheCatalog(), measured);
  CalibrationOptions options;
  options.folds = 2;
  options.max_evaluations = 40;
  const CalibrationResult r =
      Calibrate(points, EfficiencyTable::LoadPriors(PERFTCO_TEST_DATA_DIR).value(), options);
  ASSERT_EQ(r.families.size(), 1u);
  EXPECT_EQ(r.families[0].configs, 2);
  EXPECT_EQ(r.families[0].points, 6);
  EXPECT_EQ(r.cv_overall.count, 6);
}

}  // namespace
}  // namespace perftco
