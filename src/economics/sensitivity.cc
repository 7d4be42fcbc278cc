#include "perftco/sensitivity.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>

#include "perftco/cost_model.h"
#include "perftco/estimate.h"
#include "perftco/serving_plan.h"
#include "perftco/token_cost.h"

namespace perftco {
namespace {

// The outputs of one evaluation.
struct Outputs {
  int64_t batch = 0;
  double throughput = 0, tpot = 0, ttft = 0;
  std::optional<double> owned, rented;
};

// What one perturbation changes: a copy of the hardware, efficiency and economics.
struct Inputs {
  Hardware hw;
  Efficiency eff;
  EconomicsOptions economics;
};

Result<Outputs> Evaluate(const Setup& s, const Inputs& in, const EconomicsData& data,
                         const SensitivityOptions& o) {
  const CostModel cost(s.model, in.hw, s.plan, s.precisions, in.eff, s.engine, s.speculative);
  const int64_t batch = o.batch > 0 ? o.batch : LargestAdmittedBatch(cost, o.isl + o.osl);
  if (batch < 1) return Status::Error("no sequence of this length fits in the KV cache");
  PERFTCO_ASSIGN_OR_RETURN(EstimatePoint p, EstimateBatch(cost, o.isl, o.osl, batch));
  PERFTCO_ASSIGN_OR_RETURN(ChipEconomics chip, EvaluateChip(in.hw, data, in.economics));
  const TokenEconomics money =
      TokenCosts(chip, PointThroughput(s.plan, p, o.isl), in.economics.margin);
  Outputs out;
  out.batch = batch;
  out.throughput = p.output_tokens_per_s_per_chip;
  out.tpot = p.tpot.value();
  out.ttft = p.ttft.value();
  if (money.owned_per_million_output) out.owned = money.owned_per_million_output->value();
  if (money.rented_per_million_output) out.rented = money.rented_per_million_output->value();
  return out;
}

// d ln y / d ln x from the evaluations at x (1 - h) and x (1 + h); one-sided where one of them
// failed; nullopt where a value is unknown or not positive.
std::optional<double> Elasticity(const std::optional<double>& base, const std::optional<double>& lo,
                                 const std::optional<double>& hi, bool have_lo, bool have_hi,
                                 double h) {
  const auto ok = [](const std::optional<double>& v) { return v && *v > 0; };
  if (have_lo && have_hi && ok(lo) && ok(hi)) {
    return (std::log(*hi) - std::log(*lo)) / (std::log1p(h) - std::log1p(-h));
  }
  if (!ok(base)) return std::nullopt;
  if (have_hi && ok(hi)) return (std::log(*hi) - std::log(*base)) / std::log1p(h);
  if (have_lo && ok(lo)) return (std::log(*lo) - std::log(*base)) / std::log1p(-h);
  return std::nullopt;
}

// An input: its name, kind, unit, value, and how to set it on a copy of the inputs.
struct Knob {
  std::string name, kind, unit;
  double base;
  std::function<void(Inputs*, double factor)> scale;
};

std::vector<Knob> Knobs(const Setup& s, const ChipEconomics& chip) {
  std::vector<Knob> k;
  const Hardware& hw = s.hardware;
  const Precision compute = hw.ComputePrecision(s.precisions.weights, s.precisions.activations);
  k.push_back({"peak FLOP/s (every format)", "hardware", "TFLOP/s", hw.Peak(compute).value() / 1e12,
               [](Inputs* in, double f) {
                 for (auto& [p, rate] : in->hw.peak_dense) rate = rate * f;
               }});
  k.push_back({"HBM capacity", "hardware", "GB", hw.hbm_capacity.value() / 1e9,
               [](Inputs* in, double f) { in->hw.hbm_capacity = in->hw.hbm_capacity * f; }});
  k.push_back({"HBM bandwidth", "hardware", "TB/s", hw.hbm_bandwidth.value() / 1e12,
               [](Inputs* in, double f) { in->hw.hbm_bandwidth = in->hw.hbm_bandwidth * f; }});
  if (hw.scale_up.bandwidth_per_chip.value() > 0 && s.plan.tp * s.plan.pp > 1) {
    k.push_back({"scale-up bandwidth", "hardware", "GB/s per direction",
                 hw.scale_up.bandwidth_per_chip.value() / 1e9, [](Inputs* in, double f) {
                   in->hw.scale_up.bandwidth_per_chip = in->hw.scale_up.bandwidth_per_chip * f;
                 }});
  }
  if (hw.scale_out_per_chip.value() > 0 && s.plan.ChipsPerReplica() > hw.scale_up.domain_chips) {
    k.push_back(
        {"scale-out bandwidth", "hardware", "GB/s per chip", hw.scale_out_per_chip.value() / 1e9,
         [](Inputs* in, double f) { in->hw.scale_out_per_chip = in->hw.scale_out_per_chip * f; }});
  }
  for (const std::string& name : Efficiency::FittableNames()) {
    k.push_back({"efficiency: " + name, "efficiency", "", s.efficiency.Get(name),
                 [name](Inputs* in, double f) { in->eff.Set(name, in->eff.Get(name) * f); }});
  }
  const std::string chip_name = hw.name;
  const auto override_of = [chip_name](Inputs* in) -> ChipOverrides& {
    return in->economics.per_hardware[chip_name];
  };
  if (chip.server_capex) {
    const double price = chip.server_capex->value();
    k.push_back({"system price per chip", "economics", "USD", price,
                 [override_of, price](Inputs* in, double f) {
                   override_of(in).system_price_usd_per_chip = price * f;
                 }});
  }
  if (chip.rental_per_hour) {
    const double rent = chip.rental_per_hour->value();
    k.push_back({"rental price", "economics", "USD per chip-hour", rent,
                 [override_of, rent](Inputs* in, double f) {
                   override_of(in).rental_usd_per_chip_hour = rent * f;
                 }});
  }
  if (chip.it_power) {
    const double watts = chip.it_power->value();
    k.push_back({"system power per chip", "economics", "W", watts,
                 [override_of, watts](Inputs* in, double f) {
                   override_of(in).system_power_w_per_chip = watts * f;
                 }});
  }
  const TcoAssumptions& a = chip.assumptions;
  const auto assumption = [&](const char* name, const char* key, const char* unit, double v) {
    const std::string key_name = key;
    k.push_back({name, "economics", unit, v, [key_name, v](Inputs* in, double f) {
                   in->economics.assumptions[key_name] = v * f;
                 }});
  };
  assumption("electricity price", "electricity_usd_per_kwh", "USD/kWh",
             a.electricity_per_kwh.value());
  assumption("PUE", "pue", "ratio", a.pue);
  assumption("power utilisation", "power_utilisation", "fraction", a.power_utilisation);
  return k;
}

}  // namespace

Result<SensitivityReport> ComputeSensitivity(const Setup& setup, const EconomicsData& economics,
                                             const SensitivityOptions& o) {
  if (!(o.step > 0 && o.step < 1)) {
    std::ostringstream got;
    got << o.step;
    return Status::Error("the sensitivity step must be between 0 and 1 (got " + got.str() +
                         "): use e.g. 0.1 for +-10%");
  }
  if (o.isl <= 0 || o.osl <= 0) return Status::Error("input and output lengths must be positive");
  PERFTCO_RETURN_IF_ERROR(ValidateEconomicsOptions(o.economics));
  const Inputs base_inputs{setup.hardware, setup.efficiency, o.economics};
  PERFTCO_ASSIGN_OR_RETURN(Outputs base, Evaluate(setup, base_inputs, economics, o));
  PERFTCO_ASSIGN_OR_RETURN(ChipEconomics chip,
                           EvaluateChip(setup.hardware, economics, o.economics));
  SensitivityReport r;
  r.batch = base.batch;
  r.throughput = base.throughput;
  r.tpot_s = base.tpot;
  r.ttft_s = base.ttft;
  r.owned_usd_per_million = base.owned;
  r.rented_usd_per_million = base.rented;
  for (const Knob& knob : Knobs(setup, chip)) {
    Result<Outputs> out[2] = {Status::Error(""), Status::Error("")};
    for (int side = 0; side < 2; ++side) {
      Inputs in = base_inputs;
      knob.scale(&in, side == 0 ? 1.0 - o.step : 1.0 + o.step);
      // An out-of-range value (PUE below 1, utilisation above 1) is one side missing.
      if (!ValidateEconomicsOptions(in.economics).ok()) continue;
      out[side] = Evaluate(setup, in, economics, o);
    }
    const bool lo = out[0].ok(), hi = out[1].ok();
    const auto pick = [&](int side, auto field) -> std::optional<double> {
      if (!out[side].ok()) return std::nullopt;
      return field(*out[side]);
    };
    const auto e = [&](const std::optional<double>& b, auto field) {
      return Elasticity(b, pick(0, field), pick(1, field), lo, hi, o.step);
    };
    Sensitivity s;
    s.input = knob.name;
    s.kind = knob.kind;
    s.base = knob.base;
    s.unit = knob.unit;
    s.throughput =
        e(base.throughput, [](const Outputs& x) -> std::optional<double> { return x.throughput; });
    s.tpot = e(base.tpot, [](const Outputs& x) -> std::optional<double> { return x.tpot; });
    s.ttft = e(base.ttft, [](const Outputs& x) -> std::optional<double> { return x.ttft; });
    s.owned_usd_per_million = e(base.owned, [](const Outputs& x) { return x.owned; });
    s.rented_usd_per_million = e(base.rented, [](const Outputs& x) { return x.rented; });
    r.inputs.push_back(std::move(s));
  }
  return r;
}

}  // namespace perftco
