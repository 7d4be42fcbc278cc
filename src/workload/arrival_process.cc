#include "workload/arrival_process.h"

#include "perftco/names.h"

namespace perftco::workload {
namespace {

class Poisson : public ArrivalProcess {
 public:
  explicit Poisson(double rate) : rate_(rate) {}
  double NextGap(Rng& rng) override { return rng.Exponential(rate_); }

 private:
  double rate_;
};

// Gamma gaps with shape k = 1 / cv^2 and scale 1 / (rate k): mean 1 / rate, CV cv.
class GammaGaps : public ArrivalProcess {
 public:
  GammaGaps(double rate, double cv) : shape_(1.0 / (cv * cv)), scale_(1.0 / (rate * shape_)) {}
  double NextGap(Rng& rng) override { return rng.Gamma(shape_) * scale_; }

 private:
  double shape_, scale_;
};

class Constant : public ArrivalProcess {
 public:
  explicit Constant(double rate) : gap_(1.0 / rate) {}
  double NextGap(Rng&) override { return gap_; }

 private:
  double gap_;
};

}  // namespace

const std::vector<NamedEntry>& ArrivalProcessTable() {
  static const std::vector<NamedEntry> kTable = {
      {"poisson", "exponential gaps at --rate (memoryless, the usual serving benchmark)"},
      {"gamma", "gamma gaps at --rate with --burstiness CV (> 1: burstier than Poisson)"},
      {"constant", "equal gaps of 1 / --rate"},
      {"closed",
       "--users concurrent users, each sending its next request --think-time-s after "
       "the last one finished"},
  };
  return kTable;
}

Result<std::unique_ptr<ArrivalProcess>> MakeArrivalProcess(const std::string& name, double rate,
                                                           double cv) {
  if (!(rate > 0)) {
    return Status::Error("--rate must be positive for " + name + " arrivals (requests per second)");
  }
  if (name == "poisson") return std::unique_ptr<ArrivalProcess>(new Poisson(rate));
  if (name == "constant") return std::unique_ptr<ArrivalProcess>(new Constant(rate));
  if (name == "gamma") {
    if (!(cv > 0)) return Status::Error("--burstiness (the gaps' CV) must be positive");
    return std::unique_ptr<ArrivalProcess>(new GammaGaps(rate, cv));
  }
  std::vector<std::string> names;
  for (const auto& e : ArrivalProcessTable()) names.push_back(e.name);
  return Status::Error("unknown arrival process '" + name + "': did you mean '" +
                       ClosestNames(name, names, 1).front() + "'? (" + JoinNames(names) + ")");
}

}  // namespace perftco::workload
