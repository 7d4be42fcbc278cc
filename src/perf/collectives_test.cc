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

TEST(Collectives, RingAndTreeAllReduceMatchHandComputedAlphaBeta) {
  Hardware hw = SwitchedChip(100);
  Efficiency e = IdealEfficiency();
  e.comm_latency = Microseconds(5);
  CollectiveModel c(hw, e);
  // Ring over 8 chips: 2 x 7 steps of 5 us; each chip sends 2 x 7/8 of 1 GB at 100 GB/s.
  EXPECT_NEAR(c.AllReduceWith(CollectiveAlgorithm::kRing, Gigabytes(1), 8)->value(),
              14 * 5e-6 + 0.0175, 1e-12);
  // Pipelined double binary tree: 2 x log2(8) = 6 steps; every byte goes up and down once.
  EXPECT_NEAR(c.AllReduceWith(CollectiveAlgorithm::kTree, Gigabytes(1), 8)->value(),
              6 * 5e-6 + 0.02, 1e-12);
  // Recursive halving-doubling: the tree's steps with the ring's bytes; what auto picks.
  EXPECT_NEAR(c.AllReduceWith(CollectiveAlgorithm::kHalvingDoubling, Gigabytes(1), 8)->value(),
              6 * 5e-6 + 0.0175, 1e-12);
  EXPECT_EQ(c.AutoAllReduceAlgorithm(Gigabytes(1), 8), CollectiveAlgorithm::kHalvingDoubling);
  EXPECT_DOUBLE_EQ(
      c.AllReduce(Gigabytes(1), 8).value(),
      c.AllReduceWith(CollectiveAlgorithm::kHalvingDoubling, Gigabytes(1), 8)->value());
  // Small messages are latency bound: the tree beats the ring; large ones the reverse.
  const Bytes small(1024);
  EXPECT_LT(*c.AllReduceWith(CollectiveAlgorithm::kTree, small, 8),
            *c.AllReduceWith(CollectiveAlgorithm::kRing, small, 8));
  EXPECT_GT(*c.AllReduceWith(CollectiveAlgorithm::kTree, Gigabytes(1), 8),
            *c.AllReduceWith(CollectiveAlgorithm::kRing, Gigabytes(1), 8));
  // Ring of 4 chips: 6 steps, 2 x 3/4 GB.
  EXPECT_NEAR(c.AllReduceWith(CollectiveAlgorithm::kRing, Gigabytes(1), 4)->value(),
              6 * 5e-6 + 0.015, 1e-12);
  // Tree of 6 chips: ceil(log2 6) = 3 levels.
  EXPECT_NEAR(c.AllReduceWith(CollectiveAlgorithm::kTree, Gigabytes(1), 6)->value(),
              6 * 5e-6 + 0.02, 1e-12);
}

TEST(Collectives, AlgorithmsAreOfferedByTopology) {
  Hardware sw = SwitchedChip(100);
  CollectiveModel plain(sw, IdealEfficiency());
  EXPECT_FALSE(plain.AllReduceWith(CollectiveAlgorithm::kInNetwork, Gigabytes(1), 8).ok());
  EXPECT_FALSE(plain.AllReduceWith(CollectiveAlgorithm::kDirect, Gigabytes(1), 8).ok());
  sw.scale_up.in_network_reduction = true;
  CollectiveModel sharp(sw, IdealEfficiency());
  EXPECT_EQ(sharp.AutoAllReduceAlgorithm(Gigabytes(1), 8), CollectiveAlgorithm::kInNetwork);
  // The switch reduces only inside its own domain.
  EXPECT_FALSE(sharp.AllReduceWith(CollectiveAlgorithm::kInNetwork, Gigabytes(1), 16).ok());

  Hardware torus = SwitchedChip(400, 16);
  torus.scale_up.topology = Topology::kTorus;
  torus.scale_up.torus_dims = {4, 4};
  Efficiency e = IdealEfficiency();
  e.comm_latency = Microseconds(5);
  CollectiveModel t(torus, e);
  const Result<Seconds> tree = t.AllReduceWith(CollectiveAlgorithm::kTree, Gigabytes(1), 16);
  ASSERT_FALSE(tree.ok());
  EXPECT_NE(tree.status().message().find("torus"), std::string::npos);
  // Rings along both dimensions of a 4x4 torus: (3 + 3) steps per pass, all four links busy.
  EXPECT_NEAR(t.AllReduceWith(CollectiveAlgorithm::kRing, Gigabytes(1), 16)->value(),
              2 * (6 * 5e-6 + 15.0 / 16.0 / 400.0), 1e-12);
  EXPECT_EQ(t.AutoAllReduceAlgorithm(Gigabytes(1), 16), CollectiveAlgorithm::kRing);

  Hardware mesh = SwitchedChip(70);
  mesh.scale_up.topology = Topology::kFullMesh;
  CollectiveModel m(mesh, e);
  // Direct: one reduce-scatter step and one all-gather step over the 7 links of 10 GB/s.
  EXPECT_NEAR(m.AllReduceWith(CollectiveAlgorithm::kDirect, Gigabytes(1), 8)->value(),
              2 * (5e-6 + 0.875 / 70.0), 1e-12);
  EXPECT_EQ(m.AutoAllReduceAlgorithm(Gigabytes(1), 8), CollectiveAlgorithm::kDirect);
  EXPECT_DOUBLE_EQ(m.AllReduce(Gigabytes(1), 8).value(),
                   m.AllReduceWith(CollectiveAlgorithm::kDirect, Gigabytes(1), 8)->value());
}

TEST(Collectives, AllToAllOnASwitchMatchesAlphaBeta) {
  Hardware hw = SwitchedChip(100);
  Efficiency e = IdealEfficiency();
  e.comm_latency = Microseconds(5);
  CollectiveModel c(hw, e);
  // Each chip keeps 1/8 of its 1 GB and sends 7/8 through the switch at once.
  EXPECT_NEAR(c.AllToAll(Gigabytes(1), 8).value(), 0.875 / 100.0 + 2 * 5e-6, 1e-12);
  // Across two domains: 8/16 of the buffer leaves over the 50 GB/s NIC.
  EXPECT_NEAR(c.AllToAll(Gigabytes(1), 16).value(),
              0.875 / 100.0 + 2 * 5e-6 + 0.5 / 50.0 + 4 * 5e-6, 1e-12);
}

TEST(Collectives, AllToAllOnATorusRingCrossesAQuarterOfTheRingOnAverage) {
  Hardware hw = SwitchedChip(400, 16);
  hw.scale_up.topology = Topology::kTorus;
  hw.scale_up.torus_dims = {4, 4};
  CollectiveModel c(hw, IdealEfficiency());
  // 4 links of 100 GB/s. In a ring of 4 a chip sends 1/4 GB to each of 3 peers, 1, 2 and 1
  // hops away: 1 GB-hop of traffic over its 2 ring links (one each way), 0.5 GB per link, which
  // is size x d / 8 for a ring of d.
  EXPECT_NEAR(c.AllToAll(Gigabytes(1), 4).value(), 0.5 / 100.0, 1e-12);
  // Both dimensions, one after the other.
  EXPECT_NEAR(c.AllToAll(Gigabytes(1), 16).value(), 2 * 0.5 / 100.0, 1e-12);
}

}  // namespace
}  // namespace perftco
