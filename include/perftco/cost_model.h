// Time and memory of one engine step (iteration) for a model on a hardware under a parallel plan.
//
// A step runs one mixed batch: prefill chunks and decode tokens together, so weights are read
// once per step (MODELING-NOTES 4). Every operator's time is the roofline maximum of its compute
// time and its memory time, each at the family's achieved efficiency; communication and a fixed
// per-step overhead are added. The equations and their sources are in docs/models/cost-model.md.
#ifndef PERFTCO_COST_MODEL_H_
#define PERFTCO_COST_MODEL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "perftco/collectives.h"
#include "perftco/efficiency.h"
#include "perftco/engine_config.h"
#include "perftco/gemm_model.h"
#include "perftco/hardware.h"
#include "perftco/model.h"
#include "perftco/parallel_plan.h"
#include "perftco/speculative.h"
#include "perftco/units.h"

namespace perftco {

// The work of one step for one replica, summarised by quantities the cost is linear in, so that
// a simulator can add and remove sequences without re-listing them.
struct BatchShape {
  int64_t prefill_tokens = 0;      // new prompt tokens processed this step
  int64_t prefill_seqs = 0;        // sequences with a prefill chunk this step
  int64_t prefill_final_seqs = 0;  // of those, chunks that end their prompt (need logits)
  double prefill_attn_pairs = 0;   // sum over chunks of (query, key) pairs: c*before + c(c+1)/2
  double prefill_ctx_sum = 0;      // sum over chunks of keys read: before + c
  int64_t decode_seqs = 0;         // decode tokens, one per running sequence
  double decode_ctx_sum = 0;       // sum of their context lengths (keys read)

  int64_t Tokens() const { return prefill_tokens + decode_seqs; }
  // Adds one prefill chunk of `chunk` tokens after `before` tokens already cached.
  void AddPrefillChunk(int64_t before, int64_t chunk, bool final_chunk);
  void AddDecode(int64_t context) {
    ++decode_seqs;
    decode_ctx_sum += static_cast<double>(context);
  }
};

// Operator classes, each with its own efficiency (see Efficiency).
enum class OpClass { kGemm, kAttention, kMemory, kCommunication, kOverhead };

struct OpCost {
  std::string_view name;  // a string literal (a std::string cost an allocation per operator)
  OpClass op_class = OpClass::kGemm;
  Flops flops;   // per chip
  Bytes bytes;   // HBM traffic per chip
  Seconds time;  // roofline time (or communication time)
  bool compute_bound = false;
};

struct StepCost {
  Seconds time;          // one step of the whole batch (all pipeline stages), steady state
  Seconds compute_time;  // sum of compute-bound operator times
  Seconds memory_time;   // sum of memory-bound operator times
  Seconds comm_time;
  Seconds overlapped_comm;  // of comm_time, hidden under compute (two-batch overlap)
  Seconds overhead;
  Flops flops;              // per chip
  Bytes bytes;              // per chip
  std::vector<OpCost> ops;  // filled only when asked (for `perftco show` breakdowns)

  // Pipeline schedule (docs/models/parallelism.md). With pp stages and m micro-batches, a stage
  // spends stage_time on each micro-batch. `time` is the steady-state period of back-to-back
  // steps, max(m x stage, round trip of one micro-batch); `latency` is the step on its own,
  // from its start until its last micro-batch leaves the last stage (fill and drain:
  // (m + pp - 1) x stage + hops); `bubble` is the fraction of `latency` a stage idles. With
  // pp == 1: stage_time + overhead == latency == time and bubble == 0.
  Seconds stage_time;
  int micro_batches = 1;
  Seconds latency;
  double bubble = 0;
  // Speculative decoding: the draft passes' time (part of `time`), and the tokens each decode
  // sequence advances by on average in this step (1 without speculation).
  Seconds draft_time;
  double tokens_per_decode_seq = 1.0;
};

// Memory of one chip.
struct MemoryBudget {
  Bytes hbm;                          // capacity
  Bytes usable;                       // hbm x usable fraction
  Bytes weights;                      // per chip (draft weights included)
  Bytes draft_weights;                // of which the speculative draft head or model
  Bytes activations;                  // peak activation workspace
  Bytes runtime_reserve;              // context, graphs, communication buffers
  Bytes kv_capacity;                  // what is left for the KV cache
  Bytes kv_bytes_per_token;           // whole model, one token, kv precision
  Bytes kv_bytes_per_token_per_chip;  // what one chip stores per token of a sequence it holds
  int64_t kv_token_capacity = 0;      // tokens of KV one replica can hold (all its chips)
};

class CostModel {
 public:
  // Borrows nothing: copies what it needs. The plan must have passed ValidatePlan. With `spec`
  // enabled every decode sequence of a step verifies spec.tokens drafted tokens plus its own and
  // advances by spec.TokensPerStep() on average; the draft passes are costed in the step.
  CostModel(const ModelConfig& model, const Hardware& hw, const ParallelPlan& plan,
            const Precisions& precisions, const Efficiency& eff,
            const EngineMemory& engine = EngineMemory(),
            const SpeculativeDecoding& spec = SpeculativeDecoding());
  // The same, sharing the model and hardware instead of copying them (the calibration builds a
  // cost model per prediction, millions of times).
  CostModel(std::shared_ptr<const ModelConfig> model, std::shared_ptr<const Hardware> hw,
            const ParallelPlan& plan, const Precisions& precisions, const Efficiency& eff,
            const EngineMemory& engine = EngineMemory(),
            const SpeculativeDecoding& spec = SpeculativeDecoding());

  // Time of one step of `shape` for one replica. With pp > 1 the batch is split into
  // plan.MicroBatches() micro-batches (at most one per sequence) that flow through the stages;
  // `time` is the steady-state period and `latency` the step alone (see StepCost).
  StepCost Step(const BatchShape& shape, bool with_breakdown = false) const;

  // Memory per chip; kv_capacity may be negative when the model does not fit (see Fits()).
  MemoryBudget Memory() const;
  // Ok, or an error with the numbers and the ways out.
  Status Fits() const;
  // KV bytes one sequence of `context` tokens needs on one chip, in whole blocks.
  Bytes KvBytesPerSequencePerChip(int64_t context) const;
  // Largest number of sequences of `context` tokens whose KV fits in one replica, capped by the
  // engine's max_num_seqs.
  int64_t MaxSequences(int64_t context) const;

  // FLOPs of one forward token through the whole model at a given context (for tests and 6ND).
  Flops ForwardFlopsPerToken(int64_t context) const;

  const ModelConfig& model() const { return *model_; }
  const Hardware& hardware() const { return *hw_; }
  const ParallelPlan& plan() const { return plan_; }
  const Precisions& precisions() const { return prec_; }
  const Efficiency& efficiency() const { return eff_; }
  const EngineMemory& engine() const { return engine_; }
  const SpeculativeDecoding& speculative() const { return spec_; }
  // Weights of the heaviest pipeline stage's chips, draft weights included.
  Bytes WeightBytesPerChip() const;
  // Layers of the heaviest pipeline stage (the one that sets the pace); all layers when pp == 1.
  double StageLayers() const { return stage_layers_; }

  // Expected other scale-up domains that hold one of a token's experts (0 inside one domain).
  double RemoteDomainsPerToken() const;

 private:
  // Time of the heaviest pipeline stage running `share` of `shape` (1/m for one micro-batch).
  StepCost Stage(const BatchShape& shape, double share, bool with_breakdown) const;
  // The draft passes of speculative decoding for `shape`.
  Seconds DraftTime(const BatchShape& shape) const;
  // Weights of the target model alone on one chip of the heaviest stage.
  Bytes ModelWeightBytesPerChip() const;
  Bytes DraftWeightBytesPerChip() const;
  // Roofline time of an operator with the given efficiency of compute.
  OpCost Roofline(const char* name, OpClass cls, Flops flops, Bytes bytes,
                  FlopsPerSecond achieved) const;
  // A GEMM rate moved by its shape (gemm_model.h): the calibrated efficiencies hold at the
  // 8192^3 reference shape; a family without a tiling model keeps the rate.
  FlopsPerSecond Shaped(FlopsPerSecond rate, const GemmShape& shape) const;

  std::shared_ptr<const ModelConfig> model_;  // immutable, shared by copies
  std::shared_ptr<const Hardware> hw_;
  ParallelPlan plan_;
  Precisions prec_;
  Efficiency eff_;
  EngineMemory engine_;
  CollectiveModel collectives_;
  FlopsPerSecond gemm_rate_;       // achieved matmul rate in the compute precision
  FlopsPerSecond wide_gemm_rate_;  // achieved 16-bit matmul rate (LM head)
  FlopsPerSecond attention_rate_;  // achieved attention rate (16-bit)
  int compute_units_ = 0;          // SMs/CUs for GEMM wave quantisation; 0: no tiling model
  // The heaviest pipeline stage: its layers, MoE layers and sliding-window layers.
  double stage_layers_ = 0;
  double stage_moe_layers_ = 0;
  double stage_sliding_layers_ = 0;
  SpeculativeDecoding spec_;
  int verify_tokens_ = 1;  // tokens per decode sequence in one step: k + 1 with speculation
  // The draft as a model of its own (shared, immutable: copies of this CostModel share it).
  std::shared_ptr<const CostModel> draft_;
};

}  // namespace perftco

#endif  // PERFTCO_COST_MODEL_H_
