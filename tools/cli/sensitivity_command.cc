// perftco sensitivity: the elasticity of throughput, latency and $/M tokens to every input.
#include <cmath>
#include <cstdio>

#include "commands.h"
#include "economics_options.h"
#include "estimate_json.h"
#include "perftco/sensitivity.h"
#include "perftco/text_table.h"

namespace perftco::cli {
namespace {

struct SensitivityArgs {
  SetupOptions setup;
  int64_t isl = 1000;
  int64_t osl = 1000;
  int64_t batch = 0;
  double step = 0.1;
  EconomicsFlags economics;
  bool json = false;
};

std::string ElasticityText(const std::optional<double>& e) {
  if (!e) return "unknown";
  // Elasticities below 0.005 print as 0.00 whatever their sign: noise of the step sums.
  return FormatFixed(std::fabs(*e) < 0.005 ? 0.0 : *e, 2);
}

Status RunSensitivity(CliContext* ctx, const SensitivityArgs& a) {
  if (a.batch < 0) return Status::Error("--batch must be positive (or omitted: the largest)");
  PERFTCO_ASSIGN_OR_RETURN(std::shared_ptr<Setup> setup, SetupFrom(ctx, a.setup));
  PERFTCO_ASSIGN_OR_RETURN(EconomicsOptions econ, ResolveEconomicsFlags(ctx, a.economics));
  PERFTCO_ASSIGN_OR_RETURN(EconomicsData data, LoadEconomics(ctx));
  SensitivityOptions o;
  o.isl = a.isl;
  o.osl = a.osl;
  o.batch = a.batch;
  o.step = a.step;
  o.economics = econ;
  PERFTCO_ASSIGN_OR_RETURN(SensitivityReport r, ComputeSensitivity(*setup, data, o));
  if (a.json) {
    nlohmann::ordered_json j = SetupJson(*setup);
    j["isl"] = a.isl;
    j["osl"] = a.osl;
    j["batch"] = r.batch;
    j["step"] = a.step;
    j["output_tokens_per_s_per_chip"] = r.throughput;
    j["tpot_s"] = r.tpot_s;
    j["ttft_s"] = r.ttft_s;
    j["usd_per_million_output_tokens"] = JsonOrNull(r.owned_usd_per_million);
    j["usd_per_million_output_tokens_rented"] = JsonOrNull(r.rented_usd_per_million);
    j["elasticities"] = nlohmann::ordered_json::array();
    for (const Sensitivity& s : r.inputs) {
      j["elasticities"].push_back(
          {{"input", s.input},
           {"kind", s.kind},
           {"base", s.base},
           {"unit", s.unit},
           {"throughput", JsonOrNull(s.throughput)},
           {"tpot", JsonOrNull(s.tpot)},
           {"ttft", JsonOrNull(s.ttft)},
           {"usd_per_million_owned", JsonOrNull(s.owned_usd_per_million)},
           {"usd_per_million_rented", JsonOrNull(s.rented_usd_per_million)}});
    }
    std::printf("%s\n", j.dump(2).c_str());
    return Status::Ok();
  }
  std::string out = setup->model.name + " on " + std::to_string(setup->plan.Chips()) + " x " +
                    setup->hardware.name + " (" + setup->plan.ToString() + "), input " +
                    std::to_string(a.isl) + ", output " + std::to_string(a.osl) +
                    " tokens, batch " + std::to_string(r.batch) +
                    (a.batch > 0 ? "" : " (the largest that fits)") + "\n";
  out += "at the base: " + FormatFixed(r.throughput, 1) + " output tok/s per chip, TPOT " +
         FormatFixed(r.tpot_s * 1e3, 2) + " ms, TTFT " + FormatFixed(r.ttft_s * 1e3, 1) +
         " ms, $/M output tokens owned " + NumText(r.owned_usd_per_million, 4) + ", rented " +
         NumText(r.rented_usd_per_million, 4) + "\n";
  out +=
      "elasticity: % change of the output per 1% change of the input (central differences, "
      "input +-" +
      FormatFixed(100 * a.step, 0) +
      "%; the batch that fits is found again for each change unless --batch is given)\n\n";
  TextTable t({"input", "base", "unit", "tok/s/chip", "TPOT", "TTFT", "$/M owned", "$/M rented"});
  for (const Sensitivity& s : r.inputs) {
    t.AddRow({s.input, FormatSi(s.base), s.unit, ElasticityText(s.throughput),
              ElasticityText(s.tpot), ElasticityText(s.ttft),
              ElasticityText(s.owned_usd_per_million), ElasticityText(s.rented_usd_per_million)});
  }
  out += t.Render();
  std::fputs(out.c_str(), stdout);
  return Status::Ok();
}

}  // namespace

void AddSensitivityCommand(CLI::App* sub, CliContext* ctx) {
  auto a = std::make_shared<SensitivityArgs>();
  AddSetupOptions(sub, &a->setup);
  sub->add_option("--isl", a->isl, "input tokens per request")->capture_default_str();
  sub->add_option("--osl", a->osl, "output tokens per request")->capture_default_str();
  sub->add_option("--batch,-b", a->batch, "sequences per replica (default: the largest that fits)");
  sub->add_option("--step", a->step, "relative change of each input, each way")
      ->capture_default_str();
  AddEconomicsOptions(sub, &a->economics);
  sub->add_flag("--json", a->json, "print JSON");
  sub->callback([ctx, a] { ctx->status = RunSensitivity(ctx, *a); });
}

}  // namespace perftco::cli
