// Time, memory and cost of one training step for a model on a cluster under a parallel plan.
//
// A step runs `micro_batches` micro-batches of `micro_batch` sequences through a pipeline of `pp`
// stages on each of `dp` data-parallel replicas; each stage is split `tp` ways (tensor parallel,
// with sequence parallelism) and `cp` ways (context parallel, ring attention); mixture-of-experts
// layers spread their experts `ep` ways over the data-parallel ranks (as Megatron-LM does).
// Forward is about a third of the compute, backward two thirds; communication of every parallel
// dimension is costed with the alpha-beta collectives of collectives.h and hidden behind compute
// where the framework overlaps it. The equations, their sources and their measured error are in
// docs/models/training.md.
#ifndef PERFTCO_TRAINING_H_
#define PERFTCO_TRAINING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "perftco/collectives.h"
#include "perftco/efficiency.h"
#include "perftco/hardware.h"
#include "perftco/model.h"
#include "perftco/precision.h"
#include "perftco/status.h"
#include "perftco/units.h"

namespace perftco {

enum class PipelineSchedule {
  k1F1B,         // one forward, one backward (Narayanan et al. 2021, PipeDream-Flush)
  kInterleaved,  // each device holds `virtual_stages` model chunks (Narayanan et al. 2021)
};
std::string_view PipelineScheduleName(PipelineSchedule s);
Result<PipelineSchedule> ParsePipelineSchedule(std::string_view name);

// How one training job is split over chips. chips = dp x tp x pp x cp.
struct TrainingPlan {
  int dp = 1;
  int tp = 1;
  int pp = 1;
  int cp = 1;
  int ep = 1;          // experts spread over ep data-parallel ranks; divides dp x cp
  int zero_stage = 1;  // 0: replicated; 1: optimizer sharded; 2: + gradients; 3: + weights
  PipelineSchedule schedule = PipelineSchedule::k1F1B;
  int virtual_stages = 1;  // model chunks per device (interleaved only)
  int micro_batch = 1;     // sequences per micro-batch
  // Fraction of each stage's layers whose activations are recomputed in full in the backward
  // pass (Megatron-LM --recompute-granularity full --recompute-method block); 0: off, 1: all.
  double recompute = 0;

  int Chips() const { return dp * tp * pp * cp; }
  // "dp128-tp8-pp16-v2-zero1-mb1-rc50" (dimensions of size 1 other than dp omitted; rc: the
  // recomputed share of layers in percent).
  std::string ToString() const;
};

// What is trained: sequence length, batch size and (optionally) the whole run's tokens.
struct TrainingWorkload {
  int64_t seq_len = 4096;                  // Llama 2 (Touvron et al. 2023) pre-training length
  double global_batch_tokens = 4194304.0;  // 4M tokens, Llama 2's batch; actual batch rounds up
  double train_tokens = 0;                 // D; 0 when only the step is asked for
};

// Settings of the training system. Defaults are documented in docs/models/training.md.
enum class ContextParallelMethod { kRing, kAllGather };
std::string_view ContextParallelMethodName(ContextParallelMethod m);
Result<ContextParallelMethod> ParseContextParallelMethod(std::string_view name);

struct TrainingOptions {
  Precision compute = Precision::kBf16;  // GEMM format (fp8: FP8 GEMMs as in DeepSeek-V3)
  // Bytes per parameter (mixed-precision Adam, Rajbhandari et al. 2020): 16-bit weights,
  // fp32 main gradients (Megatron-LM's default; Llama 3 reduces gradients in fp32), and fp32
  // master weights + Adam m + v (12 bytes).
  double weight_bytes = 2.0;
  double grad_bytes = 4.0;
  double optimizer_bytes = 12.0;
  bool dropout = false;          // dropout masks stored (GPT-3 style); modern LLMs train without
  bool tp_comm_overlap = false;  // TP collectives hidden behind GEMMs (Megatron --tp-comm-overlap)
  // All-to-all hidden behind the compute of MoE layers: DeepSeek-V3's DualPipe overlaps the
  // dispatch and combine of one micro-batch with the computation of another.
  bool ep_comm_overlap = false;
  // How context parallelism exchanges K and V: a ring of point-to-point passes hidden behind
  // attention (Megatron/TransformerEngine), or an all-gather of K and V before attention and a
  // reduce-scatter of their gradients after it, on the critical path (Llama 3, 3.3.2).
  ContextParallelMethod cp_method = ContextParallelMethod::kRing;
  double dispatch_bytes = 2.0;  // bytes per element of the dispatch all-to-all (fp8: 1)
  // Routed copies of a token that leave its scale-up domain: at most this many target domains,
  // one copy each, forwarded inside the domain (DeepSeek-V3 node-limited routing: 4). 0: no
  // limit and no de-duplication (every one of the top-k copies crosses).
  int max_domains_per_token = 0;
  double usable_memory_fraction = 0.92;  // allocator fragmentation and caching
  Bytes runtime_reserve = Gigabytes(2);  // CUDA/runtime context and communication buffers
  // Data parallelism across sites: dp splits evenly over `sites`, the gradient all-reduce
  // between sites crosses a wide-area link of this bandwidth (per site, each direction).
  int sites = 1;
  BytesPerSecond wan_bandwidth;
  Seconds wan_latency;
};

// Memory of the fullest chip (the first or the last pipeline stage).
struct TrainingMemory {
  Bytes weights;
  Bytes gradients;
  Bytes optimizer;
  Bytes activations;
  Bytes buffers;  // ZeRO-3 gathered layers, logits of the loss
  Bytes reserve;
  Bytes total;
  Bytes capacity;  // HBM
  Bytes usable;    // capacity x usable fraction (the reserve is part of total)
  bool Fits() const { return total <= usable; }
};

// Communication of one parallel dimension over one step, and how much of it stays exposed.
struct CommCost {
  std::string dimension;  // "tp", "cp", "ep", "pp", "dp", "wan"
  Seconds time;           // on the critical path of the bottleneck stage, over the whole step
  Seconds exposed;        // not hidden behind compute
  double OverlappedFraction() const {
    return time.value() > 0 ? 1.0 - exposed.value() / time.value() : 0.0;
  }
};

// One training step on the whole cluster. step_time = forward + backward + recompute + bubble +
// ExposedComm() + optimizer + overhead.
struct TrainingStep {
  TrainingPlan plan;
  int64_t micro_batches = 0;      // per data-parallel replica
  int64_t global_batch_seqs = 0;  // dp x micro_batch x micro_batches
  double tokens_per_step = 0;
  Seconds step_time;
  Seconds forward;  // compute of the bottleneck stage over the step
  Seconds backward;
  Seconds recompute;
  Seconds bubble;     // pipeline fill and drain
  Seconds optimizer;  // Adam update
  Seconds overhead;
  std::vector<CommCost> comm;
  double bubble_fraction = 0;
  // 3 x forward FLOPs with causal attention: 6 N + 6 L H Q T, i.e. PaLM's 6N + 12 LHQT
  // (Chowdhery et al. 2022, App. B) with the masked half of attention left out.
  Flops model_flops_per_token;
  Flops hardware_flops_per_token;  // what runs: model FLOPs plus recomputation
  double mfu = 0;                  // model FLOP/s per chip over the compute-precision peak
  double hfu = 0;
  double tokens_per_s = 0;
  TrainingMemory memory;

  Seconds ExposedComm() const {
    Seconds t;
    for (const auto& c : comm) t += c.exposed;
    return t;
  }
};

// The per-chip FLOP and byte counts of a model, for tests and for 6ND comparisons.
struct TrainingFlops {
  double matmul_params = 0;  // active parameters in matrix products per token (head included)
  Flops forward_per_token;   // matrix products + causal attention, one forward
  Flops six_nd_per_token;    // 6 x TotalParams(): the 6ND rule (Kaplan et al. 2020)
};

class TrainingModel {
 public:
  // Copies what it needs.
  TrainingModel(const ModelConfig& model, const Hardware& hw, const Efficiency& eff,
                const TrainingOptions& options = TrainingOptions());

  // Ok, or why the plan cannot run this model on this hardware (one line each).
  Status Validate(const TrainingPlan& plan, const TrainingWorkload& w) const;
  // The step; errors: an invalid plan, or a plan whose memory does not fit (with the numbers).
  Result<TrainingStep> Step(const TrainingPlan& plan, const TrainingWorkload& w) const;
  // The step without the memory check (for searches and for explaining a miss).
  Result<TrainingStep> StepUnchecked(const TrainingPlan& plan, const TrainingWorkload& w) const;
  // Memory of the fullest chip.
  TrainingMemory Memory(const TrainingPlan& plan, const TrainingWorkload& w) const;
  // A one-line error naming the memory per chip and the ways out.
  Status MemoryError(const TrainingPlan& plan, const TrainingMemory& m) const;

  // Layer-by-layer FLOPs of one token at sequence length s.
  TrainingFlops Flops(int64_t seq_len) const;
  // Micro-batches per replica for a plan: ceil(batch sequences / (dp x micro_batch)).
  int64_t MicroBatches(const TrainingPlan& plan, const TrainingWorkload& w) const;

  const ModelConfig& model() const { return model_; }
  const Hardware& hardware() const { return hw_; }
  const Efficiency& efficiency() const { return eff_; }
  const TrainingOptions& options() const { return opt_; }
  FlopsPerSecond peak() const { return peak_; }

 private:
  struct StageWork;  // per micro-batch times of one stage
  // The FLOP-weighted GEMM shape factor of one stage's matrix products (gemm_model.h).
  double GemmShapeFactorOfStage(const TrainingPlan& p, double tokens, double layers,
                                double moe_layers, bool last) const;
  StageWork Stage(const TrainingPlan& plan, const TrainingWorkload& w, bool last) const;
  // Alpha-beta collectives for a group of `group` chips spaced `stride` chips apart.
  Seconds AllReduce(Bytes size, int group, int stride) const;
  Seconds ReduceScatter(Bytes size, int group, int stride) const;
  Seconds AllGather(Bytes size, int group, int stride) const;
  Seconds AllToAll(Bytes size, int group, int stride) const;
  // One MoE dispatch (or combine) of `tokens` tokens per chip over ep ranks `stride` apart.
  Seconds ExpertAllToAll(double tokens, double bytes_per_element, int ep, int stride) const;
  CollectiveModel Placed(int stride) const;
  // Parameters one chip holds before ZeRO sharding: non-expert and expert parts.
  void StageParams(const TrainingPlan& plan, bool first, bool last, double* dense,
                   double* expert) const;
  // Activation bytes one layer stores per token (before dividing by tp), by Korthikanti et al.
  double ActivationBytesPerTokenLayer(bool moe_layer) const;

  ModelConfig model_;
  Hardware hw_;
  Hardware link_hw_;  // hw_ without its text fields: copied per placed collective
  Efficiency eff_;
  TrainingOptions opt_;
  FlopsPerSecond peak_;       // GEMMs, in the compute precision
  FlopsPerSecond attn_peak_;  // attention stays 16-bit
};

// The pipeline bubble as a fraction of the step: ((p - 1) / v) / (m + (p - 1) / v); with v = 1
// this is (p - 1) / (m + p - 1) (Narayanan et al. 2021, eq. 1 and section 2.2.2).
double PipelineBubbleFraction(int pp, int64_t micro_batches, int virtual_stages);

// Which plan values a search may choose; unset fields are searched.
struct PlanConstraints {
  std::optional<int> dp, tp, pp, cp, ep, zero_stage, virtual_stages, micro_batch;
  std::optional<PipelineSchedule> schedule;
  std::optional<double> recompute;
};

// The plan with the highest tokens/s among those that fit in memory, for `chips` chips.
// Errors: no plan satisfies the constraints, or none fits (naming the closest one's memory).
Result<TrainingStep> SearchPlan(const TrainingModel& model, int chips, const TrainingWorkload& w,
                                const PlanConstraints& constraints);

}  // namespace perftco

#endif  // PERFTCO_TRAINING_H_
