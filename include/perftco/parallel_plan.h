// How one model replica is split across chips, and the numeric formats it runs in.
#ifndef PERFTCO_PARALLEL_PLAN_H_
#define PERFTCO_PARALLEL_PLAN_H_

#include <string>
#include <vector>

#include "perftco/hardware.h"
#include "perftco/model.h"
#include "perftco/precision.h"
#include "perftco/status.h"

namespace perftco {

// One replica uses tp x pp chips: pp pipeline stages of tp chips each. Expert parallelism reuses
// the tp ranks (ep divides tp): each rank holds ceil(num_experts / ep) experts, each expert split
// tp / ep ways (TensorRT-LLM's moe_tp x moe_ep = tp). With dp_attention the attention runs
// data-parallel over the tp ranks (each rank holds all attention weights and only its own
// sequences' KV), as SGLang and TensorRT-LLM do for MLA models; such a group may span several
// scale-up domains (wide expert parallelism over the scale-out network). `replicas` independent
// copies serve in parallel. docs/models/parallelism.md gives the equations.
struct ParallelPlan {
  int tp = 1;
  int pp = 1;
  int ep = 1;
  bool dp_attention = false;
  int replicas = 1;  // independent copies of the model (data parallel serving)
  // Micro-batches one step's batch is split into on its way through the pp stages; 0 means pp
  // (one per stage: the fewest that leave no stage idle in steady decoding). 1 when pp == 1.
  int micro_batches = 0;
  // Attention heads padded up to a multiple of tp (each chip runs ceil(heads / tp) heads), as
  // engines that allow any tp do; false: tp must divide the heads.
  bool pad_heads = false;
  // Tensor parallelism wider than one scale-up domain, in whole domains: each all-reduce then
  // goes hierarchically, inside the domains and across them over the scale-out network. Only
  // when asked for (a source that ran it, or --cross-domain-tp); off, such a tp is refused.
  bool cross_domain_tp = false;

  int ChipsPerReplica() const { return tp * pp; }
  // Expert slots over the ep ranks: ep x ceil(experts / ep). Where ep does not divide the experts
  // the spare slots hold redundant copies of busy experts, as SGLang's and vLLM's expert-parallel
  // load balancers place them (num_redundant_experts); they cost memory, not FLOPs.
  int ExpertSlots(int experts) const {
    const int ranks = std::max(1, ep);
    return ranks * ((experts + ranks - 1) / ranks);
  }
  // Attention (query) heads and KV heads one chip holds: heads / tp, rounded up when padded;
  // at least one KV head (replicated when tp exceeds them).
  double HeadsPerChip(int heads) const;
  double KvHeadsPerChip(int kv_heads) const;
  int Chips() const { return tp * pp * replicas; }
  int MicroBatches() const { return pp == 1 ? 1 : (micro_batches > 0 ? micro_batches : pp); }
  std::string ToString() const;
};

struct Precisions {
  Precision weights = Precision::kBf16;
  Precision activations = Precision::kBf16;  // GEMM input format (fp8 with fp8 weights)
  Precision kv = Precision::kBf16;
};

// Checks that the plan suits the model and the hardware: every size at least 1; tp divides the
// attention heads (unless attention is data-parallel); pp at most the layers (uneven splits are
// allowed: the heaviest stage sets the pace); ep only for MoE models, dividing tp and the
// experts; micro-batches only with pp > 1; tp within one scale-up domain, or a whole number of
// domains with dp_attention or cross_domain_tp. Returns the reason and the way out when it does
// not.
Status ValidatePlan(const ParallelPlan& plan, const ModelConfig& model, const Hardware& hw);

// Layers of each pipeline stage, first to last, as vLLM partitions them (get_pp_indices): every
// stage gets layers / pp, and the remainder goes one each to the stages before the last (which
// also carries the LM head). Sums to `layers`; pp must be in [1, layers].
std::vector<int> StageLayerCounts(int layers, int pp);

}  // namespace perftco

#endif  // PERFTCO_PARALLEL_PLAN_H_
