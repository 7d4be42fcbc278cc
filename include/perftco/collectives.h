// Alpha-beta cost of collective operations over a hardware's scale-up domain and scale-out network.
#ifndef PERFTCO_COLLECTIVES_H_
#define PERFTCO_COLLECTIVES_H_

#include "perftco/efficiency.h"
#include "perftco/hardware.h"
#include "perftco/units.h"

namespace perftco {

// Each call takes `size`, the bytes every participant holds (all-reduce: the buffer; all-to-all:
// what one chip sends in total), and `group`, the number of chips taking part, placed on
// consecutive chips of the topology. Groups larger than the scale-up domain go hierarchically:
// inside each domain, then across domains over the scale-out network. The cost model is
// documented in docs/models/collectives.md.
class CollectiveModel {
 public:
  CollectiveModel(const Hardware& hw, const Efficiency& eff);

  Seconds AllReduce(Bytes size, int group) const;
  Seconds AllGather(Bytes size, int group) const;      // size: the gathered (full) buffer
  Seconds ReduceScatter(Bytes size, int group) const;  // size: the full input buffer
  Seconds AllToAll(Bytes size, int group) const;
  Seconds PointToPoint(Bytes size, bool crosses_domain) const;

 private:
  // One reduce-scatter (or all-gather) pass inside the domain: bytes and latency terms.
  Seconds DomainPass(Bytes size, int group) const;
  Seconds ScaleOutPass(Bytes size, int domains) const;
  BytesPerSecond DomainBandwidth(int group) const;  // usable per-chip bandwidth for the group
  BytesPerSecond ScaleOutBandwidth() const;         // usable NIC bandwidth per chip

  ScaleUp scale_up_;
  BytesPerSecond scale_out_per_chip_;
  Efficiency eff_;
};

}  // namespace perftco

#endif  // PERFTCO_COLLECTIVES_H_
