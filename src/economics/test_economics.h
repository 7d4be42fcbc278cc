// Hand-made economics data for tests whose answers are computed on paper.
#ifndef PERFTCO_SRC_ECONOMICS_TEST_ECONOMICS_H_
#define PERFTCO_SRC_ECONOMICS_TEST_ECONOMICS_H_

#include "perftco/economics_data.h"
#include "perftco/hardware.h"

namespace perftco::testing {

// Round numbers: cost of capital 0 (straight-line), 4-year IT and 10-year facility lives,
// 10 M$/MW, 0.10 $/kWh, PUE 1.5, utilisation 0.8, 5% maintenance, network 20% of cluster
// capex, server factor 1.5, 500 $ storage per chip, 100 $/kW/yr facility operations.
inline TcoAssumptions RoundAssumptions() {
  TcoAssumptions a;
  a.datacenter_capex_per_mw = Dollars(10e6);
  a.facility_life = Years(10);
  a.electricity_per_kwh = Dollars(0.10);
  a.pue = 1.5;
  a.depreciation = Years(4);
  a.cost_of_capital = 0;
  a.maintenance_fraction_per_year = 0.05;
  a.power_utilisation = 0.8;
  a.network_fraction = 0.2;
  a.server_cost_factor = 1.5;
  a.storage_per_chip = Dollars(500);
  a.facility_opex_per_kw_year = Dollars(100);
  for (const auto& k : AssumptionKeys())
    a.sources[k.name] = SourcedNumber{k.get(a), "test", "", "", {}, {}, ""};
  return a;
}

// A chip whose 8-chip system costs 80,000 USD and draws 8 kW; rents at 2 USD per chip-hour.
inline EconomicsData RoundData() {
  EconomicsData d;
  d.assumptions = RoundAssumptions();
  HardwarePrices p;
  p.hardware = "test-chip";
  p.system_usd = SourcedNumber{80000, "test", "", "", {}, {}, ""};
  p.system_chips = 8;
  p.rental_usd_per_chip_hour = SourcedNumber{2.0, "test", "", "", {}, {}, ""};
  p.system_kw = SourcedNumber{8, "test", "", "", {}, {}, ""};
  p.power_chips = 8;
  d.prices.Add(p);
  HardwarePrices unknown;
  unknown.hardware = "mystery-chip";
  unknown.purchase_unknown = "not public";
  unknown.rental_unknown = "not offered";
  unknown.chip_to_system_factor = SourcedNumber{2.0, "test", "", "", {}, {}, ""};
  d.prices.Add(unknown);
  return d;
}

inline Hardware TestChip(const char* name = "test-chip") {
  Hardware hw;
  hw.name = name;
  hw.hbm_capacity = Gigabytes(100);
  hw.hbm_bandwidth = BytesPerSecond(4e12);
  hw.tdp = Watts(500);
  hw.scale_up.domain_chips = 8;
  return hw;
}

}  // namespace perftco::testing

#endif  // PERFTCO_SRC_ECONOMICS_TEST_ECONOMICS_H_
