// Speculative decoding and multi-token prediction: a cheap drafter proposes tokens, the model
// verifies them all in one step and keeps the accepted prefix plus one token of its own.
#ifndef PERFTCO_SPECULATIVE_H_
#define PERFTCO_SPECULATIVE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "perftco/model.h"
#include "perftco/status.h"

namespace perftco {

// Who drafts. Each is costed per step as `tokens` sequential draft passes over the decode batch
// (docs/models/parallelism.md, "Speculative decoding").
enum class DraftKind {
  kNone,
  kMtp,         // the model's own multi-token-prediction layers (DeepSeek-V3 MTP)
  kEagle,       // a small head of the target's width on its hidden states (EAGLE-1/2/3)
  kDraftModel,  // a separate smaller model of the same tokenizer (Leviathan et al. 2023)
};

struct SpeculativeDecoding {
  DraftKind kind = DraftKind::kNone;
  int tokens = 0;           // k: drafted tokens per sequence per step
  double acceptance = 0.0;  // probability that a drafted token is accepted, given its prefix was
  // When not empty, the acceptance of the i-th drafted token given its prefix was accepted, for
  // i = 1, 2, ...; the last entry holds for the positions beyond. Overrides `acceptance`.
  std::vector<double> acceptance_by_position;
  int draft_layers = 1;  // kMtp / kEagle: transformer layers of the draft head
  std::shared_ptr<const ModelConfig> draft_model;  // kDraftModel only

  bool enabled() const { return kind != DraftKind::kNone && tokens > 0; }
  // The acceptance of drafted position i (1-based), from acceptance_by_position or acceptance.
  double AcceptanceAt(int position) const;
  // Expected tokens a sequence advances per verification step, the accepted drafts plus the
  // model's own token: 1 + sum_{i=1..k} prod_{j<=i} a_j, which is (1 - a^(k+1)) / (1 - a) under
  // i.i.d. acceptance (Leviathan et al. 2023, eq. 1); 1 when disabled.
  double TokensPerStep() const;
  std::string ToString() const;  // "mtp k=1 a=0.85", "mtp k=3 a=0.875,0.62", "" when disabled
};

// The draft methods by name, with one line each (for --help and errors).
struct DraftKindInfo {
  DraftKind kind;
  const char* name;
  const char* description;
};
const std::vector<DraftKindInfo>& DraftKinds();
std::string_view DraftKindName(DraftKind kind);

// The per-token acceptance rate a with (1 - a^(k+1)) / (1 - a) = tau, for a mean acceptance
// length tau (drafts accepted plus the bonus token, as vLLM reports it) with k drafts. Fails
// unless 1 <= tau <= k + 1.
Result<double> AcceptanceFromMeanLength(int k, double tau);

// Reads a draft method by name: "mtp", "eagle" / "eagle3", "draft" / "draft-model"; kNone when
// the name is none of them.
DraftKind ParseDraftKind(std::string_view name);

// The draft head of kinds kMtp / kEagle as a model of its own: `layers` layers shaped like the
// target's last layer (MoE if the target's last layer is), sharing the target's vocabulary.
ModelConfig DraftHeadConfig(const ModelConfig& target, int layers);

}  // namespace perftco

#endif  // PERFTCO_SPECULATIVE_H_
