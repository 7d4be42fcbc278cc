#include "plan_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "economics_options.h"
#include "perftco/text_table.h"

namespace perftco::cli {
namespace {

constexpr size_t kShownLayouts = 15;

std::string Ms(Seconds s, int digits = 1) { return FormatFixed(s.value() * 1e3, digits); }
std::string Gb(Bytes b) { return FormatFixed(b.value() / kGiga, 1); }
std::string Ratio(double x) { return FormatFixed(x, x < 10 ? 2 : 1) + "x"; }

std::string Bound(const StepCost& d) {
  std::string bound = "memory";
  if (d.compute_time > d.memory_time && d.compute_time > d.comm_time) bound = "compute";
  if (d.comm_time > d.memory_time && d.comm_time > d.compute_time) bound = "network";
  if (d.overhead > d.memory_time && d.overhead > d.compute_time && d.overhead > d.comm_time) {
    bound = "overhead";
  }
  return bound;
}

std::string Usd(const std::optional<TokenEconomics>& m, bool rented) {
  if (!m) return "unknown";
  const auto& v = rented ? m->rented_per_million_output : m->owned_per_million_output;
  return UsdText(v, 3);
}

nlohmann::ordered_json PlanJson(const ParallelPlan& p) {
  nlohmann::ordered_json j;
  j["name"] = p.ToString();
  j["tp"] = p.tp;
  j["pp"] = p.pp;
  j["ep"] = p.ep;
  j["dp_attention"] = p.dp_attention;
  j["micro_batches"] = p.MicroBatches();
  j["replicas"] = p.replicas;
  j["chips_per_replica"] = p.ChipsPerReplica();
  return j;
}

nlohmann::ordered_json PointJsonShort(const EstimatePoint& p) {
  nlohmann::ordered_json j;
  j["batch"] = p.batch;
  j["ttft_s"] = p.ttft.value();
  j["tpot_s"] = p.tpot.value();
  j["tokens_per_s_per_user"] = p.tokens_per_s_per_user;
  j["output_tokens_per_s"] = p.output_tokens_per_s;
  j["output_tokens_per_s_per_chip"] = p.output_tokens_per_s_per_chip;
  j["bound"] = Bound(p.decode_step);
  return j;
}

nlohmann::ordered_json MoneyJson(const std::optional<TokenEconomics>& m) {
  if (!m) return nullptr;
  return TokenEconomicsJson(*m);
}

std::string Precisions(const PlanSearchResult& r) {
  std::string out;
  const auto& list = r.options.precisions.empty()
                         ? std::vector<std::string>{r.options.base.precision}
                         : r.options.precisions;
  for (const auto& p : list) out += (out.empty() ? "" : ", ") + p;
  return out;
}

}  // namespace

std::string LayoutName(const LayoutResult& l) {
  return l.setup->plan.ToString() + " " + l.precision;
}

std::string DisaggText(const PlanSearchResult& r, const DisaggComparison& c) {
  std::string out =
      "\nprefill/decode disaggregation (xPyD, " + std::to_string(c.combinations) + " splits): ";
  if (const auto& d = c.disaggregated) {
    const int unit = d->prefill_chips + d->decode_chips;
    const int copies = r.options.chips / unit;
    out += "best " + d->Name(r) + " on " + std::to_string(unit) + " chips" +
           (copies > 1 ? " (x" + std::to_string(copies) + " in the budget)" : "") + ": " +
           FormatFixed(d->requests_per_s, 2) + " req/s, " +
           FormatFixed(d->output_tokens_per_s_per_chip, 1) + " output tok/s per chip, TTFT " +
           Ms(d->ttft) + " ms (KV transfer " + Ms(d->kv_transfer) + " ms), TPOT " + Ms(d->tpot) +
           " ms; prefill batch " + std::to_string(d->prefill_batch) + ", decode batch " +
           std::to_string(d->decode_batch) + "; pools busy " +
           FormatFixed(100 * d->prefill_utilization, 0) + "% / " +
           FormatFixed(100 * d->decode_utilization, 0) + "%\n";
  } else {
    out += "no split meets the targets\n";
  }
  return out + c.Verdict(r) + "\n";
}

nlohmann::ordered_json DisaggJson(const PlanSearchResult& r, const DisaggComparison& c) {
  nlohmann::ordered_json j;
  j["combinations"] = c.combinations;
  if (const auto& d = c.disaggregated) {
    nlohmann::ordered_json b;
    b["name"] = d->Name(r);
    b["prefill_layout"] = LayoutName(r.feasible[d->prefill_layout]);
    b["decode_layout"] = LayoutName(r.feasible[d->decode_layout]);
    b["prefill_workers"] = d->prefill_workers;
    b["decode_workers"] = d->decode_workers;
    b["prefill_chips"] = d->prefill_chips;
    b["decode_chips"] = d->decode_chips;
    b["prefill_batch"] = d->prefill_batch;
    b["decode_batch"] = d->decode_batch;
    b["requests_per_s"] = d->requests_per_s;
    b["output_tokens_per_s_per_chip"] = d->output_tokens_per_s_per_chip;
    b["ttft_s"] = d->ttft.value();
    b["tpot_s"] = d->tpot.value();
    b["kv_transfer_s"] = d->kv_transfer.value();
    b["prefill_utilization"] = d->prefill_utilization;
    b["decode_utilization"] = d->decode_utilization;
    j["best"] = b;
  } else {
    j["best"] = nullptr;
  }
  if (c.aggregated_point) {
    j["aggregated_layout"] = LayoutName(r.feasible[*c.aggregated_layout]);
    j["aggregated_output_tokens_per_s_per_chip"] = c.aggregated_point->output_tokens_per_s_per_chip;
  } else {
    j["aggregated_layout"] = nullptr;
  }
  j["verdict"] = c.Verdict(r);
  return j;
}

std::string PlanSearchText(const PlanSearchResult& r, bool all) {
  const PlanSearchOptions& o = r.options;
  const bool with_slo = o.tpot_slo.has_value();
  std::string out;
  out += "plan: " + r.model.name + " on " + std::to_string(o.chips) + " x " + r.hardware.name +
         " (" + std::to_string(r.hardware.scale_up.domain_chips) + "-chip " +
         std::string(TopologyName(r.hardware.scale_up.topology)) + " scale-up domain), input " +
         std::to_string(o.isl) + ", output " + std::to_string(o.osl) + " tokens\n";
  const Setup& first = *r.feasible.front().setup;
  out += "weights " + Precisions(r) + ", KV " + std::string(PrecisionName(first.precisions.kv));
  if (first.speculative.enabled()) out += ", speculative " + first.speculative.ToString();
  if (with_slo) out += ", TPOT target " + Ms(*o.tpot_slo) + " ms";
  out += "\n";
  out += "layouts: " + std::to_string(r.feasible.size() + r.rejected.size()) + " evaluated, " +
         std::to_string(r.feasible.size()) + " feasible, " + std::to_string(r.rejected.size()) +
         " rejected\n\n";

  if (r.has_best) {
    const LayoutResult& b = r.feasible.front();
    const EstimatePoint& p = *b.Ranked(with_slo);
    out += (with_slo ? "best at TPOT " + Ms(*o.tpot_slo) + " ms: "
                     : std::string("best at the largest batch that fits: ")) +
           LayoutName(b) + ", " + std::to_string(b.chips_used) + " chips (" +
           std::to_string(b.setup->plan.replicas) + " x " +
           std::to_string(b.setup->plan.ChipsPerReplica()) + "), batch " + std::to_string(p.batch) +
           " per replica\n";
    out += "  TTFT " + Ms(p.ttft, 0) + " ms, TPOT " + Ms(p.tpot, 2) + " ms, " +
           FormatFixed(p.tokens_per_s_per_user, 1) + " tok/s/user, " +
           FormatFixed(p.output_tokens_per_s, 0) + " output tok/s, " +
           FormatFixed(p.output_tokens_per_s_per_chip, 1) + " tok/s/chip\n";
    if (r.best_money) {
      out += "  $/M output tokens: " + Usd(r.best_money, false) + " owned, " +
             Usd(r.best_money, true) + " rented\n";
    }
  } else {
    out += "no layout meets TPOT " + Ms(*o.tpot_slo) + " ms: " + r.feasible.front().slo_miss + "\n";
  }

  out += "\nfeasible layouts, best first";
  out += with_slo ? " (at the TPOT target: the largest batch within it)\n"
                  : " (at the largest batch that fits)\n";
  TextTable t({"layout", "chips", "replicas", "weights GB/chip", "KV seqs", "batch", "TPOT ms",
               "tok/s/user", "tok/s/chip", "bound"});
  const size_t shown = all ? r.feasible.size() : std::min(r.feasible.size(), kShownLayouts);
  for (size_t i = 0; i < shown; ++i) {
    const LayoutResult& l = r.feasible[i];
    const EstimatePoint* p = l.Ranked(with_slo);
    const MemoryBudget mem = l.setup->cost->Memory();
    std::vector<std::string> row = {LayoutName(l), std::to_string(l.chips_used),
                                    std::to_string(l.setup->plan.replicas), Gb(mem.weights),
                                    std::to_string(l.max_batch)};
    if (p) {
      row.insert(
          row.end(),
          {std::to_string(p->batch), Ms(p->tpot, 2), FormatFixed(p->tokens_per_s_per_user, 1),
           FormatFixed(p->output_tokens_per_s_per_chip, 1), Bound(p->decode_step)});
    } else {
      row.insert(row.end(), {"-", "-", "-", "-", "misses target"});
    }
    t.AddRow(row);
  }
  out += t.Render();
  if (shown < r.feasible.size()) {
    out += "(" + std::to_string(r.feasible.size() - shown) + " more: --all lists them)\n";
  }

  out += "\nPareto front: throughput per chip against tokens per second per user\n";
  TextTable f({"tok/s/user", "tok/s/chip", "layout", "batch", "TPOT ms", "TTFT ms", "$/M out owned",
               "$/M out rented"});
  for (const FrontPoint& fp : r.pareto) {
    const EstimatePoint& p = fp.point;
    f.AddRow({FormatFixed(p.tokens_per_s_per_user, 1),
              FormatFixed(p.output_tokens_per_s_per_chip, 1), LayoutName(r.feasible[fp.layout]),
              std::to_string(p.batch), Ms(p.tpot, 2), Ms(p.ttft, 0), Usd(fp.money, false),
              Usd(fp.money, true)});
  }
  out += f.Render();
  out +=
      "(a static batch as in perftco estimate: TTFT is the prefill of the whole batch; "
      "throughput per chip counts every chip a layout uses)\n";

  if (!r.rejected.empty()) {
    // The reasons, each once, with how many layouts they rejected (first examples shown).
    std::map<std::string, std::pair<int, std::string>> reasons;
    std::vector<std::string> order;
    for (const RejectedLayout& x : r.rejected) {
      // Group by the reason's first clause (numbers differ from layout to layout).
      std::string key = x.reason.substr(0, x.reason.find(':'));
      if (!reasons.count(key)) order.push_back(key);
      auto& entry = reasons[key];
      if (entry.first++ == 0)
        entry.second = x.plan.ToString() + " " + x.precision + ": " + x.reason;
    }
    out += "\nrejected layouts (" + std::to_string(r.rejected.size()) + "), by reason:\n";
    for (const auto& key : order) {
      out += "  " + std::to_string(reasons[key].first) + " x, e.g. " + reasons[key].second + "\n";
    }
  }
  return out;
}

nlohmann::ordered_json PlanSearchJson(const PlanSearchResult& r) {
  const PlanSearchOptions& o = r.options;
  const bool with_slo = o.tpot_slo.has_value();
  nlohmann::ordered_json j;
  j["model"] = r.model.name;
  j["hardware"] = r.hardware.name;
  j["chips"] = o.chips;
  j["isl"] = o.isl;
  j["osl"] = o.osl;
  j["tpot_slo_ms"] = with_slo ? nlohmann::ordered_json(o.tpot_slo->value() * 1e3) : nullptr;
  j["precisions"] = nlohmann::ordered_json::array();
  for (const auto& p :
       o.precisions.empty() ? std::vector<std::string>{o.base.precision} : o.precisions) {
    j["precisions"].push_back(p);
  }
  if (r.has_best) {
    const LayoutResult& b = r.feasible.front();
    nlohmann::ordered_json best;
    best["plan"] = PlanJson(b.setup->plan);
    best["precision"] = b.precision;
    best["chips_used"] = b.chips_used;
    best["point"] = PointJsonShort(*b.Ranked(with_slo));
    best["economics"] = MoneyJson(r.best_money);
    j["best"] = best;
  } else {
    j["best"] = nullptr;
  }
  j["layouts"] = nlohmann::ordered_json::array();
  for (const LayoutResult& l : r.feasible) {
    const MemoryBudget mem = l.setup->cost->Memory();
    nlohmann::ordered_json x;
    x["plan"] = PlanJson(l.setup->plan);
    x["precision"] = l.precision;
    x["chips_used"] = l.chips_used;
    x["weights_bytes_per_chip"] = mem.weights.value();
    x["kv_capacity_bytes_per_chip"] = mem.kv_capacity.value();
    x["max_batch"] = l.max_batch;
    x["at_slo"] = l.at_slo ? PointJsonShort(*l.at_slo) : nlohmann::ordered_json(nullptr);
    if (with_slo && !l.at_slo) x["slo_miss"] = l.slo_miss;
    x["curve"] = nlohmann::ordered_json::array();
    for (const EstimatePoint& p : l.curve) x["curve"].push_back(PointJsonShort(p));
    j["layouts"].push_back(x);
  }
  j["pareto"] = nlohmann::ordered_json::array();
  for (const FrontPoint& fp : r.pareto) {
    nlohmann::ordered_json x = PointJsonShort(fp.point);
    x["layout"] = LayoutName(r.feasible[fp.layout]);
    x["economics"] = MoneyJson(fp.money);
    j["pareto"].push_back(x);
  }
  j["rejected"] = nlohmann::ordered_json::array();
  for (const RejectedLayout& x : r.rejected) {
    nlohmann::ordered_json y;
    y["plan"] = x.plan.ToString();
    y["precision"] = x.precision;
    y["reason"] = x.reason;
    j["rejected"].push_back(y);
  }
  return j;
}

std::string PlanSearchCsv(const PlanSearchResult& r) {
  const bool with_slo = r.options.tpot_slo.has_value();
  std::set<std::pair<size_t, int64_t>> front;
  for (const FrontPoint& fp : r.pareto) front.insert({fp.layout, fp.point.batch});
  std::string out =
      "layout,precision,tp,pp,ep,dp_attention,replicas,chips,batch,ttft_ms,tpot_ms,"
      "tokens_per_s_per_user,output_tokens_per_s,output_tokens_per_s_per_chip,bound,at_slo,"
      "on_pareto,best\n";
  auto line = [&](size_t i, const EstimatePoint& p, bool at_slo) {
    const LayoutResult& l = r.feasible[i];
    const ParallelPlan& plan = l.setup->plan;
    const bool best = r.has_best && i == 0 && l.Ranked(with_slo) == &p;
    std::string name = plan.ToString();
    std::replace(name.begin(), name.end(), ' ', '_');
    out += name + "," + l.precision + "," + std::to_string(plan.tp) + "," +
           std::to_string(plan.pp) + "," + std::to_string(plan.ep) + "," +
           (plan.dp_attention ? "true" : "false") + "," + std::to_string(plan.replicas) + "," +
           std::to_string(l.chips_used) + "," + std::to_string(p.batch) + "," +
           FormatFixed(p.ttft.value() * 1e3, 3) + "," + FormatFixed(p.tpot.value() * 1e3, 4) + "," +
           FormatFixed(p.tokens_per_s_per_user, 4) + "," + FormatFixed(p.output_tokens_per_s, 3) +
           "," + FormatFixed(p.output_tokens_per_s_per_chip, 4) + "," + Bound(p.decode_step) + "," +
           (at_slo ? "true" : "false") + "," + (front.count({i, p.batch}) ? "true" : "false") +
           "," + (best ? "true" : "false") + "\n";
  };
  for (size_t i = 0; i < r.feasible.size(); ++i) {
    for (const EstimatePoint& p : r.feasible[i].curve) line(i, p, false);
    if (r.feasible[i].at_slo) line(i, *r.feasible[i].at_slo, true);
  }
  return out;
}

// ----- plan scenarios -----

namespace {

std::string SliceText(const SmallestSliceReport& r) {
  const SmallestSliceScenario& s = r.scenario;
  const ModelConfig& m = r.model;
  std::string out = "scenario: " + s.name + "\n" + s.description + "\n\n";
  const double params = m.TotalParams();
  out += m.name + ": " + FormatFixed(params / 1e12, 2) + " T parameters (" +
         FormatFixed(m.ActiveParams() / 1e9, 0) +
         " B active per token): " + FormatFixed(params * 2 / 1e12, 2) + " TB of weights at bf16, " +
         FormatFixed(params / 1e12, 2) + " TB at fp8, " + FormatFixed(params * 0.5 / 1e12, 2) +
         " TB at fp4 (embedding tables stay 16-bit)\n";
  out += "each slice also holds " + std::to_string(s.min_batch) + " sequence(s) of " +
         std::to_string(s.isl + s.osl) + " tokens of KV cache; searched up to " +
         std::to_string(s.max_chips) + " chips per replica\n\n";
  TextTable t({"hardware", "HBM GB", "weights", "runs in", "chips", "memory bound", "layout",
               "GB/chip", "KV seqs", "batch-1 TPOT ms", "tok/s/user"});
  double largest_hbm = 0;
  std::string largest;
  for (const SliceRow& row : r.rows) {
    if (!row.slice) {
      t.AddRow({row.hardware, "", row.precision, std::string(PrecisionName(row.compute)), "-", "-",
                "none up to " + std::to_string(s.max_chips), "-", "-", "-", "-"});
      continue;
    }
    const LayoutResult& l = row.slice->layout;
    const MemoryBudget mem = l.setup->cost->Memory();
    const double hbm = l.setup->hardware.hbm_capacity.value();
    if (hbm > largest_hbm) {
      largest_hbm = hbm;
      largest = row.hardware;
    }
    // The bare memory bound: every weight byte over what one chip can give to weights.
    const double per_chip_room = (mem.usable - mem.activations - mem.runtime_reserve).value();
    const double total = mem.weights.value() * l.chips_used;
    const int bound = per_chip_room > 0 ? static_cast<int>(std::ceil(total / per_chip_room)) : 0;
    const EstimatePoint& one = l.curve.front();
    t.AddRow({row.hardware, FormatFixed(hbm / kGiga, 0), row.precision,
              std::string(PrecisionName(row.compute)), std::to_string(l.chips_used),
              std::to_string(bound), l.setup->plan.ToString(), Gb(mem.weights),
              std::to_string(l.max_batch), Ms(one.tpot, 1),
              FormatFixed(one.tokens_per_s_per_user, 1)});
  }
  out += t.Render();
  // What the table says, computed from it.
  std::map<std::string, std::map<std::string, const SliceRow*>> by_hw;
  for (const SliceRow& row : r.rows) by_hw[row.hardware][row.precision] = &row;
  double lo = 1e9, hi = 0;
  std::vector<std::string> native_fp4, widened_fp4;
  const SliceRow* fewest = nullptr;
  const SliceRow* fastest = nullptr;
  for (const SliceRow& row : r.rows) {
    if (!row.slice) continue;
    const LayoutResult& l = row.slice->layout;
    if (!fewest || l.chips_used < fewest->slice->layout.chips_used) fewest = &row;
    if (!fastest || l.curve.front().tpot < fastest->slice->layout.curve.front().tpot) {
      fastest = &row;
    }
    if (row.precision == "fp4" || row.precision == "nvfp4" || row.precision == "mxfp4") {
      (row.compute == Precision::kFp4 ? native_fp4 : widened_fp4).push_back(row.hardware);
    }
  }
  for (const auto& [hw, rows] : by_hw) {
    auto a = rows.find("fp8");
    auto b = rows.find("fp4");
    if (a == rows.end() || b == rows.end() || !a->second->slice || !b->second->slice) continue;
    const double x = static_cast<double>(b->second->slice->layout.chips_used) /
                     a->second->slice->layout.chips_used;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string x;
    for (const auto& e : v) x += (x.empty() ? "" : ", ") + e;
    return x.empty() ? std::string("none") : x;
  };
  out += "\nwhat the numbers say:\n";
  if (!largest.empty()) {
    out += "  - the largest chip here, " + largest + " with " +
           FormatFixed(largest_hbm / kGiga, 0) + " GB, holds " +
           FormatFixed(largest_hbm / (params * 0.5) * 100, 0) +
           "% of the model even at fp4: every system needs a slice of several chips;\n";
  }
  if (fewest) {
    out += "  - the smallest slice: " + std::to_string(fewest->slice->layout.chips_used) + " x " +
           fewest->hardware + " at " + fewest->precision +
           "; the fastest single "
           "stream: " +
           fastest->hardware + " at " + fastest->precision + " (" +
           Ms(fastest->slice->layout.curve.front().tpot, 1) + " ms per token on " +
           std::to_string(fastest->slice->layout.chips_used) + " chips);\n";
  }
  out +=
      "  - 'memory bound' is the weights alone over what one chip can give them (HBM x the "
      "engine's usable fraction, less activations and reserve); 'chips' is above it where "
      "the layout is coarse: tp must divide the 128 heads, a pipeline stage holds whole "
      "layers;\n";
  if (hi > 0) {
    out += "  - fp4 needs " + FormatFixed(lo, 2) + "-" + FormatFixed(hi, 2) +
           "x the chips of fp8 (the embedding tables stay 16-bit); fp4 runs on fp4 matrix "
           "units on " +
           join(native_fp4) + "; elsewhere (" + join(widened_fp4) +
           ") fp4 is storage only, widened for the matrix units: half the memory, not half "
           "the compute;\n";
  }
  out +=
      "  - batch-1 TPOT reads every active expert's weights once per token: slices split "
      "into pipeline stages pay each stage in turn, plus the hops between them.\n";
  return out;
}

nlohmann::ordered_json SliceJson(const SmallestSliceReport& r) {
  nlohmann::ordered_json j;
  j["scenario"] = r.scenario.name;
  j["model"] = r.model.name;
  j["total_params"] = r.model.TotalParams();
  j["active_params"] = r.model.ActiveParams();
  j["isl"] = r.scenario.isl;
  j["osl"] = r.scenario.osl;
  j["min_batch"] = r.scenario.min_batch;
  j["rows"] = nlohmann::ordered_json::array();
  for (const SliceRow& row : r.rows) {
    nlohmann::ordered_json x;
    x["hardware"] = row.hardware;
    x["precision"] = row.precision;
    x["compute_precision"] = std::string(PrecisionName(row.compute));
    if (!row.slice) {
      x["chips"] = nullptr;
      x["reason"] = row.status.message();
    } else {
      const LayoutResult& l = row.slice->layout;
      const MemoryBudget mem = l.setup->cost->Memory();
      x["chips"] = l.chips_used;
      x["plan"] = PlanJson(l.setup->plan);
      x["weights_bytes_per_chip"] = mem.weights.value();
      x["max_batch"] = l.max_batch;
      x["batch1"] = PointJsonShort(l.curve.front());
    }
    j["rows"].push_back(x);
  }
  return j;
}

// Hardware figures that decide throughput, as the cost model uses them.
struct ChipFigures {
  double hbm_gb = 0;
  double hbm_tbps = 0;     // achieved (calibrated memory efficiency)
  double peak_tflops = 0;  // achieved dense matmul rate at the compute precision
  int domain = 0;
  std::string topology;
};

ChipFigures Figures(const Setup& s) {
  ChipFigures f;
  const Hardware& hw = s.hardware;
  f.hbm_gb = hw.hbm_capacity.value() / kGiga;
  f.hbm_tbps = hw.hbm_bandwidth.value() * s.efficiency.memory / kTera;
  const Precision c = hw.ComputePrecision(s.precisions.weights, s.precisions.activations);
  double eff = s.efficiency.gemm_compute;
  if (c == Precision::kFp8 || c == Precision::kInt8) eff = s.efficiency.gemm_compute_fp8;
  if (c == Precision::kFp4 || c == Precision::kInt4) eff = s.efficiency.gemm_compute_fp4;
  f.peak_tflops = hw.Peak(c).value() * eff / kTera;
  f.domain = hw.scale_up.domain_chips;
  f.topology = std::string(TopologyName(hw.scale_up.topology));
  return f;
}

const EstimatePoint* At(const SystemResult& s, size_t t) {
  return s.at_target[t] ? &s.at_target[t]->point : nullptr;
}

// Sequences in flight per chip at target t: the batch over the replica's chips.
std::string SeqsPerChip(const SystemResult& s, size_t t) {
  const LayoutResult& l = s.search->feasible[s.at_target[t]->layout];
  return FormatFixed(
      static_cast<double>(s.at_target[t]->point.batch) / l.setup->plan.ChipsPerReplica(), 1);
}

std::string Share(const StepCost& d) {
  const double total = d.time.value();
  if (total <= 0) return "";
  auto pct = [&](Seconds x) { return FormatFixed(100.0 * x.value() / total, 0) + "%"; };
  return "memory " + pct(d.memory_time) + ", compute " + pct(d.compute_time) + ", network " +
         pct(d.comm_time) + ", host " + pct(d.overhead);
}

// "1.24x at 10, 1.00x at 20" and where the first system is ahead, level or behind.
std::string PairText(const InteractivityScenario& s, const SystemResult& a, const SystemResult& z) {
  std::string out = a.spec.label + " against " + z.spec.label + ":";
  for (const SystemResult* x : {&a, &z}) {
    if (!x->search) {
      return out + " " + x->spec.label + " cannot hold the model on " +
             std::to_string(x->spec.chips) + " chips (no layout fits: see perftco plan)";
    }
  }
  const ChipFigures fa = Figures(*a.search->feasible.front().setup);
  const ChipFigures fz = Figures(*z.search->feasible.front().setup);
  out += " HBM per chip " + Ratio(fa.hbm_gb / fz.hbm_gb) + ", HBM bandwidth " +
         Ratio(fa.hbm_tbps / fz.hbm_tbps) + ", matmul rate " +
         Ratio(fa.peak_tflops / fz.peak_tflops) + ", scale-up domain " + std::to_string(fa.domain) +
         " vs " + std::to_string(fz.domain) + " chips;";
  out += " smallest replica " + std::to_string(a.smallest_replica) + " vs " +
         std::to_string(z.smallest_replica) + " chips, whose KV cache holds " +
         FormatFixed(static_cast<double>(a.smallest_max_batch) / a.smallest_replica, 0) + " vs " +
         FormatFixed(static_cast<double>(z.smallest_max_batch) / z.smallest_replica, 0) +
         " sequences per chip;";
  std::vector<std::string> ahead, level, behind;
  std::string ratios;
  auto add = [&](std::string* list, const std::string& item) {
    *list += (list->empty() ? "" : ", ") + item;
  };
  for (size_t i = 0; i < s.targets.size(); ++i) {
    const EstimatePoint* pa = At(a, i);
    const EstimatePoint* pz = At(z, i);
    const std::string target = FormatFixed(s.targets[i], 0);
    if (pa && pz) {
      const double x = pa->output_tokens_per_s_per_chip / pz->output_tokens_per_s_per_chip;
      add(&ratios, Ratio(x) + " at " + target);
      (x > 1.005 ? ahead : x < 0.995 ? behind : level).push_back(target);
    } else if (pa) {
      add(&ratios, "only it meets " + target);
      ahead.push_back(target);
    } else if (pz) {
      add(&ratios, "misses " + target);
      behind.push_back(target);
    }
  }
  out += " throughput per chip " + (ratios.empty() ? std::string("not comparable") : ratios) +
         " tok/s/user";
  std::string batches;
  for (size_t i = 0; i < s.targets.size(); ++i) {
    const EstimatePoint* pa = At(a, i);
    const EstimatePoint* pz = At(z, i);
    if (pa && pz) {
      add(&batches,
          SeqsPerChip(a, i) + " vs " + SeqsPerChip(z, i) + " at " + FormatFixed(s.targets[i], 0));
    }
  }
  if (!batches.empty()) out += " (sequences per chip " + batches + ")";
  auto join = [](const std::vector<std::string>& v) {
    std::string x;
    for (const auto& e : v) x += (x.empty() ? "" : ", ") + e;
    return x;
  };
  std::vector<std::string> parts;
  if (!ahead.empty()) parts.push_back("ahead at " + join(ahead));
  if (!level.empty()) parts.push_back("level at " + join(level));
  if (!behind.empty()) parts.push_back("behind at " + join(behind));
  if (!parts.empty()) out += ": " + join(parts);
  return out;
}

// How the ratio of the last system to the first moves with the target, and the batches behind
// its largest and smallest values.
std::string TargetText(const InteractivityScenario& s, const SystemResult& first,
                       const SystemResult& last) {
  struct AtTarget {
    double target;
    double ratio;
    const EstimatePoint* a;
    const EstimatePoint* z;
    size_t index;
  };
  std::vector<AtTarget> both;
  for (size_t i = 0; i < s.targets.size(); ++i) {
    const EstimatePoint* pa = At(last, i);
    const EstimatePoint* pz = At(first, i);
    if (pa && pz) {
      both.push_back({s.targets[i],
                      pa->output_tokens_per_s_per_chip / pz->output_tokens_per_s_per_chip, pa, pz,
                      i});
    }
  }
  if (both.size() < 2) return "";
  std::string out =
      "  - the interactivity target: " + last.spec.label + " over " + first.spec.label + " is ";
  for (size_t i = 0; i < both.size(); ++i) {
    out += (i ? ", " : "") + Ratio(both[i].ratio) + " at " + FormatFixed(both[i].target, 0);
  }
  auto hi = std::max_element(both.begin(), both.end(),
                             [](const auto& x, const auto& y) { return x.ratio < y.ratio; });
  auto lo = std::min_element(both.begin(), both.end(),
                             [](const auto& x, const auto& y) { return x.ratio < y.ratio; });
  auto batches = [&](const AtTarget& t) {
    return SeqsPerChip(last, t.index) + " vs " + SeqsPerChip(first, t.index) +
           " sequences per chip (" + FormatFixed(t.a->output_tokens_per_s_per_chip, 0) + " vs " +
           FormatFixed(t.z->output_tokens_per_s_per_chip, 0) + " tok/s/chip)";
  };
  out += " tok/s/user; largest at " + FormatFixed(hi->target, 0) + ", with " + batches(*hi) +
         "; smallest at " + FormatFixed(lo->target, 0) + ", with " + batches(*lo) +
         ". Within a TPOT target each replica runs the largest batch whose step fits the target "
         "(every step reads the weights once, then each sequence's KV): the ratio follows the "
         "batches each system keeps\n";
  return out;
}

std::string InteractivityText(const InteractivityReport& r, const EfficiencyTable& table) {
  const InteractivityScenario& s = r.scenario;
  std::string out = "scenario: " + s.name + "\n" + s.description + "\n";
  for (const ModelComparison& mc : r.models) {
    const std::string name =
        mc.requested == mc.model ? mc.model : mc.requested + " (" + mc.model + " in the catalog)";
    out += "\n== " + name + ": input " + std::to_string(s.isl) + ", output " +
           std::to_string(s.osl) +
           " tokens; output tokens per second per chip at equal tokens "
           "per second per user, each system with its best layout\n\n";
    // Throughput table: targets x systems.
    std::vector<std::string> header = {"tok/s/user", "TPOT ms"};
    for (const SystemResult& sys : mc.systems) header.push_back(sys.spec.label);
    TextTable t(header);
    for (size_t i = 0; i < s.targets.size(); ++i) {
      std::vector<std::string> row = {FormatFixed(s.targets[i], 0),
                                      FormatFixed(1000.0 / s.targets[i], 1)};
      const EstimatePoint* base = At(mc.systems.front(), i);
      for (const SystemResult& sys : mc.systems) {
        const EstimatePoint* p = At(sys, i);
        std::string cell = p ? FormatFixed(p->output_tokens_per_s_per_chip, 1) : "misses";
        if (p && base && &sys != &mc.systems.front()) {
          cell += " (" +
                  Ratio(p->output_tokens_per_s_per_chip / base->output_tokens_per_s_per_chip) + ")";
        }
        row.push_back(cell);
      }
      t.AddRow(row);
    }
    out += t.Render();
    out += "(in brackets: the ratio to " + mc.systems.front().spec.label + ")\n";

    // The layouts behind the numbers.
    out += "\nbest layout per system and target:\n";
    TextTable b({"tok/s/user", "system", "layout", "batch", "TPOT ms", "tok/s/chip",
                 "$/M out owned", "decode step"});
    for (size_t i = 0; i < s.targets.size(); ++i) {
      for (const SystemResult& sys : mc.systems) {
        const EstimatePoint* p = At(sys, i);
        if (!p) {
          b.AddRow({FormatFixed(s.targets[i], 0), sys.spec.label, "-", "-", "-", "-", "-",
                    sys.status.ok() ? "misses the target" : "does not fit"});
          continue;
        }
        const LayoutResult& l = sys.search->feasible[sys.at_target[i]->layout];
        b.AddRow({FormatFixed(s.targets[i], 0), sys.spec.label, LayoutName(l),
                  std::to_string(p->batch), Ms(p->tpot, 1),
                  FormatFixed(p->output_tokens_per_s_per_chip, 1), Usd(sys.money[i], false),
                  Share(p->decode_step)});
      }
    }
    out += b.Render();

    // The systems themselves.
    out +=
        "\nsystems (HBM bandwidth and matmul rate as achieved with the calibrated "
        "efficiencies):\n";
    TextTable h({"system", "chips", "HBM GB/chip", "HBM TB/s", "matmul TFLOP/s", "scale-up",
                 "smallest replica", "its KV seqs", "efficiencies"});
    for (const SystemResult& sys : mc.systems) {
      if (!sys.search) {
        h.AddRow({sys.spec.label, std::to_string(sys.spec.chips), "-", "-", "-", "-",
                  "does not fit", "-", "-"});
        continue;
      }
      const ChipFigures f = Figures(*sys.search->feasible.front().setup);
      const std::string& family = sys.search->hardware.family;
      h.AddRow({sys.spec.label, std::to_string(sys.spec.chips), FormatFixed(f.hbm_gb, 0),
                FormatFixed(f.hbm_tbps, 2), FormatFixed(f.peak_tflops, 0),
                std::to_string(f.domain) + " " + f.topology,
                std::to_string(sys.smallest_replica) + " (" + sys.smallest_plan + ")",
                std::to_string(sys.smallest_max_batch),
                std::string(table.IsFitted(family) ? "fitted " : "priors ") + family});
    }
    out += h.Render();

    // What each ratio depends on: each system against the one it is compared with.
    out += "\nwhat the ratios depend on:\n";
    for (size_t k = 1; k < mc.systems.size(); ++k) {
      const SystemResult& a = mc.systems[k];
      size_t base_index = k - 1;
      for (size_t q = 0; q < k; ++q) {
        if (!a.spec.compare_to.empty() && mc.systems[q].spec.label == a.spec.compare_to) {
          base_index = q;
        }
      }
      out += "  - " + PairText(s, a, mc.systems[base_index]) + "\n";
    }
    // A chain of one change at a time: how the end-to-end ratio moves with the target.
    bool chain = true;
    for (const SystemResult& sys : mc.systems) chain = chain && sys.spec.compare_to.empty();
    if (chain) out += TargetText(s, mc.systems.front(), mc.systems.back());
    for (const SystemResult& sys : mc.systems) {
      if (!sys.spec.note.empty()) out += "  - " + sys.spec.label + ": " + sys.spec.note + "\n";
    }
  }
  return out;
}

nlohmann::ordered_json InteractivityJson(const InteractivityReport& r) {
  nlohmann::ordered_json j;
  j["scenario"] = r.scenario.name;
  j["isl"] = r.scenario.isl;
  j["osl"] = r.scenario.osl;
  j["targets_tok_s_per_user"] = r.scenario.targets;
  j["models"] = nlohmann::ordered_json::array();
  for (const ModelComparison& mc : r.models) {
    nlohmann::ordered_json m;
    m["model"] = mc.model;
    m["requested"] = mc.requested;
    m["systems"] = nlohmann::ordered_json::array();
    for (const SystemResult& sys : mc.systems) {
      nlohmann::ordered_json x;
      x["label"] = sys.spec.label;
      x["hardware"] = sys.spec.hardware;
      x["chips"] = sys.spec.chips;
      x["precision"] = sys.spec.precision;
      if (!sys.search) {
        x["error"] = sys.status.message();
        m["systems"].push_back(x);
        continue;
      }
      x["feasible_layouts"] = sys.search->feasible.size();
      x["smallest_replica_chips"] = sys.smallest_replica;
      x["smallest_replica_plan"] = sys.smallest_plan;
      x["smallest_replica_max_batch"] = sys.smallest_max_batch;
      x["at_targets"] = nlohmann::ordered_json::array();
      for (size_t i = 0; i < sys.at_target.size(); ++i) {
        nlohmann::ordered_json t;
        t["target_tok_s_per_user"] = r.scenario.targets[i];
        if (sys.at_target[i]) {
          const LayoutResult& l = sys.search->feasible[sys.at_target[i]->layout];
          t["plan"] = PlanJson(l.setup->plan);
          t["point"] = PointJsonShort(sys.at_target[i]->point);
          t["economics"] = MoneyJson(sys.money[i]);
        } else {
          t["miss"] = sys.misses[i];
        }
        x["at_targets"].push_back(t);
      }
      m["systems"].push_back(x);
    }
    j["models"].push_back(m);
  }
  return j;
}

}  // namespace

const std::vector<std::string>& PlanScenarioKinds() {
  static const std::vector<std::string> kKinds = {"smallest-slice", "interactivity-comparison"};
  return kKinds;
}

Status RunPlanScenario(CliContext* ctx, const std::string& kind, const YAML::Node& root,
                       const std::string& path, bool json, bool* handled) {
  *handled = true;
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
  PERFTCO_ASSIGN_OR_RETURN(const EfficiencyTable* table, ctx->efficiency());
  if (kind == "smallest-slice") {
    PERFTCO_ASSIGN_OR_RETURN(SmallestSliceScenario s, ParseSmallestSlice(*catalog, root, path));
    PERFTCO_ASSIGN_OR_RETURN(SmallestSliceReport r, RunSmallestSlice(*catalog, *table, s));
    const std::string out = json ? SliceJson(r).dump(2) + "\n" : SliceText(r);
    std::fputs(out.c_str(), stdout);
    return Status::Ok();
  }
  if (kind == "interactivity-comparison") {
    PERFTCO_ASSIGN_OR_RETURN(InteractivityScenario s, ParseInteractivityComparison(root, path));
    PERFTCO_ASSIGN_OR_RETURN(EconomicsData economics, LoadEconomics(ctx));
    PERFTCO_ASSIGN_OR_RETURN(InteractivityReport r,
                             RunInteractivityComparison(*catalog, *table, s, &economics));
    const std::string out =
        json ? InteractivityJson(r).dump(2) + "\n" : InteractivityText(r, *table);
    std::fputs(out.c_str(), stdout);
    return Status::Ok();
  }
  *handled = false;
  return Status::Ok();
}

}  // namespace perftco::cli
