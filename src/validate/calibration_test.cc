#include "perftco/calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

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

// A chip and the weight format of its rows.
struct ChipRows {
  std::string chip;
  std::string precision = "bf16";
};

// Single-chip points on `chips` x `models` x `sources` (each triple one configuration), decode-
// and prefill-heavy, "measured" as the model's own predictions under truth(hardware).
std::vector<PreparedPoint> SyntheticPoints(const std::vector<ChipRows>& chips,
                                           const std::vector<std::string>& models,
                                           const std::vector<std::string>& sources,
                                           const std::function<Efficiency(std::string)>& truth) {
  std::vector<MeasuredPoint> measured;
  for (const auto& [chip, precision] : chips) {
    for (const auto& model : models) {
      for (const auto& source : sources) {
        for (int64_t batch : {1, 16}) {
          for (auto [isl, osl] : {std::pair<int64_t, int64_t>{128, 1024}, {2048, 128}}) {
            MeasuredPoint p;
            p.id = chip + "-" + model + "-" + source + "-" + std::to_string(batch) + "-" +
                   std::to_string(isl);
            p.source = source;
            p.hardware = chip;
            p.model = model;
            p.num_chips = 1;
            p.isl = isl;
            p.osl = osl;
            p.batch_size = batch;
            p.scenario = "fixed-batch";
            p.metric = "output_tok_s_per_chip";
            p.weight_precision = precision;
            measured.push_back(p);
          }
        }
      }
    }
  }
  std::vector<PreparedPoint> points = PreparePoints(TheCatalog(), measured);
  for (auto& p : points) p.point.value = PredictPoint(p, truth(p.point.hardware)).value();
  return points;
}

const HeldOutGroup& GroupNamed(const HoldoutResult& r, const std::string& name) {
  for (const auto& g : r.groups) {
    if (g.name == name) return g;
  }
  ADD_FAILURE() << "no held-out group " << name;
  static const HeldOutGroup kNone;
  return kNone;
}

// Mean |error| % of a scheme's held-out predictions on one chip's rows.
double MeanAbsErrorOn(const HoldoutResult& r, const std::string& chip) {
  double sum = 0;
  int n = 0;
  for (const auto& p : r.predictions) {
    if (p.point->point.hardware != chip) continue;
    sum += std::fabs(p.predicted / p.point->point.value - 1.0) * 100.0;
    ++n;
  }
  return n ? sum / n : 0.0;
}

TEST(Calibration, LeaveOneHardwareOutExposesAChipUnlikeItsFamily) {
  // Three Hopper chips; only gh200 runs fp8, and its fp8 matrix products reach 0.4 of the prior's
  // efficiency. K-fold learns that from gh200's other configurations; leave-one-hardware-out
  // predicts gh200 from h100 and h200 alone, whose bf16 rows say nothing about fp8, so it keeps
  // the prior: a larger error on gh200, which is its worst group.
  const auto priors = EfficiencyTable::LoadPriors(PERFTCO_TEST_DATA_DIR).value();
  const auto points =
      SyntheticPoints({{"h100-sxm"}, {"h200-sxm"}, {"gh200", "fp8"}},
                      {"llama-3.1-8b", "mistral-7b"}, {"s1", "s2"}, [&](const std::string& chip) {
                        Efficiency e = priors.For("hopper");
                        if (chip == "gh200") e.gemm_compute_fp8 *= 0.4;
                        return e;
                      });
  CalibrationOptions options;
  options.holdouts = {Holdout::kKFold, Holdout::kHardware};
  options.max_evaluations = 80;
  const CalibrationResult r = Calibrate(points, priors, options);
  const HoldoutResult* kfold = r.Find(Holdout::kKFold);
  const HoldoutResult* loho = r.Find(Holdout::kHardware);
  ASSERT_NE(kfold, nullptr);
  ASSERT_NE(loho, nullptr);
  EXPECT_EQ(r.Find(Holdout::kModel), nullptr);
  EXPECT_EQ(kfold->all.count, 48);
  EXPECT_EQ(loho->all.count, 48);
  EXPECT_EQ(loho->predictions.size(), 48u);
  EXPECT_EQ(loho->groups.size(), 3u);
  EXPECT_EQ(loho->fits, 3);
  EXPECT_EQ(loho->GroupsFromPriors(), 0);
  EXPECT_GT(MeanAbsErrorOn(*loho, "gh200"), MeanAbsErrorOn(*kfold, "gh200") + 8.0);
  // A third of the rows, so it shows in the tail, not in the median.
  EXPECT_GT(loho->all.p90_abs_pct, kfold->all.p90_abs_pct + 3.0);
  EXPECT_EQ(loho->groups.front().name, "gh200");
  // The chips that agree with each other are predicted well either way.
  EXPECT_LT(MeanAbsErrorOn(*loho, "h100-sxm"), 2.0);
  EXPECT_LT(MeanAbsErrorOn(*kfold, "h100-sxm"), 2.0);
}

// Each held-out prediction of `r`, by point id.
std::map<std::string, double> PredictionsById(const HoldoutResult& r) {
  std::map<std::string, double> out;
  for (const auto& p : r.predictions) out[p.point->point.id] = p.predicted;
  return out;
}

TEST(Calibration, HeldOutRowsNeverInfluenceTheirPrediction) {
  // Changing the measured values of one group leaves its held-out predictions exactly as they
  // were; the other group's predictions move, because their fit saw the changed rows.
  const auto truth = [](const std::string& chip) {
    Efficiency e;
    e.memory = chip == "h200-sxm" ? 0.7 : 0.8;
    return e;
  };
  const std::vector<ChipRows> chips = {{"h100-sxm"}, {"h200-sxm"}};
  const std::vector<std::string> models = {"llama-3.1-8b", "mistral-7b"};
  const auto priors = EfficiencyTable::LoadPriors(PERFTCO_TEST_DATA_DIR).value();
  CalibrationOptions options;
  options.holdouts = {Holdout::kHardware, Holdout::kModel};
  options.max_evaluations = 60;
  const auto base = SyntheticPoints(chips, models, {"s1"}, truth);
  const CalibrationResult before = Calibrate(base, priors, options);
  struct Case {
    Holdout scheme;
    std::string chip, model;  // the rows scaled: the held-out group
  };
  for (const Case& c :
       {Case{Holdout::kHardware, "h200-sxm", ""}, Case{Holdout::kModel, "", "mistral-7b"}}) {
    SCOPED_TRACE(HoldoutName(c.scheme));
    // The measured values of one chip's or one model's rows, scaled by 1.3.
    auto scaled = base;
    for (auto& p : scaled) {
      if (p.point.hardware == c.chip || p.point.model == c.model) p.point.value *= 1.3;
    }
    const CalibrationResult after = Calibrate(scaled, priors, options);
    const auto was = PredictionsById(*before.Find(c.scheme));
    const auto now = PredictionsById(*after.Find(c.scheme));
    ASSERT_EQ(was.size(), base.size());
    ASSERT_EQ(now.size(), base.size());
    int moved = 0;
    for (const auto& p : base) {
      const bool held = p.point.hardware == c.chip || p.point.model == c.model;
      if (held) {
        EXPECT_EQ(now.at(p.point.id), was.at(p.point.id)) << p.point.id;
      } else {
        moved += std::fabs(now.at(p.point.id) / was.at(p.point.id) - 1.0) > 0.01;
      }
    }
    EXPECT_EQ(moved, 8);  // every row of the other group
  }
}

TEST(Calibration, ALoneChipIsPredictedFromItsFamilysPriors) {
  // l40s is the only Ada chip: leaving it out leaves its family nothing to fit, so its rows are
  // predicted with the priors and counted as such; leaving out its source does the same to all.
  const auto points = SyntheticPoints({{"h100-sxm"}, {"h200-sxm"}, {"l40s"}}, {"llama-3.1-8b"},
                                      {"s1"}, [](const std::string&) { return Efficiency{}; });
  CalibrationOptions options;
  options.holdouts = {Holdout::kHardware, Holdout::kSource};
  options.max_evaluations = 40;
  const auto priors = EfficiencyTable::LoadPriors(PERFTCO_TEST_DATA_DIR).value();
  const CalibrationResult r = Calibrate(points, priors, options);
  const HoldoutResult& loho = *r.Find(Holdout::kHardware);
  const HeldOutGroup& l40s = GroupNamed(loho, "l40s");
  EXPECT_EQ(l40s.points_from_priors, 4);
  EXPECT_EQ(loho.GroupsFromPriors(), 1);
  EXPECT_EQ(loho.points_from_priors, 4);
  EXPECT_EQ(loho.fits, 2);
  const FamilyFit& ada = r.families.front();
  ASSERT_EQ(ada.family, "ada");
  EXPECT_DOUBLE_EQ(l40s.error.median_abs_pct, ada.prior_error.median_abs_pct);
  const HoldoutResult& loso = *r.Find(Holdout::kSource);
  EXPECT_EQ(loso.points_from_priors, 12);
  EXPECT_EQ(loso.fits, 0);
  EXPECT_DOUBLE_EQ(loso.all.median_abs_pct, r.prior_overall.median_abs_pct);
}

TEST(ErrorBands, BandOfIsTheTenthAndNinetiethPercentile) {
  // Eleven ratios 1..11: the 10th percentile sits at order statistic 1 (value 2), the 90th at 9
  // (value 10), interpolating linearly between order statistics.
  std::vector<double> ratios;
  for (int i = 11; i >= 1; --i) ratios.push_back(i);
  const ErrorBand b = BandOf(ratios);
  EXPECT_DOUBLE_EQ(b.low, 2.0);
  EXPECT_DOUBLE_EQ(b.high, 10.0);
  EXPECT_EQ(b.points, 11);
  EXPECT_FALSE(BandOf({}).known());
}

TEST(ErrorBands, CalibrationWritesBandsThatTheTableReadsBack) {
  // Rows "measured" at a memory efficiency of 0.6 (0.5 on l40s): the k-fold predictions give
  // hopper ranges; l40s alone in ada is predicted from priors under leave-one-hardware-out
  // and gives the range for families without a fit.
  const auto points = SyntheticPoints({{"h100-sxm"}, {"h200-sxm"}, {"l40s"}}, {"llama-3.1-8b"},
                                      {"s1", "s2", "s3"}, [](const std::string& hw) {
                                        Efficiency e;
                                        e.memory = hw == "l40s" ? 0.5 : 0.6;
                                        return e;
                                      });
  CalibrationOptions options;
  options.folds = 2;
  options.holdouts = {Holdout::kKFold, Holdout::kHardware};
  options.max_evaluations = 40;
  const auto priors = EfficiencyTable::LoadPriors(PERFTCO_TEST_DATA_DIR).value();
  const CalibrationResult r = Calibrate(points, priors, options);
  ASSERT_TRUE(r.bands.count("hopper"));
  const ErrorBands& hopper = r.bands.at("hopper");
  EXPECT_TRUE(hopper.throughput.known());
  EXPECT_LE(hopper.throughput.low, hopper.throughput.high);
  EXPECT_TRUE(r.unfitted_bands.throughput.known());
  EXPECT_NE(r.unfitted_bands.basis.find("priors"), std::string::npos);
  EXPECT_GT(r.band_coverage_points, 0);
  EXPECT_GE(r.band_coverage, 0.0);
  EXPECT_LE(r.band_coverage, 1.0);

  // fitted.yaml round trip: the table serves the family's bands, and the unfitted ones for a
  // family the fit never saw.
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "perftco-bands-test" / "calibration";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(std::string(PERFTCO_TEST_DATA_DIR) + "/calibration/priors.yaml",
                             dir / "priors.yaml",
                             std::filesystem::copy_options::overwrite_existing);
  std::ofstream(dir / "fitted.yaml") << FittedYaml(r, "2026-12-07", "test");
  const auto table = EfficiencyTable::Load(dir.parent_path().string());
  ASSERT_TRUE(table.ok()) << table.status().message();
  const ErrorBands& read = table->BandsFor("hopper");
  EXPECT_NEAR(read.throughput.low / hopper.throughput.low, 1.0, 1e-5);
  EXPECT_NEAR(read.throughput.high / hopper.throughput.high, 1.0, 1e-5);
  EXPECT_EQ(read.throughput.points, hopper.throughput.points);
  EXPECT_EQ(table->BandsFor("cdna4").basis, r.unfitted_bands.basis);

  // A malformed band is an error that names it.
  std::ofstream(dir / "fitted.yaml")
      << "families:\n  hopper:\n    interval_80:\n      throughput: [1.2, 0.8, 10]\n";
  const auto bad = EfficiencyTable::Load(dir.parent_path().string());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("interval_80"), std::string::npos);
  std::filesystem::remove_all(dir.parent_path());
}

TEST(Calibration, HoldoutListsParseByName) {
  EXPECT_EQ(ParseHoldouts("kfold,model").value(),
            (std::vector<Holdout>{Holdout::kKFold, Holdout::kModel}));
  EXPECT_EQ(ParseHoldouts("all").value().size(), 4u);
  const auto bad = ParseHoldouts("kfold,chip");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'chip'"), std::string::npos);
  EXPECT_EQ(HoldoutTitle(Holdout::kHardware, 5), "leave-one-hardware-out");
  EXPECT_EQ(HoldoutTitle(Holdout::kKFold, 5), "5-fold by configuration");
}

}  // namespace
}  // namespace perftco
