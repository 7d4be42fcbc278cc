#include "perftco/setup.h"

#include <sstream>

#include "perftco/limits.h"
#include "perftco/names.h"

namespace perftco {

Result<SpeculativeDecoding> MakeSpeculative(const Catalog& catalog, const ModelConfig& model,
                                            const EngineMemory& engine, std::string method,
                                            std::optional<int> tokens,
                                            std::optional<double> acceptance) {
  SpeculativeDecoding spec;
  if (tokens && *tokens < 0) return Status::Error("--spec-tokens must be 0 (off) or positive");
  if (tokens && *tokens == 0) return spec;  // k = 0 drafts nothing: plain decoding
  if (tokens && *tokens > 16) {
    return Status::Error("--spec-tokens " + std::to_string(*tokens) +
                         " is beyond what engines draft (at most 16)");
  }
  if (method.empty()) method = model.mtp_layers > 0 ? "mtp" : "eagle";
  std::string draft_name;
  if (const size_t colon = method.find(':'); colon != std::string::npos) {
    draft_name = method.substr(colon + 1);
    method = method.substr(0, colon);
  }
  spec.kind = ParseDraftKind(ToLower(method));
  if (spec.kind == DraftKind::kNone) {
    std::vector<std::string> names;
    for (const auto& k : DraftKinds()) names.push_back(k.name);
    return Status::Error("unknown --spec-method '" + method + "': use " + JoinNames(names) +
                         " (draft:<model>)");
  }
  if (spec.kind == DraftKind::kMtp) {
    if (model.mtp_layers == 0) {
      return Status::Error(model.name +
                           " has no multi-token-prediction layers: use "
                           "--spec-method eagle or draft:<model>");
    }
    spec.draft_layers = model.mtp_layers;
  }
  if (spec.kind == DraftKind::kDraftModel) {
    if (draft_name.empty()) {
      return Status::Error("--spec-method draft needs the draft model: draft:<model name>");
    }
    PERFTCO_ASSIGN_OR_RETURN(ModelConfig draft, catalog.FindModel(draft_name));
    if (draft.vocab != model.vocab) {
      return Status::Error("draft model " + draft.name + " has a vocabulary of " +
                           std::to_string(draft.vocab) + " tokens, " + model.name + " of " +
                           std::to_string(model.vocab) + ": a draft must share the tokenizer");
    }
    spec.draft_model = std::make_shared<const ModelConfig>(std::move(draft));
  } else if (!draft_name.empty()) {
    return Status::Error("--spec-method " + method + " takes no model name");
  }
  spec.tokens = tokens                           ? *tokens
                : spec.kind == DraftKind::kMtp   ? engine.mtp_tokens
                : spec.kind == DraftKind::kEagle ? engine.eagle_tokens
                                                 : engine.draft_model_tokens;
  if (acceptance) {
    spec.acceptance = *acceptance;
    if (!(spec.acceptance >= 0.0 && spec.acceptance < 1.0)) {
      std::ostringstream os;
      os << "--acceptance " << spec.acceptance
         << " must be a probability in [0, 1): the chance that one drafted token is accepted";
      return Status::Error(os.str());
    }
  } else {
    const char* key = spec.kind == DraftKind::kMtp     ? "mtp"
                      : spec.kind == DraftKind::kEagle ? "eagle"
                                                       : "draft-model";
    PERFTCO_ASSIGN_OR_RETURN(spec.acceptance_by_position, catalog.DraftAcceptance(key));
    spec.acceptance = spec.acceptance_by_position.front();
  }
  return spec;
}

Result<SpeculativeDecoding> ResolveSpeculative(const Catalog& catalog, const ModelConfig& model,
                                               const EngineMemory& engine, const SetupOptions& o) {
  if (!o.spec_method && !o.spec_tokens) {
    if (o.acceptance) {
      return Status::Error(
          "--acceptance needs speculative decoding: give --spec-method or "
          "--spec-tokens");
    }
    return SpeculativeDecoding();
  }
  return MakeSpeculative(catalog, model, engine, o.spec_method.value_or(""), o.spec_tokens,
                         o.acceptance);
}

Result<std::string> ResolveWeightPrecision(const std::string& asked, const ModelConfig& model,
                                           const Hardware& hw) {
  const std::string name = ToLower(asked);
  if (name.empty() || name == "native") return model.native_precision;
  if (name != "best") {
    PERFTCO_RETURN_IF_ERROR(ParsePrecision(name).status());
    return asked;
  }
  PERFTCO_ASSIGN_OR_RETURN(Precision native, ParsePrecision(model.native_precision));
  Precision best = native;
  for (Precision p : {Precision::kFp8, Precision::kFp4}) {
    if (hw.peak_dense.count(p) && BytesPerElement(p) < BytesPerElement(best)) best = p;
  }
  return std::string(PrecisionName(best));
}

Result<Precisions> ResolvePrecisions(const SetupOptions& o) {
  Precisions p;
  PERFTCO_ASSIGN_OR_RETURN(p.weights, ParsePrecision(o.precision));
  p.activations = p.weights;
  if (o.activation_precision) {
    PERFTCO_ASSIGN_OR_RETURN(p.activations, ParsePrecision(*o.activation_precision));
  }
  p.kv = Precision::kBf16;
  if (o.kv_precision) {
    PERFTCO_ASSIGN_OR_RETURN(p.kv, ParsePrecision(*o.kv_precision));
  }
  return p;
}

Result<EngineMemory> ResolveEngine(const Catalog& catalog, const SetupOptions& o) {
  PERFTCO_ASSIGN_OR_RETURN(EngineMemory engine, catalog.FindEngine(o.engine));
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
  if (o.two_batch_overlap) engine.moe_comm_overlap = *o.two_batch_overlap;
  if (o.max_num_seqs) {
    if (*o.max_num_seqs < 0) return Status::Error("--max-num-seqs must be positive (0: no cap)");
    engine.max_num_seqs = *o.max_num_seqs;
  }
  return engine;
}

Result<std::shared_ptr<Setup>> BuildSetup(const Catalog& catalog, const EfficiencyTable& table,
                                          const SetupOptions& options) {
  auto setup = std::make_shared<Setup>();
  PERFTCO_ASSIGN_OR_RETURN(setup->model, catalog.FindModel(options.model));
  PERFTCO_ASSIGN_OR_RETURN(setup->hardware, catalog.FindHardware(options.hardware));
  if (!setup->model.unsupported.empty()) {
    return Status::Error(setup->model.name + " cannot be predicted: " + setup->model.unsupported);
  }
  SetupOptions o = options;
  PERFTCO_ASSIGN_OR_RETURN(o.precision,
                           ResolveWeightPrecision(o.precision, setup->model, setup->hardware));
  if (o.chips < 0) return Status::Error("--chips must be positive");
  PERFTCO_RETURN_IF_ERROR(CheckChips(o.chips));
  if (o.tp && *o.tp < 1) return Status::Error("--tp must be at least 1");
  if (o.pp < 1 || o.ep < 1) return Status::Error("--pp and --ep must be at least 1");
  ParallelPlan& plan = setup->plan;
  plan.pp = o.pp;
  plan.ep = o.ep;
  plan.dp_attention = o.dp_attention;
  plan.cross_domain_tp = o.cross_domain_tp;
  plan.micro_batches = o.micro_batches;
  const int chips = o.chips > 0 ? o.chips : (o.tp ? *o.tp : 1) * o.pp;
  plan.tp = o.tp ? *o.tp : chips / o.pp;
  if (plan.tp < 1 || chips % plan.ChipsPerReplica() != 0) {
    return Status::Error("--chips " + std::to_string(chips) + " is not a multiple of tp x pp = " +
                         std::to_string(plan.tp * plan.pp) + ": change --chips, --tp or --pp");
  }
  plan.replicas = chips / plan.ChipsPerReplica();
  PERFTCO_RETURN_IF_ERROR(ValidatePlan(plan, setup->model, setup->hardware));

  PERFTCO_ASSIGN_OR_RETURN(setup->precisions, ResolvePrecisions(o));
  const Precisions& p = setup->precisions;
  PERFTCO_ASSIGN_OR_RETURN(setup->engine, ResolveEngine(catalog, o));
  const EngineMemory& engine = setup->engine;
  PERFTCO_ASSIGN_OR_RETURN(setup->speculative,
                           ResolveSpeculative(catalog, setup->model, engine, o));
  setup->efficiency = table.For(setup->hardware.family);
  setup->cost = std::make_unique<CostModel>(setup->model, setup->hardware, plan, p,
                                            setup->efficiency, engine, setup->speculative);
  PERFTCO_RETURN_IF_ERROR(setup->cost->Fits());
  return setup;
}

}  // namespace perftco
