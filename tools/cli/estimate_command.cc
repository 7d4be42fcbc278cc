#include <cstdio>

#include "commands.h"
#include "economics_options.h"
#include "estimate_json.h"
#include "perftco/limits.h"
#include "perftco/serving_plan.h"
#include "perftco/text_table.h"

namespace perftco::cli {
namespace {

struct EstimateArgs {
  SetupOptions setup;
  int64_t isl = 1000;
  int64_t osl = 1000;
  std::string batch;  // "" (largest that fits), "64", or "1,8,64"
  std::optional<double> tpot_slo_ms;
  EconomicsFlags economics;
  bool json = false;
};

Status RunEstimate(CliContext* ctx, const EstimateArgs& a) {
  PERFTCO_ASSIGN_OR_RETURN(std::shared_ptr<Setup> setup, SetupFrom(ctx, a.setup));
  const CostModel& cost = *setup->cost;
  if (a.isl <= 0 || a.osl <= 0) {
    return Status::Error("--isl and --osl must be positive (got " + std::to_string(a.isl) +
                         " and " + std::to_string(a.osl) + ")");
  }
  if (a.isl > kMaxSequenceTokens || a.osl > kMaxSequenceTokens) {
    return Status::Error("--isl and --osl are at most " + std::to_string(kMaxSequenceTokens) +
                         " tokens (got " + std::to_string(a.isl) + " and " + std::to_string(a.osl) +
                         ")");
  }
  const int64_t max_batch = cost.MaxSequences(a.isl + a.osl);
  std::vector<int64_t> batches;
  if (a.tpot_slo_ms) {
    if (!a.batch.empty()) return Status::Error("give either --batch or --tpot-slo-ms, not both");
    PERFTCO_ASSIGN_OR_RETURN(int64_t b,
                             LargestBatchForTpot(cost, a.isl, a.osl, Milliseconds(*a.tpot_slo_ms)));
    batches.push_back(b);
  } else if (!a.batch.empty()) {
    PERFTCO_ASSIGN_OR_RETURN(batches, ParseIntList(a.batch, "--batch"));
  } else {
    if (max_batch < 1) return Status::Error("no sequence of this length fits in the KV cache");
    batches.push_back(max_batch);
  }
  std::vector<EstimatePoint> points;
  std::string admission;  // batches beyond the KV cache, run in waves
  nlohmann::ordered_json waves = nlohmann::ordered_json::array();
  for (int64_t b : batches) {
    const int64_t seqs = cost.engine().max_num_seqs;
    if (b > max_batch || (seqs > 0 && b > seqs)) {
      PERFTCO_ASSIGN_OR_RETURN(AdmittedBatch admitted, EstimateAdmitted(cost, a.isl, a.osl, b));
      admission += "batch " + std::to_string(b) + " exceeds what the engine admits at once (" +
                   std::to_string(admitted.point.batch) + " sequences): it runs in " +
                   std::to_string(admitted.waves) + " waves at an effective batch of " +
                   std::to_string(admitted.point.batch) + ", " +
                   FormatFixed(admitted.batch_latency.value(), 2) + " s for the whole batch\n";
      waves.push_back({{"requested_batch", b},
                       {"effective_batch", admitted.point.batch},
                       {"waves", admitted.waves},
                       {"batch_latency_s", admitted.batch_latency.value()}});
      points.push_back(std::move(admitted.point));
      continue;
    }
    PERFTCO_ASSIGN_OR_RETURN(EstimatePoint p, EstimateBatch(cost, a.isl, a.osl, b));
    points.push_back(std::move(p));
  }
  // Money and megawatts of every point (unknown prices stay unknown and are listed).
  PERFTCO_ASSIGN_OR_RETURN(EconomicsOptions econ_options, ResolveEconomicsFlags(ctx, a.economics));
  PERFTCO_ASSIGN_OR_RETURN(EconomicsData econ_data, LoadEconomics(ctx));
  PERFTCO_ASSIGN_OR_RETURN(ChipEconomics chip,
                           EvaluateChip(setup->hardware, econ_data, econ_options));
  std::vector<TokenEconomics> money;
  for (const auto& p : points) {
    money.push_back(TokenCosts(chip, PointThroughput(setup->plan, p, a.isl), econ_options.margin));
  }
  PERFTCO_ASSIGN_OR_RETURN(const EfficiencyTable* efficiency, ctx->efficiency());
  const ErrorBands& bands = efficiency->BandsFor(setup->hardware.family);
  PERFTCO_ASSIGN_OR_RETURN(ChipEconomicsRange chip_range,
                           EvaluateChipRange(setup->hardware, econ_data, econ_options));
  const std::vector<TokenCostRange> cost_ranges =
      CostRanges(chip_range, setup->plan, points, a.isl, bands, econ_options.margin);
  if (a.json) {
    nlohmann::ordered_json j = SetupJson(*setup);
    j["isl"] = a.isl;
    j["osl"] = a.osl;
    j["max_batch"] = max_batch;
    if (a.tpot_slo_ms) j["tpot_slo_ms"] = *a.tpot_slo_ms;
    if (!waves.empty()) j["admission"] = waves;
    if (points.size() == 1) {
      const nlohmann::ordered_json point = PointJson(points[0], bands);
      j.update(point);
      j.update(TokenEconomicsJson(money[0]));
      j.update(CostRangeJson(cost_ranges[0]));
    } else {
      j["points"] = nlohmann::ordered_json::array();
      for (size_t i = 0; i < points.size(); ++i) {
        nlohmann::ordered_json p = PointJson(points[i], bands);
        p.update(TokenEconomicsJson(money[i]));
        p.update(CostRangeJson(cost_ranges[i]));
        j["points"].push_back(p);
      }
    }
    std::optional<Dollars> owned;
    if (chip.owned_per_hour) owned = chip.owned_per_hour->Total();
    j["usd_per_chip_hour"] = JsonOrNull(owned);
    j["rental_usd_per_chip_hour"] = JsonOrNull(chip.rental_per_hour);
    j["economics_missing"] = chip.missing;
    j["error_bands"] = BandsJson(bands);
    std::printf("%s\n", j.dump(2).c_str());
    return Status::Ok();
  }
  std::string out = SetupText(*setup, a.isl, a.osl, max_batch);
  if (a.tpot_slo_ms) {
    out += "largest batch within TPOT " + FormatFixed(*a.tpot_slo_ms, 1) +
           " ms: " + std::to_string(batches[0]) + "\n";
  }
  out += admission;
  out += "\n" + PointsTable(points);
  out += PointRangesTable(points, bands);
  out += "\n" + EconomicsTable(points, money);
  out += CostRangesTable(points, cost_ranges, bands);
  std::optional<Dollars> owned;
  if (chip.owned_per_hour) owned = chip.owned_per_hour->Total();
  out += "per chip-hour: owned " + UsdText(owned, 3) + " USD, rented " +
         UsdText(chip.rental_per_hour, 3) + " USD (perftco tco --hardware " + chip.hardware +
         "); $/M out = all chip time over output tokens, $/M in = prefill time over input tokens\n";
  out += MissingText(chip, "  ");
  std::fputs(out.c_str(), stdout);
  return Status::Ok();
}

}  // namespace

void AddEstimateCommand(CLI::App* sub, CliContext* ctx) {
  auto a = std::make_shared<EstimateArgs>();
  AddSetupOptions(sub, &a->setup);
  sub->add_option("--isl", a->isl, "input tokens per request")->capture_default_str();
  sub->add_option("--osl", a->osl, "output tokens per request")->capture_default_str();
  sub->add_option("--batch,-b", a->batch,
                  "sequences per replica, or a list (1,8,64) for the throughput-interactivity "
                  "curve (default: the largest that fits)");
  sub->add_option("--tpot-slo-ms", a->tpot_slo_ms, "largest batch whose TPOT meets this");
  AddEconomicsOptions(sub, &a->economics);
  sub->add_flag("--json", a->json, "print JSON");
  sub->callback([ctx, a] { ctx->status = RunEstimate(ctx, *a); });
}

}  // namespace perftco::cli
