#include "perftco/collectives.h"

#include <gtest/gtest.h>

#include "test_fixtures.h"

namespace perftco {
namespace {

using testing::IdealEfficiency;
using testing::SwitchedChip;

TEST(Collectives, RingAllReduceMatchesAlphaBeta) {
  Hardware hw = SwitchedChip(100);
  Efficiency e = IdealEfficiency();
  e.comm_latency = Microseconds(5);
  CollectiveModel c(hw, e);
  // Ring all-reduce of 1 GB over 8 chips: 2 x 7/8 x 1 GB / 100 GB/s = 17.5 ms of bandwidth,
  // plus two passes of log2(8) = 3 latency steps on a switch: 6 x 5 us.
  EXPECT_NEAR(c.AllReduce(Gigabytes(1), 8).value(), 0.0175 + 30e-6, 1e-9);
  EXPECT_EQ(c.AllReduce(Gigabytes(1), 1).value(), 0.0);
}

TEST(Collectives, InNetworkReductionHalvesAllReduceTraffic) {
  Hardware hw = SwitchedChip(100);
  CollectiveModel ring(hw, IdealEfficiency());
  hw.scale_up.in_network_reduction = true;
  CollectiveModel sharp(hw, IdealEfficiency());
  EXPECT_NEAR(sharp.AllReduce(Gigabytes(1), 8).value(), 0.00875, 1e-9);
  EXPECT_NEAR(ring.AllReduce(Gigabytes(1), 8) / sharp.AllReduce(Gigabytes(1), 8), 2.0, 1e-9);
}

TEST(Collectives, FullMeshUsesOnlyTheGroupsLinks) {
  Hardware hw = SwitchedChip(70);
  hw.scale_up.topology = Topology::kFullMesh;
  CollectiveModel c(hw, IdealEfficiency());
  // 8-chip mesh, 7 links of 10 GB/s. A group of 8 uses all 7: like a switch of 70 GB/s.
  EXPECT_NEAR(c.ReduceScatter(Gigabytes(1), 8).value(), 0.875 / 70.0, 1e-9);
  // A group of 4 uses 3 links (30 GB/s): 3/4 GB over 30 GB/s.
  EXPECT_NEAR(c.ReduceScatter(Gigabytes(1), 4).value(), 0.75 / 30.0, 1e-9);
}

TEST(Collectives, TreeLikeAllGatherOnTorusRing) {
  Hardware hw = SwitchedChip(400);
  hw.scale_up.topology = Topology::kTorus;
  hw.scale_up.torus_dims = {4, 4};
  hw.scale_up.domain_chips = 16;
  CollectiveModel c(hw, IdealEfficiency());
  // A group of 4 spans one dimension: 2 of the 4 links (200 GB/s), 3/4 GB moved.
  EXPECT_NEAR(c.AllGather(Gigabytes(1), 4).value(), 0.75 / 200.0, 1e-9);
  // A group of 16 spans both dimensions: all links.
  EXPECT_NEAR(c.AllGather(Gigabytes(1), 16).value(), 15.0 / 16.0 / 400.0, 1e-9);
}

TEST(Collectives, AllToAllCostsMoreOnATorusThanOnASwitch) {
  Hardware sw = SwitchedChip(400, 16);
  Hardware torus = sw;
  torus.scale_up.topology = Topology::kTorus;
  torus.scale_up.torus_dims = {4, 4};
  CollectiveModel a(sw, IdealEfficiency());
  CollectiveModel b(torus, IdealEfficiency());
  for (int group : {4, 16}) {
    EXPECT_GT(b.AllToAll(Gigabytes(1), group), a.AllToAll(Gigabytes(1), group)) << group;
  }
}

TEST(Collectives, GroupsBeyondTheDomainPayForScaleOut) {
  Hardware hw = SwitchedChip(450, 8);
  CollectiveModel c(hw, IdealEfficiency());
  // Hierarchical: reduce-scatter inside each 8-chip domain (7/8 GB at 450 GB/s), then across the
  // two domains over 50 GB/s NICs with 1/8 of the buffer per chip (1/2 of 1/8 GB), then back.
  const double expected = 2.0 * (0.875 / 450.0 + 0.0625 / 50.0);
  EXPECT_NEAR(c.AllReduce(Gigabytes(1), 16).value(), expected, 1e-9);
  EXPECT_GT(c.AllReduce(Gigabytes(1), 16), c.AllReduce(Gigabytes(1), 8) * 1.5);
  EXPECT_GT(c.PointToPoint(Gigabytes(1), true), c.PointToPoint(Gigabytes(1), false));
}

}  // namespace
}  // namespace perftco
