#include "perftco/hardware.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>

#include "perftco/yaml_fields.h"

namespace perftco {
namespace {

// Reads YAML fields of one file, remembering the first error with file and field named.
class FieldReader {
 public:
  explicit FieldReader(std::string file) : file_(std::move(file)) {}

  // A sourced number: {value: positive number, source: text}.
  double Sourced(const YAML::Node& parent, const std::string& key, const std::string& path,
                 bool required, std::map<std::string, std::string>* sources) {
    const YAML::Node n = parent[key];
    if (!n) {
      if (required) Fail(path, "is missing");
      return 0.0;
    }
    if (!n.IsMap() || !n["value"] || !n["source"]) {
      Fail(path, "must be a map with 'value' and 'source'");
      return 0.0;
    }
    double v = 0.0;
    try {
      v = n["value"].as<double>();
    } catch (const YAML::Exception&) {
      Fail(path + ".value", "is not a number");
      return 0.0;
    }
    if (!(v > 0.0) || !std::isfinite(v)) {
      Fail(path + ".value", "must be positive");
      return 0.0;
    }
    const std::string src = n["source"].as<std::string>("");
    if (src.empty()) Fail(path + ".source", "is empty");
    if (sources) (*sources)[path] = src;
    return v;
  }

  std::string Text(const YAML::Node& parent, const std::string& key, bool required) {
    const YAML::Node n = parent[key];
    if (!n || !n.IsScalar()) {
      if (required) Fail(key, "is missing");
      return "";
    }
    return n.as<std::string>();
  }

  void Fail(const std::string& field, const std::string& what) {
    if (status_.ok()) status_ = Status::Error(file_ + ": field '" + field + "' " + what);
  }
  const Status& status() const { return status_; }

 private:
  std::string file_;
  Status status_;
};

}  // namespace

std::string_view TopologyName(Topology t) {
  switch (t) {
    case Topology::kSwitched:
      return "switched";
    case Topology::kTorus:
      return "torus";
    case Topology::kFullMesh:
      return "full_mesh";
  }
  return "switched";
}

Precision Hardware::ComputePrecision(Precision weights, Precision activations) const {
  // Matrix units need both operands in one format: the wider of the two.
  const Precision want = std::min(weights, activations);
  // Fall back towards wider formats the chip has units for: fp4 -> fp8 -> bf16,
  // int4 -> int8 -> bf16 (fp16 on chips without bf16 is stored as bf16 on load).
  std::vector<Precision> chain = {want};
  if (want == Precision::kFp4) chain = {Precision::kFp4, Precision::kFp8};
  if (want == Precision::kInt4) chain = {Precision::kInt4, Precision::kInt8};
  if (want == Precision::kInt8) chain = {Precision::kInt8, Precision::kFp8};
  chain.push_back(Precision::kBf16);
  for (Precision p : chain) {
    if (peak_dense.count(p)) return p;
  }
  return Precision::kBf16;
}

FlopsPerSecond Hardware::Peak(Precision p) const {
  auto it = peak_dense.find(p);
  if (it != peak_dense.end()) return it->second;
  it = peak_dense.find(Precision::kBf16);
  return it == peak_dense.end() ? FlopsPerSecond(1.0) : it->second;
}

namespace {
Result<Hardware> ReadHardwareFile(const std::string& path) {
  PERFTCO_ASSIGN_OR_RETURN(
      YAML::Node root,
      LoadYamlFile(path, "data file", "set PERFTCO_DATA_DIR to perftco's data directory"));
  if (!root.IsMap()) return Status::Error(path + ": expected a YAML map at the top level");
  FieldReader r(path);
  Hardware hw;
  hw.file = path;
  hw.name = r.Text(root, "name", true);
  hw.display_name = r.Text(root, "display_name", true);
  hw.vendor = r.Text(root, "vendor", true);
  hw.family = r.Text(root, "family", true);
  hw.system = r.Text(root, "system", false);
  try {
    hw.year = root["year"] ? root["year"].as<int>() : 0;
    if (root["aliases"]) hw.aliases = root["aliases"].as<std::vector<std::string>>();
  } catch (const YAML::Exception&) {
    r.Fail("year/aliases", "has the wrong type");
  }
  const YAML::Node peaks = root["peak_dense_tflops"];
  if (!peaks || !peaks.IsMap()) {
    r.Fail("peak_dense_tflops", "is missing");
  } else {
    for (const auto& kv : peaks) {
      const std::string key = kv.first.as<std::string>();
      auto p = ParsePrecision(key);
      if (!p.ok()) {
        r.Fail("peak_dense_tflops." + key, "is not a known precision");
        continue;
      }
      hw.peak_dense[*p] = FlopsPerSecond(
          r.Sourced(peaks, key, "peak_dense_tflops." + key, true, &hw.sources) * kTera);
    }
    if (!hw.peak_dense.count(Precision::kBf16) && !hw.peak_dense.count(Precision::kFp16)) {
      r.Fail("peak_dense_tflops.bf16", "is missing");
    }
    if (!hw.peak_dense.count(Precision::kBf16) && hw.peak_dense.count(Precision::kFp16)) {
      hw.peak_dense[Precision::kBf16] = hw.peak_dense[Precision::kFp16];
    }
    if (!hw.peak_dense.count(Precision::kFp16)) {
      hw.peak_dense[Precision::kFp16] = hw.peak_dense[Precision::kBf16];
    }
  }
  hw.hbm_capacity =
      Gigabytes(r.Sourced(root, "hbm_capacity_gb", "hbm_capacity_gb", true, &hw.sources));
  hw.hbm_bandwidth = BytesPerSecond(
      r.Sourced(root, "hbm_bandwidth_tb_per_s", "hbm_bandwidth_tb_per_s", true, &hw.sources) *
      kTera);
  hw.sram = Bytes(r.Sourced(root, "sram_mb", "sram_mb", false, &hw.sources) * 1e6);
  hw.tdp = Watts(r.Sourced(root, "tdp_w", "tdp_w", false, &hw.sources));
  const YAML::Node su = root["scale_up"];
  if (!su || !su.IsMap()) {
    r.Fail("scale_up", "is missing");
  } else {
    hw.scale_up.interconnect = r.Text(su, "interconnect", false);
    const std::string topo = r.Text(su, "topology", true);
    if (topo == "switched") {
      hw.scale_up.topology = Topology::kSwitched;
    } else if (topo == "torus") {
      hw.scale_up.topology = Topology::kTorus;
    } else if (topo == "full_mesh") {
      hw.scale_up.topology = Topology::kFullMesh;
    } else {
      r.Fail("scale_up.topology", "must be switched, torus or full_mesh (got '" + topo + "')");
    }
    hw.scale_up.domain_chips =
        static_cast<int>(r.Sourced(su, "domain_chips", "scale_up.domain_chips", true, &hw.sources));
    hw.scale_up.bandwidth_per_chip =
        BytesPerSecond(r.Sourced(su, "bandwidth_per_chip_gb_per_s",
                                 "scale_up.bandwidth_per_chip_gb_per_s", true, &hw.sources) *
                       kGiga);
    if (su["in_network_reduction"] && su["in_network_reduction"]["value"]) {
      try {
        hw.scale_up.in_network_reduction = su["in_network_reduction"]["value"].as<bool>();
      } catch (const YAML::Exception&) {
        r.Fail("scale_up.in_network_reduction.value", "must be true or false");
      }
    }
    if (hw.scale_up.topology == Topology::kTorus) {
      try {
        hw.scale_up.torus_dims = su["torus_dims"].as<std::vector<int>>();
      } catch (const YAML::Exception&) {
        r.Fail("scale_up.torus_dims", "must be a list of integers for a torus");
      }
      int product = 1;
      for (int d : hw.scale_up.torus_dims) product *= d;
      if (hw.scale_up.torus_dims.empty() || product != hw.scale_up.domain_chips) {
        r.Fail("scale_up.torus_dims", "must multiply to scale_up.domain_chips");
      }
    }
  }
  if (root["scale_out"]) {
    hw.scale_out_per_chip =
        BytesPerSecond(r.Sourced(root["scale_out"], "bandwidth_per_chip_gbit_per_s",
                                 "scale_out.bandwidth_per_chip_gbit_per_s", false, &hw.sources) *
                       kGiga / 8.0);
  }
  hw.host_link = BytesPerSecond(
      r.Sourced(root, "host_link_gb_per_s", "host_link_gb_per_s", false, &hw.sources) * kGiga);
  if (!r.status().ok()) return r.status();
  return hw;
}
}  // namespace

Result<Hardware> LoadHardwareFile(const std::string& path) {
  return GuardYaml(path, [&] { return ReadHardwareFile(path); });
}

}  // namespace perftco
