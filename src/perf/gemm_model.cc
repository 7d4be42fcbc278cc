#include "perftco/gemm_model.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

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

// Rows per block: Hopper's warp-group MMA is 64 rows tall, so a 64-row block for small M and
// 128 otherwise.
double BlockRows(double m) { return m <= 64 ? 64.0 : 128.0; }

// The block width that fills the units best, for `m_blocks` row blocks of each group.
Tiling BestWidth(double m_blocks, double n, double groups, int units, const GemmShapeParams& p) {
  const double u = std::max(1, units);
  Tiling best;
  for (double bn : kBlockWidths) {
    const double blocks = std::max(1.0, groups) * m_blocks * std::ceil(std::max(1.0, n) / bn);
    const double waves = std::ceil(blocks / u);
    const double e = blocks / (waves * u) * bn / (bn + p.tile_n_overhead);
    if (e > best.main_loop) {
      best.main_loop = e;
      best.active_units = std::min(u, blocks);
    }
  }
  return best;
}

// The fraction of a row block that holds rows, and of the K loop that is main loop.
double RowAndKFill(const GemmShape& s, const GemmShapeParams& p) {
  const double m = std::max(1.0, s.m);
  const double bm = BlockRows(m);
  const double k = std::max(1.0, s.k);
  return m / (std::ceil(m / bm) * bm) * k / (k + p.k_overhead);
}

Tiling Tile(const GemmShape& s, int units, const GemmShapeParams& p) {
  const double m = std::max(1.0, s.m);
  Tiling best = BestWidth(std::ceil(m / BlockRows(m)), s.n, s.groups, units, p);
  best.main_loop *= RowAndKFill(s, p);
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
  // The cost model asks for a factor for every operator of every step. The block-width search
  // depends on M only through its count of row blocks, so its result is remembered per thread in
  // a small direct-mapped table keyed by that count (the same answers, faster).
  struct Entry {
    double m_blocks = -1, n = 0, groups = 0, tile_n_overhead = 0;
    int units = 0;
    double fill = 1;
  };
  constexpr size_t kSlots = 256;
  thread_local std::array<Entry, kSlots> memo;
  struct Reference {
    int units = 0;
    double tile_n_overhead = 0, k_overhead = 0, main_loop = 1;
  };
  thread_local Reference ref;
  const double m = std::max(1.0, s.m);
  const double m_blocks = std::ceil(m / BlockRows(m));
  // splitmix64's finaliser over the three keys' bits (doubles of small integers differ only in
  // their top bits, which a plain multiply would drop).
  const auto mix = [](uint64_t x) {
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  };
  const uint64_t h =
      mix(mix(mix(std::bit_cast<uint64_t>(m_blocks)) ^ std::bit_cast<uint64_t>(s.n)) ^
          std::bit_cast<uint64_t>(s.groups));
  Entry& slot = memo[h % kSlots];
  if (!(slot.m_blocks == m_blocks && slot.n == s.n && slot.groups == s.groups &&
        slot.units == units && slot.tile_n_overhead == p.tile_n_overhead)) {
    slot = Entry{m_blocks,          s.n,   s.groups,
                 p.tile_n_overhead, units, BestWidth(m_blocks, s.n, s.groups, units, p).main_loop};
  }
  if (ref.units != units || ref.tile_n_overhead != p.tile_n_overhead ||
      ref.k_overhead != p.k_overhead) {
    ref = {units, p.tile_n_overhead, p.k_overhead,
           Tile(GemmShape{8192, 8192, 8192, 1}, units, p).main_loop};
  }
  return slot.fill * RowAndKFill(s, p) / ref.main_loop;
}

}  // namespace perftco
