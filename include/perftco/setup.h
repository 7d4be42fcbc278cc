// From user-facing names and options to a ready CostModel: the step every front end shares.
#ifndef PERFTCO_SETUP_H_
#define PERFTCO_SETUP_H_

#include <memory>
#include <optional>
#include <string>

#include "perftco/catalog.h"
#include "perftco/cost_model.h"
#include "perftco/efficiency.h"

namespace perftco {

// What a user names on the command line or in a scenario file. Unset optionals take defaults.
struct SetupOptions {
  std::string model;
  std::string hardware;
  int chips = 0;          // 0: tp x pp
  std::optional<int> tp;  // default: all chips
  int pp = 1;
  int ep = 1;
  bool dp_attention = false;
  bool cross_domain_tp = false;  // allow tp beyond one scale-up domain (ParallelPlan)
  // Weights: a format, "native" (the checkpoint's, ModelConfig::native_precision) or "best"
  // (ResolveWeightPrecision).
  std::string precision = "native";
  std::optional<std::string> activation_precision;  // default: the weights' format
  std::optional<std::string> kv_precision;          // default: bf16
  std::string engine = "default";                   // preset from data/engines.yaml
  std::optional<double> mem_fraction;               // overrides of the preset
  std::optional<int64_t> max_batched_tokens;
  std::optional<int64_t> max_num_seqs;
  std::optional<bool> two_batch_overlap;  // expert all-to-all under compute (EngineMemory)
  int micro_batches = 0;                  // pipeline micro-batches; 0: one per stage
  // Speculative decoding: on when spec_method or spec_tokens > 0 is given; spec_tokens 0 is off.
  // spec_method is "mtp", "eagle" or "draft:<model>" (default: mtp for models with MTP layers,
  // else eagle); spec_tokens defaults to the engine's drafted tokens for the method; acceptance
  // is one per-token rate for every position (default: data/speculative.yaml, per position).
  std::optional<int> spec_tokens;
  std::optional<std::string> spec_method;
  std::optional<double> acceptance;
};

// Everything a prediction needs, with the model checked to fit.
struct Setup {
  ModelConfig model;
  Hardware hardware;
  ParallelPlan plan;
  Precisions precisions;
  Efficiency efficiency;
  EngineMemory engine;
  SpeculativeDecoding speculative;
  std::unique_ptr<CostModel> cost;
};

// The weight format `asked` names for `model` on `hw`: a format name as given; "native" or ""
// the checkpoint's published format; "best" the narrowest of that and the floating-point formats
// the chip's matrix units execute (fp8, fp4), as benchmark submissions quantize. Fails on an
// unknown name.
Result<std::string> ResolveWeightPrecision(const std::string& asked, const ModelConfig& model,
                                           const Hardware& hw);
// The weight, activation and KV formats of `o` (activations default to the weights' format, KV
// to bf16); fails on an unknown format name.
Result<Precisions> ResolvePrecisions(const SetupOptions& o);
// The engine preset of `o` with its overrides, each checked.
Result<EngineMemory> ResolveEngine(const Catalog& catalog, const SetupOptions& o);

// Speculative decoding by `method` ("mtp", "eagle" / "eagle3", "draft:<model>" /
// "draft-model:<model>"; empty: mtp where the model has MTP layers, else eagle) for `model`:
// `tokens` drafts per step (unset: the engine's default for the method; 0: disabled) accepted
// at `acceptance` each (unset: the catalog's per-position defaults). Errors name the bad option.
Result<SpeculativeDecoding> MakeSpeculative(const Catalog& catalog, const ModelConfig& model,
                                            const EngineMemory& engine, std::string method,
                                            std::optional<int> tokens,
                                            std::optional<double> acceptance);
// The speculative decoding `o` asks for (disabled when neither a method nor tokens are given, or
// tokens are 0), resolved with MakeSpeculative.
Result<SpeculativeDecoding> ResolveSpeculative(const Catalog& catalog, const ModelConfig& model,
                                               const EngineMemory& engine, const SetupOptions& o);

// Resolves names, validates the plan, and checks the model fits. Errors are one line each.
Result<std::shared_ptr<Setup>> BuildSetup(const Catalog& catalog, const EfficiencyTable& table,
                                          const SetupOptions& options);

}  // namespace perftco

#endif  // PERFTCO_SETUP_H_
