#include "perftco/parallel_plan.h"

#include <string>

namespace perftco {

std::string ParallelPlan::ToString() const {
  std::string s = "tp" + std::to_string(tp);
  if (pp > 1) s += "-pp" + std::to_string(pp);
  if (ep > 1) s += "-ep" + std::to_string(ep);
  if (dp_attention) s += "-dpattn";
  if (replicas > 1) s += " x" + std::to_string(replicas);
  return s;
}

Status ValidatePlan(const ParallelPlan& plan, const ModelConfig& model, const Hardware& hw) {
  const std::string m = model.name;
  if (plan.tp < 1 || plan.pp < 1 || plan.ep < 1 || plan.replicas < 1) {
    return Status::Error("tp, pp, ep and replicas must each be at least 1");
  }
  if (!plan.dp_attention && model.heads % plan.tp != 0) {
    return Status::Error("tp=" + std::to_string(plan.tp) + " does not divide the " +
                         std::to_string(model.heads) + " attention heads of " + m +
                         ": choose tp among the divisors of " + std::to_string(model.heads));
  }
  if (plan.pp > model.layers) {
    return Status::Error("pp=" + std::to_string(plan.pp) + " exceeds the " +
                         std::to_string(model.layers) + " layers of " + m);
  }
  if (plan.ep > 1) {
    if (!model.IsMoe()) {
      return Status::Error("ep=" + std::to_string(plan.ep) + " needs a mixture-of-experts model; " +
                           m + " is dense: use ep=1");
    }
    if (plan.tp % plan.ep != 0) {
      return Status::Error("ep=" + std::to_string(plan.ep) + " must divide tp=" +
                           std::to_string(plan.tp) + " (experts are spread over the tp ranks)");
    }
    if (model.moe.num_experts % plan.ep != 0) {
      return Status::Error("ep=" + std::to_string(plan.ep) + " does not divide the " +
                           std::to_string(model.moe.num_experts) + " experts of " + m);
    }
  }
  if (plan.dp_attention && plan.tp == 1) {
    return Status::Error("dp_attention needs tp > 1 (attention runs data-parallel over tp ranks)");
  }
  if (plan.tp > hw.scale_up.domain_chips) {
    return Status::Error("tp=" + std::to_string(plan.tp) + " spans more chips than one " +
                         hw.name + " scale-up domain holds (" +
                         std::to_string(hw.scale_up.domain_chips) +
                         "): lower tp and use pp across domains");
  }
  return Status::Ok();
}

}  // namespace perftco
