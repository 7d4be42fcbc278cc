#include "perftco/collectives.h"

#include <algorithm>
#include <cmath>

namespace perftco {

std::string_view CollectiveAlgorithmName(CollectiveAlgorithm a) {
  switch (a) {
    case CollectiveAlgorithm::kAuto:
      return "auto";
    case CollectiveAlgorithm::kRing:
      return "ring";
    case CollectiveAlgorithm::kTree:
      return "tree";
    case CollectiveAlgorithm::kHalvingDoubling:
      return "halving-doubling";
    case CollectiveAlgorithm::kInNetwork:
      return "in-network";
    case CollectiveAlgorithm::kDirect:
      return "direct";
  }
  return "auto";
}

CollectiveModel::CollectiveModel(const Hardware& hw, const Efficiency& eff)
    : scale_up_(hw.scale_up), scale_out_per_chip_(hw.scale_out_per_chip), eff_(eff) {}

CollectiveModel::CollectiveModel(const Hardware& hw, const Efficiency& eff,
                                 bool in_network_reduction)
    : CollectiveModel(hw, eff) {
  if (!in_network_reduction) scale_up_.in_network_reduction = false;
}

BytesPerSecond CollectiveModel::DomainBandwidth(int group) const {
  const double b = scale_up_.bandwidth_per_chip.value() * eff_.comm_bandwidth;
  const int domain = std::max(1, scale_up_.domain_chips);
  switch (scale_up_.topology) {
    case Topology::kSwitched:
      return BytesPerSecond(b);
    case Topology::kFullMesh:
      // One link per peer: a group of n uses n-1 of the domain's domain-1 links.
      return BytesPerSecond(b * static_cast<double>(group - 1) / std::max(1, domain - 1));
    case Topology::kTorus: {
      // Rings along the dimensions the group spans; each dimension owns 2 of the 2*D links.
      const int dims = static_cast<int>(scale_up_.torus_dims.size());
      int spanned = 0;
      int remaining = group;
      for (int d : scale_up_.torus_dims) {
        if (remaining <= 1) break;
        ++spanned;
        remaining = (remaining + d - 1) / d;
      }
      return BytesPerSecond(b * std::max(1, spanned) / std::max(1, dims));
    }
  }
  return BytesPerSecond(b);
}

// A reduce-scatter or an all-gather inside one domain moves (n-1)/n of the buffer per chip.
Seconds CollectiveModel::DomainPass(Bytes size, int group) const {
  if (group <= 1) return Seconds(0);
  const double n = group;
  const Seconds beta = Bytes(size.value() * (n - 1) / n) / DomainBandwidth(group);
  double steps = n - 1;                                      // ring
  if (scale_up_.topology == Topology::kFullMesh) steps = 1;  // direct: all peers at once
  if (scale_up_.topology == Topology::kTorus) {
    steps = 0;
    int remaining = group;
    for (int d : scale_up_.torus_dims) {
      if (remaining <= 1) break;
      const int used = std::min(d, remaining);
      steps += used - 1;
      remaining = (remaining + d - 1) / d;
    }
  }
  if (scale_up_.topology == Topology::kSwitched) steps = std::log2(n);  // tree-like latency
  return beta + eff_.comm_latency * steps;
}

BytesPerSecond CollectiveModel::ScaleOutBandwidth() const {
  // Where the catalog has no NIC figure, assume one 400 Gb/s NIC per chip (ConnectX-7 class,
  // the HGX H100 reference design); docs/models/collectives.md lists this assumption.
  constexpr double kAssumedNicBytesPerSecond = 400e9 / 8.0;
  const double raw =
      scale_out_per_chip_.value() > 0 ? scale_out_per_chip_.value() : kAssumedNicBytesPerSecond;
  return BytesPerSecond(raw * eff_.comm_bandwidth);
}

Seconds CollectiveModel::ScaleOutPass(Bytes size, int domains) const {
  if (domains <= 1) return Seconds(0);
  const double bw = ScaleOutBandwidth().value();
  const double n = domains;
  return Seconds(size.value() * (n - 1) / n / bw) + eff_.comm_latency * 4.0 * std::log2(n);
}

Seconds CollectiveModel::ReduceScatter(Bytes size, int group) const {
  if (group <= 1) return Seconds(0);
  const int domain = std::max(1, scale_up_.domain_chips);
  const int inner = std::min(group, domain);
  const int outer = (group + domain - 1) / domain;
  // Inside the domain first; across domains each chip then handles 1/inner of the buffer.
  return DomainPass(size, inner) + ScaleOutPass(size / inner, outer);
}

Seconds CollectiveModel::AllGather(Bytes size, int group) const {
  return ReduceScatter(size, group);
}

Seconds CollectiveModel::AllReduce(Bytes size, int group) const {
  if (group <= 1) return Seconds(0);
  if (scale_up_.in_network_reduction && scale_up_.topology == Topology::kSwitched &&
      group <= scale_up_.domain_chips) {
    // NVLink SHARP: each chip sends its buffer once and receives the reduced result once.
    const Bytes moved = size * (static_cast<double>(group - 1) / group);
    return moved / DomainBandwidth(group) + eff_.comm_latency * 2.0;
  }
  return ReduceScatter(size, group) + AllGather(size, group);
}

Seconds CollectiveModel::DomainAllReduce(CollectiveAlgorithm algorithm, Bytes size,
                                         int group) const {
  if (group <= 1) return Seconds(0);
  const double n = group;
  const Seconds bw_pass = Bytes(size.value() * (n - 1) / n) / DomainBandwidth(group);
  const Seconds alpha = eff_.comm_latency;
  const Topology topo = scale_up_.topology;
  switch (algorithm) {
    case CollectiveAlgorithm::kRing:
      if (topo == Topology::kTorus) return DomainPass(size, group) * 2.0;
      return bw_pass * 2.0 + alpha * (2.0 * (n - 1));
    case CollectiveAlgorithm::kTree:
      if (topo == Topology::kTorus) return Seconds(-1);
      return size / DomainBandwidth(group) * 2.0 + alpha * (2.0 * std::ceil(std::log2(n)));
    case CollectiveAlgorithm::kHalvingDoubling:
      if (topo != Topology::kSwitched) return Seconds(-1);
      return bw_pass * 2.0 + alpha * (2.0 * std::log2(n));
    case CollectiveAlgorithm::kInNetwork:
      if (topo != Topology::kSwitched || !scale_up_.in_network_reduction) return Seconds(-1);
      return bw_pass + alpha * 2.0;
    case CollectiveAlgorithm::kDirect:
      if (topo != Topology::kFullMesh) return Seconds(-1);
      return bw_pass * 2.0 + alpha * 2.0;
    case CollectiveAlgorithm::kAuto:
      break;
  }
  return Seconds(-1);
}

CollectiveAlgorithm CollectiveModel::AutoAllReduceAlgorithm(Bytes size, int group) const {
  const int inner = std::min(group, std::max(1, scale_up_.domain_chips));
  CollectiveAlgorithm best = CollectiveAlgorithm::kRing;
  Seconds best_time(-1);
  for (CollectiveAlgorithm a : {CollectiveAlgorithm::kInNetwork, CollectiveAlgorithm::kDirect,
                                CollectiveAlgorithm::kHalvingDoubling, CollectiveAlgorithm::kRing,
                                CollectiveAlgorithm::kTree}) {
    // Switch-side reduction needs the whole group inside one switch domain.
    if (a == CollectiveAlgorithm::kInNetwork && group > scale_up_.domain_chips) continue;
    const Seconds t = DomainAllReduce(a, size, inner);
    if (t.value() < 0) continue;
    if (best_time.value() < 0 || t < best_time) {
      best = a;
      best_time = t;
    }
  }
  return best;
}

Result<Seconds> CollectiveModel::AllReduceWith(CollectiveAlgorithm algorithm, Bytes size,
                                               int group) const {
  if (group <= 1) return Seconds(0);
  if (algorithm == CollectiveAlgorithm::kAuto) return AllReduce(size, group);
  const int domain = std::max(1, scale_up_.domain_chips);
  const int inner = std::min(group, domain);
  const int outer = (group + domain - 1) / domain;
  if (algorithm == CollectiveAlgorithm::kInNetwork && outer > 1) {
    return Status::Error("in-network all-reduce needs the group inside one switch domain");
  }
  const Seconds t = DomainAllReduce(algorithm, size, inner);
  if (t.value() < 0) {
    return Status::Error(std::string(CollectiveAlgorithmName(algorithm)) +
                         " all-reduce is not modelled on a " +
                         std::string(TopologyName(scale_up_.topology)) + " domain");
  }
  // Across domains: reduce-scatter and all-gather of each chip's 1/inner share over the NICs.
  return t + ScaleOutPass(size / inner, outer) * 2.0;
}

Seconds CollectiveModel::AllToAll(Bytes size, int group) const {
  if (group <= 1) return Seconds(0);
  const int domain = std::max(1, scale_up_.domain_chips);
  const int inner = std::min(group, domain);
  const double n = inner;
  Seconds t;
  if (scale_up_.topology == Topology::kTorus) {
    // Dimension-ordered exchange: along a ring of d chips (both directions) the average
    // message crosses d/4 links, so a phase costs size * d / 8 over one link's bandwidth.
    const double links = 2.0 * scale_up_.torus_dims.size();
    const double link_bw = scale_up_.bandwidth_per_chip.value() * eff_.comm_bandwidth / links;
    int remaining = inner;
    for (int d : scale_up_.torus_dims) {
      if (remaining <= 1) break;
      const int used = std::min(d, remaining);
      const double phase = used <= 2 ? size.value() * (used - 1) / used / (2.0 * link_bw)
                                     : size.value() * used / 8.0 / link_bw;
      t += Seconds(phase) + eff_.comm_latency * static_cast<double>(used - 1);
      remaining = (remaining + d - 1) / d;
    }
  } else {
    t = Bytes(size.value() * (n - 1) / n) / DomainBandwidth(inner) + eff_.comm_latency * 2.0;
  }
  const int outer = (group + domain - 1) / domain;
  if (outer > 1) {
    // The share bound for other domains leaves over the NICs.
    const double bw = ScaleOutBandwidth().value();
    const double out_share = static_cast<double>(group - inner) / group;
    t += Seconds(size.value() * out_share / bw) + eff_.comm_latency * 4.0;
  }
  return t;
}

Seconds CollectiveModel::ExpertAllToAll(Bytes token_bytes, int group, double copies,
                                        double remote_domains) const {
  if (group <= 1) return Seconds(0);
  const int domain = std::max(1, scale_up_.domain_chips);
  Seconds t = AllToAll(token_bytes * copies, std::min(group, domain));
  if (group > domain && remote_domains > 0) {
    t += Seconds(token_bytes.value() * remote_domains / ScaleOutBandwidth().value()) +
         eff_.comm_latency * 4.0;
  }
  return t;
}

Seconds CollectiveModel::PointToPoint(Bytes size, bool crosses_domain) const {
  if (size.value() <= 0) return Seconds(0);
  if (crosses_domain) {
    const double bw = ScaleOutBandwidth().value();
    return Seconds(size.value() / bw) + eff_.comm_latency * 2.0;
  }
  // A neighbour link: the per-chip bandwidth shared by the links of one chip.
  double links = 1.0;
  if (scale_up_.topology == Topology::kTorus) links = 2.0 * scale_up_.torus_dims.size();
  if (scale_up_.topology == Topology::kFullMesh) links = std::max(1, scale_up_.domain_chips - 1);
  const double bw = scale_up_.bandwidth_per_chip.value() * eff_.comm_bandwidth / links;
  return Seconds(size.value() / bw) + eff_.comm_latency;
}

}  // namespace perftco
