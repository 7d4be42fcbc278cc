#include "perftco/speculative.h"

#include <cmath>
#include <sstream>

namespace perftco {

double SpeculativeDecoding::TokensPerStep() const {
  if (!enabled()) return 1.0;
  const double a = acceptance;
  const int k = tokens;
  if (a >= 1.0) return k + 1.0;
  return (1.0 - std::pow(a, k + 1)) / (1.0 - a);
}

std::string SpeculativeDecoding::ToString() const {
  if (!enabled()) return "";
  std::ostringstream os;
  os << DraftKindName(kind);
  if (kind == DraftKind::kDraftModel && draft_model) os << ":" << draft_model->name;
  os << " k=" << tokens << " a=" << acceptance;
  return os.str();
}

const std::vector<DraftKindInfo>& DraftKinds() {
  static const std::vector<DraftKindInfo> kKinds = {
      {DraftKind::kMtp, "mtp", "the model's multi-token-prediction layers (DeepSeek-V3)"},
      {DraftKind::kEagle, "eagle", "an EAGLE draft head of the target's width (one layer)"},
      {DraftKind::kDraftModel, "draft", "a separate draft model: draft:<model name>"},
  };
  return kKinds;
}

std::string_view DraftKindName(DraftKind kind) {
  for (const auto& k : DraftKinds()) {
    if (k.kind == kind) return k.name;
  }
  return "none";
}

Result<double> AcceptanceFromMeanLength(int k, double tau) {
  if (k < 1) return Status::Error("speculative tokens must be at least 1");
  if (!(tau >= 1.0 && tau <= k + 1.0)) {
    std::ostringstream os;
    os << "a mean acceptance length of " << tau << " is impossible with " << k
       << " drafted tokens: it lies between 1 and " << k + 1;
    return Status::Error(os.str());
  }
  // tau(a) = sum_{i=0..k} a^i rises monotonically from 1 (a = 0) to k + 1 (a = 1): bisect.
  double lo = 0.0, hi = 1.0;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    SpeculativeDecoding s;
    s.kind = DraftKind::kEagle;
    s.tokens = k;
    s.acceptance = mid;
    if (s.TokensPerStep() < tau) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

double DefaultAcceptance(DraftKind kind) { return kind == DraftKind::kMtp ? 0.85 : 0.7; }

ModelConfig DraftHeadConfig(const ModelConfig& target, int layers) {
  ModelConfig d = target;
  d.name = target.name + "-draft-head";
  d.layers = layers;
  const bool moe = target.IsMoe() && !target.moe_layer.empty() && target.moe_layer.back();
  d.moe_layer.assign(layers, moe);
  d.sliding_window = 0;
  d.sliding_layer.assign(layers, false);
  d.mtp_layers = 0;
  return d;
}

}  // namespace perftco
