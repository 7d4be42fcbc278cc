// Small hand-made hardware and models for tests whose answers are computed on paper.
#ifndef PERFTCO_SRC_PERF_TEST_FIXTURES_H_
#define PERFTCO_SRC_PERF_TEST_FIXTURES_H_

#include <string>

#include "perftco/catalog.h"
#include "perftco/efficiency.h"
#include "perftco/hardware.h"
#include "perftco/setup.h"

namespace perftco::testing {

// A switched 8-chip domain, 100 GB/s per chip per direction, no in-network reduction.
inline Hardware SwitchedChip(double bw_gb_per_s = 100, int domain = 8) {
  Hardware hw;
  hw.name = "test-switched";
  hw.family = "test";
  hw.peak_dense[Precision::kBf16] = FlopsPerSecond(1000e12);
  hw.peak_dense[Precision::kFp16] = FlopsPerSecond(1000e12);
  hw.peak_dense[Precision::kFp8] = FlopsPerSecond(2000e12);
  hw.hbm_capacity = Gigabytes(80);
  hw.hbm_bandwidth = BytesPerSecond(3e12);
  hw.scale_up.topology = Topology::kSwitched;
  hw.scale_up.domain_chips = domain;
  hw.scale_up.bandwidth_per_chip = BytesPerSecond(bw_gb_per_s * 1e9);
  hw.scale_out_per_chip = BytesPerSecond(50e9);
  return hw;
}

// An efficiency with every fraction 1 and no fixed costs, for exact hand computation.
inline Efficiency IdealEfficiency() {
  Efficiency e;
  e.gemm_compute = 1.0;
  e.gemm_compute_fp8 = 1.0;
  e.gemm_compute_fp4 = 1.0;
  e.attention_compute = 1.0;
  e.memory = 1.0;
  e.comm_bandwidth = 1.0;
  e.comm_latency = Seconds(0);
  e.step_overhead = Seconds(0);
  e.seq_overhead = Seconds(0);
  e.moe_imbalance = 1.0;
  return e;
}

// The repository catalog, loaded once.
inline const Catalog& RepoCatalog() {
  static const Catalog* c = new Catalog(Catalog::Load(PERFTCO_TEST_DATA_DIR).value());
  return *c;
}

// The repository's efficiency table (priors overridden by the committed fit), loaded once.
inline const EfficiencyTable& RepoEfficiency() {
  static const EfficiencyTable* t =
      new EfficiencyTable(EfficiencyTable::Load(PERFTCO_TEST_DATA_DIR).value());
  return *t;
}

// Setup options of `model` on `chips` x `hw` at tensor parallelism `tp`.
inline SetupOptions Options(const std::string& model, const std::string& hw, int tp, int chips,
                            const std::string& precision = "bf16") {
  SetupOptions o;
  o.model = model;
  o.hardware = hw;
  o.tp = tp;
  o.chips = chips;
  o.precision = precision;
  return o;
}

}  // namespace perftco::testing

#endif  // PERFTCO_SRC_PERF_TEST_FIXTURES_H_
