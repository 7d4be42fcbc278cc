#include "perftco/training_run.h"

#include <yaml-cpp/yaml.h>

#include <cmath>

#include "perftco/names.h"
#include "perftco/yaml_fields.h"

namespace perftco {

Result<TrainingModel> BuildTrainingModel(const Catalog& catalog, const EfficiencyTable& table,
                                         const TrainingSetupOptions& o) {
  PERFTCO_ASSIGN_OR_RETURN(ModelConfig model, catalog.FindModel(o.model));
  PERFTCO_ASSIGN_OR_RETURN(Hardware hw, catalog.FindHardware(o.hardware));
  PERFTCO_ASSIGN_OR_RETURN(Precision p, ParsePrecision(o.precision));
  if (p != Precision::kBf16 && p != Precision::kFp16 && p != Precision::kFp8) {
    return Status::Error("training runs its matrix products in bf16, fp16 or fp8 (got " +
                         o.precision + ")");
  }
  if (o.scale_up_gb_per_s) {
    if (!(*o.scale_up_gb_per_s > 0)) {
      return Status::Error("--scale-up-gb-per-s must be positive");
    }
    hw.scale_up.bandwidth_per_chip = BytesPerSecond(*o.scale_up_gb_per_s * kGiga);
  }
  TrainingOptions opt = o.options;
  opt.compute = p;
  if (opt.sites < 1) return Status::Error("--sites must be at least 1");
  if (opt.sites > 1 && !(opt.wan_bandwidth.value() > 0)) {
    return Status::Error("training over " + std::to_string(opt.sites) +
                         " sites needs --wan-gbps (the WAN bandwidth per site)");
  }
  if (opt.wan_latency.value() < 0) return Status::Error("--wan-latency-ms must not be negative");
  return TrainingModel(model, hw, table.For(hw.family), opt);
}

Result<ChipHourPrice> DefaultChipHourPrice(const std::string& data_dir,
                                           const std::string& hardware) {
  const std::string path = data_dir + "/training/chip_hour_prices.yaml";
  PERFTCO_ASSIGN_OR_RETURN(YAML::Node root,
                           LoadYamlFile(path, "price file", "give --usd-per-chip-hour"));
  const YAML::Node prices = root["prices"];
  if (!prices || !prices.IsMap()) return Status::Error(path + ": needs a 'prices' map");
  const YAML::Node row = prices[ToLower(hardware)];
  if (!row) {
    return Status::Error("no default $/chip-hour for " + hardware + " in " + path +
                         ": give --usd-per-chip-hour");
  }
  ChipHourPrice p;
  try {
    p.usd = row["usd_per_chip_hour"].as<double>();
    p.source = row["source"].as<std::string>();
  } catch (const YAML::Exception&) {
    return Status::Error(path + ": " + hardware +
                         " needs a numeric 'usd_per_chip_hour' and a 'source'");
  }
  if (!(p.usd > 0)) return Status::Error(path + ": " + hardware + ": price must be positive");
  return p;
}

Bytes CheckpointBytes(const TrainingModel& model) {
  const TrainingOptions& o = model.options();
  return Bytes(model.model().TotalParams() * (o.weight_bytes + o.optimizer_bytes));
}

Result<TrainingRun> EstimateRun(const TrainingModel& model, const TrainingStep& step, double tokens,
                                double usd_per_chip_hour, const ReliabilityParams& reliability) {
  if (!(tokens > 0) || !std::isfinite(tokens)) {
    return Status::Error("--tokens must be a positive number of training tokens");
  }
  if (!(usd_per_chip_hour >= 0)) return Status::Error("$/chip-hour must not be negative");
  TrainingRun r;
  r.step = step;
  r.chips = step.plan.Chips();
  r.train_tokens = tokens;
  r.steps = std::ceil(tokens / step.tokens_per_step);
  r.ideal_time = step.step_time * r.steps;
  r.ideal_chip_hours = r.chips * r.ideal_time.value() / 3600.0;
  PERFTCO_ASSIGN_OR_RETURN(
      r.reliability,
      EvaluateReliability(reliability, r.chips, CheckpointBytes(model), r.ideal_time));
  r.wall_time = r.reliability.wall_time;
  r.chip_hours = r.chips * r.wall_time.value() / 3600.0;
  r.usd_per_chip_hour = usd_per_chip_hour;
  r.ideal_usd = r.ideal_chip_hours * usd_per_chip_hour;
  r.usd = r.chip_hours * usd_per_chip_hour;
  return r;
}

double FlopsForBudget(double usd, double usd_per_chip_hour, FlopsPerSecond peak, double mfu,
                      double goodput) {
  return usd / usd_per_chip_hour * 3600.0 * peak.value() * mfu * goodput;
}

}  // namespace perftco
