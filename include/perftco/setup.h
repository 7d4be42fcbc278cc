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
  std::string precision = "bf16";                   // weights
  std::optional<std::string> activation_precision;  // default: the weights' format
  std::optional<std::string> kv_precision;          // default: bf16
  std::string engine = "default";                   // preset from data/engines.yaml
  std::optional<double> mem_fraction;               // overrides of the preset
  std::optional<int64_t> max_batched_tokens;
  std::optional<int64_t> max_num_seqs;
  int micro_batches = 0;  // pipeline micro-batches; 0: one per stage
  // Speculative decoding: off unless spec_tokens > 0. spec_method is "mtp", "eagle" or
  // "draft:<model>" (default: mtp for models with MTP layers, else eagle); acceptance is the
  // per-token acceptance rate (default: DefaultAcceptance of the method).
  int spec_tokens = 0;
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

// The weight, activation and KV formats of `o` (activations default to the weights' format, KV
// to bf16); fails on an unknown format name.
Result<Precisions> ResolvePrecisions(const SetupOptions& o);
// The engine preset of `o` with its overrides, each checked.
Result<EngineMemory> ResolveEngine(const Catalog& catalog, const SetupOptions& o);

// The speculative decoding `o` asks for (disabled when o.spec_tokens == 0), resolved against the
// catalog for the model being served. Errors name the bad option.
Result<SpeculativeDecoding> ResolveSpeculative(const Catalog& catalog, const ModelConfig& model,
                                               const SetupOptions& o);

// Resolves names, validates the plan, and checks the model fits. Errors are one line each.
Result<std::shared_ptr<Setup>> BuildSetup(const Catalog& catalog, const EfficiencyTable& table,
                                          const SetupOptions& options);

}  // namespace perftco

#endif  // PERFTCO_SETUP_H_
