// Alpha-beta cost of collective operations over a hardware's scale-up domain and scale-out network.
#ifndef PERFTCO_COLLECTIVES_H_
#define PERFTCO_COLLECTIVES_H_

#include <string_view>

#include "perftco/efficiency.h"
#include "perftco/hardware.h"
#include "perftco/status.h"
#include "perftco/units.h"

namespace perftco {

// How an all-reduce moves its data inside one scale-up domain (docs/models/collectives.md).
// For n chips, a buffer of S bytes, a usable per-chip bandwidth B for the group and a fixed cost
// alpha per step, one all-reduce costs:
enum class CollectiveAlgorithm {
  kAuto,             // the cheapest the topology offers (what AllReduce() uses)
  kRing,             // 2(n-1) alpha + 2 (n-1)/n S/B: NCCL ring; per-dimension rings on a torus
  kTree,             // 2 ceil(log2 n) alpha + 2 S/B: pipelined double binary tree (NCCL tree)
  kHalvingDoubling,  // 2 log2(n) alpha + 2 (n-1)/n S/B: recursive halving then doubling
  kInNetwork,        // 2 alpha + (n-1)/n S/B: the switch reduces (NVLink SHARP / NVLS)
  kDirect,           // 2 alpha + 2 (n-1)/n S/B: one step to every peer over its own link
};
std::string_view CollectiveAlgorithmName(CollectiveAlgorithm a);

// Each call takes `size`, the bytes every participant holds (all-reduce: the buffer; all-to-all:
// what one chip sends in total), and `group`, the number of chips taking part, placed on
// consecutive chips of the topology. Groups larger than the scale-up domain go hierarchically:
// inside each domain, then across domains over the scale-out network. The cost model is
// documented in docs/models/collectives.md.
class CollectiveModel {
 public:
  CollectiveModel(const Hardware& hw, const Efficiency& eff);
  // With `in_network_reduction` false the switches' reduction is not used even where the
  // hardware has it (an engine without it).
  CollectiveModel(const Hardware& hw, const Efficiency& eff, bool in_network_reduction);

  Seconds AllReduce(Bytes size, int group) const;
  // The all-reduce with a given algorithm inside the domain (the scale-out part beyond the
  // domain is the same for all). Fails when the topology does not offer it: switched domains
  // offer ring, tree, halving-doubling and (with switch-side reduction) in-network; a full mesh
  // offers direct, ring and tree; a torus offers ring.
  Result<Seconds> AllReduceWith(CollectiveAlgorithm algorithm, Bytes size, int group) const;
  // The algorithm kAuto picks for this group (the cheapest offered).
  CollectiveAlgorithm AutoAllReduceAlgorithm(Bytes size, int group) const;
  Seconds AllGather(Bytes size, int group) const;      // size: the gathered (full) buffer
  Seconds ReduceScatter(Bytes size, int group) const;  // size: the full input buffer
  Seconds AllToAll(Bytes size, int group) const;
  // Expert-parallel dispatch or combine over `group` chips, hierarchical as DeepEP's normal
  // kernels and wide-EP engines run it: one copy of a chip's tokens (`token_bytes`) crosses the
  // NICs once for each of `remote_domains` other domains holding one of their experts, and every
  // one of the `copies` expert copies travels the scale-up links inside its domain.
  Seconds ExpertAllToAll(Bytes token_bytes, int group, double copies, double remote_domains) const;
  Seconds PointToPoint(Bytes size, bool crosses_domain) const;

 private:
  // One reduce-scatter (or all-gather) pass inside the domain: bytes and latency terms.
  Seconds DomainPass(Bytes size, int group) const;
  // A full all-reduce inside the domain with `algorithm` (not kAuto); negative when not offered.
  Seconds DomainAllReduce(CollectiveAlgorithm algorithm, Bytes size, int group) const;
  Seconds ScaleOutPass(Bytes size, int domains) const;
  BytesPerSecond DomainBandwidth(int group) const;  // usable per-chip bandwidth for the group
  BytesPerSecond ScaleOutBandwidth() const;         // usable NIC bandwidth per chip

  ScaleUp scale_up_;
  BytesPerSecond scale_out_per_chip_;
  Efficiency eff_;
};

}  // namespace perftco

#endif  // PERFTCO_COLLECTIVES_H_
