#include <cstdio>

#include "commands.h"
#include "estimate_json.h"
#include "perftco/text_table.h"

namespace perftco::cli {
namespace {

struct EstimateArgs {
  SetupOptions setup;
  int64_t isl = 1000;
  int64_t osl = 1000;
  std::string batch;  // "" (largest that fits), "64", or "1,8,64"
  std::optional<double> tpot_slo_ms;
  bool json = false;
};

Status RunEstimate(CliContext* ctx, const EstimateArgs& a) {
  PERFTCO_ASSIGN_OR_RETURN(std::shared_ptr<Setup> setup, SetupFrom(ctx, a.setup));
  const CostModel& cost = *setup->cost;
  if (a.isl <= 0 || a.osl <= 0) {
    return Status::Error("--isl and --osl must be positive (got " + std::to_string(a.isl) +
                         " and " + std::to_string(a.osl) + ")");
  }
  const int64_t max_batch = cost.MaxSequences(a.isl + a.osl);
  std::vector<int64_t> batches;
  if (a.tpot_slo_ms) {
    if (!a.batch.empty()) return Status::Error("give either --batch or --tpot-slo-ms, not both");
    PERFTCO_ASSIGN_OR_RETURN(int64_t b, LargestBatchForTpot(cost, a.isl, a.osl,
                                                            Milliseconds(*a.tpot_slo_ms)));
    batches.push_back(b);
  } else if (!a.batch.empty()) {
    PERFTCO_ASSIGN_OR_RETURN(batches, ParseIntList(a.batch, "--batch"));
  } else {
    if (max_batch < 1) return Status::Error("no sequence of this length fits in the KV cache");
    batches.push_back(max_batch);
  }
  std::vector<EstimatePoint> points;
  for (int64_t b : batches) {
    PERFTCO_ASSIGN_OR_RETURN(EstimatePoint p, EstimateBatch(cost, a.isl, a.osl, b));
    points.push_back(std::move(p));
  }
  if (a.json) {
    nlohmann::ordered_json j = SetupJson(*setup);
    j["isl"] = a.isl;
    j["osl"] = a.osl;
    j["max_batch"] = max_batch;
    if (a.tpot_slo_ms) j["tpot_slo_ms"] = *a.tpot_slo_ms;
    if (points.size() == 1) {
      const nlohmann::ordered_json point = PointJson(points[0]);
      j.update(point);
    } else {
      j["points"] = nlohmann::ordered_json::array();
      for (const auto& p : points) j["points"].push_back(PointJson(p));
    }
    std::printf("%s\n", j.dump(2).c_str());
    return Status::Ok();
  }
  std::string out = SetupText(*setup, a.isl, a.osl, max_batch);
  if (a.tpot_slo_ms) {
    out += "largest batch within TPOT " + FormatFixed(*a.tpot_slo_ms, 1) + " ms: " +
           std::to_string(batches[0]) + "\n";
  }
  out += "\n" + PointsTable(points);
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
  sub->add_flag("--json", a->json, "print JSON");
  sub->callback([ctx, a] { ctx->status = RunEstimate(ctx, *a); });
}

}  // namespace perftco::cli
