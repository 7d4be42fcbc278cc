#include "perftco/parallel_plan.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace perftco {
namespace {

std::string Str(int v) { return std::to_string(v); }

}  // namespace

std::string ParallelPlan::ToString() const {
  std::string s = "tp" + Str(tp);
  if (pp > 1) s += "-pp" + Str(pp);
  if (ep > 1) s += "-ep" + Str(ep);
  if (dp_attention) s += "-dpattn";
  if (pp > 1 && micro_batches > 0 && micro_batches != pp) s += "-mb" + Str(micro_batches);
  if (replicas > 1) s += " x" + Str(replicas);
  return s;
}

std::vector<int> StageLayerCounts(int layers, int pp) {
  std::vector<int> counts(pp, layers / pp);
  const int remaining = layers % pp;
  // vLLM: for i in range(2, remaining + 2): partitions[-i] += 1.
  for (int i = 2; i < remaining + 2; ++i) ++counts[pp - i];
  return counts;
}

double ParallelPlan::HeadsPerChip(int heads) const {
  if (dp_attention) return heads;
  return pad_heads ? std::ceil(static_cast<double>(heads) / tp) : static_cast<double>(heads) / tp;
}

double ParallelPlan::KvHeadsPerChip(int kv_heads) const {
  if (dp_attention) return kv_heads;
  const double share = static_cast<double>(kv_heads) / tp;
  return std::max(1.0, pad_heads ? std::ceil(share) : share);
}

Status ValidatePlan(const ParallelPlan& plan, const ModelConfig& model, const Hardware& hw) {
  const std::string m = model.name;
  if (plan.tp < 1 || plan.pp < 1 || plan.ep < 1 || plan.replicas < 1) {
    return Status::Error("tp, pp, ep and replicas must each be at least 1");
  }
  if (plan.micro_batches < 0) {
    return Status::Error("micro_batches must be at least 1 (or 0 for one per pipeline stage)");
  }
  if (plan.micro_batches > 0 && plan.pp == 1) {
    return Status::Error("micro-batches=" + Str(plan.micro_batches) +
                         " needs pipeline parallelism: set pp > 1 or drop micro-batches");
  }
  if (!plan.dp_attention && !plan.pad_heads && model.heads % plan.tp != 0) {
    return Status::Error("tp=" + Str(plan.tp) + " does not divide the " + Str(model.heads) +
                         " attention heads of " + m + ": choose tp among the divisors of " +
                         Str(model.heads));
  }
  if (plan.pp > model.layers) {
    return Status::Error("pp=" + Str(plan.pp) + " exceeds the " + Str(model.layers) +
                         " layers of " + m + ": each pipeline stage needs at least one layer");
  }
  if (plan.ep > 1) {
    if (!model.IsMoe()) {
      return Status::Error("ep=" + Str(plan.ep) + " needs a mixture-of-experts model; " + m +
                           " is dense: use ep=1");
    }
    if (plan.tp % plan.ep != 0) {
      return Status::Error("ep=" + Str(plan.ep) + " must divide tp=" + Str(plan.tp) +
                           " (experts are spread over the tp ranks)");
    }
    if (plan.ep > model.moe.num_experts) {
      return Status::Error("ep=" + Str(plan.ep) + " exceeds the " + Str(model.moe.num_experts) +
                           " experts of " + m + ": use ep <= " + Str(model.moe.num_experts));
    }
  }
  if (plan.dp_attention && plan.tp == 1) {
    return Status::Error("dp_attention needs tp > 1 (attention runs data-parallel over tp ranks)");
  }
  const int domain = std::max(1, hw.scale_up.domain_chips);
  if (plan.tp > domain) {
    if (!plan.dp_attention && !plan.cross_domain_tp) {
      return Status::Error("tp=" + Str(plan.tp) + " spans more chips than one " + hw.name +
                           " scale-up domain holds (" + Str(domain) +
                           "): lower tp and use pp across domains, (MoE) use dp-attention "
                           "with expert parallelism across domains, or ask for tensor "
                           "parallelism over the scale-out network (--cross-domain-tp)");
    }
    if (plan.tp % domain != 0) {
      return Status::Error("tp=" + Str(plan.tp) + (plan.dp_attention ? " with dp-attention" : "") +
                           " spans " + hw.name + " scale-up domains of " + Str(domain) +
                           " chips only in whole domains: use a multiple of " + Str(domain));
    }
  }
  return Status::Ok();
}

}  // namespace perftco
