#include "perftco/sweep.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "perf/test_fixtures.h"

namespace perftco {
namespace {

using testing::RepoCatalog;
using testing::RepoEfficiency;

const EconomicsData& Data() {
  static const EconomicsData* d =
      new EconomicsData(EconomicsData::Load(PERFTCO_TEST_DATA_DIR).value());
  return *d;
}

SweepSpec Parse(const std::string& text, bool force = false) {
  return ParseSweep(YAML::Load(text), "test.yaml", force).value();
}

std::string Error(const std::string& text) {
  auto r = ParseSweep(YAML::Load(text), "test.yaml");
  return r.ok() ? std::string() : r.status().message();
}

constexpr const char* kGrid = R"(
kind: sweep
name: t
base: {model: llama-3.1-8b, isl: 512, osl: 256}
grid:
  hardware: [h100-sxm, l40s]
  batch: [1, 8, 64]
list:
  - {precision: bf16}
  - {precision: fp8}
)";

TEST(Sweep, GridTimesListWithTheLastAxisFastest) {
  const SweepSpec s = Parse(kGrid);
  EXPECT_EQ(s.points, 12u);
  EXPECT_EQ(s.columns, (std::vector<std::string>{"hardware", "batch", "precision"}));
  // index = combination x list entries + entry; combinations run batch fastest.
  const YAML::Node p = SweepPoint(s, 7);  // combination 3 (l40s, batch 1), entry 1 (fp8)
  EXPECT_EQ(p["hardware"].as<std::string>(), "l40s");
  EXPECT_EQ(p["batch"].as<int>(), 1);
  EXPECT_EQ(p["precision"].as<std::string>(), "fp8");
  EXPECT_EQ(p["model"].as<std::string>(), "llama-3.1-8b");
}

TEST(Sweep, RowsDoNotDependOnThreadsOrOnWhatWasAlreadyDone) {
  const SweepSpec s = Parse(kGrid);
  const auto one = RunSweep(RepoCatalog(), RepoEfficiency(), Data(), s, 1, {}, nullptr);
  const auto two = RunSweep(RepoCatalog(), RepoEfficiency(), Data(), s, 2, {}, nullptr);
  const std::string a = SweepCsv(s, one, "tok_s_per_user,tok_s_per_chip").value();
  EXPECT_EQ(a, SweepCsv(s, two, "tok_s_per_user,tok_s_per_chip").value());
  // Resume: the first five rows given as done, the rest evaluated; the same file.
  std::vector<SweepRow> done(one.begin(), one.begin() + 5);
  int evaluated = 0;
  const auto resumed = RunSweep(RepoCatalog(), RepoEfficiency(), Data(), s, 2, done,
                                [&](const SweepRow&) { ++evaluated; });
  EXPECT_EQ(evaluated, 7);
  EXPECT_EQ(a, SweepCsv(s, resumed, "tok_s_per_user,tok_s_per_chip").value());
  // Served points carry their numbers; more throughput per chip at a larger batch.
  ASSERT_TRUE(one[0].ok && one[4].ok);
  const size_t chip_col = s.columns.size() + 6;
  EXPECT_LT(std::stod(one[0].cells[chip_col]), std::stod(one[4].cells[chip_col]));
}

TEST(Sweep, APointThatCannotBeServedIsARowWithItsReason) {
  const SweepSpec s = Parse(R"(
kind: sweep
name: t
base: {hardware: l40s, isl: 1000, osl: 1000}
grid: {model: [llama-3.1-8b, llama-3.1-405b]}
)");
  const auto rows = RunSweep(RepoCatalog(), RepoEfficiency(), Data(), s, 1, {}, nullptr);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].ok);
  EXPECT_FALSE(rows[1].ok);
  EXPECT_EQ(rows[1].cells[1].rfind("error: ", 0), 0u);
  EXPECT_EQ(rows[1].cells.size(), rows[0].cells.size());
}

TEST(Sweep, SimulatePointsRunTheServingSimulation) {
  const SweepSpec s = Parse(R"(
kind: sweep
name: t
mode: simulate
base: {model: llama-3.1-8b, hardware: h100-sxm, requests: 200, input_len: "fixed:1000",
       output_len: "fixed:200"}
grid: {rate: [2, 32]}
)");
  const auto one = RunSweep(RepoCatalog(), RepoEfficiency(), Data(), s, 1, {}, nullptr);
  const auto two = RunSweep(RepoCatalog(), RepoEfficiency(), Data(), s, 2, {}, nullptr);
  EXPECT_EQ(SweepCsv(s, one, "").value(), SweepCsv(s, two, "").value());
  ASSERT_TRUE(one[0].ok && one[1].ok) << one[0].cells[1];
  const auto cell = [&](const SweepRow& r, const char* name) {
    const auto& rc = SweepResultColumns(SweepMode::kSimulate);
    return std::stod(
        r.cells[s.columns.size() + (std::find(rc.begin(), rc.end(), name) - rc.begin())]);
  };
  EXPECT_GT(cell(one[1], "req_s"), cell(one[0], "req_s"));  // more load, more served
  for (const auto& r : one) EXPECT_GE(cell(r, "ttft_p99_ms"), cell(r, "ttft_p50_ms"));
  // Estimate-only fields are not simulate fields.
  EXPECT_NE(Error("kind: sweep\nname: t\nmode: simulate\ngrid: {batch: [1]}\n").find("batch"),
            std::string::npos);
  EXPECT_NE(Error("kind: sweep\nname: t\nmode: plan\ngrid: {batch: [1]}\n").find("mode"),
            std::string::npos);
}

TEST(Sweep, ParetoMarksTheNonDominatedRows) {
  // Hand-made rows: (x, y) = (1, 5), (2, 4), (1.5, 3) dominated by (2, 4), (3, 1).
  SweepSpec s;
  s.columns = {};
  std::vector<SweepRow> rows;
  const double xy[4][2] = {{1, 5}, {2, 4}, {1.5, 3}, {3, 1}};
  for (int i = 0; i < 4; ++i) {
    SweepRow r;
    r.index = i;
    r.ok = true;
    r.cells = {"ok", "tp1", "1", "0", "0", std::to_string(xy[i][0]), std::to_string(xy[i][1]),
               "",   ""};
    rows.push_back(r);
  }
  const std::string csv = SweepCsv(s, rows, "tok_s_per_user,tok_s_per_chip").value();
  EXPECT_NE(csv.find("0,ok,tp1,1,0,0,1.000000,5.000000,,,1\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("2,ok,tp1,1,0,0,1.500000,3.000000,,,0\n"), std::string::npos);
  EXPECT_NE(csv.find("3,ok,tp1,1,0,0,3.000000,1.000000,,,1\n"), std::string::npos);
  // Maximising x and minimising y: (3, 1) beats every other row on both.
  const std::string min = SweepCsv(s, rows, "tok_s_per_user,-tok_s_per_chip").value();
  EXPECT_NE(min.find("3,ok,tp1,1,0,0,3.000000,1.000000,,,1\n"), std::string::npos);
  EXPECT_NE(min.find("0,ok,tp1,1,0,0,1.000000,5.000000,,,0\n"), std::string::npos);
  EXPECT_FALSE(SweepCsv(s, rows, "plan,batch").ok());
  EXPECT_FALSE(SweepCsv(s, rows, "batch").ok());
}

TEST(Sweep, BadFilesFailWithOneLineNamingTheProblem) {
  EXPECT_NE(Error("kind: sweep\nname: t\ngrid: {hardwre: [h100-sxm]}\n").find("hardware"),
            std::string::npos);
  EXPECT_NE(Error("kind: sweep\nname: t\ngrid: {batch: []}\n").find("at least one value"),
            std::string::npos);
  EXPECT_NE(Error("kind: sweep\nname: t\nbase: {model: x}\n").find("needs a 'grid'"),
            std::string::npos);
  // 100 x 100 x 100 x 100 x 11 = 1.1e9 points: refused without force.
  std::string big = "kind: sweep\nname: t\ngrid:\n";
  for (const char* k : {"isl", "osl", "batch", "tpot_slo_ms"}) {
    big += std::string("  ") + k + ": [";
    for (int i = 1; i <= 100; ++i) big += std::to_string(i) + (i < 100 ? "," : "]\n");
  }
  big += "  chips: [1,2,3,4,5,6,7,8,9,10,11]\n";
  EXPECT_NE(Error(big).find("--force"), std::string::npos);
  EXPECT_EQ(Parse(big, true).points, 1'100'000'000u);
}

}  // namespace
}  // namespace perftco
