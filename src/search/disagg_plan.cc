// xPyD: prefill and decode pools of their own layout on the chip budget, against the best
// aggregated layout at the same latency targets.
#include <algorithm>
#include <cmath>

#include "perftco/collectives.h"
#include "perftco/serving_plan.h"
#include "perftco/text_table.h"

namespace perftco {
namespace {

// What one worker of a layout does in each role at the targets.
struct Role {
  double rate = 0;  // requests/s of one worker; 0 when it cannot meet the target
  int64_t batch = 0;
  Seconds latency;  // prefill: the batch's TTFT; decode: TPOT
};

Role PrefillRole(const LayoutResult& l, std::optional<Seconds> ttft_budget) {
  Role best;
  for (const EstimatePoint& p : l.curve) {
    if (ttft_budget && p.ttft > *ttft_budget) continue;
    const double rate = static_cast<double>(p.batch) / p.ttft.value();
    if (rate > best.rate) best = Role{rate, p.batch, p.ttft};
  }
  return best;
}

Role DecodeRole(const LayoutResult& l, int64_t osl, std::optional<Seconds> tpot_slo) {
  Role best;
  for (const EstimatePoint& p : l.curve) {
    if (tpot_slo && p.tpot > *tpot_slo) continue;
    const double rate = static_cast<double>(p.batch) / (static_cast<double>(osl) * p.tpot.value());
    if (rate > best.rate) best = Role{rate, p.batch, p.tpot};
  }
  return best;
}

}  // namespace

std::string DisaggChoice::Name(const PlanSearchResult& r) const {
  auto one = [&](size_t i) {
    ParallelPlan p = r.feasible[i].setup->plan;
    p.replicas = 1;
    return p.ToString();
  };
  return std::to_string(prefill_workers) + " x " + one(prefill_layout) + " prefill + " +
         std::to_string(decode_workers) + " x " + one(decode_layout) + " decode";
}

std::string DisaggComparison::Verdict(const PlanSearchResult& r) const {
  if (!disaggregated && !aggregated_point) return "no layout meets the targets";
  if (!disaggregated) return "aggregated wins: no prefill/decode split meets the targets";
  const std::string d = disaggregated->Name(r) + " (" +
                        FormatFixed(disaggregated->output_tokens_per_s_per_chip, 1) +
                        " output tok/s per chip)";
  if (!aggregated_point) return "disaggregated wins: " + d + "; no aggregated layout meets them";
  const double a = aggregated_point->output_tokens_per_s_per_chip;
  const double ratio = disaggregated->output_tokens_per_s_per_chip / a;
  ParallelPlan ap = r.feasible[*aggregated_layout].setup->plan;
  const std::string agg = ap.ToString() + " (" + FormatFixed(a, 1) + " output tok/s per chip)";
  if (ratio >= 1) {
    return "disaggregated wins by " + FormatFixed(100 * (ratio - 1), 1) + "%: " + d + " against " +
           agg;
  }
  return "aggregated wins by " + FormatFixed(100 * (1 / ratio - 1), 1) + "%: " + agg + " against " +
         d;
}

Result<DisaggComparison> CompareDisaggregated(const PlanSearchResult& result,
                                              std::optional<Seconds> ttft_slo,
                                              std::optional<Seconds> tpot_slo) {
  if (result.feasible.empty()) return Status::Error("no feasible layout to split");
  if ((ttft_slo && !(ttft_slo->value() > 0)) || (tpot_slo && !(tpot_slo->value() > 0))) {
    return Status::Error("latency targets must be positive");
  }
  const int64_t isl = result.options.isl, osl = result.options.osl;
  const int budget = result.options.chips;
  DisaggComparison c;
  // Aggregated, continuous batching in steady state: B sequences decode while each new request's
  // prompt (one prefill of isl tokens, Tp) is worked in between; B / osl prompts arrive per decode
  // step, so each token waits t_dec(B) + (B / osl) Tp (the prefill-decode interference that
  // disaggregation removes) and TTFT is one prompt's prefill.
  for (size_t i = 0; i < result.feasible.size(); ++i) {
    const LayoutResult& l = result.feasible[i];
    if (l.curve.empty()) continue;
    const Seconds prefill = l.curve.front().ttft;
    if (ttft_slo && prefill > *ttft_slo) continue;
    const int chips = l.setup->plan.ChipsPerReplica();
    for (const EstimatePoint& p : l.curve) {
      EstimatePoint a = p;
      a.ttft = prefill;
      a.tpot = p.tpot + prefill * (static_cast<double>(p.batch) / static_cast<double>(osl));
      if (tpot_slo && a.tpot > *tpot_slo) continue;
      a.tokens_per_s_per_user = 1.0 / a.tpot.value();
      a.output_tokens_per_s_per_chip = static_cast<double>(p.batch) / a.tpot.value() / chips;
      a.output_tokens_per_s = a.output_tokens_per_s_per_chip * l.setup->plan.Chips();
      if (!c.aggregated_point ||
          a.output_tokens_per_s_per_chip > c.aggregated_point->output_tokens_per_s_per_chip) {
        c.aggregated_point = a;
        c.aggregated_layout = i;
      }
    }
  }
  const CollectiveModel net(result.hardware, result.feasible.front().setup->efficiency);
  const int domain = std::max(1, result.hardware.scale_up.domain_chips);
  std::vector<Role> decode(result.feasible.size());
  for (size_t j = 0; j < result.feasible.size(); ++j) {
    decode[j] = DecodeRole(result.feasible[j], osl, tpot_slo);
  }
  for (size_t i = 0; i < result.feasible.size(); ++i) {
    const LayoutResult& pl = result.feasible[i];
    const int cp = pl.setup->plan.ChipsPerReplica();
    const double kv_p = pl.setup->cost->Memory().kv_bytes_per_token_per_chip.value();
    for (size_t j = 0; j < result.feasible.size(); ++j) {
      const LayoutResult& dl = result.feasible[j];
      if (decode[j].rate <= 0 || pl.precision != dl.precision ||
          pl.setup->precisions.kv != dl.setup->precisions.kv) {
        continue;
      }
      const int cd = dl.setup->plan.ChipsPerReplica();
      if (cp + cd > budget) continue;
      const double kv_d = dl.setup->cost->Memory().kv_bytes_per_token_per_chip.value();
      for (int x = 1; x * cp + cd <= budget; ++x) {
        const int max_y = (budget - x * cp) / cd;
        const bool crosses = x * cp + max_y * cd > domain;
        const Seconds transfer =
            net.PointToPoint(Bytes(static_cast<double>(isl) * std::max(kv_p, kv_d)), crosses);
        std::optional<Seconds> prefill_budget;
        if (ttft_slo) prefill_budget = *ttft_slo - transfer;
        const Role prefill = PrefillRole(pl, prefill_budget);
        if (prefill.rate <= 0) continue;
        // Output per chip, min(x Rp, y Rd) osl / (x cp + y cd), rises with y while decode is the
        // bottleneck and falls after, so the best y is one of the two around x Rp / Rd: trying
        // those two finds the same choice as trying every y, in constant time.
        c.combinations += max_y;
        const double balance = x * prefill.rate / decode[j].rate;
        const int y_lo =
            static_cast<int>(std::clamp(std::floor(balance), 1.0, static_cast<double>(max_y)));
        const int y_hi = std::min(y_lo + 1, max_y);
        for (int y = y_lo; y <= y_hi; ++y) {
          const double cap_p = x * prefill.rate, cap_d = y * decode[j].rate;
          const double rate = std::min(cap_p, cap_d);
          const int chips = x * cp + y * cd;
          const double per_chip = rate * static_cast<double>(osl) / chips;
          if (c.disaggregated && per_chip <= c.disaggregated->output_tokens_per_s_per_chip) {
            continue;
          }
          DisaggChoice d;
          d.prefill_layout = i;
          d.decode_layout = j;
          d.prefill_workers = x;
          d.decode_workers = y;
          d.prefill_chips = x * cp;
          d.decode_chips = y * cd;
          d.prefill_batch = prefill.batch;
          d.decode_batch = decode[j].batch;
          d.requests_per_s = rate;
          d.output_tokens_per_s_per_chip = per_chip;
          d.prefill_utilization = rate / cap_p;
          d.decode_utilization = rate / cap_d;
          d.ttft = prefill.latency + transfer;
          d.tpot = decode[j].latency;
          d.kv_transfer = transfer;
          c.disaggregated = d;
        }
      }
    }
  }
  return c;
}

}  // namespace perftco
