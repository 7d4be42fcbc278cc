// How one model replica is split across chips, and the numeric formats it runs in.
#ifndef PERFTCO_PARALLEL_PLAN_H_
#define PERFTCO_PARALLEL_PLAN_H_

#include <string>

#include "perftco/hardware.h"
#include "perftco/model.h"
#include "perftco/precision.h"
#include "perftco/status.h"

namespace perftco {

// One replica uses tp x pp chips. Expert parallelism reuses the tp ranks (ep divides tp): each
// rank holds num_experts / ep experts, each expert split tp / ep ways. With dp_attention the
// attention runs data-parallel over the tp ranks (each rank holds all attention weights and
// only its own sequences' KV), as SGLang and TensorRT-LLM do for MLA models.
struct ParallelPlan {
  int tp = 1;
  int pp = 1;
  int ep = 1;
  bool dp_attention = false;
  int replicas = 1;  // independent copies of the model (data parallel serving)

  int ChipsPerReplica() const { return tp * pp; }
  int Chips() const { return tp * pp * replicas; }
  std::string ToString() const;
};

struct Precisions {
  Precision weights = Precision::kBf16;
  Precision activations = Precision::kBf16;  // GEMM input format (fp8 with fp8 weights)
  Precision kv = Precision::kBf16;
};

// Checks that the plan suits the model and the hardware: tp divides the attention heads,
// ep divides tp and the experts, pp divides... (pp <= layers), tp x pp within the chips given and
// tp within one scale-up domain. Returns the reason when it does not.
Status ValidatePlan(const ParallelPlan& plan, const ModelConfig& model, const Hardware& hw);

}  // namespace perftco

#endif  // PERFTCO_PARALLEL_PLAN_H_
