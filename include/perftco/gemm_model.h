// Achieved time of one matrix product (GEMM) from its shape: the kernel-level model of
// docs/models/gemm.md, fitted to published kernel benchmarks (data/kernels/gemm.csv).
//
// A GEMM multiplies an M x K activation by a K x N weight (`groups` of them for a grouped MoE
// GEMM, each with M rows). The kernel tiles the output into BM x BN blocks, one per compute unit
// (SM/CU) at a time, choosing BN to fill the units; its compute time grows with the waves of
// blocks and a K-loop prologue, its memory time with the operands, and few blocks cannot pull
// full HBM bandwidth. The two overlap imperfectly (a p-norm instead of the roofline's maximum),
// and every kernel pays a fixed start-up time.
#ifndef PERFTCO_GEMM_MODEL_H_
#define PERFTCO_GEMM_MODEL_H_

#include <string>

#include "perftco/units.h"

namespace perftco {

struct GemmShape {
  double m = 0;       // rows (tokens) per group
  double n = 0;       // output columns
  double k = 0;       // reduction dimension
  double groups = 1;  // experts of a grouped GEMM
  double Flops() const { return 2.0 * groups * m * n * k; }
};

// Parameters of the shape model (docs/models/gemm.md section 2 gives the fit and its error).
struct GemmShapeParams {
  double compute_eff;      // asymptotic fraction of peak of the main loop
  double memory_eff;       // fraction of HBM bandwidth reached by a GEMM's operand streams
  Seconds fixed;           // start-up time of every kernel
  double k_overhead;       // K-equivalent of each block's prologue and epilogue
  double smoothing;        // p of the p-norm that joins compute and memory time
  double tile_n_overhead;  // BN-equivalent of a block's fixed work: BN / (BN + this)
  double unit_bandwidth;   // bytes/s one compute unit can pull from HBM
  // The fit of scripts/fit-gemm-shape.py to data/kernels/gemm.csv (DeepGEMM, H800, fp8).
  static GemmShapeParams Fitted();
};

// Compute units (SMs, CUs) of a GPU family, for wave quantisation; 0 for systolic-array
// designs and unknown families (GemmShapeFactor is then 1).
int ComputeUnitsOf(const std::string& family);

// Time of one GEMM on a chip with `peak` FLOP/s in its format, `hbm` bytes/s, operands of
// `in_bytes` per element (output bf16) and `units` compute units.
Seconds GemmKernelTime(const GemmShape& s, FlopsPerSecond peak, BytesPerSecond hbm, double in_bytes,
                       int units, const GemmShapeParams& p = GemmShapeParams::Fitted());

// The main loop's achieved fraction of peak for this shape relative to a square 8192^3 product
// on the same chip: the factor by which the shape moves a family's calibrated GEMM efficiency
// (which is defined at that reference shape). 1 for large, well-tiled products; < 1 for short K,
// few blocks or ragged tiles.
double GemmShapeFactor(const GemmShape& s, int units,
                       const GemmShapeParams& p = GemmShapeParams::Fitted());

}  // namespace perftco

#endif  // PERFTCO_GEMM_MODEL_H_
