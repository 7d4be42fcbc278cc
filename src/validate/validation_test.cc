#include "perftco/validation.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "perf/test_fixtures.h"

namespace perftco {
namespace {

const Catalog& TheCatalog() { return testing::RepoCatalog(); }

// A measured point of `model` on `chips` x `hardware` with the given lengths and metric.
MeasuredPoint Point(const std::string& id, const std::string& hardware, const std::string& model,
                    int chips, int64_t isl, int64_t osl, const std::string& scenario,
                    const std::string& metric, double value) {
  MeasuredPoint p;
  p.id = id;
  p.hardware = hardware;
  p.model = model;
  p.num_chips = chips;
  p.isl = isl;
  p.osl = osl;
  p.scenario = scenario;
  p.metric = metric;
  p.value = value;
  return p;
}

TEST(ErrorStats, HandComputedSummary) {
  // |errors| = 5, 10, 20, 40: median 15, mean 18.75; 2 of 4 within 10%, 3 of 4 within 25%;
  // the 90th percentile sits at rank 0.9 x 3 = 2.7, 70% of the way from 20 to 40.
  const ErrorStats s = ComputeErrorStats({-5.0, 10.0, -20.0, 40.0});
  EXPECT_EQ(s.count, 4);
  EXPECT_DOUBLE_EQ(s.median_abs_pct, 15.0);
  EXPECT_DOUBLE_EQ(s.p90_abs_pct, 34.0);
  EXPECT_DOUBLE_EQ(s.mean_abs_pct, 18.75);
  EXPECT_DOUBLE_EQ(s.median_signed_pct, 2.5);
  EXPECT_DOUBLE_EQ(s.within_10, 0.5);
  EXPECT_DOUBLE_EQ(s.within_25, 0.75);
  EXPECT_EQ(ComputeErrorStats({}).count, 0);
}

TEST(Validation, UnknownHardwareOrModelIsUnmodelledNotAnError) {
  auto measured = ReadMeasuredFile(PERFTCO_TESTDATA_DIR "/measured/minimal.csv");
  ASSERT_TRUE(measured.ok());
  const auto points = PreparePoints(TheCatalog(), *measured);
  const ValidationReport r = Validate(points, testing::RepoEfficiency());
  ASSERT_EQ(r.results.size(), 3u);
  EXPECT_EQ(r.unmodelled, 3);
  EXPECT_NE(r.results[0].reason.find("batch_size"), std::string::npos) << r.results[0].reason;
  EXPECT_NE(r.results[1].reason.find("no-such-chip"), std::string::npos);
  EXPECT_NE(r.results[2].reason.find("no-such-model"), std::string::npos);
}

TEST(Validation, SpeculativePointsReadTheirDraftAndAcceptanceLength) {
  MeasuredPoint p =
      Point("t-spec", "h100-sxm", "llama-3.1-8b", 1, 512, 128, "fixed-batch", "tpot_ms_median", 5);
  p.batch_size = 1;
  MeasuredPoint eagle = p;
  eagle.spec_decoding = "eagle3:k=3";
  eagle.notes = "scenario=EAGLE3 num_speculative_tokens=3; mean acceptance length 3.22; sonnet";
  MeasuredPoint draft = p;
  draft.spec_decoding = "draft-model:llama-3.2-1b";
  MeasuredPoint unknown_draft = p;
  unknown_draft.spec_decoding = "draft-model:no-such-draft";
  MeasuredPoint no_k = p;
  no_k.spec_decoding = "eagle3";
  const auto points = PreparePoints(TheCatalog(), {p, eagle, draft, unknown_draft, no_k});
  ASSERT_TRUE(points[1].unmodelled.empty()) << points[1].unmodelled;
  EXPECT_EQ(points[1].speculative.kind, DraftKind::kEagle);
  EXPECT_EQ(points[1].speculative.tokens, 3);
  EXPECT_NEAR(points[1].speculative.TokensPerStep(), 3.22, 1e-6);
  ASSERT_TRUE(points[2].unmodelled.empty()) << points[2].unmodelled;
  EXPECT_EQ(points[2].speculative.kind, DraftKind::kDraftModel);
  EXPECT_EQ(points[2].speculative.draft_model->name, "llama-3.2-1b");
  EXPECT_DOUBLE_EQ(points[2].speculative.acceptance,
                   TheCatalog().DraftAcceptance("draft-model")->front());
  EXPECT_NE(points[3].unmodelled.find("no-such-draft"), std::string::npos) << points[3].unmodelled;
  // A method without k drafts the engine's default number of tokens.
  ASSERT_TRUE(points[4].unmodelled.empty()) << points[4].unmodelled;
  EXPECT_EQ(points[4].speculative.tokens, points[4].engine.eagle_tokens);
  // Speculation shortens the predicted TPOT of a batch-1 decode.
  Efficiency e;
  EXPECT_LT(*PredictPoint(points[1], e), 0.6 * *PredictPoint(points[0], e));
  EXPECT_LT(*PredictPoint(points[2], e), *PredictPoint(points[0], e));
}

TEST(Validation, PredictsAFixedBatchPointFromTheEstimate) {
  MeasuredPoint p =
      Point("t-1", "h100-sxm", "llama-3.1-8b", 1, 128, 128, "fixed-batch", "tpot_ms_median", 10);
  p.batch_size = 1;
  const auto points = PreparePoints(TheCatalog(), {p});
  ASSERT_TRUE(points[0].unmodelled.empty()) << points[0].unmodelled;
  Efficiency e;
  auto pred = PredictPoint(points[0], e);
  ASSERT_TRUE(pred.ok()) << pred.status().message();
  // Batch-1 decode of a 16 GB model at 3.35 TB/s x memory efficiency, plus overheads: 5-10 ms.
  EXPECT_GT(*pred, 16.06e9 / 3.35e12 / e.memory * 1e3);
  EXPECT_LT(*pred, 10.0);
}

// The guard: the throughput error on the calibration set may not get worse than the committed
// baseline by more than one percentage point (data/calibration/baseline.yaml).
TEST(Validation, ThroughputErrorStaysWithinTheCommittedBaseline) {
  auto measured = ReadMeasured(std::string(PERFTCO_TEST_DATA_DIR) + "/measured");
  ASSERT_TRUE(measured.ok());
  const auto points = PreparePoints(TheCatalog(), *measured);
  const ValidationReport r = Validate(points, testing::RepoEfficiency());
  const YAML::Node baseline =
      YAML::LoadFile(std::string(PERFTCO_TEST_DATA_DIR) + "/calibration/baseline.yaml");
  const double allowed = baseline["throughput_median_abs_pct_error"].as<double>() + 1.0;
  EXPECT_LE(r.throughput.median_abs_pct, allowed)
      << "throughput median |error| " << r.throughput.median_abs_pct << "% vs baseline "
      << allowed - 1.0 << "%: the model got worse (or update the baseline with a reason)";
  EXPECT_GE(r.throughput.count, baseline["throughput_points"].as<int>());
}

}  // namespace
}  // namespace perftco

namespace perftco {
namespace {

// Every configuration kind of issue 12 is modelled from a file using each new column, and what
// the rows leave out is chosen and listed.
TEST(Validation, EveryNewColumnAndConfigurationKindIsModelled) {
  auto measured = ReadMeasuredFile(PERFTCO_TESTDATA_DIR "/measured/new_columns.csv");
  ASSERT_TRUE(measured.ok()) << measured.status().message();
  auto table = EfficiencyTable::Load(PERFTCO_TEST_DATA_DIR);
  auto limits = LatencyLimitTable::Load(PERFTCO_TEST_DATA_DIR);
  ASSERT_TRUE(table.ok() && limits.ok());
  PrepareOptions o;
  o.efficiency = &*table;
  o.latency_limits = &*limits;
  const auto points = PreparePoints(TheCatalog(), *measured, o);
  std::map<std::string, const PreparedPoint*> by_id;
  for (const auto& pp : points) by_id[pp.point.id] = &pp;
  const ValidationReport r = Validate(points, *table);
  EXPECT_EQ(r.unmodelled, 0);
  for (const auto& res : r.results) {
    EXPECT_TRUE(res.modelled) << res.prepared->point.id << ": " << res.reason;
    EXPECT_GT(res.predicted, 0) << res.prepared->point.id;
  }
  auto assumed = [&](const std::string& id) {
    std::string all;
    for (const auto& a : by_id.at(id)->assumed) all += a + "; ";
    return all;
  };
  // Pools: 2 x tp4 prefill beside 1 x tp8 decode; chips alone give one worker each.
  const PreparedPoint& d = *by_id.at("n-disagg");
  EXPECT_EQ(d.plan.tp, 4);
  EXPECT_EQ(d.plan.replicas, 2);
  ASSERT_TRUE(d.decode_plan.has_value());
  EXPECT_EQ(d.decode_plan->tp, 8);
  EXPECT_DOUBLE_EQ(d.limits.ttft_p99.value(), 2.0);
  EXPECT_NE(assumed("n-disagg-chips").find("decode pool: one worker of tp4"), std::string::npos);
  // Limits from the benchmark's rules when the row gives none.
  EXPECT_DOUBLE_EQ(by_id.at("n-interactive")->limits.tpot_p99.value(), 0.04);
  EXPECT_NE(assumed("n-interactive").find("MLPerf"), std::string::npos);
  // MTP with the engine's drafted tokens, at DeepSeek's native fp8.
  const PreparedPoint& mtp = *by_id.at("n-mtp");
  EXPECT_EQ(mtp.speculative.kind, DraftKind::kMtp);
  EXPECT_EQ(mtp.speculative.tokens, mtp.engine.mtp_tokens);
  EXPECT_EQ(mtp.precisions.weights, Precision::kFp8);
  // Wide TP inside an NVL72 rack; the tuned layout uses every chip.
  EXPECT_EQ(by_id.at("n-widetp")->plan.tp, 16);
  EXPECT_EQ(by_id.at("n-tuned")->plan.Chips(), 8);
  EXPECT_NE(assumed("n-tuned").find("(plan search)"), std::string::npos);
  // A min-latency deployment is one request in flight, on the lowest-latency layout.
  EXPECT_EQ(by_id.at("n-minlat")->point.concurrency.value_or(0), 1);
  EXPECT_EQ(by_id.at("n-minlat")->speculative.tokens, 3);
  EXPECT_NE(assumed("n-minlat").find("(plan search)"), std::string::npos);
}

TEST(Validation, DisaggregatedRowsWithoutPoolsOrWithPoolsThatDoNotAddUpAreUnmodelled) {
  MeasuredPoint p = Point("d", "h100-sxm", "llama-3.1-70b", 16, 1024, 256, "offline",
                          "output_tok_s_per_chip", 100);
  p.weight_precision = "fp8";
  p.disagg = true;
  MeasuredPoint no_pools = p;
  MeasuredPoint too_few = p;
  too_few.prefill.workers = 1;
  too_few.prefill.tp = 4;
  too_few.decode.workers = 1;
  too_few.decode.tp = 4;
  const auto points = PreparePoints(TheCatalog(), {no_pools, too_few});
  EXPECT_NE(points[0].unmodelled.find("without its prefill pool"), std::string::npos)
      << points[0].unmodelled;
  EXPECT_NE(points[1].unmodelled.find("4 + 4 chips, not num_chips 16"), std::string::npos)
      << points[1].unmodelled;
}

}  // namespace
}  // namespace perftco
