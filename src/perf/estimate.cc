#include "perftco/estimate.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

namespace perftco {
namespace {

// Time per output token of a decode step: the step over the tokens each sequence advances by
// (more than one with speculative decoding).
Seconds TimePerToken(const CostModel& cost, const BatchShape& decode) {
  const StepCost c = cost.Step(decode);
  return c.time / c.tokens_per_decode_seq;
}

Status CheckLengths(const CostModel& cost, int64_t isl, int64_t osl) {
  if (isl <= 0 || osl <= 0) {
    return Status::Error("--isl and --osl must be positive (got " + std::to_string(isl) + " and " +
                         std::to_string(osl) + ")");
  }
  const int64_t limit = cost.model().max_context;
  if (limit > 0 && isl + osl > limit) {
    return Status::Error("isl + osl = " + std::to_string(isl + osl) + " exceeds the " +
                         std::to_string(limit) + "-token context of " + cost.model().name);
  }
  return Status::Ok();
}

// The prefill step holding tokens [from, to) of the prompts laid end to end: the tail of the
// prompt it starts in, whole prompts, the head of the prompt it ends in.
BatchShape PrefillRange(int64_t isl, int64_t from, int64_t to) {
  BatchShape step;
  int64_t at = from;
  if (at % isl != 0) {
    const int64_t before = at % isl;
    const int64_t chunk = std::min(isl - before, to - at);
    step.AddPrefillChunk(before, chunk, before + chunk == isl);
    at += chunk;
  }
  if (const int64_t whole = (to - at) / isl; whole > 0) {
    const double n = static_cast<double>(whole), len = static_cast<double>(isl);
    step.prefill_tokens += whole * isl;
    step.prefill_seqs += whole;
    step.prefill_final_seqs += whole;
    step.prefill_attn_pairs += n * len * (len + 1.0) / 2.0;
    step.prefill_ctx_sum += n * len;
    at += whole * isl;
  }
  if (at < to) step.AddPrefillChunk(0, to - at, false);
  return step;
}

// The prefill steps of `batch` prompts of `isl` tokens, packed in order into steps of at most
// max_batched_tokens (a prompt split over steps continues where it stopped).
std::vector<BatchShape> PrefillSteps(const CostModel& cost, int64_t isl, int64_t batch) {
  const int64_t budget = std::max<int64_t>(1, cost.engine().max_batched_tokens);
  const int64_t total = isl * batch;
  std::vector<BatchShape> steps;
  for (int64_t from = 0; from < total; from += budget) {
    steps.push_back(PrefillRange(isl, from, std::min(total, from + budget)));
  }
  return steps;
}

// Steps follow each other at the steady-state period; the last one's output leaves the pipeline
// only after its fill and drain (its latency; the same as its period when pp == 1).
Seconds SumStepByStep(const CostModel& cost, const std::vector<BatchShape>& steps) {
  Seconds total;
  for (size_t i = 0; i + 1 < steps.size(); ++i) total += cost.Step(steps[i]).time;
  return steps.empty() ? total : total + cost.Step(steps.back()).latency;
}

// Time to prefill `batch` prompts of `isl` tokens in steps of at most max_batched_tokens.
// Up to kExactSteps steps are costed one by one. Beyond, the steps are all full and alike, and
// every operator's time is linear in the step's totals, so n steps cost n times the step of the
// mean shape (exact where no operator changes regime between steps; tested within 1%).
Seconds PrefillTime(const CostModel& cost, int64_t isl, int64_t batch) {
  constexpr int64_t kExactSteps = 32;
  const int64_t budget = std::max<int64_t>(1, cost.engine().max_batched_tokens);
  const int64_t total = isl * batch;
  const int64_t n_steps = (total + budget - 1) / budget;
  if (n_steps <= kExactSteps) return SumStepByStep(cost, PrefillSteps(cost, isl, batch));
  // Every step but the last, summed one range at a time (each is worked out whole, so this is
  // linear in the steps, not in the prompts).
  BatchShape sum;
  for (int64_t from = 0; from < (n_steps - 1) * budget; from += budget) {
    const BatchShape s = PrefillRange(isl, from, from + budget);
    sum.prefill_tokens += s.prefill_tokens;
    sum.prefill_seqs += s.prefill_seqs;
    sum.prefill_final_seqs += s.prefill_final_seqs;
    sum.prefill_attn_pairs += s.prefill_attn_pairs;
    sum.prefill_ctx_sum += s.prefill_ctx_sum;
  }
  const BatchShape last = PrefillRange(isl, (n_steps - 1) * budget, total);
  const double n = static_cast<double>(n_steps - 1);
  BatchShape mean;
  mean.prefill_tokens = static_cast<int64_t>(std::llround(sum.prefill_tokens / n));
  mean.prefill_seqs = static_cast<int64_t>(std::llround(sum.prefill_seqs / n));
  mean.prefill_final_seqs = static_cast<int64_t>(std::llround(sum.prefill_final_seqs / n));
  mean.prefill_attn_pairs = sum.prefill_attn_pairs / n;
  mean.prefill_ctx_sum = sum.prefill_ctx_sum / n;
  return cost.Step(mean).time * n + cost.Step(last).latency;
}

}  // namespace

Seconds ExactPrefillTimeForTest(const CostModel& cost, int64_t isl, int64_t batch) {
  return SumStepByStep(cost, PrefillSteps(cost, isl, batch));
}

namespace {

// Sum of the decode steps k = 1..osl-1, whose batch reads contexts isl + k. Each operator's time
// is the larger of a compute and a memory time, both linear in the context or constant (a
// sliding window caps the context: a constant beyond it), so the step time is piecewise linear in
// k with few breakpoints (where an operator turns compute-bound, where a window fills). A linear
// stretch sums from its ends: sum_{k=a..b} f(k) = (b - a + 1) (f(a) + f(b)) / 2. The sum halves
// [1, osl-1] until each stretch is linear: a stretch whose quarter, middle and three-quarter
// points lie on the chord of its ends (to 1e-9) is taken as linear; short stretches are summed
// step by step. Most decodes are one linear stretch (5 steps costed instead of osl - 1); each
// breakpoint adds about 4 per halving. Error against the exact sum: below 1e-6 (tested).
struct DecodeSum {
  const CostModel& cost;
  int64_t isl = 0, batch = 0;
  Seconds At(int64_t k) const {
    BatchShape s;
    s.decode_seqs = batch;
    s.decode_ctx_sum = static_cast<double>(batch) * static_cast<double>(isl + k);
    return TimePerToken(cost, s);
  }
  // Steps a..b, given their values at a, m = (a + b) / 2 and b.
  Seconds Stretch(int64_t a, Seconds fa, int64_t m, Seconds fm, int64_t b, Seconds fb) const {
    constexpr int64_t kExact = 8;
    if (b - a < kExact) {
      Seconds total = fa + fb;
      for (int64_t k = a + 1; k < b; ++k) total += k == m ? fm : At(k);
      return total;
    }
    const int64_t q1 = (a + m) / 2, q3 = (m + b) / 2;
    const Seconds f1 = At(q1), f3 = At(q3);
    const auto on_chord = [&](int64_t k, Seconds fk) {
      const double t = static_cast<double>(k - a) / static_cast<double>(b - a);
      const double chord = fa.value() + t * (fb.value() - fa.value());
      return std::fabs(fk.value() - chord) <=
             1e-9 * std::max(std::fabs(fa.value()), std::fabs(fb.value()));
    };
    if (on_chord(q1, f1) && on_chord(m, fm) && on_chord(q3, f3)) {
      return (fa + fb) * (static_cast<double>(b - a + 1) / 2.0);
    }
    return Stretch(a, fa, q1, f1, m, fm) + Stretch(m, fm, q3, f3, b, fb) - fm;
  }
};

Seconds DecodeTime(const CostModel& cost, int64_t isl, int64_t osl, int64_t batch) {
  const int64_t steps = osl - 1;
  if (steps < 1) return Seconds(0);
  const DecodeSum sum{cost, isl, batch};
  const Seconds first = sum.At(1);
  if (steps == 1) return first;
  const int64_t m = (1 + steps) / 2;
  return sum.Stretch(1, first, m, sum.At(m), steps, sum.At(steps));
}

}  // namespace

Seconds ExactDecodeTimeForTest(const CostModel& cost, int64_t isl, int64_t osl, int64_t batch) {
  Seconds total;
  for (int64_t k = 1; k < osl; ++k) {
    BatchShape s;
    s.decode_seqs = batch;
    s.decode_ctx_sum = static_cast<double>(batch) * static_cast<double>(isl + k);
    total += TimePerToken(cost, s);
  }
  return total;
}

Result<EstimatePoint> EstimateBatch(const CostModel& cost, int64_t isl, int64_t osl, int64_t batch,
                                    bool enforce_limits) {
  if (isl <= 0 || osl <= 0 || enforce_limits) {
    PERFTCO_RETURN_IF_ERROR(CheckLengths(cost, isl, osl));
  }
  if (batch <= 0) return Status::Error("--batch must be positive");
  const int64_t max_batch = cost.MaxSequences(isl + osl);
  if (enforce_limits && batch > max_batch) {
    return Status::Error(
        "batch " + std::to_string(batch) + " does not fit: the KV cache of " + cost.model().name +
        " holds at most " + std::to_string(max_batch) + " sequences of " +
        std::to_string(isl + osl) +
        " tokens per replica: lower --batch, use --kv-precision fp8, or add chips");
  }
  EstimatePoint p;
  p.batch = batch;
  p.ttft = PrefillTime(cost, isl, batch);
  const Seconds decode_total = DecodeTime(cost, isl, osl, batch);
  BatchShape mid;
  mid.decode_seqs = batch;
  mid.decode_ctx_sum = static_cast<double>(batch) * (isl + osl / 2.0);
  p.decode_step = cost.Step(mid, /*with_breakdown=*/true);
  p.tpot = osl > 1 ? decode_total / static_cast<double>(osl - 1)
                   : p.decode_step.time / p.decode_step.tokens_per_decode_seq;
  p.request_latency = p.ttft + decode_total;
  const double replicas = cost.plan().replicas;
  p.output_tokens_per_s = replicas * static_cast<double>(batch * osl) / p.request_latency.value();
  p.output_tokens_per_s_per_chip = p.output_tokens_per_s / cost.plan().Chips();
  p.tokens_per_s_per_user = 1.0 / p.tpot.value();
  return p;
}

Result<AdmittedBatch> EstimateAdmitted(const CostModel& cost, int64_t isl, int64_t osl,
                                       int64_t batch, bool enforce_lengths) {
  if (isl <= 0 || osl <= 0 || enforce_lengths) {
    PERFTCO_RETURN_IF_ERROR(CheckLengths(cost, isl, osl));
  }
  if (batch <= 0) return Status::Error("--batch must be positive");
  int64_t limit = cost.MaxSequences(isl + osl);
  if (limit < 1) {
    return Status::Error("one sequence of " + std::to_string(isl + osl) + " tokens of " +
                         cost.model().name + " does not fit in the KV cache left on " +
                         std::to_string(cost.plan().ChipsPerReplica()) + " x " +
                         cost.hardware().name +
                         ": use more chips per replica, fp8 weights or "
                         "an fp8 KV cache");
  }
  if (cost.engine().max_num_seqs > 0) limit = std::min(limit, cost.engine().max_num_seqs);
  AdmittedBatch a;
  a.requested = batch;
  const int64_t full = std::min(batch, limit);
  a.waves = (batch + full - 1) / full;
  PERFTCO_ASSIGN_OR_RETURN(a.point, EstimateBatch(cost, isl, osl, full, /*enforce_limits=*/false));
  a.batch_latency = a.point.request_latency * static_cast<double>(a.waves);
  if (a.waves == 1) return a;
  // Waves of `full` requests, the last one holding the remainder; a request of wave w waits for
  // the w waves before it.
  const int64_t rest = batch - full * (a.waves - 1);
  PERFTCO_ASSIGN_OR_RETURN(EstimatePoint last,
                           EstimateBatch(cost, isl, osl, rest, /*enforce_limits=*/false));
  const EstimatePoint first = a.point;
  const double n_full = static_cast<double>(full * (a.waves - 1));
  const double n_rest = static_cast<double>(rest);
  const double n = n_full + n_rest;
  const Seconds wave = first.request_latency;
  const Seconds full_waits = wave * (0.5 * static_cast<double>(a.waves - 2));  // mean over waves
  const Seconds rest_wait = wave * static_cast<double>(a.waves - 1);
  a.batch_latency = rest_wait + last.request_latency;
  EstimatePoint& p = a.point;
  p.ttft = ((full_waits + first.ttft) * n_full + (rest_wait + last.ttft) * n_rest) / n;
  p.tpot = (first.tpot * n_full + last.tpot * n_rest) / n;
  p.request_latency = ((full_waits + first.request_latency) * n_full +
                       (rest_wait + last.request_latency) * n_rest) /
                      n;
  const double replicas = cost.plan().replicas;
  p.output_tokens_per_s = replicas * static_cast<double>(batch * osl) / a.batch_latency.value();
  p.output_tokens_per_s_per_chip = p.output_tokens_per_s / cost.plan().Chips();
  p.tokens_per_s_per_user = 1.0 / p.tpot.value();
  return a;
}

int64_t LargestAdmittedBatch(const CostModel& cost, int64_t context) {
  const int64_t fits = cost.MaxSequences(context);
  const int64_t seqs = cost.engine().max_num_seqs;
  return seqs > 0 ? std::min(fits, seqs) : fits;
}

Result<int64_t> LargestBatchForTpot(const CostModel& cost, int64_t isl, int64_t osl,
                                    Seconds tpot_slo) {
  PERFTCO_RETURN_IF_ERROR(CheckLengths(cost, isl, osl));
  if (tpot_slo.value() <= 0) return Status::Error("--tpot-slo-ms must be positive");
  const int64_t max_batch = cost.MaxSequences(isl + osl);
  auto tpot_at = [&](int64_t b) {
    BatchShape s;
    s.decode_seqs = b;
    s.decode_ctx_sum = static_cast<double>(b) * (isl + osl / 2.0);
    return TimePerToken(cost, s);
  };
  if (max_batch < 1 || tpot_at(1) > tpot_slo) {
    std::ostringstream os;
    os << "no batch meets TPOT " << tpot_slo.value() * 1e3 << " ms: batch 1 already takes "
       << tpot_at(1).value() * 1e3 << " ms per token: relax the target, raise tp, or use "
       << "faster hardware";
    return Status::Error(os.str());
  }
  // TPOT rises with batch: binary search the last batch within the target.
  int64_t lo = 1, hi = max_batch;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo + 1) / 2;
    if (tpot_at(mid) <= tpot_slo) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

}  // namespace perftco
