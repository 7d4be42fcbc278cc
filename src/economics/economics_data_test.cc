#include "perftco/economics_data.h"

#include <gtest/gtest.h>

#include "perf/test_fixtures.h"
#include "perftco/catalog.h"
#include "perftco/tco.h"

namespace perftco {
namespace {

const Catalog& Hardware() { return testing::RepoCatalog(); }

const EconomicsData& Data() {
  static const EconomicsData* d = [] {
    auto r = EconomicsData::Load(PERFTCO_TEST_DATA_DIR);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return new EconomicsData(std::move(r).value());
  }();
  return *d;
}

bool Sourced(const std::optional<SourcedNumber>& s) {
  return s && s->value > 0 && !s->source.empty();
}

TEST(EconomicsCatalog, EveryHardwareHasPricePowerAndSourceOrAnExplicitUnknown) {
  for (const auto& hw : Hardware().hardware()) {
    const HardwarePrices* p = Data().prices.Find(hw.name);
    ASSERT_NE(p, nullptr) << "no data/prices/" << hw.name << ".yaml";
    const bool purchase = (Sourced(p->system_usd) && p->system_chips > 0) || Sourced(p->chip_usd);
    EXPECT_TRUE(purchase || !p->purchase_unknown.empty()) << hw.name;
    EXPECT_TRUE(Sourced(p->rental_usd_per_chip_hour) || !p->rental_unknown.empty()) << hw.name;
    const bool power = (Sourced(p->system_kw) && p->power_chips > 0) ||
                       (Sourced(p->chip_to_system_factor) && hw.tdp.value() > 0);
    EXPECT_TRUE(power || !p->power_unknown.empty()) << hw.name;
    // What the tools print: a number with its basis, or the reason it is missing.
    auto chip = EvaluateChip(hw, Data(), EconomicsOptions());
    ASSERT_TRUE(chip.ok()) << chip.status().message();
    EXPECT_EQ(static_cast<bool>(chip->server_capex), purchase) << hw.name;
    EXPECT_EQ(static_cast<bool>(chip->it_power), power) << hw.name;
    EXPECT_EQ(static_cast<bool>(chip->owned_per_hour), purchase && power) << hw.name;
    size_t expected_missing =
        (purchase ? 0 : 1) + (power ? 0 : 1) + (Sourced(p->rental_usd_per_chip_hour) ? 0 : 1);
    EXPECT_EQ(chip->missing.size(), expected_missing) << hw.name;
  }
  // No price file for hardware the catalog does not know.
  for (const auto& p : Data().prices.entries()) {
    EXPECT_TRUE(Hardware().FindHardware(p.hardware).ok()) << p.file;
  }
}

TEST(EconomicsCatalog, Trainium2PurchaseIsAnExplicitUnknown) {
  const HardwarePrices* p = Data().prices.Find("trn2");
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->system_usd || p->chip_usd);
  EXPECT_NE(p->purchase_unknown.find("rental only"), std::string::npos);
  auto chip = EvaluateChip(Hardware().FindHardware("trn2").value(), Data(), EconomicsOptions());
  ASSERT_TRUE(chip.ok());
  EXPECT_FALSE(chip->owned_per_hour);
  ASSERT_FALSE(chip->missing.empty());
  EXPECT_EQ(chip->missing[0].rfind("purchase price:", 0), 0u);
  // A user-supplied price makes it known.
  EconomicsOptions o;
  o.all_chips.chip_price_usd = 5000;
  chip = EvaluateChip(Hardware().FindHardware("trn2").value(), Data(), o);
  ASSERT_TRUE(chip.ok());
  EXPECT_TRUE(chip->owned_per_hour);
}

TEST(EconomicsCatalog, AssumptionsAndCpuServersCarrySources) {
  for (const auto& key : AssumptionKeys()) {
    const auto it = Data().assumptions.sources.find(key.name);
    ASSERT_NE(it, Data().assumptions.sources.end()) << key.name;
    EXPECT_FALSE(it->second.source.empty()) << key.name;
    EXPECT_TRUE(ValidateAssumption(key, key.get(Data().assumptions)).ok()) << key.name;
  }
  EXPECT_GE(Data().assumptions.pue, 1.0);
  ASSERT_FALSE(Data().cpu_servers.empty());
  for (const auto& s : Data().cpu_servers) {
    EXPECT_GT(s.cores, 0) << s.name;
    EXPECT_GT(s.power.value(), 0) << s.name;
    EXPECT_TRUE(s.per_core_perf || !s.per_core_unknown.empty()) << s.name;
    EXPECT_FALSE(s.sources.at("cores").empty()) << s.name;
  }
  EXPECT_TRUE(Data().FindCpuServer("XEON-E5-2690V3-2P").ok());
  auto bad = Data().FindCpuServer("epyc-7743-2p");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("epyc-7742-2p"), std::string::npos);
}

TEST(EconomicsCatalog, MalformedPriceFilesNameTheFileAndField) {
  auto r = PriceCatalog::Load(PERFTCO_TESTDATA_DIR "/bad_prices");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("negative.yaml: field 'purchase.chip_usd.value' must be "
                                      "positive"),
            std::string::npos)
      << r.status().message();
}

// Every catalog range brackets its value and says where it comes from, and the TCO at the low
// figures is at most the typical one, at the high ones at least.
TEST(EconomicsCatalog, PriceRangesBracketTheValueAndTheTco) {
  int ranged = 0;
  for (const auto& p : Data().prices.entries()) {
    for (const auto* s : {&p.system_usd, &p.chip_usd, &p.rental_usd_per_chip_hour, &p.system_kw}) {
      if (!*s || (!(*s)->low && !(*s)->high)) continue;
      ++ranged;
      EXPECT_LE((*s)->Low(), (*s)->value) << p.file;
      EXPECT_GE((*s)->High(), (*s)->value) << p.file;
      EXPECT_FALSE((*s)->range_note.empty()) << p.file << ": a range without range_note";
    }
  }
  EXPECT_GT(ranged, 0);
  for (const auto& hw : Hardware().hardware()) {
    auto typical = EvaluateChip(hw, Data(), EconomicsOptions());
    auto range = EvaluateChipRange(hw, Data(), EconomicsOptions());
    ASSERT_TRUE(typical.ok() && range.ok()) << hw.name;
    if (typical->owned_per_hour) {
      EXPECT_LE(range->low.owned_per_hour->Total(), typical->owned_per_hour->Total()) << hw.name;
      EXPECT_GE(range->high.owned_per_hour->Total(), typical->owned_per_hour->Total()) << hw.name;
    }
    if (typical->rental_per_hour) {
      EXPECT_LE(*range->low.rental_per_hour, *typical->rental_per_hour) << hw.name;
      EXPECT_GE(*range->high.rental_per_hour, *typical->rental_per_hour) << hw.name;
    }
  }
}

TEST(EconomicsCatalog, ARangeThatDoesNotBracketTheValueIsRefused) {
  auto r = PriceCatalog::Load(PERFTCO_TESTDATA_DIR "/bad_price_range");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("low_above.yaml: field 'purchase.chip_usd.low' must be "
                                      "positive and at most the value"),
            std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace perftco
