// Analytical estimate of a static batch: prefill every prompt, then decode them together.
#ifndef PERFTCO_ESTIMATE_H_
#define PERFTCO_ESTIMATE_H_

#include <cstdint>
#include <vector>

#include "perftco/cost_model.h"

namespace perftco {

// One operating point of `batch` sequences of isl input and osl output tokens on one replica.
struct EstimatePoint {
  int64_t batch = 0;
  Seconds ttft;             // all prompts prefilled (chunks of max_batched_tokens) + first token
  Seconds tpot;             // mean decode step over the osl - 1 steps
  Seconds request_latency;  // ttft + (osl - 1) x tpot
  double output_tokens_per_s = 0;  // all replicas
  double output_tokens_per_s_per_chip = 0;
  double tokens_per_s_per_user = 0;  // 1 / tpot
  StepCost decode_step;              // the decode step at the mean context, with its breakdown
};

// The largest batch of `context`-token sequences the engine admits at once: the KV cache's
// sequences, capped by max_num_seqs where set (0 when not one fits).
int64_t LargestAdmittedBatch(const CostModel& cost, int64_t context);

// Errors: non-positive lengths or batch; with enforce_limits also a batch whose KV does not fit
// or lengths beyond the model's context (validation turns the limits off to cost what a source
// measured even where perftco's memory model disagrees).
Result<EstimatePoint> EstimateBatch(const CostModel& cost, int64_t isl, int64_t osl, int64_t batch,
                                    bool enforce_limits = true);

// A batch of `batch` identical requests run the way a serving engine runs it: at most the engine's
// admission limit (the KV cache's sequences, and max_num_seqs where set) at a time, the rest
// admitted as running ones finish, so the batch runs in waves of the effective batch. The
// point's `batch` is the effective batch, ttft / tpot / request_latency are means over all the
// requests, and `batch_latency` the time to finish the whole batch. Fails only when one sequence
// alone cannot fit, on non-positive lengths or batch, and with enforce_lengths on lengths beyond
// the model's context.
struct AdmittedBatch {
  EstimatePoint point;
  int64_t requested = 0;  // the batch asked for
  int64_t waves = 1;
  Seconds batch_latency;  // first prompt in to the batch's last token
};
Result<AdmittedBatch> EstimateAdmitted(const CostModel& cost, int64_t isl, int64_t osl,
                                       int64_t batch, bool enforce_lengths = true);

// The largest batch (up to the KV limit) whose TPOT meets `tpot_slo`; an error naming the
// batch-1 TPOT when even one sequence misses it.
Result<int64_t> LargestBatchForTpot(const CostModel& cost, int64_t isl, int64_t osl,
                                    Seconds tpot_slo);

// The prefill time of EstimateBatch costed step by step, for tests of the fast path.
Seconds ExactPrefillTimeForTest(const CostModel& cost, int64_t isl, int64_t batch);
// The decode time of EstimateBatch summed step by step, for tests of the fast summation.
Seconds ExactDecodeTimeForTest(const CostModel& cost, int64_t isl, int64_t osl, int64_t batch);

}  // namespace perftco

#endif  // PERFTCO_ESTIMATE_H_
