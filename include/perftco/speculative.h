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
  int draft_layers = 1;     // kMtp / kEagle: transformer layers of the draft head
  std::shared_ptr<const ModelConfig> draft_model;  // kDraftModel only

  bool enabled() const { return kind != DraftKind::kNone && tokens > 0; }
  // Expected tokens a sequence advances per verification step, the accepted drafts plus the
  // model's own token: (1 - a^(k+1)) / (1 - a) under i.i.d. acceptance (Leviathan et al. 2023,
  // eq. 1); 1 when disabled.
  double TokensPerStep() const;
  std::string ToString() const;  // "mtp k=1 a=0.85", "" when disabled
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

// Default acceptance rates when none is given, each with its source (docs/models/parallelism.md):
// MTP 0.85 (DeepSeek-V3 technical report, sec. 5.4.3: 85-90% for the second token); EAGLE and
// draft models 0.7 (an assumption in the middle of the 0.5-0.9 range of Leviathan et al. 2023,
// Table 3, and of the 0.68-0.86 implied by the EAGLE-3 rows of data/measured).
double DefaultAcceptance(DraftKind kind);

// The draft head of kinds kMtp / kEagle as a model of its own: `layers` layers shaped like the
// target's last layer (MoE if the target's last layer is), sharing the target's vocabulary.
ModelConfig DraftHeadConfig(const ModelConfig& target, int layers);

}  // namespace perftco

#endif  // PERFTCO_SPECULATIVE_H_
