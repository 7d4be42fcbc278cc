#include "perftco/speculative.h"

#include <algorithm>
#include <sstream>

namespace perftco {

double SpeculativeDecoding::AcceptanceAt(int position) const {
  if (acceptance_by_position.empty()) return acceptance;
  const size_t i = static_cast<size_t>(std::max(1, position)) - 1;
  return acceptance_by_position[std::min(i, acceptance_by_position.size() - 1)];
}

double SpeculativeDecoding::TokensPerStep() const {
  if (!enabled()) return 1.0;
  double expected = 1.0, reach = 1.0;  // reach: probability that all drafts so far were accepted
  for (int i = 1; i <= tokens; ++i) {
    reach *= AcceptanceAt(i);
    expected += reach;
  }
  return expected;
}

std::string SpeculativeDecoding::ToString() const {
  if (!enabled()) return "";
  std::ostringstream os;
  os << DraftKindName(kind);
  if (kind == DraftKind::kDraftModel && draft_model) os << ":" << draft_model->name;
  os << " k=" << tokens << " a=";
  if (acceptance_by_position.empty()) {
    os << acceptance;
  } else {
    for (size_t i = 0; i < acceptance_by_position.size(); ++i) {
      os << (i ? "," : "") << acceptance_by_position[i];
    }
  }
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

DraftKind ParseDraftKind(std::string_view name) {
  if (name == "mtp") return DraftKind::kMtp;
  if (name == "eagle" || name == "eagle3") return DraftKind::kEagle;
  if (name == "draft" || name == "draft-model") return DraftKind::kDraftModel;
  return DraftKind::kNone;
}

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
