#include "estimate_json.h"

#include "economics_options.h"
#include "perftco/serving_plan.h"
#include "perftco/text_table.h"

namespace perftco::cli {

nlohmann::ordered_json SetupJson(const Setup& s) {
  const MemoryBudget mem = s.cost->Memory();
  nlohmann::ordered_json j;
  j["model"] = s.model.name;
  j["hardware"] = s.hardware.name;
  j["chips"] = s.plan.Chips();
  j["tp"] = s.plan.tp;
  j["pp"] = s.plan.pp;
  j["ep"] = s.plan.ep;
  j["dp_attention"] = s.plan.dp_attention;
  j["replicas"] = s.plan.replicas;
  j["weight_precision"] = std::string(PrecisionName(s.precisions.weights));
  j["kv_precision"] = std::string(PrecisionName(s.precisions.kv));
  j["compute_precision"] = std::string(
      PrecisionName(s.hardware.ComputePrecision(s.precisions.weights, s.precisions.activations)));
  j["weights_bytes_per_chip"] = mem.weights.value();
  j["kv_bytes_per_token"] = mem.kv_bytes_per_token.value();
  j["kv_bytes_per_token_per_chip"] = mem.kv_bytes_per_token_per_chip.value();
  j["kv_capacity_bytes_per_chip"] = mem.kv_capacity.value();
  j["kv_token_capacity_per_replica"] = mem.kv_token_capacity;
  // Keys of the parallelism and speculation options, only where they are used (older outputs
  // keep their shape).
  if (s.plan.pp > 1) j["micro_batches"] = s.plan.MicroBatches();
  if (s.speculative.enabled()) {
    nlohmann::ordered_json spec;
    spec["method"] = std::string(DraftKindName(s.speculative.kind));
    if (s.speculative.draft_model) spec["draft_model"] = s.speculative.draft_model->name;
    spec["tokens"] = s.speculative.tokens;
    spec["acceptance"] = s.speculative.acceptance;
    spec["tokens_per_step"] = s.speculative.TokensPerStep();
    spec["draft_weights_bytes_per_chip"] = mem.draft_weights.value();
    j["speculative"] = spec;
  }
  return j;
}

nlohmann::ordered_json PointJson(const EstimatePoint& p) {
  nlohmann::ordered_json j;
  j["batch"] = p.batch;
  j["ttft_s"] = p.ttft.value();
  j["tpot_s"] = p.tpot.value();
  j["request_latency_s"] = p.request_latency.value();
  j["output_tokens_per_s"] = p.output_tokens_per_s;
  j["output_tokens_per_s_per_chip"] = p.output_tokens_per_s_per_chip;
  j["tokens_per_s_per_user"] = p.tokens_per_s_per_user;
  j["decode_step_compute_s"] = p.decode_step.compute_time.value();
  j["decode_step_memory_s"] = p.decode_step.memory_time.value();
  j["decode_step_comm_s"] = p.decode_step.comm_time.value();
  j["decode_step_overhead_s"] = p.decode_step.overhead.value();
  return j;
}

nlohmann::ordered_json RangeJson(double value, const ErrorBand& band) {
  if (!band.known()) return nullptr;
  return nlohmann::ordered_json::array({value * band.low, value * band.high});
}

std::string RangeText(double value, const ErrorBand& band, int decimals) {
  if (!band.known()) return "unknown";
  return FormatFixed(value * band.low, decimals) + "-" + FormatFixed(value * band.high, decimals);
}

nlohmann::ordered_json BandsJson(const ErrorBands& b) {
  if (!b.throughput.known() && !b.latency.known()) return nullptr;
  nlohmann::ordered_json j;
  j["throughput"] = RangeJson(1.0, b.throughput);
  j["latency"] = RangeJson(1.0, b.latency);
  j["basis"] = b.basis;
  return j;
}

nlohmann::ordered_json PointJson(const EstimatePoint& p, const ErrorBands& bands) {
  nlohmann::ordered_json j = PointJson(p);
  j["ttft_s_range"] = RangeJson(p.ttft.value(), bands.latency);
  j["tpot_s_range"] = RangeJson(p.tpot.value(), bands.latency);
  j["output_tokens_per_s_per_chip_range"] =
      RangeJson(p.output_tokens_per_s_per_chip, bands.throughput);
  return j;
}

std::string PointRangesTable(const std::vector<EstimatePoint>& points, const ErrorBands& bands) {
  if (!bands.throughput.known() && !bands.latency.known()) {
    return "80% ranges: unknown (no calibration has written error bars; run perftco calibrate)\n";
  }
  TextTable t({"batch", "TTFT ms", "TPOT ms", "tok/s/chip"});
  for (const auto& p : points) {
    t.AddRow({std::to_string(p.batch), RangeText(p.ttft.value() * 1e3, bands.latency, 1),
              RangeText(p.tpot.value() * 1e3, bands.latency, 2),
              RangeText(p.output_tokens_per_s_per_chip, bands.throughput, 1)});
  }
  return "80% ranges from the calibration's held-out errors (" + bands.basis + "):\n" + t.Render();
}

std::string SetupText(const Setup& s, int64_t isl, int64_t osl, int64_t max_batch) {
  const MemoryBudget mem = s.cost->Memory();
  std::string out;
  out += s.model.name + " on " + std::to_string(s.plan.Chips()) + " x " + s.hardware.name + " (" +
         s.plan.ToString() + "), weights " + std::string(PrecisionName(s.precisions.weights)) +
         ", KV " + std::string(PrecisionName(s.precisions.kv)) + ", compute " +
         std::string(PrecisionName(
             s.hardware.ComputePrecision(s.precisions.weights, s.precisions.activations))) +
         "\n";
  out += "input " + std::to_string(isl) + " tokens, output " + std::to_string(osl) + " tokens\n";
  if (s.speculative.enabled()) {
    out += "speculative decoding: " + s.speculative.ToString() + ", " +
           FormatFixed(s.speculative.TokensPerStep(), 2) +
           " tokens per step on average; draft weights " +
           FormatFixed(mem.draft_weights.value() / kGiga, 2) + " GB per chip\n";
  }
  out += "memory per chip: " + FormatFixed(mem.hbm.value() / kGiga, 1) + " GB HBM, " +
         FormatFixed(mem.weights.value() / kGiga, 1) + " GB weights, " +
         FormatFixed((mem.activations + mem.runtime_reserve).value() / kGiga, 1) +
         " GB activations + reserve, " + FormatFixed(mem.kv_capacity.value() / kGiga, 1) +
         " GB KV cache\n";
  out += "KV per token: " + FormatFixed(mem.kv_bytes_per_token.value() / 1024.0, 1) +
         " KiB (model), " + FormatFixed(mem.kv_bytes_per_token_per_chip.value() / 1024.0, 1) +
         " KiB per chip; the replica holds " + std::to_string(mem.kv_token_capacity) +
         " tokens, at most " + std::to_string(max_batch) + " sequences of " +
         std::to_string(isl + osl) + " tokens\n";
  return out;
}

std::string PointsTable(const std::vector<EstimatePoint>& points) {
  TextTable t({"batch", "TTFT ms", "TPOT ms", "tok/s/user", "output tok/s", "tok/s/chip",
               "latency s", "bound"});
  for (const auto& p : points) {
    const StepCost& d = p.decode_step;
    std::string bound = "memory";
    if (d.compute_time > d.memory_time && d.compute_time > d.comm_time) bound = "compute";
    if (d.comm_time > d.memory_time && d.comm_time > d.compute_time) bound = "network";
    if (d.overhead > d.memory_time && d.overhead > d.compute_time && d.overhead > d.comm_time) {
      bound = "overhead";
    }
    t.AddRow({std::to_string(p.batch), FormatFixed(p.ttft.value() * 1e3, 1),
              FormatFixed(p.tpot.value() * 1e3, 2), FormatFixed(p.tokens_per_s_per_user, 1),
              FormatFixed(p.output_tokens_per_s, 0), FormatFixed(p.output_tokens_per_s_per_chip, 1),
              FormatFixed(p.request_latency.value(), 2), bound});
  }
  return t.Render();
}

std::string EconomicsTable(const std::vector<EstimatePoint>& points,
                           const std::vector<TokenEconomics>& money) {
  auto usd = [](const std::optional<Dollars>& v) {
    return v ? FormatFixed(v->value(), 4) : std::string("unknown");
  };
  const bool margin = !money.empty() && money.front().margin > 0;
  std::vector<std::string> header = {"batch", "$/M out owned", "$/M out rented", "$/M in owned",
                                     "$/M in rented"};
  if (margin) {
    header.push_back("price owned (" + FormatFixed(money.front().margin * 100, 0) + "% margin)");
    header.push_back("price rented");
  }
  header.push_back("J/token");
  header.push_back("tok/s per MW");
  TextTable t(header);
  for (size_t i = 0; i < points.size() && i < money.size(); ++i) {
    const TokenEconomics& m = money[i];
    std::vector<std::string> row = {
        std::to_string(points[i].batch), usd(m.owned_per_million_output),
        usd(m.rented_per_million_output), usd(m.owned_per_million_input),
        usd(m.rented_per_million_input)};
    if (margin) {
      row.push_back(usd(m.owned_price_per_million_output));
      row.push_back(usd(m.rented_price_per_million_output));
    }
    row.push_back(m.energy_per_output_token ? FormatFixed(m.energy_per_output_token->value(), 3)
                                            : "unknown");
    row.push_back(m.output_tokens_per_s_per_mw ? FormatSi(*m.output_tokens_per_s_per_mw)
                                               : "unknown");
    t.AddRow(row);
  }
  return t.Render();
}

std::vector<TokenCostRange> CostRanges(const ChipEconomicsRange& chip, const ParallelPlan& plan,
                                       const std::vector<EstimatePoint>& points, int64_t isl,
                                       const ErrorBands& bands, double margin) {
  const bool known = bands.throughput.known();
  const double slowest = known ? bands.throughput.low : 1.0;
  const double fastest = known ? bands.throughput.high : 1.0;
  std::vector<TokenCostRange> out;
  for (const auto& p : points) {
    out.push_back(
        TokenCostsOverRange(chip, PointThroughput(plan, p, isl), slowest, fastest, margin));
  }
  return out;
}

namespace {

std::string PairText(const std::optional<Dollars>& lo, const std::optional<Dollars>& hi) {
  if (!lo || !hi) return "unknown";
  return FormatFixed(lo->value(), 4) + "-" + FormatFixed(hi->value(), 4);
}

}  // namespace

nlohmann::ordered_json CostRangeJson(const TokenCostRange& r) {
  nlohmann::ordered_json j;
  j["usd_per_m_out_owned_range"] = DollarRangeJson(r.owned_low, r.owned_high);
  j["usd_per_m_out_rented_range"] = DollarRangeJson(r.rented_low, r.rented_high);
  return j;
}

std::string CostRangesTable(const std::vector<EstimatePoint>& points,
                            const std::vector<TokenCostRange>& ranges, const ErrorBands& bands) {
  TextTable t({"batch", "$/M out owned", "$/M out rented"});
  for (size_t i = 0; i < points.size() && i < ranges.size(); ++i) {
    t.AddRow({std::to_string(points[i].batch), PairText(ranges[i].owned_low, ranges[i].owned_high),
              PairText(ranges[i].rented_low, ranges[i].rented_high)});
  }
  const std::string model = bands.throughput.known()
                                ? "the 80% throughput range above and "
                                : "no model-error range (none calibrated) and ";
  return "$/M ranges from " + model +
         "the sourced price and power ranges (data/prices/, low to high):\n" + t.Render();
}

}  // namespace perftco::cli
