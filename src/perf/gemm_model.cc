#include "perftco/gemm_model.h"

#include <algorithm>
#include <cmath>

namespace perftco {
namespace {

// Block widths a kernel may pick (DeepGEMM and CUTLASS pick among such widths, unaligned ones
// included, to fill the compute units; DeepGEMM README "Unaligned block sizes").
constexpr double kBlockWidths[] = {32, 64, 96, 128, 160, 192, 224, 256};
constexpr double kOutputBytes = 2.0;  // bf16 output

struct Tiling {
  double main_loop = 0;  // achieved fraction of the main loop's peak (before compute_eff)
  double active_units = 1;
};

// Hopper's warp-group MMA is 64 rows tall: a 64-row block for small M, 128 otherwise.
Tiling Tile(const GemmShape& s, int units, const GemmShapeParams& p) {
  const double u = std::max(1, units);
  const double bm = s.m <= 64 ? 64.0 : 128.0;
  const double m_blocks = std::ceil(std::max(1.0, s.m) / bm);
  const double m_fill = std::max(1.0, s.m) / (m_blocks * bm);
  Tiling best;
  for (double bn : kBlockWidths) {
    const double blocks = std::max(1.0, s.groups) * m_blocks * std::ceil(std::max(1.0, s.n) / bn);
    const double waves = std::ceil(blocks / u);
    const double e = blocks / (waves * u) * bn / (bn + p.tile_n_overhead);
    if (e > best.main_loop) {
      best.main_loop = e;
      best.active_units = std::min(u, blocks);
    }
  }
  const double k = std::max(1.0, s.k);
  best.main_loop *= m_fill * k / (k + p.k_overhead);
  return best;
}

}  // namespace

GemmShapeParams GemmShapeParams::Fitted() {
  // scripts/fit-gemm-shape.py on the 28 rows of data/kernels/gemm.csv: median |error| 3.0%,
  // leave-one-out median 3.0% (mean 4.4%); docs/models/gemm.md section 2.
  GemmShapeParams p;
  p.compute_eff = 0.7534;
  p.memory_eff = 0.8099;
  p.fixed = Microseconds(0.89);
  p.k_overhead = 641.7;
  p.smoothing = 2.727;
  p.tile_n_overhead = 12.80;
  p.unit_bandwidth = 30.36e9;
  return p;
}

int ComputeUnitsOf(const std::string& family) {
  // Vendor whitepapers: H100/H200/H800 SXM 132 SMs (the PCIe H100's 114 is not told apart);
  // A100 108 SMs; B200 148 SMs; MI300X/MI325X 304 CUs; MI350X/MI355X 256 CUs. Systolic-array
  // designs (TPU, Trainium, Inferentia, Gaudi) and families not listed: 0, no tiling model.
  if (family == "hopper") return 132;
  if (family == "ampere") return 108;
  if (family == "blackwell") return 148;
  if (family == "cdna3") return 304;
  if (family == "cdna4") return 256;
  return 0;
}

Seconds GemmKernelTime(const GemmShape& s, FlopsPerSecond peak, BytesPerSecond hbm, double in_bytes,
                       int units, const GemmShapeParams& p) {
  const Tiling t = Tile(s, units, p);
  const double g = std::max(1.0, s.groups);
  const double tc = s.Flops() / (peak.value() * p.compute_eff * t.main_loop);
  const double bytes = g * (s.m * s.k + s.n * s.k) * in_bytes + g * s.m * s.n * kOutputBytes;
  const double bw = std::min(hbm.value() * p.memory_eff, t.active_units * p.unit_bandwidth);
  const double tm = bytes / bw;
  const double q = p.smoothing;
  return p.fixed + Seconds(std::pow(std::pow(tc, q) + std::pow(tm, q), 1.0 / q));
}

double GemmShapeFactor(const GemmShape& s, int units, const GemmShapeParams& p) {
  if (units <= 0) return 1.0;
  const GemmShape ref{8192, 8192, 8192, 1};
  return Tile(s, units, p).main_loop / Tile(ref, units, p).main_loop;
}

}  // namespace perftco
