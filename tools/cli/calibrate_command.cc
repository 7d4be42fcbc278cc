#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

#include "commands.h"
#include "perftco/calibration.h"
#include "validate_report.h"

namespace perftco::cli {
namespace {

struct CalibrateArgs {
  std::string data;
  std::string out;
  std::string markdown;
  std::string holdout = "all";
  int folds = 5;
  int evals = 300;
  int holdout_evals = 150;
  bool dry_run = false;
};

std::string TodayUtc() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
  return buf;
}

// "N rows, fnv1a 0x..." of the data files, so a fit names the data it saw.
std::string DataVersion(const std::vector<MeasuredPoint>& points) {
  uint64_t h = 1469598103934665603ull;
  for (const auto& p : points) {
    const std::string row = p.id + "|" + p.metric + "|" + std::to_string(p.value);
    for (unsigned char c : row) {
      h ^= c;
      h *= 1099511628211ull;
    }
  }
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%zu rows, fnv1a %016llx", points.size(),
                static_cast<unsigned long long>(h));
  return buf;
}

Status RunCalibrate(CliContext* ctx, const CalibrateArgs& a) {
  if (a.folds < 2) return Status::Error("--folds must be at least 2");
  if (a.evals < 10) return Status::Error("--evals must be at least 10");
  if (a.holdout_evals != 0 && a.holdout_evals < 10) {
    return Status::Error("--holdout-evals must be 0 (as --evals) or at least 10");
  }
  PERFTCO_ASSIGN_OR_RETURN(const std::vector<Holdout> holdouts, ParseHoldouts(a.holdout));
  PERFTCO_ASSIGN_OR_RETURN(const Catalog* catalog, ctx->catalog());
  // Fit from the priors alone, never from an earlier fit.
  PERFTCO_ASSIGN_OR_RETURN(EfficiencyTable priors, EfficiencyTable::LoadPriors(ctx->data_dir));
  const std::string data = a.data.empty() ? ctx->data_dir + "/measured" : a.data;
  PERFTCO_ASSIGN_OR_RETURN(std::vector<MeasuredPoint> measured, ReadMeasured(data));
  // Rows that state no layout are tuned with the priors, so no fit leaks into the points.
  PrepareOptions prepare;
  prepare.efficiency = &priors;
  PERFTCO_ASSIGN_OR_RETURN(const LatencyLimitTable limits, LatencyLimitTable::Load(ctx->data_dir));
  prepare.latency_limits = &limits;
  const std::vector<PreparedPoint> points = PreparePoints(*catalog, measured, prepare);
  CalibrationOptions options;
  options.folds = a.folds;
  options.max_evaluations = a.evals;
  options.holdout_max_evaluations = a.holdout_evals;
  options.holdouts = holdouts;
  const CalibrationResult r = Calibrate(points, priors, options);
  if (r.families.empty()) return Status::Error("no modelled points in " + data + " to fit");
  const std::string out = a.out.empty() ? ctx->data_dir + "/calibration/fitted.yaml" : a.out;
  if (!a.dry_run) {
    PERFTCO_RETURN_IF_ERROR(
        WriteFileAtomically(out, FittedYaml(r, TodayUtc(), DataVersion(measured))));
    if (!a.markdown.empty()) {
      PERFTCO_RETURN_IF_ERROR(WriteFileAtomically(a.markdown, HoldoutMarkdown(r)));
    }
  }
  std::string text = CalibrationText(r);
  text += a.dry_run ? "dry run: nothing written\n"
                    : "wrote " + out + (a.markdown.empty() ? "" : " and " + a.markdown) + "\n";
  std::fputs(text.c_str(), stdout);
  return Status::Ok();
}

}  // namespace

void AddCalibrateCommand(CLI::App* sub, CliContext* ctx) {
  auto a = std::make_shared<CalibrateArgs>();
  sub->add_option("--data", a->data, "measured CSV file or folder (default: catalog measured/)");
  sub->add_option("--out", a->out, "fitted parameters file (default: calibration/fitted.yaml)");
  sub->add_option("--folds", a->folds, "cross-validation folds")->capture_default_str();
  sub->add_option("--evals", a->evals, "Nelder-Mead evaluations per fit")->capture_default_str();
  sub->add_option("--holdout", a->holdout,
                  "out-of-sample schemes, comma-separated: kfold, hardware, model, source, all")
      ->capture_default_str();
  sub->add_option("--holdout-evals", a->holdout_evals,
                  "evaluations per leave-one-hardware/model/source-out fit (0: as --evals)")
      ->capture_default_str();
  sub->add_option("--markdown", a->markdown,
                  "also write the out-of-sample section of docs/models/accuracy.md here");
  sub->add_flag("--dry-run", a->dry_run, "fit and report, write nothing");
  sub->callback([ctx, a] { ctx->status = RunCalibrate(ctx, *a); });
}

}  // namespace perftco::cli
