// Settings of a serving engine that decide memory and batching, loaded from data/engines.yaml.
#ifndef PERFTCO_ENGINE_CONFIG_H_
#define PERFTCO_ENGINE_CONFIG_H_

#include <cstdint>
#include <string>

#include "perftco/units.h"

namespace perftco {

// Engine settings that decide memory and batching (MODELING-NOTES 1 and 2). vLLM's
// gpu_memory_utilization is a fraction of total HBM for weights + activations + KV; TensorRT-LLM's
// free_gpu_memory_fraction is a fraction of what is free after weights and activations.
// Presets per engine are data (data/engines.yaml).
struct EngineMemory {
  std::string name = "default";
  double usable_fraction = 0.90;  // vLLM default gpu_memory_utilization
  bool fraction_of_free = false;  // true: usable_fraction applies to memory left after weights
  Bytes runtime_reserve = Gigabytes(1.5);
  int64_t max_batched_tokens = 8192;  // per step (vLLM max_num_batched_tokens)
  int64_t max_num_seqs = 0;           // running sequences per replica; 0: limited by KV only
  int block_size = 16;                // KV page in tokens (vLLM default)
  bool in_network_reduction = true;   // uses switch-side reduction (NVLS) where the hardware has it
  bool moe_comm_overlap = false;      // two-batch overlap: expert all-to-all under compute
  // Drafted tokens per step the engine runs when a deployment names a draft method but not k
  // (data/engines.yaml `speculative_tokens`, each with its source).
  int mtp_tokens = 1;
  int eagle_tokens = 3;
  int draft_model_tokens = 4;
};

}  // namespace perftco

#endif  // PERFTCO_ENGINE_CONFIG_H_
