#include "perftco/plan_scenario.h"

#include <gtest/gtest.h>

#include "perf/test_fixtures.h"

namespace perftco {
namespace {

const Catalog& TheCatalog() { return testing::RepoCatalog(); }
const EfficiencyTable& TheTable() { return testing::RepoEfficiency(); }

YAML::Node Comparison() {
  return YAML::Load(R"(
kind: interactivity-comparison
name: test
model: llama-3.1-70b
isl: 1000
osl: 1000
targets_tok_s_per_user: [20, 60]
systems:
  - {label: H100, hardware: h100-sxm, chips: 8, precision: fp8}
  - {label: H200, hardware: h200-sxm, chips: 8, precision: fp8, compare_to: H100}
)");
}

TEST(InteractivityComparison, EachSystemGetsItsBestLayoutAtEachTarget) {
  auto s = ParseInteractivityComparison(Comparison(), "test.yaml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  auto r = RunInteractivityComparison(TheCatalog(), TheTable(), *s, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->models.size(), 1u);
  const auto& systems = r->models[0].systems;
  ASSERT_EQ(systems.size(), 2u);
  for (const SystemResult& sys : systems) {
    ASSERT_TRUE(sys.search.has_value());
    ASSERT_EQ(sys.at_target.size(), 2u);
    for (size_t t = 0; t < 2; ++t) {
      ASSERT_TRUE(sys.at_target[t].has_value()) << sys.spec.label << " " << sys.misses[t];
      // Meets the target (TPOT within 1 / target, 2% for the mid-context TPOT estimate).
      EXPECT_GE(sys.at_target[t]->point.tokens_per_s_per_user, s->targets[t] * 0.98);
      // And is what the plan search itself ranks best at that target.
      auto best = BestAtTpot(*sys.search, Seconds(1.0 / s->targets[t]));
      ASSERT_TRUE(best.ok());
      EXPECT_EQ(best->layout, sys.at_target[t]->layout);
    }
    // A looser target allows a larger batch: more throughput per chip.
    EXPECT_GT(sys.at_target[0]->point.output_tokens_per_s_per_chip,
              sys.at_target[1]->point.output_tokens_per_s_per_chip);
  }
  // H200: the same compute with 1.4x the bandwidth and 1.8x the memory serves more per chip.
  EXPECT_GT(systems[1].at_target[0]->point.output_tokens_per_s_per_chip,
            systems[0].at_target[0]->point.output_tokens_per_s_per_chip);
  // Fewer H200 chips hold a replica.
  EXPECT_LT(systems[1].smallest_replica, systems[0].smallest_replica);
}

TEST(InteractivityComparison, BadFilesFailWithTheKey) {
  auto error = [](const YAML::Node& n) {
    auto s = ParseInteractivityComparison(n, "f.yaml");
    return s.ok() ? std::string() : s.status().message();
  };
  YAML::Node n = Comparison();
  n["systemz"] = 1;
  EXPECT_NE(error(n).find("did you mean 'systems'"), std::string::npos);
  n = Comparison();
  n["targets_tok_s_per_user"] = YAML::Load("[20, -1]");
  EXPECT_NE(error(n).find("positive"), std::string::npos);
  n = Comparison();
  n["systems"][1]["compare_to"] = "B300";
  EXPECT_NE(error(n).find("compare_to"), std::string::npos);
  n = Comparison();
  n["systems"][0]["chips"] = 0;
  EXPECT_NE(error(n).find("'chips' must be positive"), std::string::npos);
  n = Comparison();
  n["tp"] = 8;  // layouts are searched, not given
  EXPECT_NE(error(n).find("unknown key 'tp'"), std::string::npos);
}

TEST(SmallestSliceScenario, OneRowPerSystemAndPrecision) {
  YAML::Node n = YAML::Load(R"(
kind: smallest-slice
name: test
model: llama-3.1-405b
hardware: [h100-sxm, b200]
precisions: [fp8, fp4]
)");
  auto s = ParseSmallestSlice(TheCatalog(), n, "t.yaml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  auto r = RunSmallestSlice(TheCatalog(), TheTable(), *s);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->rows.size(), 4u);
  for (const SliceRow& row : r->rows) ASSERT_TRUE(row.slice.has_value()) << row.hardware;
  // fp4 needs no more chips than fp8; B200 runs fp4 natively, H100 widens it to fp8.
  EXPECT_LE(r->rows[1].slice->layout.chips_used, r->rows[0].slice->layout.chips_used);
  EXPECT_EQ(r->rows[1].compute, Precision::kFp8);
  EXPECT_EQ(r->rows[3].compute, Precision::kFp4);
  // Every catalog system when the file names none.
  n.remove("hardware");
  auto all = ParseSmallestSlice(TheCatalog(), n, "t.yaml");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->hardware.size(), TheCatalog().hardware().size());
}

}  // namespace
}  // namespace perftco
