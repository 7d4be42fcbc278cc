// An accelerator and the system it sits in, as loaded from data/hardware/<name>.yaml.
#ifndef PERFTCO_HARDWARE_H_
#define PERFTCO_HARDWARE_H_

#include <map>
#include <string>
#include <vector>

#include "perftco/precision.h"
#include "perftco/status.h"
#include "perftco/units.h"

namespace perftco {

// How the chips of one scale-up domain are wired.
enum class Topology {
  kSwitched,  // every chip reaches every other through a switch (NVLink + NVSwitch)
  kTorus,     // 1D/2D/3D torus, neighbours only (TPU ICI, Trainium NeuronLink)
  kFullMesh,  // a direct link between each pair (AMD Infinity Fabric, Gaudi RoCE)
};
std::string_view TopologyName(Topology t);

struct ScaleUp {
  std::string interconnect;
  Topology topology = Topology::kSwitched;
  std::vector<int> torus_dims;  // only for kTorus; product == domain_chips
  int domain_chips = 1;
  BytesPerSecond bandwidth_per_chip;  // per direction, all links of one chip together
  bool in_network_reduction = false;  // switch-side reduction (NVLink SHARP)
};

struct Hardware {
  std::string name;  // canonical key, as in data/measured
  std::vector<std::string> aliases;
  std::string display_name;
  std::string vendor;
  std::string family;  // calibration group
  std::string system;
  int year = 0;
  std::map<Precision, FlopsPerSecond> peak_dense;  // per chip, formats the chip executes
  Bytes hbm_capacity;
  BytesPerSecond hbm_bandwidth;
  Bytes sram;  // 0 when unknown
  Watts tdp;   // 0 when unknown
  ScaleUp scale_up;
  BytesPerSecond scale_out_per_chip;           // 0 when unknown
  BytesPerSecond host_link;                    // 0 when unknown
  std::map<std::string, std::string> sources;  // field -> source, for `perftco show`
  std::string file;

  // The format matrix products run in for weights `w` and activations `a`: the narrower of
  // the two if the chip has units for it, otherwise the nearest wider format it has.
  Precision ComputePrecision(Precision weights, Precision activations) const;
  // Dense peak in precision p; p must be one the chip executes (see ComputePrecision).
  FlopsPerSecond Peak(Precision p) const;
};

// Parses one hardware YAML file. Errors name the file and the field.
Result<Hardware> LoadHardwareFile(const std::string& path);

}  // namespace perftco

#endif  // PERFTCO_HARDWARE_H_
