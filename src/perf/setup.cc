#include "perftco/setup.h"

namespace perftco {

Result<std::shared_ptr<Setup>> BuildSetup(const Catalog& catalog, const EfficiencyTable& table,
                                          const SetupOptions& o) {
  auto setup = std::make_shared<Setup>();
  PERFTCO_ASSIGN_OR_RETURN(setup->model, catalog.FindModel(o.model));
  PERFTCO_ASSIGN_OR_RETURN(setup->hardware, catalog.FindHardware(o.hardware));
  if (!setup->model.unsupported.empty()) {
    return Status::Error(setup->model.name + " cannot be predicted: " + setup->model.unsupported);
  }
  if (o.chips < 0) return Status::Error("--chips must be positive");
  if (o.tp && *o.tp < 1) return Status::Error("--tp must be at least 1");
  if (o.pp < 1 || o.ep < 1) return Status::Error("--pp and --ep must be at least 1");
  ParallelPlan& plan = setup->plan;
  plan.pp = o.pp;
  plan.ep = o.ep;
  plan.dp_attention = o.dp_attention;
  const int chips = o.chips > 0 ? o.chips : (o.tp ? *o.tp : 1) * o.pp;
  plan.tp = o.tp ? *o.tp : chips / o.pp;
  if (plan.tp < 1 || chips % plan.ChipsPerReplica() != 0) {
    return Status::Error("--chips " + std::to_string(chips) + " is not a multiple of tp x pp = " +
                         std::to_string(plan.tp * plan.pp) + ": change --chips, --tp or --pp");
  }
  plan.replicas = chips / plan.ChipsPerReplica();
  PERFTCO_RETURN_IF_ERROR(ValidatePlan(plan, setup->model, setup->hardware));

  Precisions& p = setup->precisions;
  PERFTCO_ASSIGN_OR_RETURN(p.weights, ParsePrecision(o.precision));
  p.activations = p.weights;
  if (o.activation_precision) {
    PERFTCO_ASSIGN_OR_RETURN(p.activations, ParsePrecision(*o.activation_precision));
  }
  p.kv = Precision::kBf16;
  if (o.kv_precision) {
    PERFTCO_ASSIGN_OR_RETURN(p.kv, ParsePrecision(*o.kv_precision));
  }
  PERFTCO_ASSIGN_OR_RETURN(setup->engine, catalog.FindEngine(o.engine));
  EngineMemory& engine = setup->engine;
  if (o.mem_fraction) {
    if (*o.mem_fraction <= 0 || *o.mem_fraction > 1) {
      return Status::Error("--mem-fraction must be in (0, 1]");
    }
    engine.usable_fraction = *o.mem_fraction;
  }
  if (o.max_batched_tokens) {
    if (*o.max_batched_tokens < 1) return Status::Error("--max-batched-tokens must be positive");
    engine.max_batched_tokens = *o.max_batched_tokens;
  }
  if (o.max_num_seqs) {
    if (*o.max_num_seqs < 0) return Status::Error("--max-num-seqs must be positive (0: no cap)");
    engine.max_num_seqs = *o.max_num_seqs;
  }
  setup->efficiency = table.For(setup->hardware.family);
  setup->cost = std::make_unique<CostModel>(setup->model, setup->hardware, plan, p,
                                            setup->efficiency, engine);
  PERFTCO_RETURN_IF_ERROR(setup->cost->Fits());
  return setup;
}

}  // namespace perftco
